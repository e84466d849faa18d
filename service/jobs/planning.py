"""A job planned into the store as its items arrive: valid items cut into chunks for the
workers and written to Redis a batch of chunks at a time, the ones that failed validation
answered at once (as the batch endpoint answers them). Nothing holds the whole job: a
100,000-article JSON Lines body passes through a few chunks' worth of memory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from service.config import Settings
from service.domain.summary import ModelInfo
from service.errors import ProblemError, invalid_request, item_result, too_many_items
from service.inputs import parse_item
from service.jobs.store import Draft, JobStore
from service.jobs.webhooks import Callback
from service.schemas import model_identity

# Chunks written to Redis per round trip while a body streams in.
CHUNKS_PER_WRITE = 64


def model_facts(info: ModelInfo | None, settings: Settings) -> dict[str, Any]:
    """The model a job runs with, as its view shows it (only the name while it loads)."""
    if info is None:
        return {"name": settings.model}
    identity = model_identity(info)
    return {key: identity[key] for key in ("name", "id", "engine", "revision", "precision")}


@dataclass(frozen=True)
class Planned:
    job_id: str
    chunks: int


@dataclass(frozen=True)
class JobFacts:
    """What a job is, besides its items."""

    owner: str
    request_id: str
    tier: str  # the model it is routed to, as SUMMARIZER_MODEL names it (service/jobs/queue.py)
    model: dict[str, Any]
    callback: Callback | None = None


def plan(
    store: JobStore, items: Iterable[Any], options: dict[str, Any], settings: Settings, facts: JobFacts
) -> Planned:
    """Write the job into the store and publish it; on any problem (too many items, none, the
    body cut short) what was written is dropped and the problem raised."""
    draft = store.draft()
    try:
        total, chunks = _write(draft, items, options, settings, facts.request_id)
    except BaseException:
        draft.discard()
        raise
    size = settings.job_chunk_size
    job_settings = {"options": options, "chunk_size": size, "result_ttl_s": settings.job_result_ttl_s}
    draft.publish(facts.owner, facts.request_id, total, chunks, facts.model, job_settings, facts.callback, facts.tier)
    return Planned(draft.job_id, chunks)


def _write(
    draft: Draft, items: Iterable[Any], options: dict[str, Any], settings: Settings, request_id: str
) -> tuple[int, int]:
    """(items, chunks) written."""
    size, cap = settings.job_chunk_size, settings.max_job_items
    chunk: list[tuple[int, dict[str, Any]]] = []
    pending: list[tuple[int, list[tuple[int, dict[str, Any]]]]] = []
    rejected: list[tuple[int, str]] = []
    chunks = total = 0
    for position, raw in enumerate(items):
        if position >= cap:
            raise too_many_items(f"A job holds at most {cap} items.")
        total += 1
        item_id, parsed = (
            (f"#{position}", raw) if isinstance(raw, ProblemError) else parse_item(raw, position, settings, options)
        )
        if isinstance(parsed, ProblemError):
            rejected.append((position, json.dumps(item_result(item_id, parsed, request_id), ensure_ascii=False)))
        else:
            chunk.append((position, {**options, **raw}))
        if len(chunk) == size:
            pending.append((chunks, chunk))
            chunks, chunk = chunks + 1, []
        if len(pending) == CHUNKS_PER_WRITE or len(rejected) >= CHUNKS_PER_WRITE * size:
            draft.add_inputs(pending)
            draft.add_rejected(rejected)
            pending, rejected = [], []
    if chunk:
        pending.append((chunks, chunk))
        chunks += 1
    draft.add_inputs(pending)
    draft.add_rejected(rejected)
    if not total:
        raise invalid_request("The body holds no items.")
    return total, chunks
