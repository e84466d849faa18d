"""A response cache: an LRU bounded in bytes, per worker process.

Keyed by a hash of the model (id and weights revision), the effective options and the
cleaned article, so a CMS re-saving an unchanged story is answered without inference."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


def cache_key(*parts: Any) -> str:
    encoded = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


class ResponseCache(Generic[V]):
    """Values of type V, each weighed by `size` (its JSON by default)."""

    def __init__(self, max_bytes: int, size: Callable[[V], int] = json_size) -> None:
        self.max_bytes = max_bytes
        self._size = size
        self._entries: OrderedDict[str, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.lookups = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def hit_ratio(self) -> float:
        return self.hits / self.lookups if self.lookups else 0.0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: str) -> V | None:
        if not self.enabled:
            return None
        with self._lock:
            self.lookups += 1
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: str, value: V) -> None:
        if not self.enabled:
            return
        size = self._size(value) + len(key)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted
