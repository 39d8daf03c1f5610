"""Per-conversation turn locks: two turns of one conversation never run at once, in one process or in many.

Both stores are ticket locks in the manner of Rasa's lock store (``rasa/core/lock_store.py``, ``lock.py``): a
turn takes the next ticket of its conversation and runs when its ticket is the lowest one still valid, so turns
of one conversation run one at a time in the order they arrived (FIFO), and turns of other conversations never
wait. Unlike Rasa's Redis store, which reads, edits and writes the whole ticket list from the client, every
step here is one Lua script, atomic on the server and timed by the server's clock (no clock skew between
machines).

Expiry: a ticket is valid for ``lifetime_s``; a waiting ticket renews itself on every poll and a running turn
renews its ticket every third of the lifetime, so a slow turn (an LLM reply) keeps its lock however long it
takes, while a worker killed holding the lock (or waiting for it) blocks its conversation for at most
``lifetime_s``, after which the next ticket is served.

Example:
    >>> locks = InMemoryLockStore(wait_s=5)
    >>> with locks.lock("session-1"):
    ...     pass  # load state -> decide -> save, alone for this conversation
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from assistant.errors import LockError
from assistant.redis_client import key_part, redis_errors, redis_from_settings

if TYPE_CHECKING:
    import redis

    from assistant.protocols import LockStore
    from cartwise.settings import Settings

logger = logging.getLogger(__name__)


def _busy(key: str, wait_s: float) -> LockError:
    return LockError(f"conversation {key[:40]!r} is still answering an earlier message after {wait_s:g} s; "
                     "retry shortly (raise CARTWISE_LOCK_WAIT_S to wait longer)")


class InMemoryLockStore:
    """Ticket locks for the threads of one process (the zero-setup default).

    Args:
        wait_s: longest a turn waits for the turns ahead of it before :class:`LockError`.
    """

    def __init__(self, wait_s: float = 30.0) -> None:
        self.wait_s = wait_s
        self._cond = threading.Condition()
        self._queues: dict[str, deque[int]] = {}
        self._issued = 0

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold conversation ``key``'s lock for the ``with`` block; see the module docstring."""
        with self._cond:
            self._issued += 1
            ticket = self._issued
            queue = self._queues.setdefault(key, deque())
            queue.append(ticket)
            deadline = time.monotonic() + self.wait_s
            while queue[0] != ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._leave(key, queue, ticket)
                    raise _busy(key, self.wait_s)
                self._cond.wait(remaining)
        try:
            yield
        finally:
            with self._cond:
                self._leave(key, queue, ticket)

    def _leave(self, key: str, queue: deque[int], ticket: int) -> None:
        queue.remove(ticket)
        if not queue:
            del self._queues[key]
        self._cond.notify_all()

    def __len__(self) -> int:
        """Conversations with a turn running or waiting."""
        return len(self._queues)


# KEYS: 1 ticket queue (zset, score = ticket number), 2 expiry times (hash ticket -> ms), 3 ticket counter.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
_ISSUE = _NOW + """
local n = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], n, n)
redis.call('HSET', KEYS[2], n, now + tonumber(ARGV[1]))
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 2 * tonumber(ARGV[1]) + 60000) end
return n
"""
# Returns 1: this ticket is served now; 0: others are ahead; -1: this ticket had expired and is gone.
_POLL = _NOW + """
local expiries = redis.call('HGETALL', KEYS[2])
for i = 1, #expiries, 2 do
  if tonumber(expiries[i + 1]) <= now then
    redis.call('HDEL', KEYS[2], expiries[i])
    redis.call('ZREM', KEYS[1], expiries[i])
  end
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[2]))
if redis.call('ZRANGE', KEYS[1], 0, 0)[1] == ARGV[1] then return 1 end
return 0
"""
# Returns 1: renewed; 0: the ticket had expired and is gone (another turn may be running).
_RENEW = _NOW + """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[2]))
return 1
"""
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])
"""


class RedisLockStore:
    """Ticket locks in Redis, shared by every process and machine that uses the same server.

    Args:
        client: a connected ``redis.Redis`` (see :func:`assistant.redis_client.connect_redis`).
        lifetime_s: a ticket expires this long after its last renewal (every poll while waiting, every third of
            the lifetime while its turn runs): how long a dead worker can hold up its conversation.
        wait_s: longest a turn waits for the turns ahead of it before :class:`LockError`.
        prefix: Redis key prefix (several shops can share one server).
        poll_s: longest pause between two polls while waiting (the first ones are shorter).
    """

    def __init__(self, client: redis.Redis, lifetime_s: float = 60.0, wait_s: float = 30.0,
                 prefix: str = "cartwise:lock:", poll_s: float = 0.05) -> None:
        self.client = client
        self.lifetime_s = lifetime_s
        self.wait_s = wait_s
        self.prefix = prefix
        self.poll_s = poll_s
        self._issue = client.register_script(_ISSUE)
        self._poll = client.register_script(_POLL)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def keys(self, key: str) -> list[str]:
        """The Redis keys of conversation ``key``: queue, expiries, counter (one hash slot, for Redis Cluster)."""
        base = f"{self.prefix}{{{key_part(key)}}}"
        return [f"{base}:queue", f"{base}:expires", f"{base}:seq"]

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold conversation ``key``'s lock for the ``with`` block; see the module docstring."""
        keys, lifetime_ms = self.keys(key), int(self.lifetime_s * 1000)
        with redis_errors("taking a conversation's turn lock"):
            ticket = int(self._issue(keys=keys, args=[lifetime_ms]))
            try:
                self._wait(key, keys, ticket, lifetime_ms)
            except BaseException:
                self._release(keys=keys, args=[ticket])
                raise
        done = threading.Event()
        renewer = threading.Thread(target=self._keep, args=(key, keys, ticket, lifetime_ms, done), daemon=True,
                                   name="lock-renewal")
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()
            with redis_errors("releasing a conversation's turn lock"):
                released = int(self._release(keys=keys, args=[ticket]))
            if not released:
                logger.warning("a turn of conversation %s outlived its %g s lock (this process stalled longer than "
                               "that); raise CARTWISE_LOCK_LIFETIME_S", key_part(key)[:12], self.lifetime_s)

    def _keep(self, key: str, keys: list[str], ticket: int, lifetime_ms: int, done: threading.Event) -> None:
        """Renew the held ticket every third of its lifetime until the turn is done (a slow LLM reply keeps its
        lock; a killed process stops renewing and its lock expires within ``lifetime_s``)."""
        while not done.wait(self.lifetime_s / 3):
            try:
                if not int(self._renew(keys=keys, args=[ticket, lifetime_ms])):
                    return
            except Exception:  # Redis unreachable for a moment: the next renewal may succeed
                logger.warning("could not renew the lock of conversation %s", key_part(key)[:12], exc_info=True)

    def _wait(self, key: str, keys: list[str], ticket: int, lifetime_ms: int) -> None:
        deadline = time.monotonic() + self.wait_s
        pause = 0.002
        while True:
            state = int(self._poll(keys=keys, args=[ticket, lifetime_ms]))
            if state == 1:
                return
            if state == -1:
                raise LockError(f"the lock ticket of conversation {key[:40]!r} expired while waiting (a pause longer "
                                f"than CARTWISE_LOCK_LIFETIME_S={self.lifetime_s:g}); retry the message")
            if time.monotonic() >= deadline:
                raise _busy(key, self.wait_s)
            time.sleep(pause)
            pause = min(self.poll_s, pause * 2)


def lock_store_from_settings(settings: Settings, client: redis.Redis | None = None) -> LockStore:
    """A :class:`RedisLockStore` when ``CARTWISE_REDIS_URL`` is set (or ``client`` given), else in-process locks.

    Raises:
        SharedStateError: Redis is configured but unreachable (fails within ``CARTWISE_REDIS_TIMEOUT_S``).
    """
    client = client if client is not None else redis_from_settings(settings)
    if client is None:
        return InMemoryLockStore(settings.lock_wait_s)
    return RedisLockStore(client, settings.lock_lifetime_s, settings.lock_wait_s,
                          prefix=f"cartwise:{settings.shop}:lock:")


__all__ = ["InMemoryLockStore", "LockError", "RedisLockStore", "lock_store_from_settings"]
