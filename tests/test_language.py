"""Language detection on real news paragraphs (tests/data/languages) and the dev articles, and
its windowed feature walk against py3langid's own."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from py3langid.langid import visit_counts

from service.text.langid_walk import WINDOW, WindowedIdentifier, library_walk
from service.text.language import (
    LANGUAGES,
    MAX_DETECT_CHARS,
    LanguageGuess,
    UnsupportedLanguage,
    _get_detector,
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


def test_the_detector_walk_forgets_its_start_within_the_window() -> None:
    """The proof the windowed walk rests on, for the pinned model: from any pair of states
    (one of them the start), the same WINDOW bytes lead to the same state."""
    detector = _get_detector()
    assert isinstance(detector, WindowedIdentifier)
    moves, rows = detector._moves.astype(np.int64), detector._rows.astype(np.int64)  # the tables the walk reads
    states = len(rows)
    every_byte = np.arange(256)
    left, right = np.arange(states), np.zeros(states, dtype=np.int64)
    still_apart = []
    for _ in range(WINDOW):
        pairs = []
        for chunk in range(0, len(left), 16_384):
            a = moves[rows[left[chunk : chunk + 16_384], None] + every_byte].ravel()
            b = moves[rows[right[chunk : chunk + 16_384], None] + every_byte].ravel()
            apart = a != b
            pairs.append(np.unique(a[apart] * states + b[apart]))
        apart_pairs = np.unique(np.concatenate(pairs))
        left, right = apart_pairs // states, apart_pairs % states
        still_apart.append(len(left))
    assert still_apart[-1] == 0
    assert still_apart[-2] > 0  # and WINDOW is the shortest such window


def _assert_walks_agree(texts: list[str | bytes]) -> None:
    detector = _get_detector()
    assert isinstance(detector, WindowedIdentifier)
    library = library_walk(detector)
    for text in texts:
        encoded = detector._encode(text)
        counts = visit_counts(library.tk_nextmove, library._rowbase, library.tk_output, encoded)
        # The same features, counted in the same (first-occurrence) order, so the same float sums.
        assert list((counts or {}).items()) == list(Counter(detector.features(encoded).tolist()).items())
        assert np.array_equal(detector._decide(text), library._decide(text)), text[:60]


def test_the_windowed_walk_scores_as_the_library_does() -> None:
    rng = np.random.default_rng(0)
    texts: list[str | bytes] = [path.read_text(encoding="utf-8") for path in sorted(TEXTS.glob("*.txt"))]
    texts += ["", "a", "é", "日本語のニュース", "BREAKING NEWS", "x" * 5, "Dublin. " * 3, "\u00e9t\u00e9"]
    texts += [rng.integers(0, 256, size=n, dtype=np.uint8).tobytes() for n in (1, 5, 6, 7, 300)]  # not UTF-8
    texts += [b"caf\xc3", "na\u00efve r\u00e9sum\u00e9".encode()]
    _assert_walks_agree(texts)


def test_the_windowed_walk_scores_the_dev_articles_as_the_library_does(dev_articles: list[dict[str, str]]) -> None:
    _assert_walks_agree([row["article"][:MAX_DETECT_CHARS] for row in dev_articles])
