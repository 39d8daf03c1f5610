"""Per-conversation turn locks (``assistant/locks.py``): in-process, and in a real Redis server shared by
several real processes. FIFO per conversation, other conversations never wait, a killed holder's lock expires."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from assistant.errors import LockError
from assistant.locks import InMemoryLockStore, RedisLockStore
from assistant.redis_client import connect_redis
from cartwise.settings import REPO_ROOT

StoreFactory = Callable[..., Any]


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> StoreFactory:
    if request.param == "memory":
        return lambda wait_s=5.0, lifetime_s=60.0: InMemoryLockStore(wait_s=wait_s)
    url = request.getfixturevalue("redis_url")
    return lambda wait_s=5.0, lifetime_s=60.0: RedisLockStore(connect_redis(url), lifetime_s=lifetime_s,
                                                              wait_s=wait_s)


def test_turns_of_one_conversation_run_one_at_a_time_in_arrival_order(make_store: StoreFactory) -> None:
    store = make_store()
    order: list[int] = []
    inside = 0
    overlap = threading.Event()

    def turn(n: int) -> None:
        nonlocal inside
        with store.lock("conv-1"):
            inside += 1
            if inside > 1:
                overlap.set()
            time.sleep(0.02)
            order.append(n)
            inside -= 1

    with store.lock("conv-1"):  # hold it while the turns queue up, one after another
        threads = []
        for n in range(6):
            threads.append(threading.Thread(target=turn, args=(n,)))
            threads[-1].start()
            time.sleep(0.05)  # each takes its ticket before the next arrives
    for t in threads:
        t.join(timeout=30)
    assert not overlap.is_set()
    assert order == list(range(6))


def test_another_conversation_never_waits(make_store: StoreFactory) -> None:
    store = make_store()
    with store.lock("busy"):
        done = threading.Event()

        def other() -> None:
            with store.lock("idle"):
                done.set()

        threading.Thread(target=other).start()
        assert done.wait(5), "a turn of another conversation waited for this one"


def test_waiting_too_long_is_a_clear_error_and_leaves_no_ticket_behind(make_store: StoreFactory) -> None:
    store = make_store(wait_s=0.3)
    errors: list[BaseException] = []

    def late() -> None:
        try:
            with store.lock("slow"):
                pass
        except LockError as exc:
            errors.append(exc)

    with store.lock("slow"):
        t = threading.Thread(target=late)
        t.start()
        t.join(timeout=10)
    assert errors and "CARTWISE_LOCK_WAIT_S" in str(errors[0])
    start = time.monotonic()
    with store.lock("slow"):  # the timed-out ticket is gone: nobody is ahead now
        assert time.monotonic() - start < 0.5


HOLDER = textwrap.dedent("""
    import sys, time
    from assistant.locks import RedisLockStore
    from assistant.redis_client import connect_redis
    store = RedisLockStore(connect_redis(sys.argv[1]), lifetime_s=float(sys.argv[2]))
    with store.lock("conv-killed"):
        print("held", flush=True)
        time.sleep(600)
""")

COUNTER = textwrap.dedent("""
    import sys, time
    from assistant.locks import RedisLockStore
    from assistant.redis_client import connect_redis
    client = connect_redis(sys.argv[1])
    store = RedisLockStore(client, wait_s=60)
    for _ in range(int(sys.argv[2])):
        with store.lock("conv-shared"):
            value = int(client.get("counter") or 0)  # read, think, write: lost updates without the lock
            time.sleep(0.002)
            client.set("counter", value + 1)
            client.rpush("log", sys.argv[3])
""")


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})


def test_redis_lock_serialises_turns_across_processes(redis_url: str) -> None:
    n = 40
    procs = [_python(COUNTER, redis_url, str(n), name) for name in "AB"]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
    client = connect_redis(redis_url)
    assert int(client.get("counter") or 0) == 2 * n  # no lost update
    log = [x.decode() for x in client.lrange("log", 0, -1)]
    assert sorted(log) == ["A"] * n + ["B"] * n and len(set(log)) == 2


def test_a_killed_holders_lock_expires_and_the_next_turn_runs(redis_url: str) -> None:
    lifetime = 2.0
    holder = _python(HOLDER, redis_url, str(lifetime))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held", holder.stderr
        killed_at = time.monotonic()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.communicate()  # closes its pipes (an unclosed one is a ResourceWarning, an error here)
    store = RedisLockStore(connect_redis(redis_url), lifetime_s=lifetime, wait_s=lifetime + 10)
    with store.lock("conv-killed"):
        waited = time.monotonic() - killed_at
    # Not before the dead holder's ticket ran out, and not much after.
    assert lifetime - 0.5 <= waited <= lifetime + 3, waited


def test_live_tickets_outlast_their_lifetime_running_or_waiting(redis_url: str) -> None:
    """A slow turn keeps its lock past ``lifetime_s`` (renewed while it runs), and the turn waiting behind it
    keeps its place (renewed on every poll): it is served right after, not overtaken, not expired."""
    store = RedisLockStore(connect_redis(redis_url), lifetime_s=0.5, wait_s=10)
    got, errors = threading.Event(), []

    def waiter() -> None:
        try:
            with store.lock("long"):
                got.set()
        except LockError as exc:
            errors.append(exc)

    with store.lock("long"):  # a turn three lifetimes long (a slow LLM reply)
        t = threading.Thread(target=waiter)
        t.start()
        overtaken = got.wait(1.5)
    t.join(timeout=10)
    assert not overtaken, "the waiting turn ran while the slow turn still held the lock"
    assert got.is_set() and not errors, errors
