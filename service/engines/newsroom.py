"""Newsroom lengths: a summary cut to what a page, a search result or a post can hold.

Purposes:
- `summary`: the usual summary, with the request's own length options (not handled here);
- `key_points`: 3 to 5 bullets, one sentence each (long ones compressed);
- `seo_description`: at most 155 characters, what a search result shows;
- `social`: at most 280 by X's weighted count, leaving room for a link (23) and its space.

Everything here is a pure function over plain data (sentence texts with their article
spans and scores), so the extractive engine calls it on its ranked sentences and a
generative engine on its own output. The text returned is never empty and never cut
mid-word: whole sentences first; else the best sentence compressed by removing, in
order, parentheticals, trailing attributions, appositives and relative clauses, and
leading clauses (the kept words stay verbatim and in order, with a span map to the
source); and only if that still does not fit, a cut at a word boundary marked "…"
(`truncated`)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from service.text.postprocess import is_repeat
from service.text.sentences import Sentence, split_sentences

SEO_MAX_CHARS = 155
X_MAX_WEIGHTED = 280
X_URL_LENGTH = 23  # every URL counts as a t.co link
SOCIAL_MAX_WEIGHTED = X_MAX_WEIGHTED - X_URL_LENGTH - 1  # room for " https://…" after the text
KEY_POINTS_MIN, KEY_POINTS_MAX = 3, 5
KEY_POINT_MAX_CHARS = 200  # a bullet longer than this is compressed
# Whole sentences are looked for among the best-ranked few only: a short sentence far down
# the ranking ("He declined to comment.") fits any budget and says nothing.
TOP_CANDIDATES = 3
MIN_WORDS = 5
ELLIPSIS = "…"

# --- X's weighted length (twitter-text v3 configuration) --------------------------------
# Code points in these ranges weigh 1, all others 2 (CJK, most symbols, "…", "€"); an emoji
# sequence weighs 2 whatever its code points; a URL weighs 23; the text is NFC-normalised.
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


def _code_point_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in X_WEIGHT_ONE_RANGES) else 2


def x_weighted_length(text: str) -> int:
    """The length X counts for a post (max 280): twitter-text v3 weighting."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for url in _URL.finditer(text):
        total += _weigh_plain(text[position : url.start()]) + X_URL_LENGTH
        position = url.end()
    return total + _weigh_plain(text[position:])


def _weigh_plain(text: str) -> int:
    total = 0
    for grapheme in regex.findall(r"\X", text):
        total += 2 if _EMOJI.search(grapheme) else sum(_code_point_weight(c) for c in grapheme)
    return total


# --- budgets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Budget:
    limit: int  # per item for key points, for the whole text otherwise
    measure: Callable[[str], int]
    unit: str  # "characters" or "weighted characters (X)"

    def fits(self, text: str) -> bool:
        return self.measure(text) <= self.limit


BUDGETS: dict[str, Budget] = {
    "key_points": Budget(KEY_POINT_MAX_CHARS, len, "characters"),
    "seo_description": Budget(SEO_MAX_CHARS, len, "characters"),
    "social": Budget(SOCIAL_MAX_WEIGHTED, x_weighted_length, "weighted characters (X)"),
}

# For generative engines: what to ask for, and what to say on the one retry.
INSTRUCTIONS: dict[str, str] = {
    "key_points": "List the {n} key points of the article as short bullet points, one sentence each.",
    "seo_description": "Write a one-sentence description of the article for search results, at most 150 characters.",
    "social": "Write one short post about the article for social media, at most 240 characters, no hashtags.",
}
FIRMER_INSTRUCTIONS: dict[str, str] = {
    "key_points": "Reply with exactly {n} lines, each a bullet point of at most 25 words. Nothing else.",
    "seo_description": "Your reply was too long. Reply with ONE sentence of at most 20 words. Nothing else.",
    "social": "Your reply was too long. Reply with at most two short sentences, 35 words in all. Nothing else.",
}


# --- compression ----------------------------------------------------------------------------
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


@dataclass(frozen=True)
class Compressed:
    text: str  # the kept pieces joined; its first letter upper-cased if a leading clause went
    spans: list[tuple[int, int]]  # the kept pieces, as character spans of the input sentence
    rules: tuple[str, ...] = ()  # the rules that removed something

    @property
    def compressed(self) -> bool:
        return bool(self.rules)


# Quotations: "…" and “…” pairs; an opening mark never closed runs to the sentence's end.
_QUOTED = regex.compile(r"\"[^\"]*(?:\"|$)|“[^”]*(?:”|$)")


def _removals(text: str, pattern: regex.Pattern[str]) -> list[tuple[int, int]]:
    """What `pattern` would remove, except inside a quotation: the speaker's words stay as
    spoken (an editor's [insertion] alone may go)."""
    quotes = [m.span() for m in _QUOTED.finditer(text)]
    found = []
    for match in pattern.finditer(text):
        start, end = match.span()
        inside = any(start < q_end and q_start < end for q_start, q_end in quotes)
        if end > start and (not inside or text[start:end].strip().startswith("[")):
            found.append((start, end))
    return found


def _kept_spans(text: str, removed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept, position = [], 0
    for start, end in sorted(removed):
        if start > position:
            kept.append((position, start))
        position = max(position, end)
    if position < len(text):
        kept.append((position, len(text)))
    # Never two spaces where two pieces meet, nor a space before the final punctuation.
    fixed: list[tuple[int, int]] = []
    for start, end in kept:
        if fixed and text[fixed[-1][1] - 1].isspace():
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            fixed.append((start, end))
    return fixed


def _join(text: str, spans: list[tuple[int, int]]) -> str:
    joined = "".join(text[start:end] for start, end in spans).strip()
    return joined[:1].upper() + joined[1:]


def compress(sentence_text: str, rules: Sequence[str] | None = None) -> Compressed:
    """Remove parentheticals, trailing attributions, appositives and leading clauses (or
    only the named `rules`), keeping the remaining words verbatim and in order."""
    removed: list[tuple[int, int]] = []
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


# --- fitting a purpose ------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """One sentence, as the ranking saw it; `start`/`end` index the article."""

    text: str
    start: int
    end: int
    index: int
    score: float = 0.0


@dataclass(frozen=True)
class Piece:
    """One sentence of the result, whole or compressed."""

    text: str
    index: int  # the source sentence
    spans: list[tuple[int, int]]  # kept pieces as character spans of the article
    compressed: bool = False
    truncated: bool = False  # cut at a word boundary, with "…"


@dataclass(frozen=True)
class Fitted:
    purpose: str
    pieces: list[Piece]  # in article order
    text: str  # bullets ("- " lines) for key points, one paragraph otherwise

    @property
    def characters(self) -> int:
        return len(self.text)

    @property
    def weighted_length(self) -> int:
        """X's count, for every purpose."""
        return x_weighted_length(self.text)

    @property
    def compressed(self) -> bool:
        return any(piece.compressed for piece in self.pieces)

    @property
    def truncated(self) -> bool:
        return any(piece.truncated for piece in self.pieces)


def rank_candidates(sentences: Sequence[Sentence], scores: Sequence[float]) -> list[Candidate]:
    """Sentences with their scores, best first (ties: earlier sentence first)."""
    order = sorted(range(len(sentences)), key=lambda i: (-float(scores[i]), i))
    return [Candidate(sentences[i].text, sentences[i].start, sentences[i].end, sentences[i].index,
                      float(scores[i])) for i in order]  # fmt: skip


def _whole(candidate: Candidate) -> Piece:
    return Piece(candidate.text, candidate.index, [(candidate.start, candidate.end)])


def _from_compressed(candidate: Candidate, version: Compressed) -> Piece:
    spans = [(candidate.start + start, candidate.start + end) for start, end in version.spans]
    return Piece(version.text, candidate.index, spans, compressed=True)


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


def _cut(candidate: Candidate, piece: Piece, budget: Budget) -> Piece:
    """Last resort: the longest word-boundary prefix of `piece` that fits with "…" (the
    first word alone if none does: a single word over the budget is the one case where
    the budget gives way, as an empty answer is never returned)."""
    words = [m.span() for m in _WORD_UNIT.finditer(piece.text)]
    keep = 1
    for count in range(len(words), 0, -1):
        if budget.fits(piece.text[: words[count - 1][1]].rstrip(",;:–—-") + ELLIPSIS):
            keep = count
            break
    # "… house arrest, where…" reads worse than "… house arrest…": end on a word that carries meaning.
    while keep > 1 and piece.text[words[keep - 1][0] : words[keep - 1][1]].casefold() in _WEAK_LAST_WORDS:
        keep -= 1
    prefix = piece.text[: words[keep - 1][1]].rstrip(",;:–—-")
    spans, remaining = [], len(prefix)  # clip the span map to the prefix kept
    for start, end in piece.spans:
        if remaining <= 0:
            break
        spans.append((start, min(end, start + remaining)))
        remaining -= end - start
    return Piece(prefix + ELLIPSIS, candidate.index, spans, compressed=piece.compressed, truncated=True)


def shorten(candidate: Candidate, budget: Budget) -> Piece:
    """The candidate whole if it fits; else its least compressed version that fits; else
    the most compressed one cut at a word boundary."""
    if budget.fits(candidate.text):
        return _whole(candidate)
    versions = compressions(candidate.text)
    for version in versions:
        if budget.fits(version.text):
            return _from_compressed(candidate, version)
    best = _from_compressed(candidate, versions[-1]) if versions else _whole(candidate)
    return _cut(candidate, best, budget)


def _substantial(candidates: Sequence[Candidate]) -> list[Candidate]:
    return [c for c in candidates if len(c.text.split()) >= MIN_WORDS] or list(candidates)


def _fill(candidates: Sequence[Candidate], budget: Budget, top: int) -> list[Piece]:
    """Best-ranked whole sentences (among the `top` best) that fit together, else the best
    one shortened."""
    eligible = _substantial(candidates)[:top]
    chosen: list[Candidate] = []
    for candidate in eligible:
        together = " ".join(c.text for c in sorted([*chosen, candidate], key=lambda c: c.index))
        if budget.fits(together) and not is_repeat(candidate.text, [c.text for c in chosen]):
            chosen.append(candidate)
    if chosen:
        return [_whole(c) for c in chosen]
    # No whole sentence fits: a compressed one that fits without a cut beats a cut best one.
    shortened = [shorten(c, budget) for c in eligible]
    return [next((p for p in shortened if not p.truncated), shortened[0])]


def key_point_count(sentences: int) -> int:
    """3 to 5 bullets: about one for every six sentences of the article."""
    return max(KEY_POINTS_MIN, min(KEY_POINTS_MAX, math.ceil(sentences / 6)))


def _key_points(candidates: Sequence[Candidate], budget: Budget) -> list[Piece]:
    """The best-ranked distinct sentences, each whole or compressed to fit; a sentence that
    would need a cut gives way to the next one, unless too few are left."""
    wanted = key_point_count(len(candidates))
    chosen: list[Piece] = []
    cut: list[Piece] = []
    for candidate in _substantial(candidates):
        if len(chosen) == wanted:
            break
        if is_repeat(candidate.text, [p.text for p in chosen + cut]):
            continue
        piece = shorten(candidate, budget)
        (cut if piece.truncated else chosen).append(piece)
    return chosen + cut[: max(0, min(KEY_POINTS_MIN, wanted) - len(chosen))]


def fit_purpose(candidates: Sequence[Candidate], purpose: str, top: int = TOP_CANDIDATES) -> Fitted:
    """Fit ranked sentences (best first) to a purpose's budget; see the module docstring.
    Whole sentences are looked for among the `top` best-ranked (1: always the best one,
    compressed when it does not fit).

    `summary` keeps the request's own length options and is not fitted here."""
    if purpose not in BUDGETS:
        raise ValueError(f"purpose {purpose!r} has no budget; budgeted purposes: {', '.join(BUDGETS)}")
    if not candidates:
        raise ValueError("no sentences to fit")
    budget = BUDGETS[purpose]
    pieces = _key_points(candidates, budget) if purpose == "key_points" else _fill(candidates, budget, top)
    pieces.sort(key=lambda piece: piece.index)
    if purpose == "key_points":
        text = "\n".join(f"- {piece.text}" for piece in pieces)
    else:
        text = " ".join(piece.text for piece in pieces)
    return Fitted(purpose, pieces, text)


def fits(text: str, purpose: str) -> bool:
    """Whether a generated text already meets the purpose's budget (key points: each line)."""
    budget = BUDGETS[purpose]
    if purpose == "key_points":
        lines = [line for line in text.splitlines() if line.strip()]
        return KEY_POINTS_MIN <= len(lines) <= KEY_POINTS_MAX and all(budget.fits(line) for line in lines)
    return bool(text.strip()) and budget.fits(text)


_BULLET = regex.compile(r"^[ \t]*(?:[-*•]|\d+[.)])?[ \t]*(\S.*?)[ \t]*$", regex.MULTILINE)


def fit_text(text: str, purpose: str) -> Fitted:
    """Fit a generated text that missed its budget twice: its sentences (for key points,
    its lines, bullet marks aside) in their own order count as the ranking; spans index
    `text` itself."""
    if purpose == "key_points":
        lines = [m for m in _BULLET.finditer(text) if m.group(1)]
        candidates = [Candidate(m.group(1), m.start(1), m.end(1), i, -float(i)) for i, m in enumerate(lines)]
    else:
        candidates = [Candidate(s.text, s.start, s.end, s.index, -float(s.index)) for s in split_sentences(text)]
    return fit_purpose(candidates, purpose)
