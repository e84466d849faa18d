"""One error shape for the whole API: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from service.exceptions import (
    DeadlineExceeded,
    InputTooLong,
    ModelNotReady,
    NoSentences,
    Overloaded,
    SummaryError,
    UnsupportedOption,
)
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
}


def problem_for(exc: Exception) -> ProblemError:
    """The problem a domain error answers with; anything else is a bug (500, no details)."""
    if isinstance(exc, ProblemError):
        return exc
    for kind in type(exc).__mro__:
        if kind in _PROBLEMS:
            status, slug, title, headers = _PROBLEMS[kind]
            assert isinstance(exc, SummaryError)
            return ProblemError(status, slug, title, exc.detail, headers=dict(headers), **exc.extra)
    return ProblemError(500, "internal-error", "Internal Server Error", "An unexpected error occurred.")


def item_result(item_id: str, body: dict[str, Any] | None, error: Exception | None, request_id: str) -> dict[str, Any]:
    """One item of a batch or a job: its result, or its problem document."""
    if error is None:
        return {"id": item_id, "status": 200, "result": body}
    problem = problem_for(error)
    return {"id": item_id, "status": problem.status, "error": problem_body(problem, request_id)}


def _body(status: int, slug: str, title: str, detail: str, request_id: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail,
                            "request_id": request_id}
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_body(problem: ProblemError, request_id: str | None) -> dict[str, Any]:
    """The problem document of one item (the batch endpoint answers several)."""
    return _body(problem.status, problem.slug, problem.title, problem.detail, request_id, **problem.extra)


def problem_response(status: int, slug: str, title: str, detail: str, **extra: Any) -> Response:
    response = jsonify(_body(status, slug, title, detail, g.get("request_id"), **extra))
    response.status_code = status
    response.mimetype = PROBLEM_MIME
    return response


def validation_problem(exc: ValidationError) -> ProblemError:
    errors = [
        {"field": ".".join(str(part) for part in err["loc"]) or "body",
         "message": err["msg"].removeprefix("Value error, ")}
        for err in exc.errors(include_url=False, include_input=False)
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] != "body" else e["message"] for e in errors)
    return ProblemError(422, "invalid-request", "Invalid request", detail, errors=errors)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ProblemError)
    @app.errorhandler(SummaryError)
    def _problem(exc: Exception) -> Response:
        problem = problem_for(exc)
        response = problem_response(problem.status, problem.slug, problem.title, problem.detail, **problem.extra)
        response.headers.update(problem.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        slug = (exc.name or "error").lower().replace(" ", "-")
        response = problem_response(exc.code or 500, slug, exc.name, exc.description or exc.name)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # The trace goes to the log, never to the client.
        log.exception("unhandled error in request %s", g.get("request_id"))
        return problem_response(500, "internal-error", "Internal Server Error", "An unexpected error occurred.")
