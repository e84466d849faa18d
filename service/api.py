"""HTTP API v1: health, readiness, model info and summarisation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, stream_with_context
from pydantic import ValidationError

from service import __version__
from service.config import Settings
from service.errors import ProblemError, item_result, validation_problem
from service.inputs import parse_item, parse_request, validation_context
from service.middleware import configured_rate_limit, limiter, rate_limit_off
from service.model_state import ModelHolder
from service.runtime import Runtime
from service.schemas import BatchRequest

api = Blueprint("api", __name__)

_JSON_TYPES = ("application/json",)
_TEXT_TYPES = {"text/plain": "text", "text/html": "html"}


def _runtime() -> Runtime:
    return current_app.extensions["precis.runtime"]


def _settings() -> Settings:
    return _runtime().settings


def _holder() -> ModelHolder:
    return _runtime().model


def _decode(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset)
    except LookupError as exc:
        raise ProblemError(415, "unsupported-charset", "Unsupported Media Type",
                           f"Unknown charset {charset!r}.") from exc
    except UnicodeDecodeError as exc:
        raise ProblemError(400, "invalid-encoding", "Bad Request",
                           f"The body is not valid {charset}: byte {exc.start} cannot be decoded.") from exc


def _read_fields() -> dict[str, Any]:
    """The request's fields: a JSON object or a text body, plus the query string's options."""
    mimetype = request.mimetype
    if not mimetype:
        raise ProblemError(415, "unsupported-media-type", "Unsupported Media Type",
                           "Send Content-Type application/json, text/plain or text/html.")
    charset = request.mimetype_params.get("charset", "utf-8")
    if mimetype in _JSON_TYPES or mimetype.endswith("+json"):
        text = _decode(request.get_data(cache=False), charset)
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"at line {exc.lineno}, column {exc.colno}"
            raise ProblemError(400, "malformed-json", "Bad Request",
                               f"The body is not valid JSON: {exc.msg} {where}.") from exc
        except RecursionError as exc:
            raise ProblemError(400, "malformed-json", "Bad Request", "The JSON body is nested too deeply.") from exc
        if not isinstance(body, dict):
            kind = type(body).__name__ if body is not None else "null"
            raise ProblemError(422, "invalid-request", "Invalid request",
                               f"The JSON body must be an object, not {kind}.")
        # Options in the query string count for a JSON body too (the body's own win), so
        # none is silently ignored: each is validated like the rest.
        return {**request.args.to_dict(), **body}
    if mimetype in _TEXT_TYPES:
        fields: dict[str, Any] = request.args.to_dict()
        fields[_TEXT_TYPES[mimetype]] = _decode(request.get_data(cache=False), charset)
        return fields
    raise ProblemError(415, "unsupported-media-type", "Unsupported Media Type",
                       f"Content-Type {mimetype!r} is not supported; use application/json, text/plain or text/html.")


@api.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok", version=__version__)


@api.get("/readyz")
def readyz() -> Response:
    return jsonify(status="ready", model=_holder().engine().info.name)


@api.get("/v1/models")
def models() -> Response:
    holder, settings = _holder(), _settings()
    entry: dict[str, Any] = {"requested": settings.model, "status": holder.status, "error": holder.error}
    if holder.ready:
        info = holder.engine().info
        entry.update(name=info.name, id=info.id, engine=info.engine, revision=info.revision,
                     precision=info.precision, profile=info.settings.get("profile"),
                     languages=list(info.languages) if info.languages else None, settings=info.settings,
                     load_seconds=round(holder.load_seconds or 0.0, 2))
    limits = {"max_body_bytes": settings.max_body_bytes, "max_text_chars": settings.max_text_chars,
              "max_summary_sentences": settings.max_summary_sentences, "max_new_tokens": settings.max_new_tokens,
              "max_input_tokens": settings.max_input_tokens}
    return jsonify(models=[entry], limits=limits, version=__version__)


@api.post("/v1/summarize")
@limiter.limit(configured_rate_limit, exempt_when=rate_limit_off)
def summarize_route() -> Response:
    summary_request = parse_request(_read_fields(), _settings())
    runtime = _runtime()
    if summary_request.stream or request.accept_mimetypes.best == "text/event-stream":
        return _event_stream(runtime.stream(summary_request, g.request_id))
    body, cache_status = runtime.summarize(summary_request, g.request_id)
    response = jsonify(body)
    response.headers["X-Cache"] = cache_status
    response.headers["X-Cache-Hit-Ratio"] = f"{runtime.cache.hit_ratio:.3f}"
    return response


def _event_stream(events: Iterator[tuple[str, dict[str, Any]]]) -> Response:
    """Server-sent events, flushed as they come (no proxy buffering)."""
    def lines() -> Iterator[str]:
        for name, data in events:
            yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    response = Response(stream_with_context(lines()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@api.post("/v1/summarize/batch")
@limiter.limit(configured_rate_limit, exempt_when=rate_limit_off)
def summarize_batch_route() -> Response:
    """Up to MAX_BATCH_ITEMS articles; per-item results or per-item problems."""
    if request.mimetype not in _JSON_TYPES:
        raise ProblemError(415, "unsupported-media-type", "Unsupported Media Type",
                           "A batch is a JSON object: send Content-Type application/json.")
    settings = _settings()
    try:
        batch = BatchRequest.model_validate(_read_fields(), context=validation_context(settings))
    except ValidationError as exc:
        raise validation_problem(exc) from exc
    parsed = [parse_item(raw, i, settings) for i, raw in enumerate(batch.items)]
    outcomes = _runtime().summarize_many([item for _, item in parsed], g.request_id)
    return jsonify(items=[item_result(item_id, outcome.body, outcome.error, g.request_id)
                          for (item_id, _), outcome in zip(parsed, outcomes, strict=True)],
                   request_id=g.request_id)
