"""A job planned for the store: its valid items cut into chunks for the workers, the ones
that failed validation answered at once (as the batch endpoint answers them)."""

from __future__ import annotations

import json
from typing import Any

from service.config import Settings
from service.engines.base import ModelInfo
from service.errors import ProblemError, item_result
from service.inputs import parse_item
from service.jobs.store import NewJob
from service.jobs.webhooks import Callback
from service.schemas import model_identity


def model_facts(info: ModelInfo | None, settings: Settings) -> dict[str, Any]:
    """The model a job runs with, as its view shows it (only the name while it loads)."""
    if info is None:
        return {"name": settings.model}
    identity = model_identity(info)
    return {key: identity[key] for key in ("name", "id", "engine", "revision", "precision")}


def plan(
    items: list[Any],
    options: dict[str, Any],
    settings: Settings,
    owner: str,
    request_id: str,
    model: dict[str, Any],
    callback: Callback | None = None,
) -> NewJob:
    valid: list[tuple[int, dict[str, Any]]] = []
    rejected: list[tuple[int, str]] = []
    for position, raw in enumerate(items):
        item_id, parsed = (
            (f"#{position}", raw) if isinstance(raw, ProblemError) else parse_item(raw, position, settings, options)
        )
        if isinstance(parsed, ProblemError):
            row = item_result(item_id, parsed, request_id)
            rejected.append((position, json.dumps(row, ensure_ascii=False)))
        else:
            valid.append((position, {**options, **raw}))
    size = settings.job_chunk_size
    chunks = [valid[i : i + size] for i in range(0, len(valid), size)]
    return NewJob(
        owner=owner,
        request_id=request_id,
        total=len(items),
        chunks=chunks,
        rejected=rejected,
        model=model,
        settings={"options": options, "chunk_size": size, "result_ttl_s": settings.job_result_ttl_s},
        callback=callback,
    )
