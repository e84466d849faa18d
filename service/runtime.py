"""Per-process serving state: the model, the micro-batcher and the response cache, and
the request path that ties them together."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from typing import Any

from service import metrics
from service.batching import MicroBatcher, QueueFull
from service.cache import ResponseCache, cache_key
from service.config import Settings
from service.engines.base import Engine, InputTooLong
from service.errors import ProblemError, problem_body
from service.model_state import ModelHolder
from service.pipeline import PreparedRequest, check_options, input_too_long, prepare, render
from service.schemas import SummarizeRequest

log = logging.getLogger(__name__)

# How long a micro-batch waits to fill, unless MAX_BATCH_WAIT_MS says otherwise. A generated
# summary takes seconds and batching makes generation several times faster, so waiting
# 0.1 s for a fuller batch costs little; an extractive one takes tens of milliseconds.
EXTRACTIVE_BATCH_WAIT_MS = 10
GENERATIVE_BATCH_WAIT_MS = 100


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
                    wait_ms = s.max_batch_wait_ms
                    if wait_ms is None:
                        wait_ms = GENERATIVE_BATCH_WAIT_MS if engine.abstractive else EXTRACTIVE_BATCH_WAIT_MS
                    size = min(s.max_batch_size, getattr(engine, "preferred_batch_size", s.max_batch_size))
                    batcher = MicroBatcher(engine, size, wait_ms, s.max_queue)
                    batcher.stats.on_batch.append(self._record_batch)
                    self._batcher = batcher
        return self._batcher

    def _record_batch(self, size: int, seconds: float) -> None:
        metrics.BATCH_SIZE.observe(size)
        metrics.INFERENCE.observe(seconds)
        if self._batcher is not None:
            metrics.QUEUE_DEPTH.set(self._batcher.depth)

    def summarize(self, request: SummarizeRequest, request_id: str) -> tuple[dict[str, Any], str]:
        """The response body, and whether the cache answered ("hit", "miss" or "off")."""
        pending = self._begin(request, request_id)
        return self._finish(pending, time.monotonic() + self.settings.request_timeout_s, request_id)

    def summarize_many(self, requests: list[SummarizeRequest | ProblemError], request_id: str) -> list[dict[str, Any]]:
        """Several articles at once (the batch endpoint): all are queued before any is
        awaited, so they share micro-batches; each gets its own result or problem."""
        deadline = time.monotonic() + self.settings.request_timeout_s
        pending: list[_Pending | ProblemError] = []
        for request in requests:
            try:
                if isinstance(request, ProblemError):
                    raise request
                pending.append(self._begin(request, request_id))
            except ProblemError as problem:
                pending.append(problem)
        out: list[dict[str, Any]] = []
        for item in pending:
            try:
                if isinstance(item, ProblemError):
                    raise item
                body, _ = self._finish(item, deadline, request_id)
                out.append({"status": 200, "result": body})
            except ProblemError as problem:
                out.append({"status": problem.status, "error": problem_body(problem, request_id)})
        return out

    def _begin(self, request: SummarizeRequest, request_id: str) -> "_Pending":
        """Clean the article, look it up in the cache, else queue it for the model."""
        engine = self.model.engine()
        check_options(request, engine)
        prepared = prepare(request)
        key = cache_key(
            engine.info.id, engine.info.revision, prepared.document.text, prepared.document.title,
            asdict(prepared.params), request.format, request.strict, request.include_title, request.include_text,
        )
        cached = self.cache.get(key)
        if self.cache.enabled:
            metrics.CACHE_LOOKUPS.labels("hit" if cached is not None else "miss").inc()
        if cached is not None:
            return _Pending(engine, prepared, key, cached=cached)
        if self.settings.log_articles:
            log.debug("article %s: %r", request_id, prepared.document.text[:200])
        try:
            batcher = self.batcher()
            future = batcher.submit(prepared)
            metrics.QUEUE_DEPTH.set(batcher.depth)
        except QueueFull as exc:
            raise ProblemError(503, "overloaded", "Service Unavailable",
                               "Too many requests are waiting for the model; retry shortly.",
                               headers={"Retry-After": "1"}) from exc
        return _Pending(engine, prepared, key, future=future)

    def _finish(self, pending: "_Pending", deadline: float, request_id: str) -> tuple[dict[str, Any], str]:
        prepared = pending.prepared
        if pending.cached is not None:
            body = {**pending.cached, "request_id": request_id}
            body["timing_ms"] = {"total": round(prepared.cleaning_ms, 2), "cleaning": round(prepared.cleaning_ms, 2),
                                 "inference": 0.0}
            return body, "hit"
        assert pending.future is not None
        try:
            result = pending.future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout as exc:
            pending.future.cancel()
            raise ProblemError(504, "deadline-exceeded", "Gateway Timeout",
                               f"The summary took longer than the {self.settings.request_timeout_s:g} s "
                               f"request deadline; try a shorter length or overflow=head.") from exc
        except InputTooLong as exc:
            raise input_too_long(exc) from exc
        inference_ms = (time.perf_counter() - pending.queued) * 1000
        response = render(prepared, result, pending.engine, inference_ms, request_id)
        metrics.INPUT_SENTENCES.observe(len(prepared.document.sentences))
        metrics.OUTPUT_SENTENCES.observe(len(response.sentences))
        if result.coverage.input_tokens is not None:
            metrics.INPUT_TOKENS.observe(result.coverage.input_tokens)
        body = response.model_dump(mode="json", exclude_none=True)
        self.cache.put(pending.key, {k: v for k, v in body.items() if k not in ("request_id", "timing_ms")})
        return body, "miss" if self.cache.enabled else "off"


@dataclass
class _Pending:
    """An article between cleaning and its answer: cached already, or queued for the model."""

    engine: Engine
    prepared: PreparedRequest
    key: str
    cached: dict[str, Any] | None = None
    future: Future | None = None
    queued: float = field(default_factory=time.perf_counter)
