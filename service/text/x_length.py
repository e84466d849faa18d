"""X's weighted length of a post (twitter-text v3 configuration): the count X shows
against its 280 limit.

Code points in the weight-one ranges weigh 1, all others 2 (CJK, most symbols, "…",
"€"); an emoji sequence weighs 2 whatever its code points; a URL weighs 23 (every URL
becomes a t.co link); the text is NFC-normalised first."""

from __future__ import annotations

import unicodedata

import regex

X_MAX_WEIGHTED = 280
X_URL_LENGTH = 23
X_WEIGHT_ONE_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
# twitter-text also counts bare domains as URLs; this covers scheme and www. URLs and bare
# domains under common TLDs (its full TLD list is some 1,500 names), trailing punctuation
# excluded as twitter-text does.
_URL = regex.compile(
    r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,:;!?'’”)\]]"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|edu|gov|io|co|uk|ie|de|fr|es|eu|info|ly|me|tv|news)"
    r"\b(?:/[^\s<>\"]*[^\s<>\".,:;!?'’”)\]])?",
    regex.IGNORECASE,
)


def x_weighted_length(text: str) -> int:
    """The length X counts for a post (max 280): twitter-text v3 weighting."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for url in _URL.finditer(text):
        total += _weigh_plain(text[position : url.start()]) + X_URL_LENGTH
        position = url.end()
    return total + _weigh_plain(text[position:])


def _code_point_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in X_WEIGHT_ONE_RANGES) else 2


def _weigh_plain(text: str) -> int:
    total = 0
    for grapheme in regex.findall(r"\X", text):
        total += 2 if _EMOJI.search(grapheme) else sum(_code_point_weight(c) for c in grapheme)
    return total
