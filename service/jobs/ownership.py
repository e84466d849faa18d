"""Whose job it is. With API keys on, a job belongs to the key that created it: another
key gets 404, never 403, so job ids cannot be probed."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import g

from service.errors import not_found
from service.jobs.store import JobStore


def owner() -> str:
    """This request's owner: a hash of the API key's identity ("" with auth off)."""
    name = g.get("api_key")
    return hashlib.sha256(f"precis-key:{name}".encode()).hexdigest() if name else ""


def find(store: JobStore, job_id: str) -> dict[str, Any]:
    """The job, if it is this request's owner's; someone else's job is as good as none."""
    job = store.get(job_id)
    if job is None or job["owner"] != owner():
        raise not_found(f"No job {job_id!r} (it may have expired).")
    return job
