"""The loaded engine and its readiness, shared by all requests of a process."""

from __future__ import annotations

import logging
import threading
import time

from service import metrics
from service.config import Settings
from service.engines.base import Engine
from service.engines.registry import load_engine
from service.errors import ProblemError

log = logging.getLogger(__name__)


class ModelHolder:
    """Loads the engine once; until it is loaded (or if loading failed) it is not ready."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.status = "loading"  # loading -> ready | failed
        self.error: str | None = None
        self.load_seconds: float | None = None
        self._engine: Engine | None = None

    def start(self) -> None:
        if self.settings.model_load == "background":
            threading.Thread(target=self.load, name="model-loader", daemon=True).start()
        else:
            self.load()

    def load(self) -> None:
        started = time.perf_counter()
        log.info("loading model %r", self.settings.model)
        try:
            engine = load_engine(self.settings)
            engine.warm_up()
        except Exception as exc:  # noqa: BLE001 - a failed load is reported by /readyz, not raised
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "failed"
            log.error("model %r failed to load: %s", self.settings.model, self.error)
            return
        self._engine = engine
        self.load_seconds = time.perf_counter() - started
        self.status = "ready"
        metrics.MODEL_LOAD_SECONDS.set(self.load_seconds)
        metrics.MODEL_READY.labels(engine.info.name, engine.info.engine).set(1)
        log.info("model %r ready in %.1f s", self.settings.model, self.load_seconds)

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def engine(self) -> Engine:
        """The engine, or a 503 problem while it is not ready."""
        if self._engine is None:
            reason = self.error or "the model is still loading"
            raise ProblemError(503, "not-ready", "Service Unavailable", f"Model not ready: {reason}")
        return self._engine
