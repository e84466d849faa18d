"""Faithfulness flags on real articles: invented names, numbers and quotes are flagged,
faithful sentences are not, in English and in the other languages newsrooms write in."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest

from bench.server import REPO_ROOT
from service.domain.summary import Document
from service.faithfulness import ArticleIndex
from service.text.cleaning import clean_text
from service.text.sentences import split_sentences


def _index(raw: str) -> ArticleIndex:
    article = clean_text(raw)
    return ArticleIndex(Document(article.body, split_sentences(article.body), article.title))


def test_planted_entity_number_and_quote_are_flagged(seed_text: str) -> None:
    index = _index(seed_text)
    summary = (
        "The International Atomic Energy Agency praised the 2014 talks in Beijing, "
        'calling them "a historic breakthrough for peace".'
    )
    flags = {(f.kind, f.text) for f in index.unsupported(summary)}
    assert ("entity", "International Atomic Energy Agency") in flags
    assert ("number", "2014") in flags
    assert ("quote", "a historic breakthrough for peace") in flags
    assert not any(text == "Beijing" for _, text in flags)


def test_faithful_paraphrase_is_supported_and_unflagged(seed_text: str) -> None:
    index = _index(seed_text)
    sentence = (
        "Kim Kye-gwan met China's Zhang Yesui at the foreign ministry in Beijing for talks about improving relations."
    )
    assert index.unsupported(sentence) == []
    support = index.support(sentence)
    assert support and support[0].index == 1  # "North Korea's first vice-foreign minister Kim Kye-gwan arrived …"
    quote = 'The two countries are described as being "as close as lips and teeth".'
    assert index.unsupported(quote) == []
    assert index.unsupported("The North angered China with a nuclear test in February (1950-53).") == []


def test_names_written_differently_are_supported(seed_text: str) -> None:
    index = _index(seed_text)
    assert index.unsupported("President Xi met Barack Obama in California.") == []
    assert [f.text for f in index.unsupported("President Xi met Angela Merkel in California.")] == ["Angela Merkel"]


# --- Articles in other languages --------------------------------------------------------

FR_DEV = REPO_ROOT.parent / "shared" / "data" / "fr-orangesum-dev.jsonl"
NEWSROOM = Path(__file__).parent / "data" / "newsroom"


def _index_in(text: str, language: str) -> ArticleIndex:
    article = clean_text(text, language=language)
    return ArticleIndex(
        Document(article.body, split_sentences(article.body, language), article.title, language=language)
    )


def _french_dev(count: int) -> list[str]:
    if not FR_DEV.is_file():
        pytest.skip("../shared/data/fr-orangesum-dev.jsonl is not present")
    with FR_DEV.open(encoding="utf-8") as handle:
        return [json.loads(line)["article"] for line in islice(handle, count)]


def test_extractive_sentences_of_real_french_articles_are_never_flagged() -> None:
    checked = 0
    for text in _french_dev(60):
        index = _index_in(text, "fr")
        for sentence in index.document.sentences:
            assert index.unsupported(sentence.text) == [], sentence.text
            checked += 1
    assert checked > 600


@pytest.mark.parametrize("language", ["de", "es", "it"])
def test_extractive_sentences_in_german_spanish_italian_are_never_flagged(language: str) -> None:
    index = _index_in((NEWSROOM / f"{language}.txt").read_text(encoding="utf-8"), language)
    assert len(index.document.sentences) >= 8
    for sentence in index.document.sentences:
        assert index.unsupported(sentence.text) == [], sentence.text


def test_french_numbers_are_read_by_value() -> None:
    index = _index_in(_french_dev(1)[0], "fr")  # the MSC Opera at Venice: "plus de 2.600 passagers"
    assert index.unsupported("Le paquebot peut contenir 2 600 passagers.") == []
    assert index.unsupported("Le paquebot peut contenir 2\u202f600 passagers.") == []  # a narrow no-break space
    assert index.unsupported("Le paquebot peut contenir 2600 passagers.") == []
    flags = index.unsupported("Le paquebot peut contenir 3 600 passagers et quatre personnes ont été blessées.")
    assert [(f.kind, f.text) for f in flags] == [("number", "3 600")]


def test_spanish_decimal_commas_percentages_and_thousands() -> None:
    index = _index_in((NEWSROOM / "es.txt").read_text(encoding="utf-8"), "es")
    faithful = (
        "El plan de 2,5 millones de euros llega tras un verano en el que ardieron 300 000 hectáreas, "
        "el 3,4 % en Galicia."
    )
    assert index.unsupported(faithful) == []
    wrong = "El plan de 2,8 millones de euros protege el 3,4% de los montes."
    assert [(f.kind, f.text) for f in index.unsupported(wrong)] == [("number", "2,8")]
    assert [f.text for f in index.unsupported("Ardió el 4,3 % de la superficie.")] == ["4,3 %"]


@pytest.mark.parametrize(
    ("language", "faithful", "invented"),
    [
        ("es", "Ribera dijo que el país «no puede permitirse otro verano como el de 2022».", "«un verano tranquilo»"),
        ("de", "Habeck sprach von einem „überfälligen Schritt“.", "„historischen Durchbruch“"),
        ("de", "Habeck sprach von einem ‚überfälligen Schritt‘.", "‚historischen Durchbruch‘"),
        ("it", "Bonaccini ha parlato di « un primo passo importante ».", "« una vittoria storica »"),
    ],
)
def test_quotes_in_european_quotation_marks(language: str, faithful: str, invented: str) -> None:
    index = _index_in((NEWSROOM / f"{language}.txt").read_text(encoding="utf-8"), language)
    assert index.unsupported(faithful) == []
    flags = index.unsupported(f"Der Minister sprach von {invented}." if language == "de" else f"Lo definió {invented}.")
    # (A German noun in the invented quote is an unknown capitalised word as well.)
    assert [f.text for f in flags if f.kind == "quote"] == [invented.strip("«»„“‚‘ ")]


def test_names_after_a_sentence_initial_word_in_any_language() -> None:
    es = _index_in((NEWSROOM / "es.txt").read_text(encoding="utf-8"), "es")
    assert es.unsupported("Según Teresa Ribera, el plan refuerza la vigilancia.") == []
    assert [f.text for f in es.unsupported("Según Pedro Sánchez, el plan refuerza la vigilancia.")] == ["Pedro Sánchez"]
    de = _index_in((NEWSROOM / "de.txt").read_text(encoding="utf-8"), "de")
    # German capitalises its nouns, and an abstract uses them inflected or in compounds.
    assert de.unsupported("Laut Robert Habeck soll der Ausbau des Stromnetzes schneller gehen.") == []
    assert de.unsupported("Die Regierung will die Verfahren für Leitungen verkürzen.") == []
    assert [f.text for f in de.unsupported("Laut Olaf Scholz ist der Beschluss überfällig.")] == ["Olaf Scholz"]
