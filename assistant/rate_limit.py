"""One sliding-window rate limiter, used by the dialog manager (per session) and the JSON API (per client)."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """At most ``per_minute`` events per key in any 60 seconds.

    Args:
        per_minute: events allowed per key in any 60 seconds.
        max_keys: keys remembered. When the table is full, keys idle for a minute are forgotten first,
            then the oldest, so memory stays bounded however many sessions or clients come by.
    """

    def __init__(self, per_minute: int, max_keys: int = 50_000) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute must be >= 1; got {per_minute}")
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record one event for ``key``; False (and nothing recorded) when it is over the limit."""
        current = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._forget(current)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= current - 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(current)
            return True

    def _forget(self, now: float) -> None:
        idle = [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - 60.0]
        for key in idle:
            del self._hits[key]
        while len(self._hits) >= self.max_keys:
            self._hits.pop(next(iter(self._hits)))

    def __len__(self) -> int:
        return len(self._hits)


__all__ = ["RateLimiter"]
