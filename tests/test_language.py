"""Language detection on real news paragraphs (tests/data/languages) and the dev articles."""

from __future__ import annotations

import pytest

from service.text.language import (
    LANGUAGES,
    LanguageGuess,
    UnsupportedLanguage,
    check_supported,
    detect_language,
    reading_language,
)
from service.text.sentences import split_sentences
from tests.support import LANGUAGE_TEXTS

TEXTS = LANGUAGE_TEXTS
FOREIGN = {"de": "German", "fr": "French", "es": "Spanish", "ga": "Irish"}


def read(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_foreign_news_is_detected(code: str) -> None:
    guess = detect_language(read(f"{code}.txt"))
    assert (guess.code, guess.name) == (code, FOREIGN[code])
    assert guess.reliable and guess.confidence > 0.9


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_foreign_news_refused_by_an_english_model_unless_forced(code: str) -> None:
    guess = detect_language(read(f"{code}.txt"))
    with pytest.raises(UnsupportedLanguage) as raised:
        check_supported(guess, ["en"])
    assert raised.value.language == guess and raised.value.supported == ["en"]
    assert FOREIGN[code] in str(raised.value) and "English (en)" in str(raised.value)
    check_supported(guess, ["en"], force=True)
    check_supported(guess, ["en", code])


@pytest.mark.parametrize("name", ["en-quotes-fr-ga.txt", "en-quotes-de-es.txt"])
def test_english_quoting_foreign_phrases_is_english(name: str) -> None:
    text = read(name)
    guess = detect_language(text)
    assert guess.code == "en" and guess.reliable
    check_supported(guess, ["en"])  # never refused
    # The quotes really are foreign: alone, the detector names their language.
    quotes = [
        s for s in ("Fáilte romhaibh go léir", "mais avec beaucoup de travail", "eine schwierige Zeit") if s in text
    ]
    assert quotes and all(detect_language(q).code != "en" for q in quotes)


def test_each_sentence_of_the_test_paragraphs() -> None:
    # Sentence by sentence the detector still names each paragraph's language, quotes and all.
    for path in sorted(TEXTS.glob("*.txt")):
        expected = path.stem.split("-")[0]
        codes = [detect_language(s.text).code for s in split_sentences(path.read_text(encoding="utf-8"))]
        assert codes.count(expected) >= len(codes) - 1, (path.name, codes)


def test_english_dev_articles(dev_articles: list[dict[str, str]]) -> None:
    misses = [row["id"] for row in dev_articles if detect_language(row["article"]).code != "en"]
    assert misses == []


def test_too_little_text_refuses_nothing() -> None:
    for text in ("", "12 345", "Hello", "OK."):
        guess = detect_language(text)
        assert guess.code in LANGUAGES and 0.0 <= guess.confidence <= 1.0
        if not guess.reliable:
            check_supported(guess, ["en"])


def test_models_without_declared_languages_accept_everything() -> None:
    guess = LanguageGuess("ga", "Irish", 1.0)
    check_supported(guess, None)
    check_supported(guess, [])


def test_an_article_is_read_in_its_language_only_when_the_detector_is_sure() -> None:
    assert reading_language(LanguageGuess("fr", "French", 0.99)) == "fr"
    assert reading_language(LanguageGuess("fr", "French", 0.3)) == "en"  # too unsure: the English path
    for code in FOREIGN:
        assert reading_language(detect_language(read(f"{code}.txt"))) == code
