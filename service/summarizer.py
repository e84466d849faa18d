"""The one use case: summarise articles. HTTP, the batch endpoint, the CLI, the job worker
and the benchmarks all go through `Summarizer`; none rebuilds any of it.

    prepare  (validate options against the engine, clean, split, resolve the length)
    predict  (one batched engine call; a failing article fails alone)
    render   (faithfulness checks, the response model)

The serving layer (service/runtime.py: cache, micro-batching queue, deadline) wraps
`prepare` and `render` around a batcher that calls `predict`; in-process callers use
`summarize_many`, which runs the three steps directly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from service import __version__
from service.domain.summary import Document, Engine, Purpose, SummaryParams, SummaryResult, SummarySentence
from service.editorial.fitting import layout
from service.editorial.purposes import policy
from service.exceptions import NoSentences, UnsupportedOption
from service.faithfulness import ArticleIndex, Flag, Support
from service.schemas import (
    DEFAULT_LENGTH,
    LENGTH_PRESETS,
    FlagOut,
    InputOut,
    LanguageOut,
    ModelOut,
    PurposeOut,
    SentenceOut,
    SummarizeRequest,
    SummarizeResponse,
    SummaryOut,
    SupportOut,
    TimingOut,
    model_identity,
)
from service.text.cleaning import CleanArticle, clean_text
from service.text.html import read_page
from service.text.language import LanguageGuess, check_supported, detect_language, reading_language
from service.text.sentences import Sentence, split_sentences, splitter_for


@dataclass
class Prepared:
    """An article ready for the engine: cleaned, split, its length resolved."""

    request: SummarizeRequest
    article: CleanArticle
    document: Document
    params: SummaryParams
    cleaning_ms: float
    language: LanguageGuess
    splitter: str  # the sentence splitter used ("syntok", "pysbd:fr", "generic")

    def timing(self, inference_ms: float) -> TimingOut:
        """How long this article took: its cleaning here, its inference as the caller measured it."""
        return TimingOut(
            total=round(self.cleaning_ms + inference_ms, 2),
            cleaning=round(self.cleaning_ms, 2),
            inference=round(inference_ms, 2),
        )


@dataclass(frozen=True)
class Summarized:
    """One article summarised: the use case's answer and how long it took. Each door adds
    its own transport fields (`response`, for those that answer a request id)."""

    summary: SummaryOut
    timing: TimingOut

    def response(self, request_id: str) -> SummarizeResponse:
        return SummarizeResponse(**dict(self.summary), timing_ms=self.timing, request_id=request_id)


# One article of many: summarised, or the exception that refused it alone.
Outcome = Summarized | Exception
# Prepared articles to their outcomes, in order (Summarizer.run, or the serving layer's queue).
Run = Callable[[Sequence[Prepared]], list[Outcome]]
T = TypeVar("T")


def alone(step: Callable[..., T], *args: Any) -> T | Exception:
    """One item's step, or the exception that fails this item alone: the one place where
    an item of many (a batch, a job's chunk, the CLI's) catches its own failure."""
    try:
        return step(*args)
    except Exception as exc:  # this item's own outcome
        return exc


def preset_sentences(preset: str, article_sentences: int) -> int:
    """A length preset in sentences, for an article of this many sentences.

    short/medium/long are 2/3/5 for a usual news story; a very short article gets fewer
    (a summary should be well under the article), a very long one (40+) a little more."""
    base = LENGTH_PRESETS[preset]
    if article_sentences >= 40:
        return base + (base + 1) // 2 - 1  # 2 -> 2, 3 -> 4, 5 -> 7
    return max(1, min(base, -(-article_sentences // 3)))  # at most a third of the article, rounded up


def summary_params(request: SummarizeRequest, article_sentences: int) -> SummaryParams:
    generation = request.generation.model_dump(exclude_none=True) if request.generation else {}
    length: dict[str, int] = {}
    if request.max_words is not None:
        length["max_words"] = request.max_words
    elif request.max_chars is not None:
        length["max_chars"] = request.max_chars
    elif request.max_sentences is not None:
        length["max_sentences"] = request.max_sentences
    else:
        length["max_sentences"] = preset_sentences(request.length or DEFAULT_LENGTH, article_sentences)
    return SummaryParams(
        **length, overflow=request.overflow, generation=generation, focus=request.focus, purpose=request.purpose
    )


def _sentence_out(
    text: str, document: Document, supports: list[Support], flags: list[Flag], **extractive: Any
) -> SentenceOut:
    return SentenceOut(
        text=text,
        **extractive,
        support=[
            SupportOut(
                index=s.index,
                start=document.sentences[s.index].start,
                end=document.sentences[s.index].end,
                score=s.score,
            )
            for s in supports
        ],
        unsupported=[FlagOut(text=f.text, kind=f.kind) for f in flags],
    )


def _purpose_out(purpose: Purpose, texts: list[str]) -> PurposeOut | None:
    """A purpose's budget, measured on the sentences returned (after `strict`)."""
    budget = policy(purpose).budget
    if budget is None:
        return None
    return PurposeOut(name=purpose, limit=budget.limit, unit=budget.measure.unit, measured=budget.measured(texts))


@dataclass(frozen=True)
class ReadArticle:
    """An article as the read step leaves it: cleaned and split by its language's rules."""

    article: CleanArticle
    sentences: list[Sentence]
    language: LanguageGuess  # detected on the text before cleaning
    splitter: str  # "syntok", "pysbd:<code>" or "generic" (service/text/sentences.py)

    @property
    def reading(self) -> str:
        """The language it was read in (text.language.reading_language): cleaned, split and
        ranked by this language's rules."""
        return reading_language(self.language)

    def __iter__(self) -> Iterator[Any]:
        """`article, sentences = read_article(request)`: the two most callers need."""
        return iter((self.article, self.sentences))


def read_article(request: SummarizeRequest) -> ReadArticle:
    """The request's article cleaned and split, as every door sees it: the one read step
    that serving, calibration and the benchmarks share. The language is detected first,
    on the page's text, so that cleaning and splitting follow its rules."""
    page = read_page(request.html) if request.html is not None else None
    text = page.text if page is not None else request.text or ""
    language = detect_language(text)
    code = reading_language(language)
    article = clean_text(text, title=request.title, page=page.titles if page else None, language=code)
    return ReadArticle(article, split_sentences(article.body, code), language, splitter_for(code))


class Summarizer:
    """The summarisation use case around one loaded engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- prepare -----------------------------------------------------------------------
    def prepare(self, request: SummarizeRequest) -> Prepared:
        """Check the options against the engine, clean and split the article."""
        if request.generation is not None and not self.engine.abstractive:
            raise UnsupportedOption(
                f"'generation' options apply to abstractive models; {self.engine.info.name!r} is extractive."
            )
        started = time.perf_counter()
        read = read_article(request)
        article, sentences, language = read.article, read.sentences, read.language
        if not sentences:
            removed = ", ".join(f"{n} {kind}" for kind, n in article.removed.items()) or "nothing"
            raise NoSentences(
                f"No article sentences were found in '{request.source_field}' after removing boilerplate "
                f"({removed} removed)."
            )
        if self.engine.info.other_languages is None:  # a model that reads its own languages only
            check_supported(language, self.engine.info.languages, force=request.language == "force")
        document = Document(
            text=article.body,
            sentences=sentences,
            title=article.title,
            title_confidence=article.title_confidence,
            language=read.reading,
        )
        params = summary_params(request, len(sentences))
        cleaning_ms = (time.perf_counter() - started) * 1000
        return Prepared(request, article, document, params, cleaning_ms, language, read.splitter)

    # --- predict -----------------------------------------------------------------------
    def predict(self, batch: Sequence[Prepared]) -> list[SummaryResult | Exception]:
        """One engine call for the batch. If it fails, each article is retried alone, so
        that one bad article (say, over the input limit with overflow=error) fails alone."""
        try:
            return list(self.engine.summarize([p.document for p in batch], [p.params for p in batch]))
        except Exception as exc:  # sorted out per article below
            if len(batch) == 1:
                return [exc]
        out: list[SummaryResult | Exception] = []
        for prepared in batch:
            single = alone(self.engine.summarize, [prepared.document], [prepared.params])
            out.extend([single] if isinstance(single, Exception) else single)
        return out

    # --- render ------------------------------------------------------------------------
    def article_index(self, prepared: Prepared) -> ArticleIndex | None:
        """What generated sentences are checked against; extractive ones need no check."""
        return ArticleIndex(prepared.document) if self.engine.abstractive else None

    def check(self, document: Document, sentence: SummarySentence, index: ArticleIndex | None) -> SentenceOut:
        """One summary sentence with its support in the article and its faithfulness flags."""
        shortened: dict[str, Any] = {}
        if sentence.compressed or sentence.truncated:
            shortened = {
                "compressed": sentence.compressed or None,
                "truncated": sentence.truncated or None,
                "spans": list(sentence.spans) if sentence.spans else None,
            }
        source = sentence.source
        if index is None and source is not None:
            # Extractive: the sentence (whole or shortened) is the article's own words.
            return _sentence_out(
                sentence.text,
                document,
                [Support(source.index, 1.0)],
                [],
                start=source.start,
                end=source.end,
                index=source.index,
                score=round(sentence.score or 0.0, 4),
                **shortened,
            )
        index = index or ArticleIndex(document)
        return _sentence_out(
            sentence.text, document, index.support(sentence.text), index.unsupported(sentence.text), **shortened
        )

    def checked_sentences(self, prepared: Prepared, result: SummaryResult) -> list[SentenceOut]:
        """Each summary sentence checked; with `strict`, flagged ones are dropped."""
        index = self.article_index(prepared)
        out = [self.check(prepared.document, s, index) for s in result.sentences]
        if prepared.request.strict:
            out = [s for s in out if not s.unsupported]
        return out

    def render(self, prepared: Prepared, result: SummaryResult) -> SummaryOut:
        """The summary of one article, checked (no transport fields: each door adds its own)."""
        request, article, document = prepared.request, prepared.article, prepared.document
        sentences = self.checked_sentences(prepared, result)
        texts = [s.text for s in sentences]
        summary = layout(texts, bulleted=request.format == "bullets" or policy(request.purpose).bullets is not None)
        if request.include_title and article.title:
            summary = f"{article.title}\n\n{summary}"
        info, coverage = self.engine.info, result.coverage
        return SummaryOut(
            summary=summary,
            characters=len(summary),
            focus=request.focus,
            focus_matched=result.focus_matched if request.focus else None,
            purpose=_purpose_out(request.purpose, texts),
            sentences=sentences,
            model=ModelOut(
                **{**model_identity(info), **({"profile": result.profile} if result.profile else {})},
                service_version=__version__,
                generation=result.generation or None,
            ),
            input=InputOut(
                characters=len(document.text),
                sentences=len(document.sentences),
                words=len(document.text.split()),
                tokens=coverage.input_tokens,
                token_limit=coverage.token_limit,
                chunks=coverage.chunks,
                truncated=coverage.truncated,
                coverage=coverage.covered,
                title=article.title,
                title_source=article.title_source,
                standfirst=article.standfirst,
                removed=dict(article.removed),
                text=document.text if request.include_text else None,
                language=LanguageOut(
                    code=prepared.language.code, name=prepared.language.name, confidence=prepared.language.confidence
                ),
                read_as=document.language,
                splitter=prepared.splitter,
                ranking=result.ranking,
                focus_sentences=result.focus_sentences,
            ),
        )

    # --- streaming ---------------------------------------------------------------------
    def stream(self, prepared: Prepared, cancel: threading.Event) -> Generator[SentenceOut | Summarized]:
        """Each checked sentence as soon as it is final (with `strict`, a flagged one is never
        sent), then the whole answer."""
        started = time.perf_counter()
        index = self.article_index(prepared)
        result: SummaryResult | None = None
        for item in self.engine.stream(prepared.document, prepared.params, cancel):
            if isinstance(item, SummaryResult):
                result = item
                break
            checked = self.check(prepared.document, item, index)
            if not (prepared.request.strict and checked.unsupported):
                yield checked
        if result is not None:
            yield Summarized(self.render(prepared, result), prepared.timing((time.perf_counter() - started) * 1000))

    # --- all three, for many articles ----------------------------------------------------
    def summarize_many(self, requests: Sequence[SummarizeRequest | Exception], run: Run | None = None) -> list[Outcome]:
        """Each request's outcome, in order; an item given as an exception (it failed
        validation) or refused by `prepare`, the engine or `render` fails alone. `run`
        takes the prepared articles to their answers: by default one engine call for all
        (`run`); the serving layer passes its queue, cache and deadline instead."""
        prepared = [request if isinstance(request, Exception) else alone(self.prepare, request) for request in requests]
        ready = [p for p in prepared if isinstance(p, Prepared)]
        answers = iter((run or self.run)(ready) if ready else [])
        return [next(answers) if isinstance(p, Prepared) else p for p in prepared]

    def run(self, batch: Sequence[Prepared]) -> list[Outcome]:
        """Prepared articles to their answers, in process: one engine call, each rendered."""
        started = time.perf_counter()
        results = self.predict(batch)
        inference_ms = (time.perf_counter() - started) * 1000 / len(batch)
        return [
            result if isinstance(result, Exception) else alone(self.summarized, prepared, result, inference_ms)
            for prepared, result in zip(batch, results, strict=True)
        ]

    def summarized(self, prepared: Prepared, result: SummaryResult, inference_ms: float) -> Summarized:
        return Summarized(self.render(prepared, result), prepared.timing(inference_ms))
