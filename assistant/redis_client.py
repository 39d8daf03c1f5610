"""One place that opens the Redis connection shared by the locks and the rate limits (``CARTWISE_REDIS_URL``)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from assistant.errors import SharedStateError

if TYPE_CHECKING:
    import redis

    from cartwise.settings import Settings

logger = logging.getLogger(__name__)


def connect_redis(url: str, timeout_s: float = 2.0) -> redis.Redis:
    """A Redis client for ``url``, checked with a PING so a wrong URL fails now, within ``timeout_s``.

    Args:
        url: ``redis://[:password@]host:port/db`` (``rediss://`` for TLS, ``unix:///path`` for a socket).
        timeout_s: connect and reply timeout, also used for every later command.

    Raises:
        SharedStateError: the package is missing, the URL is malformed or nothing answers there.

    Example:
        >>> connect_redis("redis://127.0.0.1:1/0", timeout_s=0.5)  # doctest: +SKIP
        Traceback (most recent call last):
        SharedStateError: CARTWISE_REDIS_URL='redis://127.0.0.1:1/0': no Redis answered (...)
    """
    try:
        import redis
    except ImportError as exc:
        raise SharedStateError(
            "CARTWISE_REDIS_URL is set but the `redis` package is missing: pip install 'cartwise[scale]'"
        ) from exc
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s,
                                      health_check_interval=30)
    except ValueError as exc:
        raise SharedStateError(
            f"CARTWISE_REDIS_URL={url!r} is not a Redis URL ({exc}); expected e.g. redis://127.0.0.1:6379/0"
        ) from exc
    try:
        client.ping()
    except redis.RedisError as exc:
        raise SharedStateError(
            f"CARTWISE_REDIS_URL={url!r}: no Redis answered within {timeout_s:g} s ({exc}). Start one "
            "(`redis-server --port 6379`), fix the URL, or unset it to keep locks and limits in this process"
        ) from exc
    return client


def redis_from_settings(settings: Settings) -> redis.Redis | None:
    """The shared client when ``settings.redis_url`` is set, else None (everything stays in this process)."""
    if not settings.redis_url:
        return None
    return connect_redis(settings.redis_url, settings.redis_timeout_s)


def key_part(text: str) -> str:
    """A short, fixed-length, printable stand-in for any conversation or client id inside a Redis key."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@contextmanager
def redis_errors(action: str) -> Iterator[None]:
    """Turn a Redis failure while serving into one :class:`SharedStateError` that says what to check.

    A turn is refused rather than run without its lock; the web API answers it with 503.
    """
    import redis

    try:
        yield
    except redis.RedisError as exc:
        raise SharedStateError(
            f"Redis (CARTWISE_REDIS_URL) failed while {action}: {exc}. The turn was not run; check that the Redis "
            "server is up and reachable from this process"
        ) from exc
