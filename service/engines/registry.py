"""From a SUMMARIZER_MODEL value to a loaded engine."""

from __future__ import annotations

import os

from models.store import ResolvedModel, resolve
from service.config import Settings
from service.engines.base import Engine, ModelInfo
from service.engines.generative import GenerationLimits


def _revision(model: ResolvedModel) -> str | None:
    weights = model.provenance.get("weights") or {}
    return next(iter(weights.values()), None) or model.provenance.get("revision")


def generation_limits(settings: Settings) -> GenerationLimits:
    return GenerationLimits(
        max_new_tokens=settings.max_new_tokens,
        max_input_tokens=settings.max_input_tokens,
        batch_size=settings.generation_batch_size,
    )


def load_engine(settings: Settings) -> Engine:
    """Load the model named by settings.model (name, hub id or folder). Never touches the network."""
    # Belt and braces: whatever a library tries, serving must not reach a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a progress bar per load only clutters server logs
    model = resolve(settings.model, settings.model_store)
    from service.engines.quantize import apply_precision, effective_precision

    return apply_precision(_load(settings, model), effective_precision(settings.quantize, model.quantize))


def _load(settings: Settings, model: ResolvedModel) -> Engine:
    info = ModelInfo(name=model.name, id=model.hub_id, engine=model.engine, revision=_revision(model))
    if model.engine == "extractive":
        from service.engines.extractive import ExtractiveEngine

        return ExtractiveEngine(model.path, info)
    if model.engine == "seq2seq":
        from service.engines.seq2seq import Seq2SeqEngine

        return Seq2SeqEngine(model.path, info, generation_limits(settings))
    if model.engine == "instruct":
        from service.engines.instruct import InstructEngine

        return InstructEngine(model.path, info, generation_limits(settings), gguf_file=model.gguf_file)
    raise ValueError(f"unknown engine {model.engine!r} for model {settings.model!r}")
