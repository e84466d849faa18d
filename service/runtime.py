"""The serving layer around the use case, per process: the response cache, the
micro-batching queue and the request deadline. What a summary is lives in
service/summarizer.py; this module only decides when and how its steps run."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from typing import Any

from service import metrics
from service.batching import MicroBatcher, QueueFull
from service.cache import ResponseCache, cache_key
from service.config import Settings
from service.engines.base import Engine
from service.errors import problem_body, problem_for
from service.exceptions import DeadlineExceeded, Overloaded
from service.model_state import ModelHolder
from service.schemas import SummarizeRequest
from service.summarizer import Outcome, Prepared, Summarizer

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.model = ModelHolder(settings, engine)
        self.cache = ResponseCache(settings.cache_max_bytes)
        self._batcher: MicroBatcher | None = None
        self._lock = threading.Lock()
        self._streams = threading.BoundedSemaphore(settings.max_queue)

    def batcher(self) -> MicroBatcher:
        summarizer = self.model.summarizer()
        if self._batcher is None:
            with self._lock:
                if self._batcher is None:
                    s, engine = self.settings, summarizer.engine
                    wait_ms = engine.batch_wait_ms if s.max_batch_wait_ms is None else s.max_batch_wait_ms
                    size = min(s.max_batch_size, engine.preferred_batch_size or s.max_batch_size)
                    batcher = MicroBatcher(summarizer.predict, size, wait_ms, s.max_queue)
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

    def summarize_many(self, requests: Sequence[SummarizeRequest | Exception], request_id: str) -> list[Outcome]:
        """Several articles at once (the batch endpoint): all are queued before any is
        awaited, so they share micro-batches; each gets its own outcome."""
        deadline = time.monotonic() + self.settings.request_timeout_s
        pending = [request if isinstance(request, Exception) else self._attempt(self._begin, request, request_id)
                   for request in requests]
        outcomes: list[Outcome] = []
        for item in pending:
            done = item if isinstance(item, Exception) else self._attempt(self._finish, item, deadline, request_id)
            outcomes.append(Outcome(error=done) if isinstance(done, Exception) else Outcome(body=done[0]))
        return outcomes

    @staticmethod
    def _attempt(step: Any, *args: Any) -> Any:
        """One item's step, or the exception that fails this item alone."""
        try:
            return step(*args)
        except Exception as exc:  # noqa: BLE001 - this item's own outcome
            return exc

    def stream(self, request: SummarizeRequest, request_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Server-sent events' content for one article: its sentences as each is final, then
        the whole body (or an error event). The client reads as the model writes, so the
        micro-batching queue and the cache are bypassed; but at most MAX_QUEUE streams run
        at once (503 past that), and REQUEST_TIMEOUT_S still stops one. Whatever fails
        before the first event (bad options, a language the model lacks, an article over
        the input limit) is raised here, to answer as a plain 4xx; closing the iterator
        (the client went away) stops the generation."""
        summarizer = self.model.summarizer()
        prepared = summarizer.prepare(request)
        if not self._streams.acquire(blocking=False):
            raise Overloaded("Too many streams are running; retry shortly.")
        cancel, timed_out = threading.Event(), threading.Event()

        def time_out() -> None:
            timed_out.set()
            cancel.set()

        deadline = threading.Timer(self.settings.request_timeout_s, time_out)
        deadline.start()
        events = summarizer.stream(prepared, request_id, cancel)
        try:
            first = next(events)
        except BaseException:
            deadline.cancel()
            self._streams.release()
            raise

        def rest() -> Iterator[tuple[str, dict[str, Any]]]:
            try:
                for name, data in itertools.chain([first], events):
                    if name == "done" and timed_out.is_set():  # cut short: not the summary asked for
                        raise DeadlineExceeded(
                            f"The summary took longer than the {self.settings.request_timeout_s:g} s request deadline."
                        )
                    yield name, data
            except Exception as exc:  # noqa: BLE001 - streamed as an error event, after the 200
                problem = problem_for(exc)
                if problem.status >= 500:
                    log.exception("stream %s failed", request_id)
                yield "error", problem_body(problem, request_id)
            finally:
                cancel.set()
                deadline.cancel()
                events.close()
                self._streams.release()

        return rest()

    def _begin(self, request: SummarizeRequest, request_id: str) -> _Pending:
        """Clean the article, look it up in the cache, else queue it for the model."""
        summarizer = self.model.summarizer()
        prepared = summarizer.prepare(request)
        info = summarizer.engine.info
        key = cache_key(
            info.id, info.revision, info.precision, info.settings.get("profile"), prepared.document.text,
            prepared.document.title, asdict(prepared.params), request.format, request.strict, request.include_title,
            request.include_text,
        )
        cached = self.cache.get(key)
        if self.cache.enabled:
            metrics.CACHE_LOOKUPS.labels("hit" if cached is not None else "miss").inc()
        if cached is not None:
            return _Pending(summarizer, prepared, key, cached=cached)
        if self.settings.log_articles:
            log.debug("article %s: %r", request_id, prepared.document.text[:200])
        try:
            batcher = self.batcher()
            future = batcher.submit(prepared)
            metrics.QUEUE_DEPTH.set(batcher.depth)
        except QueueFull as exc:
            raise Overloaded("Too many requests are waiting for the model; retry shortly.") from exc
        return _Pending(summarizer, prepared, key, future=future)

    def _finish(self, pending: _Pending, deadline: float, request_id: str) -> tuple[dict[str, Any], str]:
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
            raise DeadlineExceeded(
                f"The summary took longer than the {self.settings.request_timeout_s:g} s request deadline; "
                "try a shorter length or overflow=head."
            ) from exc
        inference_ms = (time.perf_counter() - pending.queued) * 1000
        body = pending.summarizer.render(prepared, result, inference_ms, request_id)
        metrics.INPUT_SENTENCES.observe(len(prepared.document.sentences))
        metrics.OUTPUT_SENTENCES.observe(len(body["sentences"]))
        if result.coverage.input_tokens is not None:
            metrics.INPUT_TOKENS.observe(result.coverage.input_tokens)
        self.cache.put(pending.key, {k: v for k, v in body.items() if k not in ("request_id", "timing_ms")})
        return body, "miss" if self.cache.enabled else "off"


@dataclass
class _Pending:
    """An article between cleaning and its answer: cached already, or queued for the model."""

    summarizer: Summarizer
    prepared: Prepared
    key: str
    cached: dict[str, Any] | None = None
    future: Future | None = None
    queued: float = field(default_factory=time.perf_counter)
