"""This API process's way to jobs: its Redis store and Celery producer, made after
gunicorn's fork (a connection must not be shared across processes), or the problem that
says why this server has none."""

from __future__ import annotations

import os

from celery import Celery
from flask import Flask, current_app
from redis import Redis

from service.config import Settings
from service.edge import settings
from service.errors import jobs_off
from service.jobs.queue import make_celery
from service.jobs.store import JobStore
from service.jobs.webhooks import WebhookSecrets

_BACKEND = "precis.jobs"


class Backend:
    """The store and the producer of one process; made again in a forked child."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.secrets = WebhookSecrets.load(settings) if settings.jobs else WebhookSecrets()
        self._pid = 0
        self._store: JobStore | None = None
        self._celery: Celery | None = None

    def get(self) -> tuple[JobStore, Celery]:
        if self._store is None or self._celery is None or self._pid != os.getpid():
            self._store = JobStore(
                Redis.from_url(self.settings.redis_url, socket_timeout=30), self.settings.job_result_ttl_s
            )
            self._celery = make_celery(self.settings)
            self._pid = os.getpid()
        return self._store, self._celery


def install_backend(app: Flask, settings: Settings) -> None:
    """At app creation, so that a bad WEBHOOK_SECRET or WEBHOOK_SECRETS_FILE stops the server at start."""
    app.extensions[_BACKEND] = Backend(settings)


def _installed() -> Backend:
    if _BACKEND not in current_app.extensions:  # an app built without create_app
        install_backend(current_app, settings())
    found: Backend = current_app.extensions[_BACKEND]
    return found


def webhook_secrets() -> WebhookSecrets:
    """The secrets that sign this app's job webhooks."""
    return _installed().secrets


def backend() -> tuple[JobStore, Celery]:
    """This app's job store and queue; 503 where jobs are off or have no Redis."""
    configured = settings()
    if not configured.jobs:
        raise jobs_off("Jobs are off on this server (JOBS=off): set JOBS=on and REDIS_URL to enable /v1/jobs.")
    if not configured.redis_url:
        raise jobs_off(
            "Jobs need Redis and this server has none: set REDIS_URL (`make run` starts one when "
            "redis-server is installed: apt-get install redis-server)."
        )
    return _installed().get()
