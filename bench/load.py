"""Load test: N concurrent simulated shoppers against the JSON API served by uvicorn on loopback.

Each shopper plays a scripted five-turn conversation in its own session: search -> refine ("cheaper") ->
"tell me about the second one" -> a tea-party bundle with its own budget -> the returns policy. Every
reply is checked against that shopper's own earlier replies, so a session seeing another session's state
(shown products, focus, bundle budget) counts as an error.

The run measures, against one server process started here (``python app.py --no-build`` on a free port):

1. baseline: the same scripts played by one shopper at a time (measured first and again last);
2. ``closed``: N shoppers at once, each sending its next message as soon as the reply arrives (stress);
3. ``think``: N shoppers arriving at random moments in the first 6 s and pausing a seeded random 2-6 s
   between messages, as people typing do.

Usage:
    python bench/load.py                         # 20 shoppers, writes nothing
    python bench/load.py --shoppers 8 --json-out var/reports/load.json
    python bench/load.py --url http://127.0.0.1:7860   # an already running app

Prints one JSON line and a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np

if TYPE_CHECKING:
    from loopback_http import LoopbackClient

REPO = Path(__file__).resolve().parent.parent
SEED = 20261127
ITEMS = ["lunch bags", "cake stands", "t-light holders", "mugs", "cushion covers", "doormats", "bunting",
         "lanterns", "photo frames", "wall clocks", "jigsaws", "notebooks", "tea towels", "aprons", "paper napkins",
         "gift wrap", "hot water bottles", "alarm clocks", "cake tins", "christmas baubles"]
MAX_SHOPPERS = 200
MAX_SECONDS = 900


@dataclass
class Turn:
    shopper: int
    step: str
    seconds: float
    status: int
    problem: str = ""
    retried: int = 0


@dataclass
class Shopper:
    """One scripted conversation; :meth:`run` plays it and checks every reply against its own history."""

    index: int
    base_url: str
    think: tuple[float, float] = (0.0, 0.0)
    session: str = field(default_factory=lambda: f"load-{uuid.uuid4().hex[:16]}")
    turns: list[Turn] = field(default_factory=list)
    retries: int = 0  # extra tries after a connection error or a 5xx (a worker killed mid-turn), same session
    keep: bool = False  # leave the conversation stored for the caller to check, instead of deleting it

    @property
    def item(self) -> str:
        return ITEMS[self.index % len(ITEMS)]

    @property
    def budget(self) -> int:
        return 20 + self.index  # unique per shopper: the bundle's budget tells whose state it was built from

    def _send(self, client: httpx.Client, step: str, message: str) -> dict[str, Any] | None:
        start = time.perf_counter()
        for attempt in range(self.retries + 1):
            try:
                response = client.post("/api/chat", json={"message": message, "session_id": self.session})
                status = response.status_code
                body = response.json() if status == 200 else None
                problem = "" if status == 200 else f"HTTP {status}: {response.text[:120]}"
            except (httpx.HTTPError, ValueError) as exc:
                status, body, problem = 0, None, f"{type(exc).__name__}: {exc}"
            if (status == 0 or status >= 500) and attempt < self.retries:
                time.sleep(0.2 * (attempt + 1))  # a new connection: the kernel hands it to a live worker
                continue
            break
        self.turns.append(Turn(self.index, step, time.perf_counter() - start, status, problem, attempt))
        return body

    def _flag(self, problem: str) -> None:
        self.turns[-1].problem = self.turns[-1].problem or problem

    def script(self) -> list[tuple[str, str]]:
        return [
            ("search", f"show me {self.item}"),
            ("refine", "cheaper"),
            ("second", "tell me about the second one"),
            ("bundle", f"put together a gift set for a tea party under £{self.budget}"),
            ("policy", "what is your returns policy?"),
        ]

    async def run_async(self, client: LoopbackClient) -> None:
        """The same script and checks as :meth:`run`, no think time or retries, on one event loop's connection."""
        replies: dict[str, dict[str, Any] | None] = {}
        for step, message in self.script():
            start = time.perf_counter()
            try:
                status, body = await client.post_json("/api/chat", {"message": message, "session_id": self.session})
                problem = "" if status == 200 else f"HTTP {status}: {str(body)[:120]}"
            except (OSError, TimeoutError, ValueError) as exc:
                status, body, problem = 0, None, f"{type(exc).__name__}: {exc}"
            self.turns.append(Turn(self.index, step, time.perf_counter() - start, status, problem))
            reply = replies[step] = body if status == 200 else None
            if reply is not None:
                self._check(step, reply, replies)
        if not self.keep:
            await client.request("DELETE", f"/api/session/{self.session}")
        await client.close()

    def run(self, rng: random.Random) -> None:
        with httpx.Client(base_url=self.base_url, timeout=120) as client:
            replies: dict[str, dict[str, Any] | None] = {}
            for n, (step, message) in enumerate(self.script()):
                if self.think[1] > 0:
                    # Shoppers arrive at random moments and then type between messages; no thundering herd.
                    time.sleep(rng.uniform(0.0, self.think[1]) if n == 0 else rng.uniform(*self.think))
                reply = replies[step] = self._send(client, step, message)
                if reply is None:
                    continue
                self._check(step, reply, replies)
            if not self.keep:
                client.delete(f"/api/session/{self.session}")

    def _check(self, step: str, reply: dict[str, Any], replies: dict[str, dict[str, Any] | None]) -> None:
        if not reply.get("text"):
            self._flag("empty reply")
        if reply.get("session_id") != self.session:
            self._flag(f"reply for session {reply.get('session_id')} instead of {self.session}")
        ids = [p["id"] for p in reply.get("products", [])]
        if step == "search" and not ids:
            self._flag(f"no products for {self.item!r}")
        if step == "second":
            shown = [p["id"] for p in (replies.get("refine") or {}).get("products", [])]
            if len(shown) >= 2 and ids[:1] != shown[1:2]:
                self._flag(f"'the second one' gave {ids[:1]}, this session showed {shown[:3]}")
        if step == "bundle":
            bundle = reply.get("bundle") or {}
            budget = bundle.get("budget")
            if not bundle.get("items") or budget is None or float(budget) != float(self.budget):
                self._flag(f"bundle budget {budget}, this shopper asked for {self.budget}")
        if step == "policy" and not reply.get("sources"):
            self._flag("policy answer without sources")


def play(base_url: str, shoppers: int, think: tuple[float, float], concurrent: bool, seed: int) -> dict[str, Any]:
    """Play ``shoppers`` scripts (all at once, or one after another) and summarise the turns."""
    crowd = [Shopper(i, base_url, think) for i in range(shoppers)]
    rngs = [random.Random(seed + i) for i in range(shoppers)]
    start = time.perf_counter()
    if concurrent:
        threads = [threading.Thread(target=s.run, args=(r,), daemon=True) for s, r in zip(crowd, rngs, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=MAX_SECONDS)
    else:
        for s, r in zip(crowd, rngs, strict=True):
            s.run(r)
    wall = time.perf_counter() - start
    turns = [t for s in crowd for t in s.turns]
    return summarise(turns, wall)


async def play_crowd(crowd: list[Shopper], keep_alive: bool = True) -> None:
    """All of ``crowd`` at once in one event loop, each shopper on its own keep-alive connection (or, with
    ``keep_alive=False``, a new connection per turn)."""
    from loopback_http import LoopbackClient  # here: tests load this module by path, without bench/ on sys.path

    await asyncio.gather(*(s.run_async(LoopbackClient(s.base_url, keep_alive=keep_alive)) for s in crowd))


def summarise(turns: list[Turn], wall: float) -> dict[str, Any]:
    latencies = np.asarray([t.seconds for t in turns if t.status == 200]) * 1000
    problems = [f"shopper {t.shopper} {t.step}: {t.problem}" for t in turns if t.problem]
    pct = (lambda q: round(float(np.percentile(latencies, q)), 1)) if len(latencies) else (lambda q: None)
    return {"turns": len(turns), "errors": len(problems), "wall_s": round(wall, 2),
            "throughput_turns_per_s": round(len(turns) / wall, 2) if wall else None,
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": pct(100), "problems": problems[:20]}


def services() -> Any:
    """``scripts/services.py`` (loaded by path: it is not a package), with the one wait-for-/healthz helper."""
    import importlib.util

    name = "cartwise_scripts_services"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "services.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def start_app(port: int, log: Path) -> subprocess.Popen[bytes]:
    # All simulated shoppers come from 127.0.0.1: lift the per-client limit (the per-session one stays).
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CARTWISE_RATE_LIMIT_PER_CLIENT_PER_MINUTE": "100000"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--no-build"], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    svc = services()
    try:
        svc.wait_healthy(f"http://127.0.0.1:{port}", 300,
                         lambda: None if proc.poll() is None else f"app.py exited with {proc.returncode}; see {log}")
    except svc.ServiceError as exc:
        proc.kill()
        raise SystemExit(str(exc)) from exc
    return proc


def markdown(results: dict[str, dict[str, Any]], baseline_p95: float | None) -> str:
    lines = ["| scenario | turns | errors | wall s | turns/s | p50 ms | p95 ms | p99 ms | p95 / single p95 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        ratio = round(r["p95_ms"] / baseline_p95, 1) if baseline_p95 and r["p95_ms"] else "-"
        lines.append(f"| {name} | {r['turns']} | {r['errors']} | {r['wall_s']} | {r['throughput_turns_per_s']} | "
                     f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", type=int, default=20, help=f"concurrent shoppers (1-{MAX_SHOPPERS})")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0), metavar=("MIN_S", "MAX_S"),
                        help="pause between a shopper's messages in the 'think' scenario (default 2 6)")
    parser.add_argument("--url", help="use a running app instead of starting one")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    shoppers = max(1, min(args.shoppers, MAX_SHOPPERS))

    proc = None
    base_url = args.url
    if base_url is None:
        from socket import socket

        with socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = REPO / "var" / "reports" / "load_app.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        proc = start_app(port, log)
        base_url = f"http://127.0.0.1:{port}"
    try:
        # Warm-up, not measured: the first search builds the BM25 index and fills caches, for every scenario alike.
        play(base_url, shoppers, (0.0, 0.0), concurrent=False, seed=args.seed)
        load_start = os.getloadavg()
        results = {
            "single shopper (baseline)": play(base_url, shoppers, (0.0, 0.0), False, args.seed),
            f"{shoppers} concurrent, no think time": play(base_url, shoppers, (0.0, 0.0), True, args.seed),
            f"{shoppers} concurrent, think {args.think[0]:g}-{args.think[1]:g} s": play(
                base_url, shoppers, tuple(args.think), True, args.seed),
            # The baseline again: if the two differ a lot, the machine's load changed during the run.
            "single shopper (baseline, again)": play(base_url, shoppers, (0.0, 0.0), False, args.seed),
        }
        load_end = os.getloadavg()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    baseline = results["single shopper (baseline)"]["p95_ms"]
    summary = {"bench": "load", "shoppers": shoppers, "turns_per_shopper": 5, "seed": args.seed,
               "loadavg_start": [round(x, 2) for x in load_start], "loadavg_end": [round(x, 2) for x in load_end],
               "results": results}
    from benchlib import emit  # here, not at the top: tests load this module by path for its shoppers

    emit(summary, args.json_out)
    print()
    print(markdown(results, baseline))
    errors = sum(r["errors"] for r in results.values())
    for name, r in results.items():
        for problem in r["problems"]:
            print(f"{name}: {problem}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
