"""From a SUMMARIZER_MODEL value to a loaded engine."""

from __future__ import annotations

import os
from pathlib import Path

from models.store import ResolvedModel, resolve
from service.engines.base import Engine, ModelInfo


def _revision(model: ResolvedModel) -> str | None:
    weights = model.provenance.get("weights") or {}
    return next(iter(weights.values()), None) or model.provenance.get("revision")


def load_engine(spec: str, store: Path) -> Engine:
    """Load the model named by `spec` (manifest name or folder). Never touches the network."""
    # Belt and braces: whatever a library tries, serving must not reach a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a progress bar per load only clutters server logs
    model = resolve(spec, store)
    info = ModelInfo(name=model.name, id=model.hub_id, engine=model.engine, revision=_revision(model))
    if model.engine == "extractive":
        from service.engines.extractive import ExtractiveEngine

        return ExtractiveEngine(model.path, info)
    raise ValueError(f"engine {model.engine!r} of model {spec!r} is not available in this build")
