"""Many processes, one shop: throughput of 1 vs 2 app workers, a worker killed mid-load, and one conversation's
turns sent to two workers at once. Everything runs on loopback against services this script starts.

Setup (not timed): a Chroma server, a PostgreSQL cluster and a Redis server (``scripts/services.py``) on free
loopback ports, with the built giftshop copied into them (3.7k products with their vectors; the orders of 153
customers). Each worker finds them from ``CARTWISE_*`` settings alone.

Scenarios, all with the scripted five-turn shoppers of ``bench/load.py`` (search, refine, "the second one", a
bundle with the shopper's own budget, returns policy; every reply checked against the shopper's own history):

1. ``1 worker``: one ``uvicorn --factory composition:worker_app`` process; ``--shoppers`` concurrent shoppers over
   HTTP, no think time, ``--rounds`` times; turns/s, p50/p95/p99, errors; the worker's memory.
2. ``same conversation``: a second worker beside the first; ``--burst`` turns of one conversation sent at once,
   alternately to both: stored in order, none lost, none interleaved?
3. ``2 workers``: ``cartwise serve --workers 2``, the same load; the ratio to scenario 1 is the headline.
4. ``kill``: the same load against ``cartwise serve --workers 2`` with clients that retry (a new connection, same
   session); one worker is SIGKILLed once a third of the turns are answered. Afterwards every conversation is
   read back from PostgreSQL: each answered turn stored, whole, in order; every script finished and passed its
   continuity checks (so retried turns continued the same conversation on the other worker).
5. ``1 worker (again)``: scenario 1 repeated last: a drift check on this shared machine.

Usage:
    python bench/bench_workers.py --json-out var/bench/workers.json

Prints one JSON line and Markdown tables (docs/benchmarks/scaleout.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from load import SEED, Shopper, play_crowd, services, summarise  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.redact import redact  # noqa: E402  (after the path is set)
from cartwise.cpu import machine_cpu_seconds  # noqa: E402
from cartwise.settings import Settings  # noqa: E402


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds ``pid`` has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [d for c in children for d in descendants(c)]


def load_run(url: str, shoppers: int, rounds: int, seed: int,
             components: dict[str, Callable[[], list[int]]] | None = None, client: str = "asyncio") -> dict[str, Any]:
    """``rounds`` rounds of ``shoppers`` concurrent scripted shoppers; one summary over all turns, with the CPU
    seconds each component (``components``: name -> pids) and this load generator used during them.

    ``client``: ``"asyncio"`` plays every shopper on one event loop (``bench/loopback_http.py``, little CPU taken
    from the workers), each on one keep-alive connection; ``"asyncio, a connection per turn"`` the same with a
    new connection per turn (shoppers pausing longer than the keep-alive timeout); ``"httpx threads"`` gives
    each shopper a thread and an ``httpx.Client`` (the earlier generator, kept as a same-run comparison)."""
    def round_of(crowd: list[Shopper], r: int) -> None:
        if client.startswith("asyncio"):
            asyncio.run(play_crowd(crowd, keep_alive=client == "asyncio"))
            return
        threads = [threading.Thread(target=s.run, args=(random.Random(seed + r * 1000 + i),))
                   for i, s in enumerate(crowd)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=900)

    round_of([Shopper(i, url) for i in range(shoppers)], -1)  # warm-up, not measured
    # After the warm-up: PostgreSQL's backends exist once the workers have connected.
    pids = {name: find() for name, find in (components or {}).items()} | {"load generator": [os.getpid()]}
    cpu_before = {name: sum(cpu_seconds(p) for p in found) for name, found in pids.items()}
    busy_before, total_before = machine_cpu_seconds()
    load_start, turns, wall = os.getloadavg(), [], 0.0
    for r in range(rounds):
        crowd = [Shopper(i, url) for i in range(shoppers)]
        start = time.perf_counter()
        round_of(crowd, r)
        wall += time.perf_counter() - start
        turns += [t for s in crowd for t in s.turns]
    result = summarise(turns, wall)
    result["cpu_s"] = {name: round(sum(cpu_seconds(p) for p in found) - cpu_before[name], 1)
                       for name, found in pids.items()}
    busy_after, total_after = machine_cpu_seconds()
    result["cpu_s"]["whole machine (busy of available)"] = (
        f"{busy_after - busy_before:.1f} of {total_after - total_before:.1f}")
    result["loadavg_start"] = [round(x, 2) for x in load_start]
    result["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def stored(engine: Any, session: str) -> tuple[list[tuple[str, str]], dict[str, Any] | None]:
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = [(r[0], r[1]) for r in conn.execute(
            text("SELECT role, text FROM dialog_messages WHERE session_id = :s ORDER BY id"), {"s": session})]
        state = conn.execute(text("SELECT state_json FROM dialog_sessions WHERE session_id = :s"),
                             {"s": session}).scalar()
    return rows, json.loads(state) if state else None


def same_conversation(urls: list[str], burst: int, engine: Any) -> dict[str, Any]:
    """``burst`` turns of one conversation released at once, alternately to each worker."""
    session = f"burst-{uuid.uuid4().hex[:8]}"
    barrier, codes = threading.Barrier(burst), {}

    def send(i: int) -> None:
        barrier.wait()
        response = httpx.post(f"{urls[i % len(urls)]}/api/chat", timeout=300,
                              json={"message": f"show me mugs, message {i}", "session_id": session})
        codes[i] = (response.status_code, response.json().get("text") if response.status_code == 200 else None)

    start = time.perf_counter()
    threads = [threading.Thread(target=send, args=(i,)) for i in range(burst)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - start
    rows, state = stored(engine, session)
    users = [t for r, t in rows[::2]]
    pairs_whole = [r for r, _ in rows] == ["user", "assistant"] * (len(rows) // 2) and len(rows) % 2 == 0
    # Transcripts are stored redacted (a reply quoting the shop's phone number is stored with "[phone]"), so the
    # reply a client got is compared in the form it is stored.
    replies_after_own_message = all(
        rows[k + 1][1] == redact(codes[int(users[k // 2].rsplit(" ", 1)[1])][1]) for k in range(0, len(rows), 2)
    ) if pairs_whole else False
    return {"turns_sent": burst, "answered_200": sum(c == 200 for c, _ in codes.values()), "wall_s": round(wall, 2),
            "stored_turns": len(rows) // 2, "state_turn": state and state["turn"],
            "lost": burst - len(set(users)), "interleaved": not (pairs_whole and replies_after_own_message)}


def kill_run(server: Any, shoppers: int, seed: int, engine: Any) -> dict[str, Any]:
    """Load with retrying clients; SIGKILL one worker when a third of the turns are answered; check every
    conversation in the database afterwards."""
    crowd = [Shopper(i, server.url, retries=6, keep=True) for i in range(shoppers * 2)]
    expected = len(crowd) * 5
    killed: dict[str, Any] = {}

    def killer() -> None:
        while sum(len(s.turns) for s in crowd) < expected // 3:
            time.sleep(0.02)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        killed.update(pid=victim, at_turn=sum(len(s.turns) for s in crowd))

    threads = [threading.Thread(target=s.run, args=(random.Random(seed + i),))
               for i, s in enumerate(crowd)]
    watcher = threading.Thread(target=killer, daemon=True)
    start = time.perf_counter()
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    wall = time.perf_counter() - start
    turns = [t for s in crowd for t in s.turns]
    summary = summarise(turns, wall)
    lost, broken, duplicated, unfinished = 0, 0, 0, 0
    for s in crowd:
        rows, state = stored(engine, s.session)
        answered = [t for t in s.turns if t.status == 200]
        unfinished += len(answered) < 5
        if [r for r, _ in rows] != ["user", "assistant"] * (len(rows) // 2) or not state \
                or state["turn"] != len(rows) // 2:
            broken += 1
        duplicated += max(0, len(rows) // 2 - len(answered))  # stored, but the answer died with the worker
        lost += max(0, len(answered) - len(rows) // 2)
    deadline = time.monotonic() + 180
    while len(server.worker_pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    summary.update(conversations=len(crowd), killed_worker=killed, retried_turns=sum(t.retried > 0 for t in turns),
                   stored_turns_lost=lost, conversations_broken=broken, turns_stored_twice=duplicated,
                   scripts_unfinished=unfinished, workers_after=len(server.worker_pids()))
    return summary


def markdown(results: dict[str, Any]) -> str:
    lines = ["| scenario | turns | errors | wall s | turns/s | p50 ms | p95 ms | p99 ms | RSS per worker MB |"
             " load avg (1 min) start→end |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name in ("1 worker", "2 workers", "1 worker, a connection per turn", "2 workers, a connection per turn",
                 "1 worker, httpx threads", "2 workers, httpx threads", "kill one of 2 workers", "1 worker (again)"):
        r = results.get(name)
        if r:
            load = f"{r['loadavg_start'][0]}→{r['loadavg_end'][0]}" if "loadavg_start" in r else "-"
            lines.append(f"| {name} | {r['turns']} | {r['errors']} | {r['wall_s']} | {r['throughput_turns_per_s']} | "
                         f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r.get('rss_mb', '-')} | {load} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    svc = services()
    work = Path(tempfile.mkdtemp(prefix="cartwise-bench-workers-"))
    chroma, postgres, redis = svc.ChromaServer().start(), svc.PostgresCluster().start(), svc.RedisServer().start()
    results: dict[str, Any] = {}
    try:
        local = Settings(shop="giftshop")
        target = Settings(shop="giftshop", chroma_url=chroma.url, database_url=postgres.url, var_dir=work / "var",
                          intent_model_dir=local.intent_model_path, redis_url=redis.url)
        svc.copy_shop(local, target, ("17850", "12347", "12583"), 150)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "CARTWISE_SHOP": "giftshop", "CARTWISE_CHROMA_URL": chroma.url,
               "CARTWISE_DATABASE_URL": postgres.url, "CARTWISE_REDIS_URL": redis.url,
               "CARTWISE_VAR_DIR": str(work / "var"), "CARTWISE_INTENT_MODEL_DIR": str(local.intent_model_path),
               # All simulated shoppers come from 127.0.0.1 and send fast: lift both limits.
               "CARTWISE_RATE_LIMIT_PER_CLIENT_PER_MINUTE": "1000000", "CARTWISE_RATE_LIMIT_PER_MINUTE": "100000"}
        from sqlalchemy import create_engine

        engine = create_engine(postgres.url)

        postmaster = int((postgres.datadir / "postmaster.pid").read_text().split()[0])
        shared = {"chroma server": lambda: [chroma._proc.pid], "redis": lambda: [redis._proc.pid],
                  "postgresql": lambda: [postmaster, *descendants(postmaster)]}

        def one_worker(name: str) -> Any:
            return svc.AppServer(env=env, log=work / f"{name}.log").start()

        first = one_worker("w1")
        try:
            results["1 worker"] = load_run(first.url, args.shoppers, args.rounds, args.seed,
                                           shared | {"workers": first.worker_pids})
            results["1 worker"]["rss_mb"] = rss_mb(first.proc.pid)
            results["1 worker, a connection per turn"] = load_run(
                first.url, args.shoppers, args.rounds, args.seed, shared | {"workers": first.worker_pids},
                "asyncio, a connection per turn")
            results["1 worker, httpx threads"] = load_run(first.url, args.shoppers, args.rounds, args.seed,
                                                          shared | {"workers": first.worker_pids}, "httpx threads")
            second = one_worker("w2")
            try:
                results["same conversation, 2 workers"] = same_conversation([first.url, second.url], args.burst,
                                                                            engine)
            finally:
                second.stop()
        finally:
            first.stop()

        served = svc.AppServer(env=env, log=work / "serve2.log", workers=2).start()
        try:
            results["2 workers"] = load_run(served.url, args.shoppers, args.rounds, args.seed,
                                            shared | {"workers": served.worker_pids})
            results["2 workers"]["rss_mb"] = "/".join(str(rss_mb(p)) for p in served.worker_pids())
            results["2 workers"]["supervisor_rss_mb"] = rss_mb(served.proc.pid)
            results["2 workers, a connection per turn"] = load_run(
                served.url, args.shoppers, args.rounds, args.seed, shared | {"workers": served.worker_pids},
                "asyncio, a connection per turn")
            results["2 workers, httpx threads"] = load_run(served.url, args.shoppers, args.rounds, args.seed,
                                                           shared | {"workers": served.worker_pids}, "httpx threads")
            results["kill one of 2 workers"] = kill_run(served, args.shoppers, args.seed, engine)
        finally:
            served.stop()

        again = one_worker("w1-again")
        try:
            results["1 worker (again)"] = load_run(again.url, args.shoppers, args.rounds, args.seed,
                                                   shared | {"workers": again.worker_pids})
            results["1 worker (again)"]["rss_mb"] = rss_mb(again.proc.pid)
        finally:
            again.stop()
        engine.dispose()
    finally:
        redis.stop()
        postgres.stop()
        chroma.stop()
        shutil.rmtree(work, ignore_errors=True)

    def speedup(two: str, one: str) -> float | None:
        a, b = results[two]["throughput_turns_per_s"], results[one]["throughput_turns_per_s"]
        return round(a / b, 2) if b else None

    summary = {"bench": "workers", "shoppers": args.shoppers, "rounds": args.rounds, "seed": args.seed,
               "cpus": os.cpu_count(), "speedup_2_vs_1": speedup("2 workers", "1 worker"),
               "speedup_2_vs_1_again": speedup("2 workers", "1 worker (again)"),
               "speedup_2_vs_1_httpx_threads": speedup("2 workers, httpx threads", "1 worker, httpx threads"),
               "speedup_2_vs_1_connection_per_turn": speedup("2 workers, a connection per turn",
                                                             "1 worker, a connection per turn"),
               "results": results}
    from benchlib import emit

    emit(summary, args.json_out)
    print()
    print(markdown(results))
    print()
    for name in ("1 worker", "2 workers", "1 worker, a connection per turn", "2 workers, a connection per turn",
                 "1 worker, httpx threads", "2 workers, httpx threads", "1 worker (again)"):
        print(f"CPU seconds during '{name}': {json.dumps(results[name]['cpu_s'])}")
    print(json.dumps(results["same conversation, 2 workers"]))
    errors = sum(r.get("errors", 0) for k, r in results.items() if k != "kill one of 2 workers")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
