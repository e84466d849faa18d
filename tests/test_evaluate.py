"""bench/evaluate on small files whose ROUGE values are known in advance."""

from __future__ import annotations

import json
import unicodedata
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


# --- other languages: the language from the data, Unicode ROUGE tokens, Lead-1/2/3 --------

FRENCH = [
    "Le réseau électrique a cédé dimanche à Marseille. Les équipes ont rétabli le courant en soirée. "
    "La préfecture a ouvert une enquête sur l'incident.",
    "Le conseil municipal a voté le budget de la médiathèque. Les travaux débuteront au printemps. "
    "Les habitants avaient approuvé le projet l'année dernière.",
]


def test_an_accent_never_splits_a_word() -> None:
    from rouge_score.tokenizers import DefaultTokenizer

    from service.calibration.rouge import UnicodeTokenizer

    text = "Élection à Besançon : l'équipe réélue, 2.600 électeurs"
    assert UnicodeTokenizer().tokenize(text) == [
        "élection", "à", "besançon", "l", "équipe", "réélue", "2", "600", "électeurs",
    ]  # fmt: skip
    # The same words with their accents as combining marks (NFD) are the same tokens.
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text and UnicodeTokenizer().tokenize(decomposed) == UnicodeTokenizer().tokenize(text)
    # rouge-score's own tokenizer is what this replaces: it cuts "réélue" into "r" and "lue".
    assert DefaultTokenizer().tokenize("réélue") == ["r", "lue"]
    # Scripts without spaces between words: one token a character.
    assert UnicodeTokenizer().tokenize("北京大学的学生") == ["北", "京", "大", "学", "的", "学", "生"]


def test_french_is_scored_on_whole_words_and_english_stays_stemmed() -> None:
    from service.calibration.rouge import scorer

    french = scorer("fr", ["rouge1", "rouge2"])
    # Only accented words are shared: whole words match, letters cut off by the default do not.
    assert french.score("réélue première", "réélue première").get("rouge2").fmeasure == 1.0
    assert french.score("réélue première", "rue première").get("rouge1").fmeasure == pytest.approx(0.5)
    english = scorer("en", ["rouge1"])
    assert english.score("the councils voted", "the council votes").get("rouge1").fmeasure == 1.0  # stemming


def test_language_comes_from_the_data_else_the_detector(tmp_path: Path) -> None:
    from bench.evaluate import row_language

    assert row_language({"article": FRENCH[0], "language": "de"}) == "de"
    assert row_language({"article": FRENCH[0]}) == "fr"
    assert row_language({"article": ARTICLES[0]}) == "en"


def test_french_leads_at_two_sentences(tmp_path: Path, summarizer: Summarizer) -> None:
    # References: the first article's first two sentences, the second's first sentence.
    references = [
        "Le réseau électrique a cédé dimanche à Marseille. Les équipes ont rétabli le courant en soirée.",
        "Le conseil municipal a voté le budget de la médiathèque.",
    ]
    rows = read_rows(_write(tmp_path / "fr.jsonl", FRENCH, references), None)
    systems = evaluate(rows, summarizer, "embedded", ("three",), sentences=2, request_options={"language": "force"})
    results = summarise(systems, abstractive=False, baseline="Lead-2")
    assert list(results) == [
        "embedded (2 sentences)", "Lead-1", "Lead-2", "Lead-3", "Lead at the references' median 13 words", "Random-2",
    ]  # fmt: skip
    lead1, lead2 = (next(s for s in systems if s.name == name) for name in ("Lead-1", "Lead-2"))
    assert lead2.scores["rouge2"][0] == pytest.approx(100.0) and lead1.scores["rouge2"][1] == pytest.approx(100.0)
    # Scored on French words: Lead-1 of the first article against its reference, by hand.
    from rouge_score.rouge_scorer import RougeScorer

    from service.calibration.rouge import UnicodeTokenizer

    by_hand = RougeScorer(["rouge2"], tokenizer=UnicodeTokenizer()).score(references[0], FRENCH[0].split(". ")[0] + ".")
    stemmed = RougeScorer(["rouge2"], use_stemmer=True).score(references[0], FRENCH[0].split(". ")[0] + ".")
    assert lead1.scores["rouge2"][0] == pytest.approx(100 * by_hand["rouge2"].fmeasure)
    assert by_hand["rouge2"].fmeasure != pytest.approx(stemmed["rouge2"].fmeasure)
    assert results["embedded (2 sentences)"]["rouge2"]["minus_lead2"]["mean"] == pytest.approx(
        results["embedded (2 sentences)"]["rouge2"]["mean"] - results["Lead-2"]["rouge2"]["mean"]
    )
    assert (
        results["embedded (2 sentences)"]["refused"] == 0 and results["embedded (2 sentences)"]["mean_sentences"] == 2
    )
