"""ROUGE tokens per language, for the two places that score summaries against references:
`python -m service calibrate` and the benchmarks (bench/evaluate).

English keeps rouge-score's own tokenizer with Porter stemming, so every English figure
stays comparable with the published ones and with each other. rouge-score's tokenizer
keeps only [a-z0-9] and so cuts "réseau" into "r" and "seau"; every other language is
scored on Unicode words instead: lower case, no stemming (Porter is English), each CJK
ideograph or kana its own token (those scripts put no space between words). rouge-score
takes any object with a `tokenize` method."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rouge-score is imported when a scorer is first built
    from rouge_score.rouge_scorer import RougeScorer

ENGLISH = "en"
# Han ideographs (with extension A and compatibility ideographs), hiragana and katakana.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


class UnicodeTokenizer:
    """Words of any alphabet: \\w+ runs after NFC (so a decomposed "é" stays one letter),
    lower case, no stemming; a CJK character is a token alone."""

    def tokenize(self, text: str) -> list[str]:
        return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def describe(language: str) -> str:
    """How summaries in this language are tokenised, for reports."""
    if language == ENGLISH:
        return "rouge-score's tokenizer, Porter stemming"
    return "Unicode words (\\w+, NFC, lower case, no stemming; CJK one character a token)"


def scorer(language: str, metrics: Sequence[str]) -> RougeScorer:
    """rouge-score's scorer for text in `language` (an ISO 639-1 code)."""
    from rouge_score.rouge_scorer import RougeScorer

    if language == ENGLISH:
        return RougeScorer(list(metrics), use_stemmer=True)
    return RougeScorer(list(metrics), tokenizer=UnicodeTokenizer())
