"""HTTP API v1: health, readiness, model info and summarisation."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, stream_with_context
from pydantic import ValidationError

from service import __version__
from service.edge import JSON_TYPE, article_fields, json_object, runtime
from service.engines.device import dtype_name
from service.errors import item_result, problem_body, problem_for, unsupported_media_type, validation_problem
from service.inputs import parse_item, parse_request, validation_context
from service.middleware import configured_rate_limit, limiter, rate_limit_off
from service.schemas import (
    BatchRequest,
    Health,
    Limits,
    ModelEntry,
    Models,
    Readiness,
    SentenceOut,
    language_support,
    model_identity,
)
from service.summarizer import Summarized

log = logging.getLogger(__name__)
api = Blueprint("api", __name__)


@api.get("/healthz")
def healthz() -> Response:
    return jsonify(Health(status="ok", version=__version__).model_dump())


@api.get("/readyz")
def readyz() -> Response:
    engine = runtime().model.engine()
    info = engine.info
    # An inference server's outage is said here, but the replica stays ready (engines/remote.py).
    upstream = engine.upstream() if hasattr(engine, "upstream") else None
    readiness = Readiness(
        status="ready", model=info.name, device=info.device, dtype=dtype_name(info.precision), upstream=upstream
    )
    return jsonify(readiness.model_dump(exclude_none=True))


@api.get("/v1/models")
def models() -> Response:
    holder, settings = runtime().model, runtime().settings
    entry: dict[str, Any] = {"requested": settings.model, "status": holder.status, "error": holder.error}
    if holder.ready:  # what a loaded model is; a loading one has none of it yet
        info = holder.engine().info
        entry.update(
            **model_identity(info),
            languages=list(info.languages) if info.languages else None,
            language_support=language_support(info),
            settings=info.settings,
            load_seconds=round(holder.load_seconds or 0.0, 2),
        )
    limits = Limits(
        max_body_bytes=settings.max_body_bytes,
        max_text_chars=settings.max_text_chars,
        max_summary_sentences=settings.max_summary_sentences,
        max_new_tokens=settings.max_new_tokens,
        max_input_tokens=settings.max_input_tokens,
    )
    answer = Models(models=[ModelEntry(**entry)], limits=limits, version=__version__)
    return jsonify(answer.model_dump(mode="json", exclude_unset=True))


@api.post("/v1/summarize")
@limiter.limit(configured_rate_limit, exempt_when=rate_limit_off)
def summarize_route() -> Response:
    serving = runtime()
    summary_request = parse_request(article_fields(), serving.settings)
    if summary_request.stream or request.accept_mimetypes.best == "text/event-stream":
        return _event_stream(serving.stream(summary_request), g.request_id)
    summarized, cache_status = serving.summarize(summary_request, g.request_id)
    response = jsonify(summarized.response(g.request_id).as_json())
    response.headers["X-Cache"] = cache_status
    response.headers["X-Cache-Hit-Ratio"] = f"{serving.cache.hit_ratio:.3f}"
    return response


def _event_stream(events: Iterator[SentenceOut | Summarized | Exception], request_id: str) -> Response:
    """Server-sent events, flushed as they come (no proxy buffering): `sentence` (one checked
    sentence and its position), then `done` (the whole response) or `error` (a problem document)."""

    def lines() -> Iterator[str]:
        position = 0
        for event in events:
            if isinstance(event, SentenceOut):
                name, data = "sentence", {**event.model_dump(mode="json", exclude_none=True), "position": position}
                position += 1
            elif isinstance(event, Summarized):
                name, data = "done", event.response(request_id).as_json()
            else:
                problem = problem_for(event)
                if problem.status >= 500:
                    log.error("stream %s failed", request_id, exc_info=event)
                name, data = "error", problem_body(problem, request_id)
            yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    response = Response(stream_with_context(lines()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@api.post("/v1/summarize/batch")
@limiter.limit(configured_rate_limit, exempt_when=rate_limit_off)
def summarize_batch_route() -> Response:
    """Up to MAX_BATCH_ITEMS articles; per-item results or per-item problems."""
    if request.mimetype != JSON_TYPE:
        raise unsupported_media_type("A batch is a JSON object: send Content-Type application/json.")
    serving = runtime()
    fields = {**request.args.to_dict(), **json_object()}
    try:
        batch = BatchRequest.model_validate(fields, context=validation_context(serving.settings))
    except ValidationError as exc:
        raise validation_problem(exc) from exc
    parsed = [parse_item(raw, i, serving.settings) for i, raw in enumerate(batch.items)]
    outcomes = serving.summarize_many([item for _, item in parsed], g.request_id)
    rows = [item_result(item_id, outcome, g.request_id) for (item_id, _), outcome in zip(parsed, outcomes, strict=True)]
    return jsonify(items=rows, request_id=g.request_id)  # shaped as BatchResponse
