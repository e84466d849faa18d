"""HTTP API of jobs: /v1/jobs. Submitting validates every item up front (a bad item fails
alone, as in the batch endpoint), stores the job in Redis and enqueues its chunks; the
workers do the rest. Nothing about a job lives in the API process, so any replica answers
for any job, and a restarted API finds its jobs again."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from celery import Celery
from flask import Blueprint, Response, g, jsonify
from redis.exceptions import RedisError

from service.edge import runtime
from service.errors import jobs_unavailable, problem_response
from service.jobs.backend import backend, webhook_secrets
from service.jobs.bodies import read_job
from service.jobs.delivery import hand_over
from service.jobs.ownership import find, owner
from service.jobs.planning import JobFacts, model_facts, plan
from service.jobs.queue import enqueue, enqueue_webhook, job_queue
from service.jobs.schemas import job_view
from service.jobs.store import TERMINAL, JobStore
from service.jobs.webhooks import new_callback
from service.middleware import configured_rate_limit, limiter, rate_limit_off

jobs_api = Blueprint("jobs", __name__)
log = logging.getLogger(__name__)


@jobs_api.errorhandler(RedisError)
def _redis_down(exc: RedisError) -> Response:
    return problem_response(
        jobs_unavailable(f"The job store (Redis) is unavailable ({type(exc).__name__}); retry shortly.")
    )


def _hand_over(store: JobStore, celery: Celery, job_id: str) -> None:
    """The job's webhook to the workers if the job is over; with the broker down, a chunk
    still queued hands it over (service/jobs/delivery.py)."""
    try:
        hand_over(store, job_id, lambda step, countdown: enqueue_webhook(celery, job_id, step, countdown))
    except Exception as exc:  # the job itself is fine: say so, and let a worker hand it over
        log.warning("job %s: webhook not handed to the workers yet (%s)", job_id, type(exc).__name__)


@jobs_api.post("/v1/jobs")
@limiter.limit(configured_rate_limit, exempt_when=rate_limit_off)
def create_job() -> Response:
    store, celery = backend()
    serving = runtime()
    settings = serving.settings
    body = read_job(settings)
    holder = serving.model
    own = body.tier == settings.model
    # A tier's pool records its model's identity when it runs the job (service/jobs/worker.py).
    model = model_facts(holder.engine().info if own and holder.ready else None, settings)
    if not own:
        model = {"name": body.tier}
    callback = (
        None
        if body.callback_url is None
        else new_callback(body.callback_url, g.get("api_key"), settings, webhook_secrets())
    )
    facts = JobFacts(owner(), g.request_id, body.tier, model, callback)
    job = plan(store, body.items, body.options, settings, facts)
    try:
        enqueue(celery, job.job_id, job.chunks, job_queue(body.tier, settings))
    except Exception as exc:  # the broker is down: a job that can never run must not be left queued
        store.forget_callback(job.job_id)  # nor end in a webhook for a job the client never had
        store.cancel(job.job_id)
        raise jobs_unavailable(f"The job queue is unavailable ({type(exc).__name__}); retry shortly.") from exc
    _hand_over(store, celery, job.job_id)  # every item was refused at once: the job is over already
    response = jsonify(job_view(store.get(job.job_id) or {}))
    response.status_code = 202
    response.headers["Location"] = f"/v1/jobs/{job.job_id}"
    return response


@jobs_api.get("/v1/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    store, _ = backend()
    return jsonify(job_view(find(store, job_id)))


@jobs_api.get("/v1/jobs/<job_id>/results")
def job_results(job_id: str) -> Response:
    """JSON Lines in input order: the finished prefix while the job runs, everything after."""
    store, _ = backend()
    job = find(store, job_id)

    def rows() -> Iterator[str]:
        for row in store.rows(job_id, job["total"], whole=job["status"] in TERMINAL):
            yield row + "\n"

    return Response(
        rows(), mimetype="application/x-ndjson", headers={"X-Job-Status": job["status"], "Cache-Control": "no-store"}
    )


@jobs_api.delete("/v1/jobs/<job_id>")
def cancel_job(job_id: str) -> Response:
    """Cancel: queued items never run; results already written stay readable."""
    store, celery = backend()
    find(store, job_id)
    store.cancel(job_id)
    _hand_over(store, celery, job_id)
    return jsonify(job_view(find(store, job_id)))
