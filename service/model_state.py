"""The loaded engine and its readiness, shared by all requests of a process."""

from __future__ import annotations

import logging
import threading
import time

from models.store import resolve
from service import metrics
from service.config import Settings
from service.domain.summary import Engine
from service.engines.device import resolve_device
from service.engines.registry import load_warm_engine
from service.exceptions import ModelNotReady
from service.summarizer import Summarizer

log = logging.getLogger(__name__)


class ModelHolder:
    """Loads the engine once (unless one was given); until it is loaded (or if loading
    failed) it is not ready."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.status = "loading"  # loading -> ready | failed
        self.error: str | None = None
        self.load_seconds: float | None = None
        self._summarizer: Summarizer | None = None
        if engine is not None:
            self._ready(engine, 0.0)

    def start(self) -> None:
        """Load the model (in the background with MODEL_LOAD=background). A model that is
        unknown or not prepared, or a DEVICE this machine lacks, fails here, at once, with
        what to do."""
        if self._summarizer is not None:
            return
        resolve(self.settings.model, self.settings.model_store)  # raises ModelNotAvailable
        resolve_device(self.settings.device)  # DeviceUnavailable (a ModelNotAvailable): DEVICE=cuda, no GPU
        if self.settings.model_load == "background":
            threading.Thread(target=self.load, name="model-loader", daemon=True).start()
        else:
            self.load()

    def load(self) -> None:
        started = time.perf_counter()
        log.info("loading model %r", self.settings.model)
        try:
            engine = load_warm_engine(self.settings)
        except Exception as exc:  # a failed load is reported by /readyz, not raised
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "failed"
            log.error("model %r failed to load: %s", self.settings.model, self.error)
            return
        self._ready(engine, time.perf_counter() - started)
        log.info("model %r ready in %.1f s", self.settings.model, self.load_seconds)

    def _ready(self, engine: Engine, seconds: float) -> None:
        self._summarizer = Summarizer(engine)
        self.load_seconds = seconds
        self.status = "ready"
        metrics.MODEL_LOAD_SECONDS.set(seconds)
        metrics.MODEL_READY.labels(engine.info.name, engine.info.engine).set(1)

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def summarizer(self) -> Summarizer:
        """The use case around the loaded engine; ModelNotReady while there is none."""
        if self._summarizer is None:
            raise ModelNotReady(
                f"Model not ready: {self.error or 'the model is still loading'}", model_status=self.status
            )
        return self._summarizer

    def engine(self) -> Engine:
        return self.summarizer().engine
