"""One summary request from validated input to response: clean, split, rank, render."""

from __future__ import annotations

import time
from dataclasses import dataclass

from service.engines.base import Document, Engine, SummaryParams, SummaryResult
from service.errors import ProblemError
from service.schemas import (
    DEFAULT_LENGTH,
    LENGTH_PRESETS,
    InputOut,
    ModelOut,
    SentenceOut,
    SummarizeRequest,
    SummarizeResponse,
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


def summary_params(request: SummarizeRequest) -> SummaryParams:
    if request.max_words is not None:
        return SummaryParams(max_words=request.max_words)
    if request.max_sentences is not None:
        return SummaryParams(max_sentences=request.max_sentences)
    return SummaryParams(max_sentences=LENGTH_PRESETS[request.length or DEFAULT_LENGTH])


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
            f"({dict(article.removed) or 'nothing'} removed).",
        )
    document = Document(text=article.body, sentences=sentences, title=article.title)
    return PreparedRequest(
        request, article, document, summary_params(request), (time.perf_counter() - started) * 1000
    )


def render(
    prepared: PreparedRequest, result: SummaryResult, engine: Engine, inference_ms: float, request_id: str
) -> SummarizeResponse:
    texts = [chosen.sentence.text for chosen in result.sentences]
    if prepared.request.format == "bullets":
        summary = "\n".join(f"- {text}" for text in texts)
    else:
        summary = " ".join(texts)
    article, document = prepared.article, prepared.document
    info = engine.info
    return SummarizeResponse(
        summary=summary,
        sentences=[
            SentenceOut(text=c.sentence.text, start=c.sentence.start, end=c.sentence.end,
                        index=c.sentence.index, score=round(c.score, 4))
            for c in result.sentences
        ],
        model=ModelOut(name=info.name, id=info.id, engine=info.engine, revision=info.revision),
        input=InputOut(
            characters=len(document.text),
            sentences=len(document.sentences),
            words=len(document.text.split()),
            truncated=result.truncated,
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


def summarize(request: SummarizeRequest, engine: Engine, request_id: str) -> SummarizeResponse:
    prepared = prepare(request)
    started = time.perf_counter()
    [result] = engine.summarize([prepared.document], [prepared.params])
    return render(prepared, result, engine, (time.perf_counter() - started) * 1000, request_id)
