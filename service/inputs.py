"""Validating articles against the schemas and this deployment's caps, in one place for
the summarise and batch endpoints, the jobs API and the CLI."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from service.config import Settings
from service.errors import ProblemError, validation_problem
from service.schemas import BatchItem, SummarizeRequest


def validation_context(settings: Settings) -> dict[str, Any]:
    """The deployment caps the schemas' validators check against."""
    return {
        "max_text_chars": settings.max_text_chars,
        "max_summary_sentences": settings.max_summary_sentences,
        "max_new_tokens": settings.max_new_tokens,
        "max_batch_items": settings.max_batch_items,
    }


def parse_request(fields: dict[str, Any], settings: Settings) -> SummarizeRequest:
    """One request's fields, validated; a 422 problem listing every invalid field."""
    try:
        return SummarizeRequest.model_validate(fields, context=validation_context(settings))
    except ValidationError as exc:
        raise validation_problem(exc) from exc


def item_id(raw: Any, position: int) -> str:
    """An item's own id, or its position (`#3`) when it has none."""
    return str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") is not None else f"#{position}"


def parse_item(
    raw: Any, position: int, settings: Settings, defaults: dict[str, Any] | None = None
) -> tuple[str, SummarizeRequest | ProblemError]:
    """A batch or job item: its id and its validated request, or the problem that fails it
    alone. `defaults` (a job's options) apply under the item's own fields."""
    identifier = item_id(raw, position)
    if defaults and isinstance(raw, dict):
        raw = {**defaults, **raw}
    try:
        return identifier, BatchItem.model_validate(raw, context=validation_context(settings))
    except ValidationError as exc:
        return identifier, validation_problem(exc)
