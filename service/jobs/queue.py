"""The Celery side of jobs: its configuration from Settings, and how the API enqueues chunks.

Redis is the broker (and Celery's result backend, which jobs do not use: their results go
to service.jobs.store). Tasks are acknowledged late and rejected when their worker process
is lost, so a chunk whose worker is killed goes back on the queue; a worker that vanishes
altogether (no ack at all) has its chunks redelivered after JOB_VISIBILITY_TIMEOUT_S."""

from __future__ import annotations

from typing import Any

from celery import Celery

from service.config import Settings

QUEUE = "precis-jobs"
# A job names its tier (options.model): each model other than the API's own has a worker pool
# of its own, started with that SUMMARIZER_MODEL and consuming `precis-jobs.<model>` (a worker
# loads one model, once, at startup). The API knows the pools from JOB_MODELS.
TIER_QUEUE = QUEUE + ".{model}"
# Webhooks have their own queue, so that a job's webhook never waits behind the chunks of
# the archive jobs queued after it: a worker consumes both (`--queues precis-jobs,precis-webhooks`).
WEBHOOK_QUEUE = "precis-webhooks"
QUEUES = f"{QUEUE},{WEBHOOK_QUEUE}"
RUN_CHUNK = "precis.jobs.run_chunk"
DELIVER_WEBHOOK = "precis.jobs.deliver_webhook"


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": settings.redis_url,
        "result_backend": settings.redis_url,
        "task_ignore_result": True,
        "task_default_queue": QUEUE,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # One chunk at a time per process: a killed process holds no one else's work, and
        # chunks spread evenly over the workers.
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": settings.job_workers,
        "broker_connection_retry_on_startup": True,
        # A chunk whose worker vanished is taken back once it is older than the visibility
        # timeout. kombu looks for such chunks every 10 s but, by default, scans only one
        # look in ten; every look scans here (one sorted-set range read), so the chunk comes
        # back within 10 s of the timeout instead of within 100 s.
        "broker_transport_options": {
            "visibility_timeout": settings.job_visibility_timeout_s,
            "unacked_restore_throttle": 1,
        },
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
    }


def make_celery(settings: Settings) -> Celery:
    app = Celery("precis", set_as_current=False)
    app.conf.update(celery_config(settings))
    return app


def job_queue(tier: str, settings: Settings) -> str:
    """The queue of the pool that serves `tier`: the default one for the API's own model."""
    return QUEUE if tier == settings.model else TIER_QUEUE.format(model=tier)


def enqueue(app: Celery, job_id: str, chunks: int, queue: str = QUEUE) -> None:
    """One task per chunk, sent over one broker connection."""
    with app.producer_or_acquire() as producer:
        for chunk in range(chunks):
            app.send_task(RUN_CHUNK, args=(job_id, chunk), queue=queue, producer=producer)


def enqueue_webhook(app: Celery, job_id: str, step: int = 1, countdown: float = 0) -> None:
    """Attempt `step` of the job's webhook, on the webhooks' queue."""
    app.send_task(DELIVER_WEBHOOK, args=(job_id, step), queue=WEBHOOK_QUEUE, countdown=countdown or None)
