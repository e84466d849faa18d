"""The OpenAPI 3.1 document, in one place: its paths come from the route table
(service/routes.py), every body and answer from the pydantic models that validate requests
and shape responses (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). The rules a request
must keep across its fields are part of its model's schema (service/schemas.py: `oneOf` for
text/html, at most one length option, what a newsroom purpose excludes); this deployment's
caps are added here; what JSON Schema cannot state is said in the descriptions."""

from __future__ import annotations

import copy
import re
from string import Template
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import Map

from service import __version__
from service.config import Settings
from service.edge import TEXT_FIELDS
from service.jobs.schemas import REF
from service.middleware import is_open
from service.routes import ANY_JSON, ASSET_ROUTES, HTML, NDJSON, NOT_STATED, PROMETHEUS, ROUTES, SSE, Answer, Route
from service.schemas import BatchItem, Problem

PROBLEM = "application/problem+json"


def _models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """Every model the table names (bodies as validated, answers as serialised), and those
    the descriptions name: a Problem, a batch's item."""
    found: dict[type[BaseModel], JsonSchemaMode] = {}
    for route in ROUTES:
        if route.body is not None:
            found.setdefault(route.body, "validation")
        for answer in route.answers.values():
            if answer.model is not None:
                found.setdefault(answer.model, "serialization")
    found.setdefault(Problem, "serialization")
    found.setdefault(BatchItem, "validation")
    return list(found.items())


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


# A job id in a path: the store's ids are uuid4 hex.
_PATH_PARAMETERS: dict[str, dict[str, Any]] = {"job_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}
_NDJSON_BODY = {"schema": {"type": "string", "minLength": 1, "pattern": r"\S"}}


def _ref(model: str) -> dict[str, str]:
    return {"$ref": REF.format(model=model)}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


def _components(settings: Settings) -> dict[str, Any]:
    """The models' schemas, with this deployment's caps."""
    _, schemas = models_json_schema(_models(), ref_template=REF)
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
    defs["SummarizeRequest"]["description"] += " " + NOT_STATED
    return defs


def _raw_body(mimetype: str, settings: Settings, defs: dict[str, Any]) -> dict[str, Any]:
    """A body that is not JSON: the article itself (its schema and examples are the JSON
    field's), or JSON Lines."""
    if mimetype == NDJSON:
        return _NDJSON_BODY
    article = defs["SummarizeRequest"]["properties"][TEXT_FIELDS[mimetype]]
    return {
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": settings.max_text_chars,
            "pattern": r"\S",
            "examples": article["examples"],
        }
    }


# The schemas of answers that are not a model's JSON.
_MEDIA: dict[str, dict[str, Any]] = {
    SSE: _SSE_EVENT,
    NDJSON: {"type": "string"},
    HTML: {"type": "string"},
    PROMETHEUS: {"type": "string"},
    ANY_JSON: {"type": "object"},
}


def _answer(answer: Answer) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if answer.model is not None:
        content["application/json"] = {"schema": _ref(answer.model.__name__)}
    content |= {media: {"schema": _MEDIA[media]} for media in answer.media}
    documented: dict[str, Any] = {"description": answer.description, "content": content}
    if answer.headers:
        documented["headers"] = {
            name: {"schema": {"type": "string"}, "description": text} for name, text in answer.headers.items()
        }
    return documented


def _operation(route: Route, settings: Settings, secured: bool, defs: dict[str, Any]) -> dict[str, Any]:
    facts = settings.model_dump()

    def said(text: str) -> str:
        return Template(text).safe_substitute(facts)

    problems = {**route.problems}
    if secured:
        problems |= {401: "No API key.", 403: "Invalid API key."}
    operation: dict[str, Any] = {"summary": route.summary, "operationId": route.operation_id}
    if route.description:
        operation["description"] = said(route.description)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_PARAMETERS[name]}
        for name in re.findall(r"{(\w+)}", route.path)
    ]
    parameters += [
        {"name": q.name, "in": "query", "required": False, "schema": defs[q.model.__name__]["properties"][q.name]}
        for q in route.query
    ]
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        content = {"application/json": {"schema": _ref(route.body.__name__)}}
        content |= {mimetype: _raw_body(mimetype, settings, defs) for mimetype in route.raw_bodies}
        operation["requestBody"] = {"required": True, "content": content}
    operation["responses"] = {
        **{str(status): _answer(answer) for status, answer in route.answers.items()},
        **{str(status): _problem(said(text)) for status, text in sorted(problems.items())},
    }
    if secured:
        operation["security"] = [{"bearer": []}]
    return operation


def served_routes(settings: Settings) -> list[Route]:
    """The table's routes this deployment serves: jobs only where JOBS is on and REDIS_URL
    set, so the document never promises routes that can only answer 503."""
    jobs = bool(settings.jobs and settings.redis_url)
    return [route for route in ROUTES if jobs or not route.jobs]


def openapi_document(settings: Settings, auth_enabled: bool) -> dict[str, Any]:
    defs = _components(settings)
    paths: dict[str, dict[str, Any]] = {}
    for route in served_routes(settings):
        secured = auth_enabled and not is_open(route.path, settings.open_routes)
        paths.setdefault(route.path, {})[route.method] = _operation(route, settings, secured, defs)
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
    return document


def route_drift(url_map: Map) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(served but not in the table, in the table but not served), as (METHOD, path) pairs:
    both empty, or the document has drifted from the routes."""
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in url_map.iter_rules()
        if rule.rule not in ASSET_ROUTES
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    listed = {(route.method.upper(), route.path) for route in ROUTES}
    return served - listed, listed - served
