"""Fitting ranked sentences to a purpose's budget (service/editorial/purposes.py).

Pure functions over plain data (sentence texts with their article spans and scores): the
extractive engine calls them on its ranked sentences and a generative engine on its own
output. The text returned is never empty and never cut mid-word: whole sentences first;
else the best sentence compressed (service/text/compression.py: the kept words verbatim
and in order, with a span map to the source); and only if that still does not fit, a
cut at a word boundary marked "…" (`truncated`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import regex

from service.domain.summary import Purpose
from service.editorial.purposes import Budget, Bullets, nfc_length, policy
from service.text.compression import ELLIPSIS, Compressed, compressions, word_boundary_prefix
from service.text.postprocess import is_repeat
from service.text.sentences import Sentence, split_sentences
from service.text.x_length import x_weighted_length

# Whole sentences are looked for among the best-ranked few only: a short sentence far down
# the ranking ("He declined to comment.") fits any budget and says nothing.
TOP_CANDIDATES = 3
MIN_WORDS = 5


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
    purpose: Purpose
    pieces: list[Piece]  # in article order
    text: str  # bullets ("- " lines) for a list purpose, one paragraph otherwise

    @property
    def characters(self) -> int:
        return nfc_length(self.text)

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


def rank_candidates(sentences: Sequence[Sentence], scores: Sequence[float] | np.ndarray) -> list[Candidate]:
    """Sentences with their scores, best first (ties: earlier sentence first)."""
    order = sorted(range(len(sentences)), key=lambda i: (-float(scores[i]), i))
    return [Candidate(sentences[i].text, sentences[i].start, sentences[i].end, sentences[i].index,
                      float(scores[i])) for i in order]  # fmt: skip


def _whole(candidate: Candidate) -> Piece:
    return Piece(candidate.text, candidate.index, [(candidate.start, candidate.end)])


def _from_compressed(candidate: Candidate, version: Compressed) -> Piece:
    spans = [(candidate.start + start, candidate.start + end) for start, end in version.spans]
    return Piece(version.text, candidate.index, spans, compressed=True)


def _cut(piece: Piece, budget: Budget) -> Piece:
    """Last resort: the piece cut at a word boundary with "…" (the first word alone if
    none fits: a single word over the budget is the one case where the budget gives way,
    as an empty answer is never returned)."""
    prefix = word_boundary_prefix(piece.text, budget.fits)
    spans, remaining = [], len(prefix)  # clip the span map to the prefix kept
    for start, end in piece.spans:
        if remaining <= 0:
            break
        spans.append((start, min(end, start + remaining)))
        remaining -= end - start
    return Piece(prefix + ELLIPSIS, piece.index, spans, compressed=piece.compressed, truncated=True)


def shorten(candidate: Candidate, budget: Budget) -> Piece:
    """The candidate whole if it fits; else its least compressed version that fits; else
    the most compressed one cut at a word boundary."""
    if budget.fits(candidate.text):
        return _whole(candidate)
    versions = compressions(candidate.text)
    for version in versions:
        if budget.fits(version.text):
            return _from_compressed(candidate, version)
    return _cut(_from_compressed(candidate, versions[-1]) if versions else _whole(candidate), budget)


def _substantial(candidates: Sequence[Candidate]) -> list[Candidate]:
    return [c for c in candidates if len(c.text.split()) >= MIN_WORDS] or list(candidates)


def _paragraph(candidates: Sequence[Candidate], budget: Budget, top: int) -> list[Piece]:
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


def _bullets(candidates: Sequence[Candidate], budget: Budget, bullets: Bullets) -> list[Piece]:
    """The best-ranked distinct sentences, each whole or compressed to fit; a sentence that
    would need a cut gives way to the next one, unless too few are left."""
    wanted = bullets.count_for(len(candidates))
    chosen: list[Piece] = []
    cut: list[Piece] = []
    for candidate in _substantial(candidates):
        if len(chosen) == wanted:
            break
        if is_repeat(candidate.text, [p.text for p in chosen + cut]):
            continue
        piece = shorten(candidate, budget)
        (cut if piece.truncated else chosen).append(piece)
    return chosen + cut[: max(0, min(bullets.fewest, wanted) - len(chosen))]


def layout(texts: Sequence[str], bulleted: bool) -> str:
    """A summary's text: "- " lines, or one paragraph."""
    return "\n".join(f"- {text}" for text in texts) if bulleted else " ".join(texts)


def _budget(purpose: Purpose) -> Budget:
    budget = policy(purpose).budget
    if budget is None:
        raise ValueError(f"purpose {purpose!r} has no budget: the request's own length options apply")
    return budget


def fit_purpose(candidates: Sequence[Candidate], purpose: Purpose, top: int = TOP_CANDIDATES) -> Fitted:
    """Fit ranked sentences (best first) to a purpose's budget; see the module docstring.
    Whole sentences are looked for among the `top` best-ranked (1: always the best one,
    compressed when it does not fit)."""
    budget, bullets = _budget(purpose), policy(purpose).bullets
    if not candidates:
        raise ValueError("no sentences to fit")
    pieces = _bullets(candidates, budget, bullets) if bullets else _paragraph(candidates, budget, top)
    pieces.sort(key=lambda piece: piece.index)
    return Fitted(purpose, pieces, layout([piece.text for piece in pieces], bullets is not None))


def fits(text: str, purpose: Purpose) -> bool:
    """Whether a generated text already meets the purpose's budget (a list: each line)."""
    budget, bullets = _budget(purpose), policy(purpose).bullets
    if bullets:
        lines = [line for line in text.splitlines() if line.strip()]
        return bullets.fewest <= len(lines) <= bullets.most and all(budget.fits(line) for line in lines)
    return bool(text.strip()) and budget.fits(text)


_BULLET = regex.compile(r"^[ \t]*(?:[-*•]|\d+[.)])?[ \t]*(\S.*?)[ \t]*$", regex.MULTILINE)


def fit_text(text: str, purpose: Purpose) -> Fitted:
    """Fit a generated text that missed its budget twice: its sentences (for a list, its
    lines, bullet marks aside) in their own order count as the ranking; spans index
    `text` itself."""
    if policy(purpose).bullets:
        lines = [m for m in _BULLET.finditer(text) if m.group(1)]
        candidates = [Candidate(m.group(1), m.start(1), m.end(1), i, -float(i)) for i, m in enumerate(lines)]
    else:
        candidates = [Candidate(s.text, s.start, s.end, s.index, -float(s.index)) for s in split_sentences(text)]
    return fit_purpose(candidates, purpose)
