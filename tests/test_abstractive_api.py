"""Abstractive engines through the API, in process: a random-weight BART for the machinery,
SmolLM2-135M-Instruct (from its PyPI package, GGUF) for a real summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service import __version__
from service.app import create_app
from service.config import Settings
from service.engines.quantize import cpu_has_bf16
from service.engines.registry import load_engine
from tests.support import assert_problem, summarize


@pytest.fixture(scope="module")
def bart_client(tiny_models: dict[str, Path], load_tiny) -> FlaskClient:
    settings = Settings(max_new_tokens=32)
    return create_app(settings, engine=load_tiny(tiny_models["bart"], max_new_tokens=32)).test_client()


@pytest.fixture(scope="module")
def smollm2_client() -> FlaskClient:
    settings = Settings(model="smollm2-135m-instruct")
    return create_app(settings, engine=load_engine(settings)).test_client()


FIXED = {"num_beams": 1, "min_new_tokens": 8, "max_new_tokens": 8}


def test_long_article_is_chunked_with_a_full_report(bart_client: FlaskClient, seed_text: str) -> None:
    response = summarize(bart_client, json={"text": seed_text, "generation": FIXED})
    assert response.status_code == 200, response.text
    body = response.get_json()
    report = body["input"]
    assert report["tokens"] > 3 * 64 and report["token_limit"] < 64
    assert report["chunks"] > 1 and report["truncated"] is False and report["coverage"] == 1.0
    assert body["summary"]
    for sentence in body["sentences"]:
        assert {"support", "unsupported"} <= sentence.keys() and "start" not in sentence


def test_head_and_error_overflow(bart_client: FlaskClient, seed_text: str) -> None:
    head = summarize(bart_client, json={"text": seed_text, "overflow": "head", "generation": FIXED}).get_json()["input"]
    assert head["truncated"] is True and head["chunks"] == 1 and 0 < head["coverage"] < 1
    body = assert_problem(summarize(bart_client, json={"text": seed_text, "overflow": "error"}), 422, "tokens")
    assert body["input_tokens"] > body["token_limit"] > 0


def test_provenance_and_effective_generation(bart_client: FlaskClient, seed_text: str) -> None:
    body = summarize(bart_client, json={"text": seed_text, "max_words": 20, "generation": {"num_beams": 3}}).get_json()
    model = body["model"]
    assert model["engine"] == "seq2seq" and model["id"] == "local/tiny-bart"
    assert model["revision"].startswith("sha256:") and model["service_version"] == __version__
    generation = model["generation"]
    assert generation["num_beams"] == 3  # the request's override
    assert generation["no_repeat_ngram_size"] == 3  # the checkpoint's own default
    assert generation["max_new_tokens"] <= 32
    [listed] = bart_client.get("/v1/models").get_json()["models"]
    assert listed["settings"]["input_limit"] == 64 and listed["settings"]["generation"]["num_beams"] == 2


def test_generation_caps_are_enforced(bart_client: FlaskClient, seed_text: str) -> None:
    assert_problem(summarize(bart_client, json={"text": seed_text, "generation": {"num_beams": 9}}), 422, "num_beams")
    assert_problem(
        summarize(bart_client, json={"text": seed_text, "generation": {"max_new_tokens": 33}}), 422, "at most 32"
    )
    assert_problem(
        summarize(bart_client, json={"text": seed_text, "generation": {"temperature": 2}}), 422, "temperature"
    )


def test_generation_options_are_refused_by_the_extractive_default(client: FlaskClient, seed_text: str) -> None:
    assert_problem(summarize(client, json={"text": seed_text, "generation": {"num_beams": 2}}), 422, "extractive")


def test_smollm2_summarises_the_seed_article(smollm2_client: FlaskClient, seed_text: str) -> None:
    response = summarize(smollm2_client, json={"text": seed_text, "length": "short", "include_text": True})
    assert response.status_code == 200, response.text
    body = response.get_json()
    summary = body["summary"]
    assert summary and 1 <= len(body["sentences"]) <= 2
    words = re.findall(r"[A-Za-z']+", summary.lower())
    assert len(words) >= 8 and {"the", "and", "of", "to", "a", "in"} & set(words)  # English prose
    assert re.search(r"North Korea|China|Beijing|Pyongyang", summary)
    assert body["model"]["engine"] == "instruct" and body["model"]["revision"].startswith("sha256:")
    assert body["model"]["generation"]["num_beams"] == 1  # greedy
    assert body["input"]["chunks"] == 1 and body["input"]["truncated"] is False
    cleaned = body["input"]["text"]
    for sentence in body["sentences"]:
        for support in sentence["support"]:
            # Support spans point at whole sentences of the article.
            assert cleaned[support["start"] : support["end"]] in seed_text and 0 < support["score"] <= 1
        for flag in sentence["unsupported"]:
            assert flag["kind"] in ("number", "entity", "quote") and flag["text"] in sentence["text"]
    [listed] = smollm2_client.get("/v1/models").get_json()["models"]
    # QUANTIZE=auto: the manifest's bf16, where this CPU computes bf16 natively.
    assert listed["settings"]["quantize"] == ("bf16" if cpu_has_bf16() else "off")
    print("\nSmolLM2 on the seed article:", summary, [s["unsupported"] for s in body["sentences"]])


def test_strict_is_consistent_with_the_flags(smollm2_client: FlaskClient, seed_text: str) -> None:
    loose = summarize(smollm2_client, json={"text": seed_text, "length": "long"}).get_json()
    strict = summarize(smollm2_client, json={"text": seed_text, "length": "long", "strict": True}).get_json()
    flagged = [s["text"] for s in loose["sentences"] if s["unsupported"]]
    assert [s["text"] for s in strict["sentences"]] == [s["text"] for s in loose["sentences"] if not s["unsupported"]]
    assert all(not s["unsupported"] for s in strict["sentences"])
    assert not any(text in strict["summary"] for text in flagged)
