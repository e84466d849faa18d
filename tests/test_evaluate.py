"""bench/evaluate on a three-article file whose ROUGE values are known in advance."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench.evaluate import evaluate, read_rows, summarise
from service.config import Settings

ARTICLES = [
    "Rain fell across the northern valley on Tuesday. Farmers welcomed the storm after months of drought. "
    "Reservoirs rose by a third within two days.",
    "The council approved a new library budget. Construction will begin in the spring. "
    "Residents voted strongly for the plan last year.",
    "Engineers repaired the broken bridge overnight. Traffic resumed early on Friday morning. "
    "Officials praised the quick work of the crews.",
]
# Two references equal their three-sentence article (ROUGE 100 for any 3-sentence summary);
# the third shares no word with its article (ROUGE 0).
REFERENCES = [ARTICLES[0], ARTICLES[1], "Zebras quietly juggle purple umbrellas."]


@pytest.fixture()
def three_articles(tmp_path: Path) -> Path:
    path = tmp_path / "three.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i, (article, reference) in enumerate(zip(ARTICLES, REFERENCES)):
            handle.write(json.dumps({"id": f"t{i}", "article": article, "reference": reference}) + "\n")
    return path


def test_harness_reproduces_known_rouge(three_articles: Path) -> None:
    rows = read_rows(three_articles, None)
    systems, abstractive = evaluate(rows, "embedded", replace(Settings.from_env(), model="embedded"))
    assert abstractive is False
    results = summarise(systems, abstractive)
    for name in ("embedded (3 sentences)", "Lead-3", "Random-3"):
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert results[name][metric]["mean"] == pytest.approx(200 / 3, abs=1e-6), (name, metric)
        assert results[name]["rouge2"]["minus_lead3"]["mean"] == pytest.approx(0.0, abs=1e-9)
        assert results[name]["mean_sentences"] == 3
    # Its own policy gives a three-sentence article a one-sentence summary: lower recall.
    own = results["embedded (own length policy)"]
    assert own["mean_sentences"] == 1 and own["rouge1"]["mean"] < 200 / 3
    assert results["embedded (3 sentences)"]["rouge2"]["ci95"][0] <= 200 / 3 <= results["embedded (3 sentences)"]["rouge2"]["ci95"][1]
