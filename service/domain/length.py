"""Editorial length units shared by every engine: sentences, words, characters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from service.domain.summary import SummaryParams


class LengthBudget:
    """Counts what a summary has used of its budget; whole sentences only."""

    def __init__(self, params: SummaryParams) -> None:
        self.params = params
        self.sentences = self.words = self.chars = 0

    def full(self) -> bool:
        return self.params.max_sentences is not None and self.sentences >= self.params.max_sentences

    def fits(self, sentence: str) -> bool:
        p = self.params
        if p.max_words is not None and self.words + len(sentence.split()) > p.max_words:
            return False
        # Characters of the summary as a paragraph: sentences joined by one space.
        extra = len(sentence) + (1 if self.sentences else 0)
        return p.max_chars is None or self.chars + extra <= p.max_chars

    def add(self, sentence: str) -> None:
        self.chars += len(sentence) + (1 if self.sentences else 0)
        self.sentences += 1
        self.words += len(sentence.split())


def within_budget(sentences: Iterable[str], params: SummaryParams) -> Iterator[str]:
    """The longest prefix of `sentences` within the budget (at least the first sentence),
    read lazily: nothing past the first sentence that does not fit is consumed, so a
    stream stops as soon as the requested length is reached."""
    budget = LengthBudget(params)
    for sentence in sentences:
        if budget.sentences and (budget.full() or not budget.fits(sentence)):
            return
        budget.add(sentence)
        yield sentence


def fit_in_order(sentences: list[str], params: SummaryParams) -> list[str]:
    """The longest prefix of `sentences` within the budget (at least the first sentence)."""
    return list(within_budget(sentences, params))
