"""The interface every summariser engine implements.

The HTTP layer only sees `Engine.summarize(documents, params)`: a list in, a list out,
so batching across requests needs no change to any engine."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from service.text.sentences import Sentence

Overflow = Literal["chunk", "head", "error"]
# What the summary is for: one row each in service/editorial/purposes.py.
Purpose = Literal["summary", "key_points", "seo_description", "social"]


@dataclass(frozen=True)
class Document:
    """A cleaned article, ready for an engine."""

    text: str
    sentences: list[Sentence]
    title: str | None = None
    # How sure it is that `title` is the headline (service/text/titles.py): the extractive
    # ranker scales its headline term by it.
    title_confidence: float = 1.0
    # ISO 639-1 code of the language it was read in (service/text/language.py reading_language):
    # the extractive ranker embeds it or ranks it lexically by it; generative engines answer in it.
    language: str = "en"


@dataclass(frozen=True)
class SummaryParams:
    """How long a summary may be (any of sentences, words, characters) and how to treat
    an article longer than the model's input limit."""

    max_sentences: int | None = None
    max_words: int | None = None
    max_chars: int | None = None
    overflow: Overflow = "chunk"
    # Validated per-request overrides of generation settings (abstractive engines only).
    generation: Mapping[str, Any] = field(default_factory=dict)
    focus: str | None = None  # what the summary should be about (service/editorial/focus.py)
    purpose: Purpose = "summary"


@dataclass(frozen=True)
class SummarySentence:
    text: str
    source: Sentence | None = None  # the article sentence itself, for extractive engines
    score: float | None = None
    # A newsroom length may shorten a sentence: the kept words' spans in the article text
    # (extractive), and whether a last-resort cut at a word boundary ("…") was needed.
    spans: tuple[tuple[int, int], ...] | None = None
    compressed: bool = False
    truncated: bool = False


@dataclass(frozen=True)
class Coverage:
    """How much of the article the engine read, reported with every summary."""

    input_tokens: int | None = None
    token_limit: int | None = None
    chunks: int = 1
    truncated: bool = False
    covered: float = 1.0  # share of the article's characters that were read


@dataclass
class SummaryResult:
    sentences: list[SummarySentence]
    coverage: Coverage = field(default_factory=Coverage)
    generation: dict[str, Any] = field(default_factory=dict)  # effective generation settings
    focus_matched: bool | None = None  # None: no focus asked for
    focus_sentences: int | None = None  # seq2seq: article sentences selected as the focused input
    ranking: str | None = None  # extractive: "embeddings" or "lexical" (service/ranker/lexical.py)
    profile: str | None = None  # extractive: the ranker profile that ranked this article


@dataclass(frozen=True)
class ModelInfo:
    name: str  # manifest name, or the folder name for a model given by path
    id: str  # the upstream model id (e.g. a hub id)
    engine: str
    revision: str | None = None  # file hash or commit of the weights actually loaded
    precision: str = "off"  # "int8", "bf16", "fp16" or "off" (fp32): what the weights run at
    device: str = "cpu"  # where the model runs: "cpu" or "cuda:N" (DEVICE, service/engines/device.py)
    host: str | None = None  # the inference server's host:port (engine openai-compatible, service/engines/remote.py)
    languages: tuple[str, ...] | None = None  # ISO 639-1 codes it summarises; None: not declared
    # How an article in a language outside `languages` is summarised: "lexical" (the extractive
    # ranker on lexical features); None: it is not, and "auto" refuses it with 422.
    other_languages: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    info: ModelInfo
    abstractive: bool  # whether summaries are generated (and so need faithfulness checks)
    # How long a micro-batch waits for more articles: set by each engine from what its model measured.
    batch_wait_ms: int

    @property
    def preferred_batch_size(self) -> int | None:
        """Articles worth grouping in one engine call (None: no preference); read-only, so
        that an engine may compute it."""
        ...

    def summarize(self, documents: Sequence[Document], params: Sequence[SummaryParams]) -> list[SummaryResult]:
        """Summarise each document under its own params; one result per document."""
        ...

    def stream(
        self, document: Document, params: SummaryParams, cancel: threading.Event
    ) -> Iterator[SummarySentence | SummaryResult]:
        """The summary's sentences, each as soon as it is final, then the whole result.
        Setting `cancel` (the client went away) stops the work at its next step."""
        ...

    def warm_up(self) -> None:
        """Run one tiny inference so the first request does not pay for lazy set-up."""
        ...
