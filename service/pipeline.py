"""One summary request from validated input to response: clean, split, summarise, check, render."""

from __future__ import annotations

import time
from dataclasses import dataclass

from service import __version__
from service.engines.base import Document, Engine, InputTooLong, SummaryParams, SummaryResult
from service.errors import ProblemError
from service.faithfulness import ArticleIndex, Flag, Support
from service.schemas import (
    DEFAULT_LENGTH,
    LENGTH_PRESETS,
    FlagOut,
    InputOut,
    ModelOut,
    SentenceOut,
    SummarizeRequest,
    SummarizeResponse,
    SupportOut,
    TimingOut,
)
from service.text.cleaning import CleanArticle, clean_text
from service.text.html import extract_html
from service.text.sentences import split_sentences


@dataclass
class PreparedRequest:
    request: SummarizeRequest
    article: CleanArticle
    document: Document
    params: SummaryParams
    cleaning_ms: float


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
    return SummaryParams(**length, overflow=request.overflow, generation=generation)


def prepare(request: SummarizeRequest) -> PreparedRequest:
    """Clean and split the article; 422 when no sentence is left to summarise."""
    started = time.perf_counter()
    if request.html is not None:
        page_title, raw = extract_html(request.html)
        title = request.title or page_title
    else:
        raw, title = request.text or "", request.title
    article = clean_text(raw, title=title)
    sentences = split_sentences(article.body)
    if not sentences:
        raise ProblemError(
            422,
            "no-sentences",
            "No sentences",
            f"No article sentences were found in '{request.source_field}' after removing boilerplate "
            f"({', '.join(f'{n} {kind}' for kind, n in article.removed.items()) or 'nothing'} removed).",
        )
    document = Document(text=article.body, sentences=sentences, title=article.title)
    return PreparedRequest(
        request, article, document, summary_params(request, len(sentences)), (time.perf_counter() - started) * 1000
    )


def _sentence_out(text: str, document: Document, supports: list[Support], flags: list[Flag], **extractive) -> SentenceOut:
    return SentenceOut(
        text=text,
        **extractive,
        support=[
            SupportOut(index=s.index, start=document.sentences[s.index].start,
                       end=document.sentences[s.index].end, score=s.score)
            for s in supports
        ],
        unsupported=[FlagOut(text=f.text, kind=f.kind) for f in flags],
    )


def checked_sentences(prepared: PreparedRequest, result: SummaryResult, engine: Engine) -> list[SentenceOut]:
    """Each summary sentence with its support in the article and its faithfulness flags."""
    document = prepared.document
    if not engine.abstractive:
        # Extractive: a sentence is its own support and cannot be unfaithful.
        return [
            _sentence_out(s.text, document, [Support(s.source.index, 1.0)], [], start=s.source.start,
                          end=s.source.end, index=s.source.index, score=round(s.score or 0.0, 4))
            for s in result.sentences
            if s.source is not None
        ]
    index = ArticleIndex(document)
    out = [_sentence_out(s.text, document, index.support(s.text), index.unsupported(s.text)) for s in result.sentences]
    if prepared.request.strict:
        out = [s for s in out if not s.unsupported]
    return out


def render(
    prepared: PreparedRequest, result: SummaryResult, engine: Engine, inference_ms: float, request_id: str
) -> SummarizeResponse:
    sentences = checked_sentences(prepared, result, engine)
    texts = [s.text for s in sentences]
    if prepared.request.format == "bullets":
        summary = "\n".join(f"- {text}" for text in texts)
    else:
        summary = " ".join(texts)
    article, document, info, coverage = prepared.article, prepared.document, engine.info, result.coverage
    if prepared.request.include_title and article.title:
        summary = f"{article.title}\n\n{summary}"
    return SummarizeResponse(
        summary=summary,
        sentences=sentences,
        model=ModelOut(name=info.name, id=info.id, engine=info.engine, revision=info.revision,
                       precision=info.settings.get("quantize", "off"), service_version=__version__,
                       generation=result.generation or None),
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
            standfirst=article.standfirst,
            removed=dict(article.removed),
            text=document.text if prepared.request.include_text else None,
        ),
        timing_ms=TimingOut(
            total=round(prepared.cleaning_ms + inference_ms, 2),
            cleaning=round(prepared.cleaning_ms, 2),
            inference=round(inference_ms, 2),
        ),
        request_id=request_id,
    )


def check_options(request: SummarizeRequest, engine: Engine) -> None:
    if request.generation is not None and not engine.abstractive:
        raise ProblemError(422, "invalid-request", "Invalid request",
                           f"'generation' options apply to abstractive models; {engine.info.name!r} is extractive.")


def input_too_long(exc: InputTooLong) -> ProblemError:
    return ProblemError(422, "input-too-long", "Article too long",
                        f"The article has {exc.tokens} tokens and the model reads at most {exc.limit}; "
                        f"use overflow=chunk or overflow=head.", input_tokens=exc.tokens, token_limit=exc.limit)


def run_engine(engine: Engine, prepared: list[PreparedRequest]) -> list[SummaryResult]:
    """One batched engine call; an article over the input limit with overflow=error is a 422."""
    try:
        return engine.summarize([p.document for p in prepared], [p.params for p in prepared])
    except InputTooLong as exc:
        raise input_too_long(exc) from exc

