"""The embedded extractive engine, in process, on the real MiniLM model."""

from __future__ import annotations

import numpy as np

from service.domain.summary import Document, SummaryParams
from service.text.cleaning import clean_text
from service.text.sentences import split_sentences


def _document(raw: str) -> Document:
    article = clean_text(raw)
    return Document(article.body, split_sentences(article.body), article.title)


def test_embeddings_are_unit_length_and_semantic(engine) -> None:
    vectors = engine.embedder.embed(["The cat sat on the mat.", "A cat was sitting on a rug.", "Stocks fell sharply."])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_seed_summary_is_verbatim_and_in_order(engine, seed_text: str) -> None:
    document = _document(seed_text)
    [result] = engine.summarize([document], [SummaryParams(max_sentences=3)])
    indices = [c.source.index for c in result.sentences]
    assert len(indices) == 3 and indices == sorted(indices)
    for chosen in result.sentences:
        assert document.text[chosen.source.start : chosen.source.end] == chosen.text


def test_each_document_of_a_batch_gets_its_own_length_and_sentences(engine, seed_text: str, dev_articles) -> None:
    documents = [_document(seed_text)] + [_document(a["article"]) for a in dev_articles[:5]]
    lengths = (3, 2, 4, 3, 1, 5)
    results = engine.summarize(documents, [SummaryParams(max_sentences=k) for k in lengths])
    for document, k, result in zip(documents, lengths, results, strict=True):
        assert len(result.sentences) == k
        assert all(document.text[c.source.start : c.source.end] == c.text for c in result.sentences)


def test_quantize_auto_takes_the_manifests_int8_and_off_keeps_fp32(engine, seed_text: str) -> None:
    import torch

    from service.config import Settings
    from service.engines.registry import load_engine

    def fp32_linears(e) -> int:
        return sum(type(m) is torch.nn.Linear for m in e.embedder.model.modules())

    # The fixture loads with the default QUANTIZE=auto: the manifest gives the embedded model int8.
    assert engine.info.settings["quantize"] == "int8"
    assert fp32_linears(engine) == 0
    fp32 = load_engine(Settings(model="embedded", quantize="off"))
    assert fp32.info.settings["quantize"] == "off"
    assert fp32_linears(fp32) == 37  # 6 layers × (query, key, value, attention out, up, down) + pooler
    document = _document(seed_text)
    for variant in (engine, fp32):
        [result] = variant.summarize([document], [SummaryParams(max_sentences=3)])
        assert len(result.sentences) == 3 and all(s.text in document.text for s in result.sentences)
        assert result.sentences[0].source.index == 0  # both lead with the news


def test_precision_auto_follows_the_manifest_and_the_cpu(monkeypatch) -> None:
    from service.engines import quantize

    assert quantize.effective_precision("off", "int8") == "off"
    assert quantize.effective_precision("int8", "off") == "int8"
    assert quantize.effective_precision("auto", "int8") == "int8"
    assert quantize.effective_precision("auto", "off") == "off"
    # bf16 is only a default where the CPU computes it natively; elsewhere it is slower than fp32.
    monkeypatch.setattr(quantize, "cpu_has_bf16", lambda: False)
    assert quantize.effective_precision("auto", "bf16") == "off"
    monkeypatch.setattr(quantize, "cpu_has_bf16", lambda: True)
    assert quantize.effective_precision("auto", "bf16") == "bf16"
