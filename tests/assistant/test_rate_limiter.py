from __future__ import annotations

from assistant.dialog import RateLimiter


def test_limit_per_session() -> None:
    limiter = RateLimiter(per_minute=2)
    assert limiter.allow("a") and limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")  # another session has its own budget


def test_idle_sessions_are_forgotten_when_the_table_is_full() -> None:
    limiter = RateLimiter(per_minute=5, max_keys=3)
    for key in "abcd":
        limiter.allow(key)
    for key in "abc":  # pretend these were last seen two minutes ago
        limiter._seen[key][-1] -= 120
    limiter.allow("e")
    assert set(limiter._seen) == {"d", "e"}
