"""Shortening a sentence without rewriting it: a small regex grammar of what an editor
cuts first, and a last-resort cut at a word boundary.

`compress` removes, in order, parentheticals, trailing attributions, appositives and
relative clauses, and leading clauses; the kept words stay verbatim and in order, with
their character spans in the input sentence. Words inside a quotation are never removed
(the speaker's words stay as spoken; an editor's [insertion] alone may go)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

ELLIPSIS = "…"

_SPEECH = r"(?:said|says|told\s+[^,;]{1,60}?|added|reported|announced|confirmed|warned|claimed|insisted|explained)"
_SENTENCE_END = r"(?=[.!?]?[\"'”’]?\s*$)"
# Each rule marks text to remove; removals keep the space after them, so kept pieces join
# with single spaces. Applied cumulatively in this order: least meaning lost first.
_NOT_A_CLAUSE = r"(?![^,]*\b(?:said|says|is|was|were|are|has|have|had|will|would|can|could|did|does)\b)"
RULES: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("parenthetical", regex.compile(
        r"\s*\([^()]{1,200}\)|\s*\[[^\[\]]{1,200}\]|\s+[-–—]\s+[^–—]{1,150}?\s+[-–—](?=\s)"
        # a single dash that opens an aside running to the sentence's end
        r"|\s+[-–—]\s+[^-–—]{1,150}?" + _SENTENCE_END
    )),
    # ", police said." / ", according to officials." / ", said Mr Smith." at the end; never
    # after a closing quote, where it names the speaker of the quote.
    ("attribution", regex.compile(
        r"(?<![\"'”’]),\s+(?:according\s+to\s+[^,;]{1,80}?|(?:[\w'’.()-]+\s+){0,7}?" + _SPEECH
        + r"(?:\s+(?:on\s+\w+|in\s+a\s+statement|yesterday|today|last\s+\w+))?"
        + r"|(?:said|says|added)\s+(?:the\s+)?(?:\p{Lu}[\w'’-]*\.?\s+){0,3}\p{Lu}[\w'’-]*)"
        + _SENTENCE_END
    )),
    # ", who …," / ", which …" and "Tony Blair, the prime minister, said" / "John Smith, 45, was":
    # an appositive follows a name that is not the sentence's first word, and a verb follows it.
    ("appositive", regex.compile(
        r"(?<=\w),\s+(?:who|which|whose|whom|where)\b[^,;\"“”]{1,150},(?=\s+(?:\S+\s+){2,}\S)"
        r"|(?<=\w),\s+(?:which|who|whose)\b[^;\"“”]{1,200}?" + _SENTENCE_END
        + r"|(?<=\w\s+\p{Lu}[\w'’-]*),\s+(?:the|a|an|his|her|its|their|aged)\s+" + _NOT_A_CLAUSE
        + r"[^,;\"“”]{1,60},(?=\s+\p{Ll})"
        r"|(?<=\w\s+\p{Lu}[\w'’-]*),\s+\d{1,3},(?=\s+\p{Ll})"
    )),
    ("leading", regex.compile(
        r"^(?:(?:Although|Though|Even\s+though|While|Whilst|Despite|After|Before|Since|When|Once|If|Because"
        r"|As|Following|Having|Amid|Unlike)\b[^,;\"“”]{2,150},\s+"
        r"|(?:However|Meanwhile|Nevertheless|Nonetheless|Moreover|Furthermore|In\s+addition|Also|But|And|Still"
        r"|Indeed|Instead|Separately|Overall),\s+)"
    )),
)  # fmt: skip
MIN_COMPRESSED_WORDS = 4  # a rule that leaves less than this undid the sentence: skip it

Span = tuple[int, int]


@dataclass(frozen=True)
class Compressed:
    text: str  # the kept pieces joined; its first letter upper-cased if a leading clause went
    spans: list[Span]  # the kept pieces, as character spans of the input sentence
    rules: tuple[str, ...] = ()  # the rules that removed something

    @property
    def compressed(self) -> bool:
        return bool(self.rules)


# Quotations: "…" and “…” pairs; an opening mark never closed runs to the sentence's end.
_QUOTED = regex.compile(r"\"[^\"]*(?:\"|$)|“[^”]*(?:”|$)")


def _removals(text: str, pattern: regex.Pattern[str]) -> list[Span]:
    """What `pattern` would remove, except inside a quotation."""
    quotes = [m.span() for m in _QUOTED.finditer(text)]
    found = []
    for match in pattern.finditer(text):
        start, end = match.span()
        inside = any(start < q_end and q_start < end for q_start, q_end in quotes)
        if end > start and (not inside or text[start:end].strip().startswith("[")):
            found.append((start, end))
    return found


def _kept_spans(text: str, removed: list[Span]) -> list[Span]:
    kept, position = [], 0
    for start, end in sorted(removed):
        if start > position:
            kept.append((position, start))
        position = max(position, end)
    if position < len(text):
        kept.append((position, len(text)))
    # Never two spaces where two pieces meet, nor a space before the final punctuation.
    fixed: list[Span] = []
    for start, end in kept:
        if fixed and text[fixed[-1][1] - 1].isspace():
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            fixed.append((start, end))
    return fixed


def _join(text: str, spans: list[Span]) -> str:
    joined = "".join(text[start:end] for start, end in spans).strip()
    return joined[:1].upper() + joined[1:]


def compress(sentence_text: str, rules: Sequence[str] | None = None) -> Compressed:
    """Remove parentheticals, trailing attributions, appositives and leading clauses (or
    only the named `rules`), keeping the remaining words verbatim and in order."""
    removed: list[Span] = []
    applied: list[str] = []
    for name, pattern in RULES:
        if rules is not None and name not in rules:
            continue
        found = _removals(sentence_text, pattern)
        if not found:
            continue
        candidate = _kept_spans(sentence_text, removed + found)
        if len(_join(sentence_text, candidate).split()) >= MIN_COMPRESSED_WORDS:
            removed += found
            applied.append(name)
    spans = _kept_spans(sentence_text, removed) if removed else [(0, len(sentence_text))]
    text = _join(sentence_text, spans) if removed else sentence_text
    return Compressed(text, spans, tuple(applied))


def compressions(sentence_text: str) -> list[Compressed]:
    """Ever shorter versions of a sentence: the rules applied cumulatively, in order."""
    out: list[Compressed] = []
    for count in range(1, len(RULES) + 1):
        version = compress(sentence_text, [name for name, _ in RULES[:count]])
        if version.compressed and (not out or version.text != out[-1].text):
            out.append(version)
    return out


# Where a cut may fall: after a word, or after any Chinese or Japanese character (those
# scripts put no spaces between words, and line breaking allows a break there).
_WORD_UNIT = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}][\p{P}]*|[^\s\p{Han}\p{Hiragana}\p{Katakana}]+")
_WEAK_LAST_WORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "but", "as", "that",
        "which", "who", "where", "when", "has", "have", "had", "is", "are", "was", "were", "be", "been", "its", "their",
        "his", "her", "-", "–", "—",
    }
)  # fmt: skip
_TRAILING = ",;:–—-"


def word_boundary_prefix(text: str, fits: Callable[[str], bool]) -> str:
    """The longest prefix of `text` ending at a word boundary that `fits` once "…" is
    added (the first word alone if none does), not ending on a word that carries no
    meaning: "… house arrest, where…" reads worse than "… house arrest…"."""
    words = [m.span() for m in _WORD_UNIT.finditer(text)]
    keep = 1
    for count in range(len(words), 0, -1):
        if fits(text[: words[count - 1][1]].rstrip(_TRAILING) + ELLIPSIS):
            keep = count
            break
    while keep > 1 and text[words[keep - 1][0] : words[keep - 1][1]].casefold() in _WEAK_LAST_WORDS:
        keep -= 1
    return text[: words[keep - 1][1]].rstrip(_TRAILING)
