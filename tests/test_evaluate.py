"""bench/evaluate on small files whose ROUGE values are known in advance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.evaluate import evaluate, main, read_rows, summarise
from service.config import Settings
from service.engines.registry import load_engine
from service.summarizer import Summarizer

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


def _write(path: Path, articles: list[str], references: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i, (article, reference) in enumerate(zip(articles, references, strict=True)):
            handle.write(json.dumps({"id": f"t{i}", "article": article, "reference": reference}) + "\n")
    return path


@pytest.fixture(scope="module")
def summarizer() -> Summarizer:
    return Summarizer(load_engine(Settings(model="embedded")))


def test_harness_reproduces_known_rouge(tmp_path: Path, summarizer: Summarizer) -> None:
    rows = read_rows(_write(tmp_path / "three.jsonl", ARTICLES, REFERENCES), None)
    results = summarise(evaluate(rows, summarizer, "embedded"), abstractive=False)
    for name in ("embedded (3 sentences)", "embedded (Lead-3's words)", "Lead-3", "Random-3"):
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert results[name][metric]["mean"] == pytest.approx(200 / 3, abs=1e-6), (name, metric)
        assert results[name]["rouge2"]["minus_lead3"]["mean"] == pytest.approx(0.0, abs=1e-9)
        assert results[name]["mean_sentences"] == 3 and results[name]["refused"] == 0
    # Its own policy gives a three-sentence article a one-sentence summary: lower recall.
    own = results["embedded (own length policy)"]
    assert own["mean_sentences"] == 1 and own["rouge1"]["mean"] < 200 / 3
    low, high = results["embedded (3 sentences)"]["rouge2"]["ci95"]
    assert low <= 200 / 3 <= high


def test_refusals_are_counted_and_scored_not_dropped(tmp_path: Path, summarizer: Summarizer) -> None:
    rows = read_rows(_write(tmp_path / "four.jsonl", [*ARTICLES, "— — —"], [*REFERENCES, "Nothing here."]), None)
    results = summarise(evaluate(rows, summarizer, "embedded", ("three",)), abstractive=False)
    three = results["embedded (3 sentences)"]
    assert three["articles"] == 4 and three["refused"] == 1 and three["refused_ids"] == ["t3"]
    assert three["rouge2"]["mean"] == pytest.approx(200 / 4, abs=1e-6)


def test_one_table_per_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _write(tmp_path / "first.jsonl", ARTICLES, REFERENCES)
    second = _write(tmp_path / "second.jsonl", ARTICLES[:2], REFERENCES[:2])
    assert main(["--data", str(first), str(second), "--systems", "three", "--out", str(tmp_path / "q")]) == 0
    printed = capsys.readouterr().out
    assert "on first.jsonl (3 articles)" in printed and "on second.jsonl (2 articles)" in printed
    assert json.loads((tmp_path / "q-second.json").read_text())["results"]["Lead-3"]["articles"] == 2
