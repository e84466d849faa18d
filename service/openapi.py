"""The OpenAPI 3.1 document, in one place: every route's body and answers come from the
pydantic models that validate requests and shape responses (JSON Schema 2020-12, which
OpenAPI 3.1 uses as is). The rules a request must keep across its fields are part of its
model's schema (service/schemas.py: `oneOf` for text/html, at most one length option, what
a newsroom purpose excludes); this deployment's caps are added here; what JSON Schema
cannot state is said in the descriptions."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from service import __version__
from service.config import Settings
from service.edge import NDJSON_TYPES
from service.jobs.schemas import REF, JobRequest, JobView
from service.schemas import (
    BatchItem,
    BatchRequest,
    BatchResponse,
    Health,
    Models,
    Problem,
    Readiness,
    SummarizeRequest,
    SummarizeResponse,
)

PROBLEM = "application/problem+json"
_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (SummarizeRequest, "validation"),
    (SummarizeResponse, "serialization"),
    (Problem, "serialization"),
    (BatchRequest, "validation"),
    (BatchItem, "validation"),
    (BatchResponse, "serialization"),
    (Health, "serialization"),
    (Readiness, "serialization"),
    (Models, "serialization"),
    (JobRequest, "validation"),
    (JobView, "serialization"),
]
# Options of a text/plain or text/html body travel in the query string (for a JSON body too).
_QUERY_OPTIONS = (
    "length",
    "max_sentences",
    "max_words",
    "max_chars",
    "format",
    "overflow",
    "strict",
    "include_title",
    "include_text",
    "focus",
    "purpose",
    "stream",
    "language",
)
_NOT_STATED = (
    "Rules the schema cannot state: the article must hold at least one sentence once boilerplate is removed "
    "(422 `no-sentences`); its language must be one the model declares unless `language` is `force` (422 "
    "`unsupported-language`); `generation` applies to abstractive models only; with `overflow=error` an article "
    "over the model's input limit is refused (422 `input-too-long`); options given in the query string count "
    "with the body's, so the rules across fields (at most one length option; a newsroom purpose without length "
    "options, format or include_title) apply to the query and the body together."
)


# One server-sent event of a streamed summary (OpenAPI 3.1: the schema describes each event).
_SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"enum": ["sentence", "done", "error"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "`sentence`: a SentenceOut and its `position`; `done`: a SummarizeResponse; "
            "`error`: a Problem.",
        },
    },
}


def _ref(model: str) -> dict[str, str]:
    return {"$ref": REF.format(model=model)}


def _json(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(model)}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


def _answer(description: str, model: str) -> dict[str, Any]:
    return {"description": description, "content": _json(model)}


def _components(settings: Settings) -> dict[str, Any]:
    """The models' schemas, with this deployment's caps."""
    _, schemas = models_json_schema(_MODELS, ref_template=REF)
    defs: dict[str, Any] = copy.deepcopy(schemas["$defs"])  # a model's schema may be shared: caps are per app
    options = defs["JobRequest"]["properties"]["options"]
    for properties in (defs["SummarizeRequest"]["properties"], defs["BatchItem"]["properties"], options["properties"]):
        for field in ("text", "html"):
            if field in properties:
                properties[field]["maxLength"] = settings.max_text_chars
        properties["max_sentences"]["anyOf"][0]["maximum"] = settings.max_summary_sentences
    defs["GenerationOptions"]["properties"]["max_new_tokens"]["anyOf"][0]["maximum"] = settings.max_new_tokens
    defs["BatchRequest"]["properties"]["items"]["maxItems"] = settings.max_batch_items
    defs["JobRequest"]["properties"]["items"]["maxItems"] = settings.max_job_items
    defs["SummarizeRequest"]["description"] += " " + _NOT_STATED
    return defs


def _query_options(defs: dict[str, Any]) -> list[dict[str, Any]]:
    """Each option as its own query parameter (OpenAPI states no rule across parameters: the
    operation's description says them)."""
    properties = defs["SummarizeRequest"]["properties"]
    return [{"name": n, "in": "query", "required": False, "schema": properties[n]} for n in _QUERY_OPTIONS]


def _text_body(settings: Settings, defs: dict[str, Any], field: str) -> dict[str, Any]:
    """The article itself as the body; its schema and examples are the JSON field's."""
    article = defs["SummarizeRequest"]["properties"][field]
    return {
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": settings.max_text_chars,
            "pattern": r"\S",
            "examples": article["examples"],
        }
    }


def _errors(settings: Settings, auth_enabled: bool, body_limit: int) -> dict[str, Any]:
    errors = {
        "400": _problem("Malformed JSON, or a body that is not valid in its charset."),
        "413": _problem(f"Body over {body_limit} bytes."),
        "415": _problem("Unsupported content type or charset."),
        "422": _problem(
            "Invalid fields, no sentences, an unsupported language, or an article over the input "
            "limit with overflow=error."
        ),
        "429": _problem("Rate limit exceeded (see Retry-After)."),
        "503": _problem("Model not ready, or too many requests waiting (see Retry-After)."),
    }
    if auth_enabled:
        errors |= {"401": _problem("No API key."), "403": _problem("Invalid API key.")}
    return errors


def _summarize_paths(settings: Settings, auth_enabled: bool, defs: dict[str, Any]) -> dict[str, Any]:
    errors = _errors(settings, auth_enabled, settings.max_body_bytes)
    summarize = {
        "summary": "Summarise one article",
        "operationId": "summarize",
        "description": "The article as JSON (a SummarizeRequest) or as a text/plain or text/html body with its "
        "options in the query string. " + _NOT_STATED,
        "parameters": _query_options(defs),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _ref("SummarizeRequest")},
                "text/plain": _text_body(settings, defs, "text"),
                "text/html": _text_body(settings, defs, "html"),
            },
        },
        "responses": {
            "200": {
                "description": "The summary; with `stream` (or `Accept: text/event-stream`), server-sent "
                "events: `sentence` (one checked sentence, as soon as it is final), then `done` "
                "(the whole response body) or `error` (a problem document).",
                "content": {**_json("SummarizeResponse"), "text/event-stream": {"schema": _SSE_EVENT}},
            },
            **errors,
            "504": _problem("The request deadline passed."),
        },
    }
    batch = {
        "summary": "Summarise several articles; one bad item fails alone",
        "operationId": "summarizeBatch",
        "description": "`items` are BatchItem objects (a summarize request plus an `id`), validated one by one: "
        "an invalid item is answered with its own problem, never by refusing the batch.",
        "requestBody": {"required": True, "content": _json("BatchRequest")},
        "responses": {"200": _answer("Per-item results or problems, in order.", "BatchResponse"), **errors},
    }
    return {"/v1/summarize": {"post": summarize}, "/v1/summarize/batch": {"post": batch}}


def _service_paths() -> dict[str, Any]:
    return {
        "/v1/models": {
            "get": {
                "summary": "The loaded model and the server's limits",
                "operationId": "models",
                "responses": {"200": _answer("Model information.", "Models")},
            }
        },
        "/healthz": {
            "get": {
                "summary": "Liveness",
                "operationId": "healthz",
                "responses": {"200": _answer("The process is alive.", "Health")},
            }
        },
        "/readyz": {
            "get": {
                "summary": "Readiness",
                "operationId": "readyz",
                "responses": {
                    "200": _answer("The model is loaded.", "Readiness"),
                    "503": _problem("The model is loading or failed to load."),
                },
            }
        },
    }


def _jobs_paths(settings: Settings, auth_enabled: bool) -> dict[str, Any]:
    """Listed only where this deployment serves jobs (JOBS on and REDIS_URL set), so the
    document never promises routes that can only answer 503."""
    if not (settings.jobs and settings.redis_url):
        return {}
    job = _json("JobView")
    job_id = [
        {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}
    ]
    common = {
        "404": _problem("No such job (or another API key's, or expired)."),
        "503": _problem("Jobs are off, or Redis is unavailable."),
    }
    if auth_enabled:
        common |= {"401": _problem("No API key."), "403": _problem("Invalid API key.")}
    ndjson = {"schema": {"type": "string", "minLength": 1, "pattern": r"\S"}}
    submit = {
        "summary": "Submit an archive job",
        "operationId": "createJob",
        "description": f"Up to {settings.max_job_items} items and {settings.max_job_bytes} bytes. Each item is "
        "validated on its own: a bad item fails alone, as in the batch endpoint. A JSON Lines body "
        '(one {"id", "text"} a line) takes the options as query parameters.',
        "requestBody": {
            "required": True,
            "content": {**_json("JobRequest"), **{mimetype: ndjson for mimetype in NDJSON_TYPES[:1]}},
        },
        "responses": {
            "202": {
                "description": "Accepted; the job.",
                "content": job,
                "headers": {"Location": {"schema": {"type": "string"}, "description": "/v1/jobs/{job_id}"}},
            },
            "400": _problem("Malformed JSON, or a body that is not valid in its charset."),
            "413": _problem(f"Body over {settings.max_job_bytes} bytes."),
            "415": _problem("Unsupported content type or charset."),
            "422": _problem("No items, too many items, or invalid options."),
            "429": _problem("Rate limit exceeded."),
            **common,
        },
    }
    results = {
        "description": 'One BatchResult ({"id", "status", "result" | "error"}) a line, in input '
        "order: the finished prefix while the job runs.",
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }
    return {
        "/v1/jobs": {"post": submit},
        "/v1/jobs/{job_id}": {
            "get": {
                "summary": "A job's status and counts",
                "operationId": "getJob",
                "parameters": job_id,
                "responses": {"200": {"description": "The job.", "content": job}, **common},
            },
            "delete": {
                "summary": "Cancel a job",
                "operationId": "cancelJob",
                "parameters": job_id,
                "description": "Queued items never run; finished results stay readable.",
                "responses": {
                    "200": {"description": "The job, cancelled (or already over).", "content": job},
                    **common,
                },
            },
        },
        "/v1/jobs/{job_id}/results": {
            "get": {
                "summary": "A job's results as JSON Lines",
                "operationId": "getJobResults",
                "parameters": job_id,
                "responses": {"200": results, **common},
            },
        },
    }


def openapi_document(settings: Settings, auth_enabled: bool) -> dict[str, Any]:
    defs = _components(settings)
    paths = {
        **_summarize_paths(settings, auth_enabled, defs),
        **_service_paths(),
        **_jobs_paths(settings, auth_enabled),
    }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Précis",
            "version": __version__,
            "description": "Article summarisation: POST a news article, get a short, faithful summary.",
        },
        "paths": paths,
        "components": {"schemas": defs},
    }
    if auth_enabled:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        for path, operations in paths.items():
            if path.startswith("/v1/"):
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
    return document
