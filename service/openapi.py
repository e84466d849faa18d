"""The OpenAPI 3.1 document, generated from the pydantic models that validate requests
and shape responses (JSON Schema 2020-12, which OpenAPI 3.1 uses as is)."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from service import __version__
from service.config import Settings
from service.jobs.openapi import jobs_paths
from service.schemas import BatchItem, BatchRequest, Problem, SummarizeRequest, SummarizeResponse

REF = "#/components/schemas/{model}"
PROBLEM = "application/problem+json"


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": {"$ref": REF.format(model="Problem")}}}}


def _text_query_parameters() -> list[dict[str, Any]]:
    """Options of a text/plain or text/html body travel in the query string."""
    properties = SummarizeRequest.model_json_schema()["properties"]
    names = ("length", "max_sentences", "max_words", "max_chars", "format", "overflow", "strict", "include_title",
             "include_text", "focus", "purpose", "stream", "language")
    return [{"name": n, "in": "query", "required": False, "schema": properties[n]} for n in names]


def openapi_document(settings: Settings, auth_enabled: bool) -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(SummarizeRequest, "validation"), (SummarizeResponse, "serialization"), (Problem, "serialization"),
         (BatchRequest, "validation"), (BatchItem, "validation")],
        ref_template=REF,
    )
    errors = {
        "400": _problem("Malformed JSON, or a body that is not valid in its charset."),
        "413": _problem(f"Body over {settings.max_body_bytes} bytes."),
        "415": _problem("Unsupported content type."),
        "422": _problem("Invalid fields, no sentences, or an article over the input limit with overflow=error."),
        "429": _problem("Rate limit exceeded (see Retry-After)."),
        "503": _problem("Model not ready, or too many requests waiting (see Retry-After)."),
        "504": _problem("The request deadline passed."),
    }
    if auth_enabled:
        errors |= {"401": _problem("No API key."), "403": _problem("Invalid API key.")}
    summarize = {
        "summary": "Summarise one article",
        "operationId": "summarize",
        "parameters": _text_query_parameters(),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model="SummarizeRequest")}},
                "text/plain": {"schema": {"type": "string", "minLength": 1}},
                "text/html": {"schema": {"type": "string", "minLength": 1}},
            },
        },
        "responses": {
            "200": {"description": "The summary; with `stream` (or `Accept: text/event-stream`), server-sent "
                                   "events: `sentence` (one checked sentence, as soon as it is final), then `done` "
                                   "(the whole response body) or `error` (a problem document).",
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="SummarizeResponse")}},
                                "text/event-stream": {"schema": {"type": "string"}}}},
            **errors,
        },
    }
    batch_result = {
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "integer", "description": "200, or the item's own error status."},
            "result": {"$ref": REF.format(model="SummarizeResponse")},
            "error": {"$ref": REF.format(model="Problem")},
        },
    }
    batch = {
        "summary": "Summarise several articles; one bad item fails alone",
        "operationId": "summarizeBatch",
        "description": "`items` are BatchItem objects (a summarize request plus an `id`), validated one by one.",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": {"$ref": REF.format(model="BatchRequest")}}}},
        "responses": {
            "200": {"description": "Per-item results or problems, in order.",
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["items", "request_id"],
                        "properties": {"items": {"type": "array", "items": batch_result},
                                       "request_id": {"type": "string"}}}}}},
            **{code: response for code, response in errors.items() if code != "504"},
        },
    }
    if auth_enabled:
        summarize["security"] = [{"bearer": []}]
        batch["security"] = [{"bearer": []}]
    simple = {"type": "object", "additionalProperties": True}
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Précis", "version": __version__,
                 "description": "Article summarisation: POST a news article, get a short, faithful summary."},
        "paths": {
            "/v1/summarize": {"post": summarize},
            "/v1/summarize/batch": {"post": batch},
            "/v1/models": {"get": {"summary": "The loaded model and the server's limits", "operationId": "models",
                                   "responses": {"200": {"description": "Model information.",
                                                         "content": {"application/json": {"schema": simple}}}}}},
            "/healthz": {"get": {"summary": "Liveness", "operationId": "healthz",
                                 "responses": {"200": {"description": "The process is alive.",
                                                       "content": {"application/json": {"schema": simple}}}}}},
            "/readyz": {"get": {"summary": "Readiness", "operationId": "readyz",
                                "responses": {"200": {"description": "The model is loaded.",
                                                      "content": {"application/json": {"schema": simple}}},
                                              "503": _problem("The model is loading or failed to load.")}}},
        },
        "components": {"schemas": schemas["$defs"]},
    }
    document["paths"].update(jobs_paths(settings, auth_enabled))
    if auth_enabled:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    return document
