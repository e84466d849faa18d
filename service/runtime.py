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

from service import metrics
from service.batching import MicroBatcher, QueueFull
from service.cache import ResponseCache, cache_key
from service.config import Settings
from service.domain.summary import Engine, SummaryResult
from service.exceptions import DeadlineExceeded, Overloaded
from service.model_state import ModelHolder
from service.schemas import SentenceOut, SummarizeRequest, SummaryOut
from service.summarizer import Outcome, Prepared, Summarized, Summarizer, alone

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.model = ModelHolder(settings, engine)
        self.cache = ResponseCache[SummaryOut](settings.cache_max_bytes, _json_bytes)
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
                    workers = 1
                    if not getattr(engine, "micro_batch", True):  # an inference server batches (engines/remote.py)
                        size, wait_ms, workers = 1, 0, engine.preferred_batch_size or 1
                    batcher = MicroBatcher(summarizer.predict, size, wait_ms, s.max_queue, workers)
                    batcher.stats.on_batch.append(self._record_batch)
                    self._batcher = batcher
        return self._batcher

    def _record_batch(self, size: int, seconds: float) -> None:
        metrics.BATCH_SIZE.observe(size)
        metrics.INFERENCE.observe(seconds)
        if self._batcher is not None:
            metrics.QUEUE_DEPTH.set(self._batcher.depth)

    def summarize(self, request: SummarizeRequest, request_id: str) -> tuple[Summarized, str]:
        """The article summarised, and whether the cache answered ("hit", "miss" or "off")."""
        pending = self._begin(self.model.summarizer().prepare(request), request_id)
        return self._finish(pending, time.monotonic() + self.settings.request_timeout_s)

    def summarize_many(self, requests: Sequence[SummarizeRequest | Exception], request_id: str) -> list[Outcome]:
        """Several articles at once (the batch endpoint), through the use case's one
        `summarize_many`: all are queued before any is awaited, so they share micro-batches."""
        deadline = time.monotonic() + self.settings.request_timeout_s

        def run(batch: Sequence[Prepared]) -> list[Outcome]:
            pending = [alone(self._begin, prepared, request_id) for prepared in batch]
            return [
                item if isinstance(item, Exception) else _summarized(alone(self._finish, item, deadline))
                for item in pending
            ]

        return self.model.summarizer().summarize_many(requests, run)

    def stream(self, request: SummarizeRequest) -> Iterator[SentenceOut | Summarized | Exception]:
        """One article as it is written: its sentences as each is final, then the whole
        answer (or the exception that cut it short, as the stream's last item). The client
        reads as the model writes, so the micro-batching queue and the cache are bypassed;
        but at most MAX_QUEUE streams run at once (503 past that), and REQUEST_TIMEOUT_S
        still stops one. Whatever fails before the first item (bad options, a language the
        model lacks, an article over the input limit) is raised here, to answer as a plain
        4xx; closing the iterator (the client went away) stops the generation."""
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
        events = summarizer.stream(prepared, cancel)
        try:
            first = next(events)
        except BaseException:
            deadline.cancel()
            self._streams.release()
            raise

        def rest() -> Iterator[SentenceOut | Summarized | Exception]:
            try:
                for event in itertools.chain([first], events):
                    if isinstance(event, Summarized) and timed_out.is_set():  # cut short: not the summary asked for
                        raise DeadlineExceeded(
                            f"The summary took longer than the {self.settings.request_timeout_s:g} s request deadline."
                        )
                    yield event
            except Exception as exc:  # the stream's last item, after the 200
                yield exc
            finally:
                cancel.set()
                deadline.cancel()
                events.close()
                self._streams.release()

        return rest()

    def _begin(self, prepared: Prepared, request_id: str) -> _Pending:
        """Look the prepared article up in the cache, else queue it for the model."""
        summarizer = self.model.summarizer()
        request = prepared.request
        info = summarizer.engine.info
        key = cache_key(
            info.id,
            info.revision,
            info.precision,
            info.settings.get("profile"),
            prepared.document.text,
            prepared.document.title,
            asdict(prepared.params),
            request.format,
            request.strict,
            request.include_title,
            request.include_text,
            # What the answer's `input` reports of the reading, and how far the ranker trusts the headline.
            prepared.document.title_confidence,
            prepared.article.title_source,
            prepared.article.standfirst,
            dict(prepared.article.removed),
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

    def _finish(self, pending: _Pending, deadline: float) -> tuple[Summarized, str]:
        prepared = pending.prepared
        if pending.cached is not None:
            return Summarized(pending.cached, prepared.timing(0.0)), "hit"
        assert pending.future is not None
        try:
            result = pending.future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout as exc:
            pending.future.cancel()
            raise DeadlineExceeded(
                f"The summary took longer than the {self.settings.request_timeout_s:g} s request deadline; "
                "try a shorter length or overflow=head."
            ) from exc
        summarized = pending.summarizer.summarized(prepared, result, (time.perf_counter() - pending.queued) * 1000)
        metrics.INPUT_SENTENCES.observe(len(prepared.document.sentences))
        metrics.OUTPUT_SENTENCES.observe(len(summarized.summary.sentences))
        if result.coverage.input_tokens is not None:
            metrics.INPUT_TOKENS.observe(result.coverage.input_tokens)
        self.cache.put(pending.key, summarized.summary)
        return summarized, "miss" if self.cache.enabled else "off"


def _json_bytes(summary: SummaryOut) -> int:
    """What a cached summary weighs: its JSON."""
    return len(summary.model_dump_json(exclude_none=True).encode("utf-8"))


def _summarized(finished: tuple[Summarized, str] | Exception) -> Outcome:
    return finished if isinstance(finished, Exception) else finished[0]


@dataclass
class _Pending:
    """An article between cleaning and its answer: cached already, or queued for the model."""

    summarizer: Summarizer
    prepared: Prepared
    key: str
    cached: SummaryOut | None = None
    future: Future[SummaryResult] | None = None
    queued: float = field(default_factory=time.perf_counter)
