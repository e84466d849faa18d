"""Planning how a generative model reads an article: pure, given a token counter.

An article longer than the model's input limit is never cut silently. With
overflow="chunk" (the default) it is split at sentence boundaries into chunks that fit;
each chunk is summarised, the partial summaries are merged and de-duplicated, and the
merge is summarised again (chunked again if it is still too long, at most MAX_LEVELS
rounds). "head" keeps the lead that fits, "error" refuses. Every plan reports tokens,
limit, chunks and coverage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from service.domain.summary import Coverage, Overflow
from service.exceptions import InputTooLong
from service.text.postprocess import generated_sentences, is_repeat

MAX_LEVELS = 6  # summarise-the-summaries rounds before the merge is cut to fit

TokenCounter = Callable[[Sequence[str]], list[int]]


@dataclass(frozen=True)
class TextBudgets:
    """Tokens of article text one model call can read."""

    final: int  # the pass that writes the summary
    chunk: int  # a pass that writes a chunk's partial summary


@dataclass(frozen=True)
class ChunkPlan:
    """What is left to read: one piece (the summary is written from it) or several chunks
    (each gets a partial summary, merged into the next round's plan)."""

    pieces: tuple[str, ...]
    coverage: Coverage
    level: int = 0  # merge rounds so far

    @property
    def final(self) -> bool:
        return len(self.pieces) == 1


def pack(counts: Sequence[int], budget: int) -> list[list[int]]:
    """Consecutive items (their token counts) packed greedily into groups of at most
    `budget` tokens, one token between items."""
    groups: list[list[int]] = []
    used = 0
    for i, count in enumerate(counts):
        if groups and used + count + 1 <= budget:
            groups[-1].append(i)
            used += count + 1
        else:
            groups.append([i])
            used = count
    return groups


@dataclass(frozen=True)
class ChunkPlanner:
    count_tokens: TokenCounter
    budgets: TextBudgets

    def plan(self, text: str, sentences: Sequence[str], overflow: Overflow) -> ChunkPlan:
        """The first round for an article (`text`, split into `sentences`)."""
        total = self.count_tokens([text])[0]
        budget = self.budgets.final
        if total <= budget:
            return ChunkPlan((text,), Coverage(input_tokens=total, token_limit=budget))
        if overflow == "error":
            raise InputTooLong(total, budget)
        if overflow == "head":
            # The lead that fits, cut at a sentence boundary (within a first overlong sentence if need be).
            lead = self.chunks(sentences, budget)[0]
            return ChunkPlan((lead,), Coverage(total, budget, 1, True, round(len(lead) / max(1, len(text)), 4)))
        chunks = self.chunks(sentences, self.budgets.chunk)
        return ChunkPlan(tuple(chunks), Coverage(total, budget, len(chunks), False, 1.0))

    def next_round(self, plan: ChunkPlan, partials: Sequence[str]) -> ChunkPlan:
        """The partial summaries of `plan`'s chunks merged into the next round's plan."""
        level = plan.level + 1
        merged = merge(partials)
        budget = self.budgets.final
        if sum(self.count_tokens(merged)) + len(merged) <= budget:
            return ChunkPlan((" ".join(merged),), plan.coverage, level)
        if level >= MAX_LEVELS:
            # Still too long after several rounds: read the merge's lead, and say so.
            lead = self.chunks(merged, budget)[0]
            covered = round(len(lead) / max(1, len(" ".join(merged))), 4)
            return ChunkPlan((lead,), replace(plan.coverage, truncated=True, covered=covered), level)
        return ChunkPlan(tuple(self.chunks(merged, self.budgets.chunk)), plan.coverage, level)

    def chunks(self, texts: Sequence[str], budget: int) -> list[str]:
        """Texts (sentences, in order) joined into chunks of at most `budget` tokens; none is cut."""
        units: list[str] = []
        for text, count in zip(texts, self.count_tokens(texts), strict=True):
            units.extend(self._split_overlong(text, budget) if count > budget else [text])
        counts = self.count_tokens(units)
        return [" ".join(units[i] for i in group) for group in pack(counts, budget)]

    def _split_overlong(self, text: str, budget: int) -> list[str]:
        """A sentence longer than a whole model input, cut into word windows that fit."""
        words = text.split()
        counts = self.count_tokens([f" {w}" for w in words])
        return [" ".join(words[i] for i in group) for group in pack(counts, budget - 2)]


def merge(partials: Sequence[str]) -> list[str]:
    """Partial summaries as one list of distinct sentences, in article order."""
    merged: list[str] = []
    for partial in partials:
        for sentence in generated_sentences(partial):
            if not is_repeat(sentence, merged):
                merged.append(sentence)
    return merged
