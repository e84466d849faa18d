"""The interface every summariser engine implements.

The HTTP layer only sees `Engine.summarize(documents, params)`: a list in, a list out,
so batching across requests needs no change to any engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

from service.text.sentences import Sentence


@dataclass(frozen=True)
class Document:
    """A cleaned article, ready for an engine."""

    text: str
    sentences: list[Sentence]
    title: str | None = None


@dataclass(frozen=True)
class SummaryParams:
    """How long a summary may be: a sentence count, a word budget, or both."""

    max_sentences: int | None = None
    max_words: int | None = None


@dataclass(frozen=True)
class ChosenSentence:
    sentence: Sentence
    score: float


@dataclass
class SummaryResult:
    sentences: list[ChosenSentence]  # in article order
    truncated: bool = False  # whether part of the article was left unread
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelInfo:
    name: str  # manifest name, or the folder name for a model given by path
    id: str  # the upstream model id (e.g. a hub id)
    engine: str
    revision: str | None = None  # file hash or commit of the weights actually loaded
    settings: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    info: ModelInfo

    def summarize(
        self, documents: Sequence[Document], params: Sequence[SummaryParams]
    ) -> list[SummaryResult]:
        """Summarise each document under its own params; one result per document."""
        ...

    def warm_up(self) -> None:
        """Run one tiny inference so the first request does not pay for lazy set-up."""
        ...
