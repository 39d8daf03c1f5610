"""The pluggable parts of the assistant's serving layer: each has an in-process and a Redis implementation."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable


@runtime_checkable
class Limiter(Protocol):
    """At most ``per_minute`` events per key in any 60 seconds."""

    per_minute: int

    def allow(self, key: str) -> bool:
        """Record one event for ``key``; False (and nothing recorded) when it is over the limit."""
        ...


@runtime_checkable
class LockStore(Protocol):
    """Per-conversation turn locks: first come, first served; another conversation never waits."""

    def lock(self, key: str) -> AbstractContextManager[None]:
        """Hold the lock of conversation ``key`` for the ``with`` block.

        Raises:
            LockError: when the turns ahead of this one did not finish in time.
        """
        ...


__all__ = ["Limiter", "LockStore"]
