"""Faithfulness checks and strict mode on generated sentences, in the use case's render step."""

from __future__ import annotations

from pathlib import Path

from service.domain.summary import SummaryResult, SummarySentence
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer

FAITHFUL = "North Korea and China met for talks in Beijing to improve their damaged relationship."
PLANTED = "The European Union's Ursula von der Leyen welcomed the talks."


def _render(engine, seed_text: str, strict: bool) -> dict:
    summarizer = Summarizer(engine)
    prepared = summarizer.prepare(SummarizeRequest(text=seed_text, strict=strict))
    result = SummaryResult([SummarySentence(FAITHFUL), SummarySentence(PLANTED)])
    return summarizer.render(prepared, result).as_json()


def test_generated_sentences_get_support_and_flags(tiny_models: dict[str, Path], load_tiny, seed_text: str) -> None:
    response = _render(load_tiny(tiny_models["bart"]), seed_text, strict=False)
    faithful, planted = response["sentences"]
    assert faithful["unsupported"] == [] and faithful["support"][0]["index"] == 0
    flagged = [f["text"] for f in planted["unsupported"] if f["kind"] == "entity"]
    assert any("European Union" in text for text in flagged) and any("Leyen" in text for text in flagged)
    assert response["summary"] == f"{FAITHFUL} {PLANTED}"


def test_strict_drops_the_flagged_sentence(tiny_models: dict[str, Path], load_tiny, seed_text: str) -> None:
    response = _render(load_tiny(tiny_models["bart"]), seed_text, strict=True)
    assert [s["text"] for s in response["sentences"]] == [FAITHFUL]
    assert response["summary"] == FAITHFUL
