"""The seq2seq and instruct engines on locally built random-weight models (no hub, no mocks)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from service.config import Settings
from service.domain.summary import Document, SummaryParams
from service.engines.registry import load_engine
from service.exceptions import InputTooLong
from service.text.cleaning import clean_text
from service.text.sentences import split_sentences

# Greedy, and a fixed number of new tokens, so random weights still produce text to compare.
FIXED = {"num_beams": 1, "min_new_tokens": 8, "max_new_tokens": 8}


def _document(raw: str) -> Document:
    article = clean_text(raw)
    return Document(article.body, split_sentences(article.body), article.title)


@pytest.fixture(scope="module")
def engines(tiny_models: dict[str, Path], load_tiny) -> dict:
    return {name: load_tiny(path, max_new_tokens=32) for name, path in tiny_models.items()}


def test_engines_load_by_path_with_checkpoint_defaults(engines: dict) -> None:
    bart, t5, llama = engines["bart"], engines["t5"], engines["llama"]
    assert (bart.info.engine, t5.info.engine, llama.info.engine) == ("seq2seq", "seq2seq", "instruct")
    # Defaults come from task_specific_params["summarization"] of each checkpoint.
    assert bart.defaults["num_beams"] == 2 and bart.defaults["no_repeat_ngram_size"] == 3
    assert bart.defaults["max_new_tokens"] == 24 and bart.input_limit == 64
    assert t5.prefix == "summarize: " and t5.input_limit == 64
    assert llama.defaults["num_beams"] == 1  # greedy
    # GENERATION_BATCH_SIZE (8) counts sequences: texts × beams in one generate() call.
    assert (bart.preferred_batch_size, llama.preferred_batch_size) == (4, 8)
    assert bart.texts_per_call(8) == 1 and bart.texts_per_call(3) == 2
    for engine in engines.values():
        assert engine.info.revision.startswith("sha256:")
        assert engine.info.settings["quantize"] == "off"  # int8 only where the manifest measured it


def test_manifest_name_resolves_to_a_prepared_folder(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(tiny_models["bart"], store / "distilbart-cnn-12-6")
    engine = load_engine(Settings(model="distilbart-cnn-12-6", model_store=store))
    assert engine.info.name == "distilbart-cnn-12-6" and engine.info.engine == "seq2seq"


@pytest.mark.parametrize("name", ["bart", "t5", "llama"])
def test_batched_generation_equals_one_at_a_time(engines: dict, name: str, seed_text: str) -> None:
    engine = engines[name]
    sentences = [s.text for s in _document(seed_text).sentences]
    # Three documents of different lengths, so the batch needs padding.
    documents = [_document(" ".join(sentences[a:b])) for a, b in ((0, 1), (1, 3), (4, 5))]
    params = [SummaryParams(max_sentences=5, generation=FIXED)] * 3
    batched = [r.sentences for r in engine.summarize(documents, params)]
    single = [engine.summarize([d], [p])[0].sentences for d, p in zip(documents, params, strict=True)]
    assert all(batched), batched
    assert [[s.text for s in r] for r in batched] == [[s.text for s in r] for r in single]


@pytest.mark.parametrize("name", ["bart", "llama"])
def test_long_article_is_chunked_not_cut(engines: dict, name: str, seed_text: str) -> None:
    engine = engines[name]
    document = _document(seed_text)
    [result] = engine.summarize([document], [SummaryParams(generation=FIXED)])
    coverage = result.coverage
    assert coverage.input_tokens > 3 * engine.model.config.max_position_embeddings
    assert coverage.chunks > 1 and coverage.truncated is False and coverage.covered == 1.0
    assert coverage.token_limit < engine.input_limit
    assert result.sentences


def test_head_keeps_the_lead_and_says_so(engines: dict, seed_text: str) -> None:
    engine = engines["bart"]
    document = _document(seed_text)
    [result] = engine.summarize([document], [SummaryParams(overflow="head", generation=FIXED)])
    assert result.coverage.truncated is True and result.coverage.chunks == 1
    assert 0 < result.coverage.covered < 0.5


def test_error_overflow_reports_tokens_and_limit(engines: dict, seed_text: str) -> None:
    engine = engines["t5"]
    with pytest.raises(InputTooLong) as caught:
        engine.summarize([_document(seed_text)], [SummaryParams(overflow="error")])
    assert caught.value.tokens > caught.value.limit == engine.text_budget()


def test_generation_settings_are_sized_and_capped(engines: dict) -> None:
    bart = engines["bart"]
    # Shorter summaries need fewer tokens; the checkpoint's minimum shrinks to fit.
    short = bart.generation_settings(SummaryParams(max_words=5))
    assert short["max_new_tokens"] == 16 and short["min_new_tokens"] <= 8
    capped = bart.generation_settings(SummaryParams(generation={"max_new_tokens": 10_000, "num_beams": 50}))
    assert capped["max_new_tokens"] == 32 and capped["num_beams"] == 8
    assert bart.generation_settings(SummaryParams(generation=FIXED))["min_new_tokens"] == 8


def test_provenance_records_where_the_weights_came_from(tiny_models: dict[str, Path]) -> None:
    provenance = json.loads((tiny_models["bart"] / "PROVENANCE.json").read_text())
    assert provenance["engine"] == "seq2seq" and "model.safetensors" in provenance["weights"]


@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_lower_precision_on_request(tiny_models: dict[str, Path], load_tiny, seed_text: str, precision: str) -> None:
    engine = load_tiny(tiny_models["bart"], max_new_tokens=32, quantize=precision)
    assert engine.info.settings["quantize"] == precision
    if precision == "int8":
        assert any(type(m).__module__.startswith("torch.ao.nn.quantized") for m in engine.model.modules())
    else:
        assert {p.dtype for p in engine.model.parameters()} == {torch.bfloat16}
    [result] = engine.summarize([_document(seed_text)], [SummaryParams(generation=FIXED)])
    assert result.sentences and result.generation["max_new_tokens"] == FIXED["max_new_tokens"]
