"""Small per-process caches for data read on every request and changed rarely.

Each process keeps an entry for at most ``ttl`` seconds; signals clear it in the process
where the change happened, the others see the change when their entry expires.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

_ALL: list[TimedCache] = []


class TimedCache(Generic[V]):
    def __init__(self, ttl: Callable[[], float], max_entries: int = 10_000) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, V]] = {}
        _ALL.append(self)

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self._ttl():
            return None
        return entry[1]

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), value)

    def clear(self, **signal_kwargs: object) -> None:
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    """Forget every per-process cache (tests start each case from the database as it is)."""
    for cache in _ALL:
        cache.clear()
