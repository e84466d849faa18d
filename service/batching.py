"""Dynamic micro-batching: concurrent requests of a worker share one engine call.

Request threads put their prepared article on a bounded queue and wait; one batching
thread per process takes up to MAX_BATCH_SIZE items, waiting at most MAX_BATCH_WAIT_MS
for the batch to fill, runs one `engine.summarize`, and hands each request its own result.
A full queue is refused at once (503 + Retry-After) rather than waited on without bound."""

from __future__ import annotations

import ctypes
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from service.domain.summary import SummaryResult
from service.summarizer import Prepared

# One engine call for a batch: each article's result, or the exception that failed it alone.
Predict = Callable[[list[Prepared]], list[SummaryResult | Exception]]

log = logging.getLogger(__name__)

_malloc_trim: Callable[[int], int] | None
try:
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


class QueueFull(Exception):
    """The batching queue is at capacity; the client should retry later."""


@dataclass
class _Item:
    prepared: Prepared
    future: Future[SummaryResult] = field(default_factory=Future)


@dataclass
class BatchStats:
    """Running figures for the metrics endpoint and the benchmarks."""

    batches: int = 0
    items: int = 0
    largest: int = 0
    on_batch: list[Callable[[int, float], None]] = field(default_factory=list)


class MicroBatcher:
    def __init__(
        self, predict: Predict, max_batch_size: int, max_wait_ms: float, max_queue: int, workers: int = 1
    ) -> None:
        self.predict = predict
        self.max_batch_size = max(1, max_batch_size)
        self.max_wait = max(0.0, max_wait_ms) / 1000
        # Threads taking batches: one for a model in this process; several (batches of one) for a
        # model on an inference server, which batches concurrent requests itself.
        self.workers = max(1, workers)
        self._queue: queue.Queue[_Item] = queue.Queue(maxsize=max(1, max_queue))
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._pid = 0
        self.stats = BatchStats()

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def _ensure_thread(self) -> None:
        # Threads do not survive gunicorn's fork: start one in each worker, on first use.
        if self._threads and self._pid == os.getpid():
            return
        with self._lock:
            if not self._threads or self._pid != os.getpid():
                self._pid = os.getpid()
                self._threads = [
                    threading.Thread(target=self._loop, name="micro-batcher", daemon=True) for _ in range(self.workers)
                ]
                for thread in self._threads:
                    thread.start()

    def submit(self, prepared: Prepared) -> Future[SummaryResult]:
        """Queue one article; the future resolves to its SummaryResult (or its exception)."""
        self._ensure_thread()
        item = _Item(prepared)
        try:
            self._queue.put_nowait(item)
        except queue.Full as exc:
            raise QueueFull() from exc
        return item.future

    def _collect(self) -> list[_Item]:
        batch = [self._queue.get()]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._collect()
            # A request whose client gave up (deadline) is not worth computing.
            batch = [item for item in batch if item.future.set_running_or_notify_cancel()]
            if batch:
                self._run(batch)

    def _run(self, batch: list[_Item]) -> None:
        started = time.perf_counter()
        try:
            results = self.predict([item.prepared for item in batch])
        except Exception as exc:  # a bug in predict must not kill the batching thread
            results = [exc] * len(batch)
        # Counted before the answers go out, so a caller that has its answer sees the batch.
        self._record(len(batch), time.perf_counter() - started)
        for item, result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                item.future.set_exception(result)
            else:
                item.future.set_result(result)
        self._release_memory()

    def _release_memory(self) -> None:
        """Give the heap's free pages back to the OS after a batch (glibc only).

        Tensors of ever-changing shapes otherwise leave the heap fragmented, and the
        server grew by about 1 GB in a one-minute soak."""
        if _malloc_trim is not None:
            _malloc_trim(0)

    def _record(self, size: int, seconds: float) -> None:
        self.stats.batches += 1
        self.stats.items += size
        self.stats.largest = max(self.stats.largest, size)
        for callback in self.stats.on_batch:
            callback(size, seconds)
