"""The route table: every HTTP route the app serves, with its body model, answers, problems
and query options. service/openapi.py builds the document's paths from it, and
`openapi.route_drift` checks it against the routes Flask registered (create_app refuses to
start on a difference), so the document cannot promise a route that is not served or miss
one that is.

To add an endpoint: its Flask route (service/api.py or a blueprint), then one `Route` here.
A body field or an answer field comes from the pydantic model by itself; a query parameter
is one `Query` line. Descriptions may name a setting as `$max_body_bytes`: the document
states this deployment's value."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from service.edge import NDJSON_TYPES, TEXT_FIELDS
from service.jobs.schemas import JobRequest, JobView
from service.schemas import (
    BatchRequest,
    BatchResponse,
    Health,
    Models,
    Readiness,
    SummarizeRequest,
    SummarizeResponse,
)

Method = Literal["get", "post", "delete"]

# Media types of bodies and answers that are not JSON: their schemas are written in openapi.py.
SSE = "text/event-stream"
NDJSON = NDJSON_TYPES[0]
HTML = "text/html"
PROMETHEUS = "text/plain"
ANY_JSON = "application/json"  # as a media type (not a model): any JSON object (the document itself)


@dataclass(frozen=True)
class Query:
    """A query parameter whose schema is the property `name` of `model`'s JSON Schema."""

    name: str
    model: type[BaseModel]


@dataclass(frozen=True)
class Answer:
    """A successful answer: JSON shaped by `model`, and/or other media types."""

    description: str
    model: type[BaseModel] | None = None
    media: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)  # name -> description


@dataclass(frozen=True)
class Route:
    method: Method
    path: str  # OpenAPI's template: /v1/jobs/{job_id} (Flask's /v1/jobs/<job_id>)
    operation_id: str  # stable: a generated client's method is named after it
    summary: str
    answers: Mapping[int, Answer]
    problems: Mapping[int, str] = field(default_factory=dict)  # status -> when
    description: str = ""
    body: type[BaseModel] | None = None  # the JSON body
    raw_bodies: tuple[str, ...] = ()  # other media types the body may come in
    query: tuple[Query, ...] = ()
    jobs: bool = False  # listed only where this deployment serves jobs (JOBS on, REDIS_URL set)


def options_in_query(model: type[BaseModel]) -> tuple[Query, ...]:
    """The model's options that a query string can carry: every field but the article
    itself and the nested objects (`generation`)."""
    article = set(TEXT_FIELDS.values())
    return tuple(
        Query(name, model)
        for name, info in model.model_fields.items()
        if name not in article and not _holds_model(info.annotation)
    )


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_holds_model(arg) for arg in typing.get_args(annotation))
    return False


# The problems every body-reading route can answer (401/403 are added where API keys are on).
_BODY_PROBLEMS = {
    400: "Malformed JSON, or a body that is not valid in its charset.",
    413: "Body over $max_body_bytes bytes.",
    415: "Unsupported content type or charset.",
    422: "Invalid fields, no sentences, an unsupported language, or an article over the input limit with "
    "overflow=error.",
    429: "Rate limit exceeded (see Retry-After).",
    503: "Model not ready, or too many requests waiting (see Retry-After).",
}
_JOB_PROBLEMS = {
    404: "No such job (or another API key's, or expired).",
    503: "Jobs are off, or Redis is unavailable.",
}
NOT_STATED = (
    "Rules the schema cannot state: the article must hold at least one sentence once boilerplate is removed "
    "(422 `no-sentences`); its language must be one the model declares unless `language` is `force` (422 "
    "`unsupported-language`); `generation` applies to abstractive models only; with `overflow=error` an article "
    "over the model's input limit is refused (422 `input-too-long`); options given in the query string count "
    "with the body's, so the rules across fields (at most one length option; a newsroom purpose without length "
    "options, format or include_title) apply to the query and the body together."
)

ROUTES: tuple[Route, ...] = (
    Route(
        "post",
        "/v1/summarize",
        "summarize",
        "Summarise one article",
        description="The article as JSON (a SummarizeRequest) or as a text/plain or text/html body with its "
        "options in the query string. " + NOT_STATED,
        body=SummarizeRequest,
        raw_bodies=tuple(TEXT_FIELDS),
        query=options_in_query(SummarizeRequest),
        answers={
            200: Answer(
                "The summary; with `stream` (or `Accept: text/event-stream`), server-sent events: `sentence` "
                "(one checked sentence, as soon as it is final), then `done` (the whole response body) or "
                "`error` (a problem document).",
                SummarizeResponse,
                media=(SSE,),
            )
        },
        problems={**_BODY_PROBLEMS, 504: "The request deadline passed."},
    ),
    Route(
        "post",
        "/v1/summarize/batch",
        "summarizeBatch",
        "Summarise several articles; one bad item fails alone",
        description="`items` are BatchItem objects (a summarize request plus an `id`), validated one by one: "
        "an invalid item is answered with its own problem, never by refusing the batch.",
        body=BatchRequest,
        answers={200: Answer("Per-item results or problems, in order.", BatchResponse)},
        problems=_BODY_PROBLEMS,
    ),
    Route(
        "get",
        "/v1/models",
        "models",
        "The loaded model and the server's limits",
        answers={200: Answer("Model information.", Models)},
    ),
    Route("get", "/healthz", "healthz", "Liveness", answers={200: Answer("The process is alive.", Health)}),
    Route(
        "get",
        "/readyz",
        "readyz",
        "Readiness",
        answers={200: Answer("The model is loaded.", Readiness)},
        problems={503: "The model is loading or failed to load."},
    ),
    Route(
        "post",
        "/v1/jobs",
        "createJob",
        "Submit an archive job",
        description="Up to $max_job_items items: $max_job_bytes bytes as JSON, $max_job_body_bytes as JSON Lines "
        '(one {"id", "text"} a line, read as a stream; the options as query parameters). Each item is validated '
        "on its own: a bad item fails alone, as in the batch endpoint. `options.model` (`?model=`) picks the "
        "model (tier) that runs the job among those the server's worker pools serve.",
        body=JobRequest,
        raw_bodies=(NDJSON,),
        query=(Query("callback_url", JobRequest),),
        answers={
            202: Answer("Accepted; the job.", JobView, headers={"Location": "/v1/jobs/{job_id}"}),
        },
        problems={
            400: _BODY_PROBLEMS[400],
            413: "Body over $max_job_bytes bytes (JSON) or $max_job_body_bytes (JSON Lines).",
            # callback_url in the query, percent-encoded, may outgrow gunicorn's LIMIT_REQUEST_LINE.
            414: "The request line is over the server's limit (a callback_url in the query too long).",
            415: _BODY_PROBLEMS[415],
            422: "No items, too many items, invalid options, a model no worker pool serves, a refused callback_url, or "
            "no webhook secret.",
            429: "Rate limit exceeded.",
            **_JOB_PROBLEMS,
        },
        jobs=True,
    ),
    Route(
        "get",
        "/v1/jobs/{job_id}",
        "getJob",
        "A job's status and counts",
        answers={200: Answer("The job.", JobView)},
        problems=_JOB_PROBLEMS,
        jobs=True,
    ),
    Route(
        "delete",
        "/v1/jobs/{job_id}",
        "cancelJob",
        "Cancel a job",
        description="Queued items never run; finished results stay readable.",
        answers={200: Answer("The job, cancelled (or already over).", JobView)},
        problems=_JOB_PROBLEMS,
        jobs=True,
    ),
    Route(
        "get",
        "/v1/jobs/{job_id}/results",
        "getJobResults",
        "A job's results as JSON Lines",
        answers={
            200: Answer(
                'One BatchResult ({"id", "status", "result" | "error"}) a line, in input order: the finished '
                "prefix while the job runs.",
                media=(NDJSON,),
            )
        },
        problems=_JOB_PROBLEMS,
        jobs=True,
    ),
    Route("get", "/", "editorsPage", "The editors' page", answers={200: Answer("An HTML page.", media=(HTML,))}),
    Route(
        "get",
        "/openapi.json",
        "openapiDocument",
        "This OpenAPI document",
        answers={200: Answer("OpenAPI 3.1.", media=(ANY_JSON,))},
    ),
    Route(
        "get",
        "/docs/",
        "docsPage",
        "Swagger UI for this document",
        answers={200: Answer("An HTML page (its assets are served from /docs/, no CDN).", media=(HTML,))},
    ),
    Route(
        "get",
        "/metrics",
        "metrics",
        "Prometheus metrics, summed over the server's workers",
        answers={200: Answer("Prometheus' text exposition format.", media=(PROMETHEUS,))},
    ),
)

# Served but not operations of the API: static files, Swagger UI's assets (Flask's rules).
ASSET_ROUTES = frozenset({"/static/<path:filename>", "/docs/<path:path>"})
