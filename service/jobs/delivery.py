"""A job's webhook delivered: handed to the workers once the job is over, then tried by the
Celery task `deliver_webhook` (service/jobs/worker.py) until a 2xx answer, with a pause from
WEBHOOK_RETRY_DELAYS_S before each retry, and given up after the last.

Where a job ends, `hand_over` is called: the chunk that records its last result (or finds
the job over: a chunk redelivered after its worker died, a cancelled job's queued chunk), the
API's cancel, and the API's create for a job with nothing left to run. It fixes the body (the
job's view at its end) and sends attempt 1; the mark that it did comes last, so a process
killed in between leaves the hand-over to the next caller. An attempt is numbered (`step`):
one already made is not made again, whoever sends it twice; a lease makes two workers never
send at once; a worker killed mid-delivery leaves its task unacknowledged, and it runs again.
Every attempt sends the same body and webhook-id (one per job end), signed afresh."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx2

from service.config import Settings
from service.exceptions import CallbackRefused
from service.jobs.destinations import Destination, resolve
from service.jobs.schemas import job_view
from service.jobs.store import JobStore
from service.jobs.webhooks import WebhookSecrets, event_body, signed_headers

log = logging.getLogger(__name__)

Schedule = Callable[[int, float], None]  # (step, seconds from now): send that attempt


def hand_over(store: JobStore, job_id: str, send: Schedule) -> None:
    """Once the job is over, its webhook goes to the workers (a no-op for any other job)."""
    if not store.callback_due(job_id):
        return
    job = store.get(job_id)
    if job is None:
        return
    store.fix_event(job_id, event_body(job_view(job), datetime.now(UTC)))
    send(1, 0)
    store.callback_queued(job_id)


@dataclass(frozen=True)
class Attempt:
    status: int | None  # the receiver's answer; None: none (refused, unreachable, timed out)
    delivered: bool
    give_up: bool


def attempt(
    store: JobStore, job_id: str, step: int, settings: Settings, secrets: WebhookSecrets, send: Schedule
) -> None:
    """Make attempt `step` of the job's webhook, and send the next one if it fails."""
    lease_s = int(2 * settings.webhook_timeout_s) + 5  # DNS, connect and answer, with room to record
    token = store.lease(job_id, lease_s)
    if token is None:  # another worker is sending it: ask again once its lease is over
        send(step, lease_s)
        return
    try:
        delivery = store.delivery(job_id)
        if delivery is None or not delivery.body or delivery.finished or delivery.steps_done >= step:
            return  # expired, delivered, given up, or this attempt was made already
        secret = secrets.secret(delivery.callback.signer)
        if secret is None:  # this worker's settings lack the secret the API chose: never send unsigned
            log.error("job %s: no webhook secret %r on this worker; webhook not sent", job_id, delivery.callback.signer)
            store.attempt_done(job_id, step, None, delivered=False, give_up=True)
            return
        store.attempt_started(job_id)
        result = _try(delivery.callback.url, delivery.body, secret, delivery.callback.webhook_id, settings)
        delays = settings.webhook_retry_delays_s
        retry = not (result.delivered or result.give_up) and step <= len(delays)
        if retry:  # sent before this attempt is recorded: a worker killed in between makes it again
            send(step + 1, delays[step - 1])
        store.attempt_done(job_id, step, result.status, result.delivered, give_up=not (result.delivered or retry))
    finally:
        store.release(job_id, token)


def _try(url: str, body: str, secret: str, webhook_id: str, settings: Settings) -> Attempt:
    try:
        destination = resolve(url, settings.webhook_allowed_hosts)
    except CallbackRefused as exc:  # never worth retrying
        log.warning("webhook %s refused: %s", webhook_id, exc.detail)
        return Attempt(None, delivered=False, give_up=True)
    except OSError as exc:  # DNS failed: maybe for a moment
        log.warning("webhook %s: %s did not resolve (%s)", webhook_id, urlsplit(url).hostname, exc)
        return Attempt(None, delivered=False, give_up=False)
    try:
        status = post(destination, body, signed_headers(secret, webhook_id, body, datetime.now(UTC)), settings)
    except httpx2.HTTPError as exc:
        log.warning("webhook %s to %s: no answer (%s)", webhook_id, destination.host, type(exc).__name__)
        return Attempt(None, delivered=False, give_up=False)
    delivered = 200 <= status < 300
    if not delivered:
        log.warning("webhook %s to %s: answered %d", webhook_id, destination.host, status)
    return Attempt(status, delivered, give_up=False)


def post(destination: Destination, body: str, headers: dict[str, str], settings: Settings) -> int:
    """POST the body to the checked address; the status. No redirect is followed, no proxy
    from the environment is used, and the answer's body is never read."""
    url, host, extensions = destination.request()
    timeout = httpx2.Timeout(settings.webhook_timeout_s)
    with (
        httpx2.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
        client.stream("POST", url, content=body.encode(), headers={**headers, **host}, extensions=extensions) as answer,
    ):
        return answer.status_code
