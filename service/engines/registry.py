"""From a SUMMARIZER_MODEL value to a loaded engine: one table from engine kind to loader."""

from __future__ import annotations

from collections.abc import Callable

from models.store import ResolvedModel, load_manifest, resolve
from service.config import Settings, enforce_offline
from service.domain.summary import Engine, ModelInfo
from service.engines.device import gpu_precision, resolve_device
from service.engines.generation import GenerationLimits
from service.engines.quantize import effective_precision


def _revision(model: ResolvedModel) -> str | None:
    weights = model.provenance.get("weights") or {}
    return next(iter(weights.values()), None) or model.provenance.get("revision")


def generation_limits(settings: Settings) -> GenerationLimits:
    return GenerationLimits(
        max_new_tokens=settings.max_new_tokens,
        max_input_tokens=settings.max_input_tokens,
        batch_size=settings.generation_batch_size,
    )


def _extractive(model: ResolvedModel, info: ModelInfo, precision: str, settings: Settings) -> Engine:
    from service.engines.extractive import ExtractiveEngine
    from service.ranker.profile import load_profiles

    # RANKER_PROFILE, else the model's own (the fast tier's head, fitted on its static vectors).
    profiles = load_profiles(settings.ranker_profile or model.profile)
    # A head learned on one packaged model's vectors reads nothing sensible on another's.
    packaged = load_manifest()
    for profile in profiles:
        if profile.fitted_on and model.name in packaged and profile.fitted_on != model.name:
            raise ValueError(
                f"ranker profile {profile.name!r} was fitted on {profile.fitted_on}'s sentence vectors and cannot rank "
                f"for {model.name}: calibrate one with --embedder {model.name}, or leave RANKER_PROFILE empty"
            )
    return ExtractiveEngine(model.path, info, precision, profile=profiles)


def _seq2seq(model: ResolvedModel, info: ModelInfo, precision: str, settings: Settings) -> Engine:
    from service.engines.seq2seq import Seq2SeqEngine

    return Seq2SeqEngine(model.path, info, generation_limits(settings), precision)


def _instruct(model: ResolvedModel, info: ModelInfo, precision: str, settings: Settings) -> Engine:
    from service.engines.instruct import InstructEngine

    return InstructEngine(model.path, info, generation_limits(settings), precision, gguf_file=model.gguf_file)


def _openai_compatible(model: ResolvedModel, info: ModelInfo, precision: str, settings: Settings) -> Engine:
    from service.engines.openai_client import OpenAIServer, ServerConfig
    from service.engines.remote import load_remote

    key = settings.generation_api_key.get_secret_value() if settings.generation_api_key else ""
    server = OpenAIServer(
        ServerConfig(
            settings.generation_url,
            key,
            settings.generation_connect_timeout_s,
            settings.generation_read_timeout_s,
            settings.generation_concurrency,
        )
    )
    # The server's name for the model: GENERATION_MODEL, else the manifest's id (vLLM's default name).
    model_id = settings.generation_model or model.hub_id
    return load_remote(info, generation_limits(settings), server, model_id, settings.generation_context_tokens)


# Engine kind (models/manifest.json "engine", or inferred from a folder) -> loader. A new
# engine is one class and one line here. Imports are lazy: only the served engine's load.
ENGINES: dict[str, Callable[[ResolvedModel, ModelInfo, str, Settings], Engine]] = {
    "extractive": _extractive,
    "seq2seq": _seq2seq,
    "instruct": _instruct,
    "openai-compatible": _openai_compatible,
}


def load_engine(settings: Settings) -> Engine:
    """Load the model named by settings.model (name, hub id or folder). Never touches the network."""
    enforce_offline()
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a progress bar per load only clutters server logs
    model = resolve(settings.model, settings.model_store)
    loader = ENGINES.get(model.engine)
    if loader is None:
        raise ValueError(f"unknown engine {model.engine!r} for model {settings.model!r}; known: {', '.join(ENGINES)}")
    placement = resolve_device(settings.device)  # DeviceUnavailable: DEVICE names a GPU this machine lacks
    info = ModelInfo(
        name=model.name,
        id=model.hub_id,
        engine=model.engine,
        revision=_revision(model),
        languages=model.languages,
        other_languages=model.other_languages,
        device=placement.device,
    )
    precision = (
        gpu_precision(settings.quantize) if placement.gpu else effective_precision(settings.quantize, model.quantize)
    )
    return loader(model, info, precision, settings)


def load_warm_engine(settings: Settings) -> Engine:
    """load_engine, then warm it and the language detector up: in a process that forks
    afterwards (gunicorn's master, a job worker), the children share all of it."""
    from service.text.language import warm_up as warm_up_language_detector

    engine = load_engine(settings)
    engine.warm_up()
    warm_up_language_detector()
    return engine
