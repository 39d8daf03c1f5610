from __future__ import annotations

import threading
from typing import Any

import pytest

from assistant.rate_limit import RateLimiter

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def test_limit_per_key_in_a_sliding_minute() -> None:
    limiter = RateLimiter(per_minute=2)
    assert limiter.allow("a", now=0.0) and limiter.allow("a", now=1.0)
    assert not limiter.allow("a", now=2.0)
    assert limiter.allow("b", now=2.0)  # another key has its own budget
    assert not limiter.allow("a", now=59.9)
    assert limiter.allow("a", now=60.5)  # the first event left the window


def test_idle_keys_are_forgotten_before_busy_ones_when_the_table_is_full() -> None:
    limiter = RateLimiter(per_minute=5, max_keys=3)
    for key in "abc":
        limiter.allow(key, now=0.0)
    limiter.allow("c", now=100.0)  # c is still active
    limiter.allow("d", now=100.0)  # table full: a and b (idle for over a minute) go
    assert set(limiter._hits) == {"c", "d"}
    for key in "efg":  # nothing idle left: the oldest keys go, the table stays bounded
        limiter.allow(key, now=101.0)
    assert len(limiter) == 3


def test_concurrent_callers_never_exceed_the_limit() -> None:
    limiter = RateLimiter(per_minute=50)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(40):
            ok = limiter.allow("shared")
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 50 and len(allowed) == 320


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="per_minute"):
        RateLimiter(per_minute=0)


def test_redis_limit_is_one_budget_for_every_client_of_the_server(redis_url: str) -> None:
    from assistant.rate_limit import RedisRateLimiter
    from assistant.redis_client import connect_redis

    # Two limiters on two connections stand for two worker processes.
    first, second = (RedisRateLimiter(connect_redis(redis_url), per_minute=3) for _ in range(2))
    assert [first.allow("s"), second.allow("s"), first.allow("s")] == [True, True, True]
    assert not second.allow("s") and not first.allow("s")
    assert second.allow("other")  # another key has its own budget
    other_name = RedisRateLimiter(connect_redis(redis_url), per_minute=3, prefix="cartwise:test:other:")
    assert other_name.allow("s")  # and so does another limit


def test_redis_going_away_while_serving_is_a_clear_error(redis_server: Any, service_scripts: Any) -> None:
    """(``redis_server``: skipped, with the reason, where redis-server is not installed.)"""
    from assistant.errors import SharedStateError
    from assistant.locks import RedisLockStore
    from assistant.rate_limit import RedisRateLimiter
    from assistant.redis_client import connect_redis

    server = service_scripts.RedisServer().start()
    client = connect_redis(server.url, timeout_s=0.5)
    limiter, locks = RedisRateLimiter(client, per_minute=3), RedisLockStore(client)
    assert limiter.allow("s")
    server.stop()
    with pytest.raises(SharedStateError, match="CARTWISE_REDIS_URL"):
        limiter.allow("s")
    with pytest.raises(SharedStateError, match="turn lock"), locks.lock("s"):
        pass
