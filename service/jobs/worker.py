"""The job worker: `python -m celery -A service.jobs worker` (its bootstrap: settings come from the
environment here, as gunicorn.conf.py reads them for the API).

The model is loaded once, in the worker's main process before the pool forks, and shared
copy-on-write by its processes, as gunicorn's preload does. Each task is one chunk of a job
(JOB_CHUNK_SIZE articles) through `Summarizer.summarize_many`, the same code path as
POST /v1/summarize/batch: one engine call for the chunk, each article failing alone. A job's
webhook is a task too (`deliver_webhook`, on its own queue: service/jobs/delivery.py)."""

from __future__ import annotations

import ctypes
import functools
import gc
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

from celery import Celery, signals

from service.config import Settings, configure_torch, enforce_offline, preload_torch
from service.exceptions import UpstreamError
from service.jobs import delivery
from service.jobs.planning import model_facts
from service.jobs.queue import DELIVER_WEBHOOK, RUN_CHUNK, celery_config, enqueue_webhook
from service.jobs.store import JobStore
from service.jobs.webhooks import WebhookSecrets
from service.schemas import SummarizeRequest
from service.summarizer import Outcome, Summarized, Summarizer

log = logging.getLogger(__name__)

celery_app = Celery("precis", set_as_current=False)
Work = list[tuple[int, dict[str, Any]]]  # a chunk: (position in the job, item fields)
Row = tuple[int, str, bool]  # (position, JSON Lines row, succeeded)
Summarize = Callable[[Sequence[SummarizeRequest | Exception]], list[Outcome]]
# Pauses before each retry of items the inference server failed: about two minutes in all,
# long enough for a restarted server (or a rolling update of one) to come back.
UPSTREAM_RETRY_DELAYS_S = (1, 2, 4, 8, 16, 32, 60)
UPSTREAM_RETRY_MAX_PAUSE_S = 60
_state: dict[str, Any] = {}


@functools.cache
def settings() -> Settings:
    """This worker's settings: read from the environment once per process."""
    return Settings()


@celery_app.on_configure.connect
def _configure(sender: Celery, **_: Any) -> None:
    sender.conf.update(celery_config(settings()))


@functools.cache
def webhook_secrets() -> WebhookSecrets:
    """This worker's webhook secrets (WEBHOOK_SECRET, WEBHOOK_SECRETS_FILE), read once."""
    return WebhookSecrets.load(settings())


@signals.worker_init.connect
def _check_webhook_secrets(**_: Any) -> None:
    try:
        webhook_secrets()
    except (OSError, ValueError) as exc:  # a worker that cannot sign would give up every webhook
        log.critical("job worker: cannot start: %s", exc)
        raise SystemExit(3) from None


@signals.worker_init.connect
def _load_model(**_: Any) -> None:
    """Before the pool forks: one copy of the model for all of this worker's processes."""
    from service.logs import configure_logging

    configure_logging(settings().log_level)
    from service.engines.device import DeviceUnavailable, load_after_fork

    try:
        if load_after_fork(settings().device, settings().preload_model):
            return  # a GPU: CUDA must not start before the fork; each process loads its own (summarizer())
    except DeviceUnavailable as exc:
        log.critical("job worker: cannot start: %s", exc)
        raise SystemExit(3) from None
    preload_torch()
    try:
        _state["summarizer"] = _build()
    except Exception:
        # A worker without its model would fail every chunk it takes: refuse to start instead.
        log.exception("job worker: model %r failed to load", settings().model)
        raise SystemExit(3) from None
    gc.collect()
    gc.freeze()  # a collection in a child would otherwise touch (and copy) every page


@signals.worker_process_init.connect
def _per_process(**_: Any) -> None:
    # Torch's thread pool does not survive the fork; size it for this worker's processes.
    configure_torch(settings(), settings().job_workers)
    _state.pop("store", None)


def summarizer() -> Summarizer:
    if "summarizer" not in _state:  # not loaded before the fork (a solo pool, a GPU): size torch's pool now
        configure_torch(settings(), settings().job_workers)
        _state["summarizer"] = _build()
    return _state["summarizer"]


def _build() -> Summarizer:
    from service.engines.registry import load_warm_engine

    enforce_offline()
    engine = load_warm_engine(settings())
    log.info("job worker: model %r loaded", engine.info.name)
    return Summarizer(engine)


def store() -> JobStore:
    if "store" not in _state:
        from redis import Redis

        _state["store"] = JobStore(Redis.from_url(settings().redis_url), settings().job_result_ttl_s)
    return _state["store"]


@celery_app.task(name=RUN_CHUNK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_chunk(job_id: str, chunk: int) -> int:
    """Summarise one chunk and record its results; returns how many results were new. The job
    may be over then (this chunk was its last, or it was over already): its webhook is handed on."""
    try:
        written = _run_chunk(job_id, chunk)
    finally:
        release_memory()
    delivery.hand_over(store(), job_id, _webhook_sender(job_id))
    return written


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return cast(Callable[[int], int], ctypes.CDLL("libc.so.6").malloc_trim)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


def release_memory() -> None:
    """Hand the memory freed by a chunk back to the system. glibc keeps what torch frees, and
    distinct articles (tensors of ever new shapes) fragment it: without this a pool process's
    RSS grows by about 1.5 MB an article (600 MB to 1.1 GB over 400 articles); with it, flat."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@celery_app.task(name=DELIVER_WEBHOOK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhook(job_id: str, step: int) -> None:
    """Attempt `step` of the job's webhook (its retry is sent from here, with its pause)."""
    delivery.attempt(store(), job_id, step, settings(), webhook_secrets(), _webhook_sender(job_id))


def _webhook_sender(job_id: str) -> delivery.Schedule:
    return lambda step, countdown: enqueue_webhook(celery_app, job_id, step, countdown)


def _run_chunk(job_id: str, chunk: int) -> int:
    jobs = store()
    work = jobs.start_chunk(job_id, chunk)
    if not work or jobs.done(job_id, [position for position, _ in work]):
        return 0  # cancelled, expired, or a redelivery of a chunk already written
    meta = jobs.get(job_id)
    request_id = meta["request_id"] if meta else job_id
    tier = jobs.tier(job_id)
    if tier and tier != settings().model:  # a pool started on the wrong queue: never run a job on another model
        log.error("job %s asks for model %r; this worker serves %r: check its --queues", job_id, tier, settings().model)
        return _failed(jobs, job_id, chunk, work, request_id)
    try:
        jobs.ran_with(job_id, model_facts(summarizer().engine.info, settings()))
        rows = summarize_chunk(work, request_id)
    except Exception:  # a bug: the items fail (500) and the job ends "failed"
        log.exception("job %s chunk %d failed", job_id, chunk)
        return _failed(jobs, job_id, chunk, work, request_id)
    return jobs.record(job_id, rows, chunk=chunk)


def _failed(jobs: JobStore, job_id: str, chunk: int, work: Work, request_id: str) -> int:
    failures = [RuntimeError("chunk failed")] * len(work)
    return jobs.record(job_id, _rows(work, failures, request_id), chunk_failed=True, chunk=chunk)


def summarize_chunk(work: Work, request_id: str) -> list[Row]:
    """(position, JSON Lines row, succeeded) for each item, exactly as the batch endpoint answers it."""
    from service.inputs import parse_item

    requests = [parse_item(item, position, settings())[1] for position, item in work]
    return _rows(work, with_retries(summarizer().summarize_many, requests), request_id)


def with_retries(summarize: Summarize, requests: Sequence[SummarizeRequest | Exception]) -> list[Outcome]:
    """Each request's outcome; those the inference server failed (down, busy, timed out, garbled:
    UpstreamError) are asked again after a growing pause (or the server's Retry-After, if longer).
    An item still failing after the last retry is recorded with its 503/504/502, never dropped."""
    outcomes = summarize(requests)
    for delay in UPSTREAM_RETRY_DELAYS_S:
        failed = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, UpstreamError)]
        if not failed:
            break
        asked = max((cast(UpstreamError, outcomes[i]).retry_after or 0 for i in failed), default=0)
        pause = min(max(delay, asked), UPSTREAM_RETRY_MAX_PAUSE_S)
        log.warning("inference server failed %d item(s); retrying them in %.0f s", len(failed), pause)
        time.sleep(pause)
        for i, outcome in zip(failed, summarize([requests[i] for i in failed]), strict=True):
            outcomes[i] = outcome
    return outcomes


def _rows(work: Work, outcomes: Sequence[Outcome], request_id: str) -> list[Row]:
    from service.errors import item_result
    from service.inputs import item_id

    return [
        (
            position,
            json.dumps(item_result(item_id(item, position), outcome, request_id), ensure_ascii=False),
            isinstance(outcome, Summarized),
        )
        for (position, item), outcome in zip(work, outcomes, strict=True)
    ]
