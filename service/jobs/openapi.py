"""The /v1/jobs paths of the OpenAPI document (merged by service.openapi). They are listed
only where this deployment serves jobs (JOBS on and REDIS_URL set), so the document never
promises routes that can only answer 503."""

from __future__ import annotations

from typing import Any

from service.config import Settings
from service.schemas import SummarizeRequest

REF = "#/components/schemas/{model}"
PROBLEM = "application/problem+json"
_TIME = {"type": ["string", "null"], "format": "date-time"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": {"$ref": REF.format(model="Problem")}}}}


def _options_schema() -> dict[str, Any]:
    """A summarize request's options, without the article: defaults for every item."""
    schema = SummarizeRequest.model_json_schema(ref_template=REF)
    properties = {k: v for k, v in schema["properties"].items() if k not in ("text", "html")}
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "description": "Options for every item (an item's own fields win)."}


def _job_schema() -> dict[str, Any]:
    integer = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "required": ["id", "status", "total", "succeeded", "failed", "created_at", "started_at", "finished_at",
                     "expires_at", "result_ttl_s", "model", "settings", "results_url"],
        "properties": {
            "id": {"type": "string"},
            "status": {"enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
            "total": integer, "succeeded": integer, "failed": integer,
            "created_at": _TIME, "started_at": _TIME, "finished_at": _TIME,
            "expires_at": {**_TIME, "description": "When the job and its results are deleted."},
            "result_ttl_s": {"type": "integer", "description": "How long results are kept after the last activity."},
            "model": {"type": "object", "description": "The model the job runs with."},
            "settings": {"type": "object", "description": "Job options, chunk size and result TTL."},
            "results_url": {"type": "string"},
        },
    }


def jobs_paths(settings: Settings, auth_enabled: bool = False) -> dict[str, Any]:
    if not (settings.jobs and settings.redis_url):
        return {}
    job = {"application/json": {"schema": _job_schema()}}
    job_id = [{"name": "job_id", "in": "path", "required": True,
               "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}]
    common = {"404": _problem("No such job (or another API key's, or expired)."),
              "503": _problem("Jobs are off, or Redis is unavailable.")}
    if auth_enabled:
        common |= {"401": _problem("No API key."), "403": _problem("Invalid API key.")}
    submit = {
        "summary": "Submit an archive job", "operationId": "createJob",
        "description": f"Up to {settings.max_job_items} items and {settings.max_job_bytes} bytes. Each item is "
                       "validated on its own: a bad item fails alone, as in the batch endpoint. A JSON Lines body "
                       "(one {\"id\", \"text\"} a line) takes the options as query parameters.",
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {
                "type": "object", "required": ["items"], "additionalProperties": False,
                "properties": {"items": {"type": "array", "minItems": 1, "maxItems": settings.max_job_items,
                                         "items": {}, "description": "Articles, each a BatchItem."},
                               "options": _options_schema()}}},
            "application/x-ndjson": {"schema": {"type": "string", "minLength": 1}},
        }},
        "responses": {
            "202": {"description": "Accepted; the job.", "content": job,
                    "headers": {"Location": {"schema": {"type": "string"}, "description": "/v1/jobs/{job_id}"}}},
            "400": _problem("Malformed JSON, or a body that is not valid in its charset."),
            "413": _problem(f"Body over {settings.max_job_bytes} bytes."),
            "415": _problem("Unsupported content type."),
            "422": _problem("No items, too many items, or invalid options."),
            "429": _problem("Rate limit exceeded."),
            **common,
        },
    }
    results = {"description": "One {\"id\", \"status\", \"result\" | \"error\"} a line, in input order: the "
                              "finished prefix while the job runs.",
               "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}
    operations = {
        "/v1/jobs": {"post": submit},
        "/v1/jobs/{job_id}": {
            "get": {"summary": "A job's status and counts", "operationId": "getJob", "parameters": job_id,
                    "responses": {"200": {"description": "The job.", "content": job}, **common}},
            "delete": {"summary": "Cancel a job", "operationId": "cancelJob", "parameters": job_id,
                       "description": "Queued items never run; finished results stay readable.",
                       "responses": {"200": {"description": "The job, cancelled (or already over).",
                                             "content": job}, **common}},
        },
        "/v1/jobs/{job_id}/results": {
            "get": {"summary": "A job's results as JSON Lines", "operationId": "getJobResults",
                    "parameters": job_id, "responses": {"200": results, **common}},
        },
    }
    if auth_enabled:
        for path in operations.values():
            for operation in path.values():
                operation["security"] = [{"bearer": []}]
    return operations
