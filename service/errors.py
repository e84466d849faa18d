"""One error shape for the whole API: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from service.exceptions import (
    CallbackRefused,
    DeadlineExceeded,
    InputTooLong,
    ModelNotReady,
    NoSentences,
    Overloaded,
    SummaryError,
    UnsupportedOption,
    UpstreamError,
    UpstreamMalformed,
    UpstreamTimeout,
    UpstreamUnavailable,
    WebhooksNotConfigured,
)
from service.summarizer import Summarized
from service.text.language import UnsupportedLanguage

log = logging.getLogger(__name__)

PROBLEM_MIME = "application/problem+json"
PROBLEM_BASE = "https://precis.invalid/problems/"


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self, status: int, slug: str, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail, self.extra = status, slug, title, detail, extra
        self.headers = headers or {}


# The one place where a domain error becomes an HTTP answer: (status, type slug, title, headers).
_PROBLEMS: dict[type[SummaryError], tuple[int, str, str, dict[str, str]]] = {
    InputTooLong: (422, "input-too-long", "Article too long", {}),
    NoSentences: (422, "no-sentences", "No sentences", {}),
    UnsupportedOption: (422, "invalid-request", "Invalid request", {}),
    ModelNotReady: (503, "not-ready", "Service Unavailable", {}),
    Overloaded: (503, "overloaded", "Service Unavailable", {"Retry-After": "1"}),
    DeadlineExceeded: (504, "deadline-exceeded", "Gateway Timeout", {}),
    UnsupportedLanguage: (422, "unsupported-language", "Unsupported language", {}),
    # The inference server of an openai-compatible model (service/engines/openai_client.py).
    UpstreamUnavailable: (503, "generation-unavailable", "Service Unavailable", {}),
    UpstreamTimeout: (504, "generation-timeout", "Gateway Timeout", {}),
    UpstreamMalformed: (502, "generation-malformed", "Bad Gateway", {}),
    # A job's callback_url (service/jobs/destinations.py, service/jobs/webhooks.py).
    CallbackRefused: (422, "callback-refused", "Callback URL refused", {}),
    WebhooksNotConfigured: (422, "webhooks-not-configured", "Webhooks not configured", {}),
}


# --- the problems the HTTP edge answers itself, by name ------------------------------------
def malformed_json(detail: str) -> ProblemError:
    return ProblemError(400, "malformed-json", "Bad Request", detail)


def invalid_encoding(detail: str) -> ProblemError:
    return ProblemError(400, "invalid-encoding", "Bad Request", detail)


def unauthorized(detail: str, headers: dict[str, str]) -> ProblemError:
    return ProblemError(401, "unauthorized", "Unauthorized", detail, headers=headers)


def forbidden(detail: str, headers: dict[str, str]) -> ProblemError:
    return ProblemError(403, "forbidden", "Forbidden", detail, headers=headers)


def not_found(detail: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not Found", detail)


def unsupported_media_type(detail: str) -> ProblemError:
    return ProblemError(415, "unsupported-media-type", "Unsupported Media Type", detail)


def unsupported_charset(detail: str) -> ProblemError:
    return ProblemError(415, "unsupported-charset", "Unsupported Media Type", detail)


def invalid_request(detail: str, **extra: Any) -> ProblemError:
    return ProblemError(422, "invalid-request", "Invalid request", detail, **extra)


def too_many_items(detail: str) -> ProblemError:
    return ProblemError(422, "too-many-items", "Invalid request", detail)


def internal_error() -> ProblemError:
    """A bug: the detail says nothing of it (the trace goes to the log)."""
    return ProblemError(500, "internal-error", "Internal Server Error", "An unexpected error occurred.")


def jobs_off(detail: str) -> ProblemError:
    return ProblemError(503, "jobs-off", "Service Unavailable", detail)


def jobs_unavailable(detail: str) -> ProblemError:
    """The job store or queue is down: worth retrying shortly."""
    return ProblemError(503, "jobs-unavailable", "Service Unavailable", detail, headers={"Retry-After": "5"})


def validation_problem(exc: ValidationError) -> ProblemError:
    """A 422 listing every invalid field, from pydantic's errors."""
    errors = [
        {
            "field": ".".join(str(part) for part in err["loc"]) or "body",
            "message": err["msg"].removeprefix("Value error, "),
        }
        for err in exc.errors(include_url=False, include_input=False)
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] != "body" else e["message"] for e in errors)
    return invalid_request(detail, errors=errors)


def problem_for(exc: BaseException) -> ProblemError:
    """The problem a domain error answers with; anything else is a bug (500, no details)."""
    if isinstance(exc, ProblemError):
        return exc
    if isinstance(exc, SummaryError):
        for kind in type(exc).__mro__:
            if kind in _PROBLEMS:
                status, slug, title, headers = _PROBLEMS[kind]
                if isinstance(exc, UpstreamError) and exc.retry_after is not None:
                    headers = {**headers, "Retry-After": str(exc.retry_after)}
                return ProblemError(status, slug, title, exc.detail, headers=dict(headers), **exc.extra)
    return internal_error()


def problem_body(problem: ProblemError, request_id: str | None) -> dict[str, Any]:
    """The problem document (one item's, in a batch, a job or a stream's error event)."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + problem.slug,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "request_id": request_id,
    }
    body.update({k: v for k, v in problem.extra.items() if v is not None})
    return body


def problem_response(problem: ProblemError) -> Response:
    """The problem as this request's answer (application/problem+json, with its headers)."""
    response = jsonify(problem_body(problem, g.get("request_id")))
    response.status_code = problem.status
    response.mimetype = PROBLEM_MIME
    response.headers.update(problem.headers)
    return response


def item_result(item_id: str, outcome: Summarized | BaseException, request_id: str) -> dict[str, Any]:
    """One item of a batch or a job, as its row: its result, or its problem document. The
    one place a per-item exception becomes an item error."""
    if isinstance(outcome, Summarized):
        return {"id": item_id, "status": 200, "result": outcome.response(request_id).as_json()}
    problem = problem_for(outcome)
    return {"id": item_id, "status": problem.status, "error": problem_body(problem, request_id)}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ProblemError)
    @app.errorhandler(SummaryError)
    def _problem(exc: Exception) -> Response:
        return problem_response(problem_for(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        slug = (exc.name or "error").lower().replace(" ", "-")
        response = problem_response(ProblemError(exc.code or 500, slug, exc.name, exc.description or exc.name))
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # The trace goes to the log, never to the client.
        log.exception("unhandled error in request %s", g.get("request_id"))
        return problem_response(internal_error())
