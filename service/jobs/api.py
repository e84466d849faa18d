"""HTTP API of jobs: /v1/jobs. Submitting validates every item up front (a bad item fails
alone, as in the batch endpoint), stores the job in Redis and enqueues its chunks; the
workers do the rest. Nothing about a job lives in the API process, so any replica answers
for any job, and a restarted API finds its jobs again.

With API keys on, a job belongs to the key that created it: another key gets 404."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from typing import Any

from celery import Celery
from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import ValidationError
from redis import Redis
from redis.exceptions import RedisError

from service.config import Settings
from service.errors import ProblemError, problem_body, problem_response, validation_problem
from service.inputs import parse_item, parse_request, validation_context
from service.jobs.queue import enqueue, make_celery
from service.jobs.store import TERMINAL, JobStore, NewJob
from service.middleware import configured_rate_limit, limiter, rate_limit_off
from service.schemas import SummarizeRequest

jobs_api = Blueprint("jobs", __name__)

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
# Fields of a job's view that are for the store only.
_PRIVATE = ("owner",)


class _Backend:
    """This process's Redis client and Celery producer, made after gunicorn's fork."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pid = 0
        self._store: JobStore | None = None
        self._celery: Celery | None = None

    def get(self) -> tuple[JobStore, Celery]:
        if self._store is None or self._celery is None or self._pid != os.getpid():
            self._store = JobStore(Redis.from_url(self.settings.redis_url, socket_timeout=30),
                                   self.settings.job_result_ttl_s)
            self._celery = make_celery(self.settings)
            self._pid = os.getpid()
        return self._store, self._celery


def _settings() -> Settings:
    return current_app.extensions["precis.runtime"].settings


def _backend() -> tuple[JobStore, Celery]:
    settings = _settings()
    if not settings.jobs:
        raise ProblemError(503, "jobs-off", "Service Unavailable",
                           "Jobs are off on this server (JOBS=off): set JOBS=on and REDIS_URL to enable /v1/jobs.")
    if not settings.redis_url:
        raise ProblemError(503, "jobs-off", "Service Unavailable",
                           "Jobs need Redis and this server has none: set REDIS_URL (`make run` starts one when "
                           "redis-server is installed: apt-get install redis-server).")
    backend = current_app.extensions.setdefault("precis.jobs", _Backend(settings))
    return backend.get()


@jobs_api.errorhandler(RedisError)
def _redis_down(exc: RedisError) -> Response:
    response = problem_response(503, "jobs-unavailable", "Service Unavailable",
                                f"The job store (Redis) is unavailable ({type(exc).__name__}); retry shortly.")
    response.headers["Retry-After"] = "5"
    return response


def _owner() -> str:
    """Whose job this is: a hash of the API key's identity ("" with auth off)."""
    name = g.get("api_key")
    return hashlib.sha256(f"precis-key:{name}".encode()).hexdigest() if name else ""


def _model(settings: Settings) -> dict[str, Any]:
    holder = current_app.extensions["precis.runtime"].model
    if not holder.ready:
        return {"name": settings.model}
    info = holder.engine().info
    return {"name": info.name, "id": info.id, "engine": info.engine, "revision": info.revision,
            "precision": info.precision}


def _view(job: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in job.items() if k not in _PRIVATE}
    view["results_url"] = f"/v1/jobs/{job['id']}/results"
    return view


def _find(store: JobStore, job_id: str) -> dict[str, Any]:
    job = store.get(job_id)
    # Someone else's job is as good as none: 404, never 403, so ids cannot be probed.
    if job is None or job["owner"] != _owner():
        raise ProblemError(404, "not-found", "Not Found", f"No job {job_id!r} (it may have expired).")
    return job


def _decode_body() -> str:
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        return request.get_data(cache=False).decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise ProblemError(400, "invalid-encoding", "Bad Request", f"The body is not valid {charset}.") from exc


def _read_json() -> tuple[list[Any], dict[str, Any]]:
    try:
        body = json.loads(_decode_body())
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProblemError(400, "malformed-json", "Bad Request", f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(body, dict):
        raise ProblemError(422, "invalid-request", "Invalid request", "The JSON body must be an object.")
    unknown = sorted(set(body) - {"items", "options"})
    items, options = body.get("items"), body.get("options", {})
    if unknown or not isinstance(items, list) or not items or not isinstance(options, dict):
        detail = f"unknown fields {unknown}" if unknown else "'items' must be a non-empty list, 'options' an object"
        raise ProblemError(422, "invalid-request", "Invalid request", f"A job is {{'items': […], 'options': {{…}}}}: "
                           f"{detail}.")
    return items, options


def _read_ndjson() -> tuple[list[Any], dict[str, Any]]:
    """One item a line; a line that is not JSON fails alone, as its own item."""
    items: list[Any] = []
    for number, line in enumerate(_decode_body().splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError) as exc:
            items.append(ProblemError(400, "malformed-json", "Bad Request", f"Line {number} is not JSON: {exc}."))
    if not items:
        raise ProblemError(422, "invalid-request", "Invalid request", "The body holds no items.")
    # Options for every item come as query parameters, as for a text/plain summarize.
    return items, request.args.to_dict()


def _read_job(settings: Settings) -> tuple[list[Any], dict[str, Any]]:
    request.max_content_length = settings.max_job_bytes  # a job may be far larger than one article
    if request.mimetype == "application/json":
        items, options = _read_json()
    elif request.mimetype in NDJSON_TYPES:
        items, options = _read_ndjson()
    else:
        raise ProblemError(415, "unsupported-media-type", "Unsupported Media Type",
                           "Send a job as application/json ({'items': […], 'options': {…}}) or application/x-ndjson.")
    if len(items) > settings.max_job_items:
        raise ProblemError(422, "too-many-items", "Invalid request",
                           f"A job holds at most {settings.max_job_items} items, got {len(items)}.")
    if options:
        _check_options(options, settings, from_query=request.mimetype in NDJSON_TYPES)
    return items, options


def _check_options(options: dict[str, Any], settings: Settings, from_query: bool) -> None:
    """Bad options refuse the whole job (they would fail every item)."""
    if {"text", "html", "id"} & set(options):
        raise ProblemError(422, "invalid-request", "Invalid request",
                           "'options' apply to every item: they cannot hold 'text', 'html' or 'id'.")
    fields = {"text": "options", **options}
    if from_query:  # query parameters are strings: "3" may stand for 3
        parse_request(fields, settings)
        return
    try:  # JSON options are typed as the OpenAPI document says: 0 is not false
        SummarizeRequest.model_validate_json(json.dumps(fields), strict=True, context=validation_context(settings))
    except ValidationError as exc:
        raise validation_problem(exc) from exc


def _plan(items: list[Any], options: dict[str, Any], settings: Settings) -> NewJob:
    valid: list[tuple[int, dict[str, Any]]] = []
    rejected: list[tuple[int, str]] = []
    for position, raw in enumerate(items):
        if isinstance(raw, ProblemError):
            item_id, parsed = f"#{position}", raw
        else:
            item_id, parsed = parse_item(raw, position, settings, options)
        if isinstance(parsed, ProblemError):
            row = {"id": item_id, "status": parsed.status, "error": problem_body(parsed, g.request_id)}
            rejected.append((position, json.dumps(row, ensure_ascii=False)))
        else:
            valid.append((position, {**options, **raw}))
    size = settings.job_chunk_size
    chunks = [valid[i:i + size] for i in range(0, len(valid), size)]
    return NewJob(owner=_owner(), request_id=g.request_id, total=len(items), chunks=chunks, rejected=rejected,
                  model=_model(settings),
                  settings={"options": options, "chunk_size": size, "result_ttl_s": settings.job_result_ttl_s})


@jobs_api.post("/v1/jobs")
@limiter.limit(configured_rate_limit, exempt_when=rate_limit_off)
def create_job() -> Response:
    store, celery = _backend()
    settings = _settings()
    job = _plan(*_read_job(settings), settings)
    job_id = store.create(job)
    try:
        enqueue(celery, job_id, len(job.chunks))
    except Exception as exc:  # the broker is down: a job that can never run must not be left queued
        store.cancel(job_id)
        raise ProblemError(503, "jobs-unavailable", "Service Unavailable",
                           f"The job queue is unavailable ({type(exc).__name__}); retry shortly.",
                           headers={"Retry-After": "5"}) from exc
    response = jsonify(_view(store.get(job_id) or {}))
    response.status_code = 202
    response.headers["Location"] = f"/v1/jobs/{job_id}"
    return response


@jobs_api.get("/v1/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    store, _ = _backend()
    return jsonify(_view(_find(store, job_id)))


@jobs_api.get("/v1/jobs/<job_id>/results")
def job_results(job_id: str) -> Response:
    """JSON Lines in input order: the finished prefix while the job runs, everything after."""
    store, _ = _backend()
    job = _find(store, job_id)

    def rows() -> Iterator[str]:
        for row in store.rows(job_id, job["total"], whole=job["status"] in TERMINAL):
            yield row + "\n"

    return Response(rows(), mimetype="application/x-ndjson",
                    headers={"X-Job-Status": job["status"], "Cache-Control": "no-store"})


@jobs_api.delete("/v1/jobs/<job_id>")
def cancel_job(job_id: str) -> Response:
    """Cancel: queued items never run; results already written stay readable."""
    store, _ = _backend()
    _find(store, job_id)
    store.cancel(job_id)
    return jsonify(_view(_find(store, job_id)))
