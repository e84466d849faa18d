"""Per-process serving state: the model, the micro-batcher and the response cache, and
the request path that ties them together."""

from __future__ import annotations

import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict
from typing import Any

from service.batching import MicroBatcher, QueueFull
from service.cache import ResponseCache, cache_key
from service.config import Settings
from service.engines.base import InputTooLong
from service.errors import ProblemError
from service.model_state import ModelHolder
from service.pipeline import check_options, input_too_long, prepare, render
from service.schemas import SummarizeRequest


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = ModelHolder(settings)
        self.cache = ResponseCache(settings.cache_max_bytes)
        self._batcher: MicroBatcher | None = None
        self._lock = threading.Lock()

    def batcher(self) -> MicroBatcher:
        engine = self.model.engine()
        if self._batcher is None:
            with self._lock:
                if self._batcher is None:
                    s = self.settings
                    self._batcher = MicroBatcher(engine, s.max_batch_size, s.max_batch_wait_ms, s.max_queue)
        return self._batcher

    def summarize(self, request: SummarizeRequest, request_id: str) -> tuple[dict[str, Any], str]:
        """The response body, and whether the cache answered ("hit", "miss" or "off")."""
        engine = self.model.engine()
        check_options(request, engine)
        prepared = prepare(request)
        key = cache_key(
            engine.info.id, engine.info.revision, prepared.document.text, prepared.document.title,
            asdict(prepared.params), request.format, request.strict, request.include_title, request.include_text,
        )
        cached = self.cache.get(key)
        if cached is not None:
            body = {**cached, "request_id": request_id}
            body["timing_ms"] = {"total": round(prepared.cleaning_ms, 2), "cleaning": round(prepared.cleaning_ms, 2),
                                 "inference": 0.0}
            return body, "hit"
        started = time.perf_counter()
        try:
            future = self.batcher().submit(prepared)
        except QueueFull as exc:
            raise ProblemError(503, "overloaded", "Service Unavailable",
                               "Too many requests are waiting for the model; retry shortly.",
                               headers={"Retry-After": "1"}) from exc
        remaining = self.settings.request_timeout_s - prepared.cleaning_ms / 1000
        try:
            result = future.result(timeout=max(0.0, remaining))
        except FutureTimeout as exc:
            future.cancel()
            raise ProblemError(504, "deadline-exceeded", "Gateway Timeout",
                               f"The summary took longer than the {self.settings.request_timeout_s:g} s "
                               f"request deadline; try a shorter length or overflow=head.") from exc
        except InputTooLong as exc:
            raise input_too_long(exc) from exc
        response = render(prepared, result, engine, (time.perf_counter() - started) * 1000, request_id)
        body = response.model_dump(mode="json", exclude_none=True)
        self.cache.put(key, {k: v for k, v in body.items() if k not in ("request_id", "timing_ms")})
        return body, "miss" if self.cache.enabled else "off"
