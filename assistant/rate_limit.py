"""Sliding-window rate limits, used by the dialog manager (per session) and the JSON API (per client).

:class:`RateLimiter` counts in this process (the zero-setup default); :class:`RedisRateLimiter` counts in Redis,
so every app process and machine shares one budget per key. :func:`limiter_from_settings` picks one.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from typing import TYPE_CHECKING

from assistant.redis_client import key_part, redis_errors, redis_from_settings

if TYPE_CHECKING:
    import redis

    from assistant.protocols import Limiter
    from cartwise.settings import Settings


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


# KEYS: 1 the key's events (zset, score = server time in ms). ARGV: limit, window ms, a unique member.
_ALLOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""


class RedisRateLimiter:
    """At most ``per_minute`` events per key in any 60 seconds, counted in Redis across every process.

    One atomic script per event, timed by the server's clock; an idle key's entry expires after a minute,
    so Redis memory is bounded by the keys active in the last minute.

    Args:
        client: a connected ``redis.Redis`` (see :func:`assistant.redis_client.connect_redis`).
        per_minute: events allowed per key in any 60 seconds.
        prefix: Redis key prefix; limits with different prefixes count separately.
    """

    def __init__(self, client: redis.Redis, per_minute: int, prefix: str = "cartwise:rate:") -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute must be >= 1; got {per_minute}")
        self.client = client
        self.per_minute = per_minute
        self.prefix = prefix
        self._allow = client.register_script(_ALLOW)

    def allow(self, key: str) -> bool:
        """Record one event for ``key``; False (and nothing recorded) when it is over the limit."""
        with redis_errors("counting a rate limit"):
            allowed = self._allow(keys=[self.prefix + key_part(key)], args=[self.per_minute, 60_000, uuid.uuid4().hex])
        return bool(int(allowed))


def limiter_from_settings(settings: Settings, per_minute: int, name: str,
                          client: redis.Redis | None = None) -> Limiter:
    """A Redis-backed limiter when ``CARTWISE_REDIS_URL`` is set (or ``client`` given), else an in-process one.

    Args:
        settings: project settings.
        per_minute: the limit.
        name: what is limited (``"session"``, ``"client"``): limiters with different names count separately.
        client: an already connected Redis client to reuse.

    Raises:
        SharedStateError: Redis is configured but unreachable.
    """
    client = client if client is not None else redis_from_settings(settings)
    if client is None:
        return RateLimiter(per_minute)
    return RedisRateLimiter(client, per_minute, prefix=f"cartwise:{settings.shop}:rate:{name}:")


__all__ = ["RateLimiter", "RedisRateLimiter", "limiter_from_settings"]
