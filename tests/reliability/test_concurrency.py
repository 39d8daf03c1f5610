"""Concurrent shoppers through the real HTTP stack never see each other's state: the scripted conversations of
``bench/load.py`` (search, refine, "the second one", a bundle with a per-shopper budget, policy) played at once
against uvicorn on loopback, each reply checked against its own session's history."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn
from reliability_procs import free_port

from cartwise.settings import REPO_ROOT
from web.api import create_app


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cartwise_bench_load", REPO_ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def live_api(giftshop_bot: Any) -> Iterator[str]:
    port = free_port()
    settings = giftshop_bot.settings.model_copy(update={"port": port})
    server = uvicorn.Server(uvicorn.Config(create_app(settings, giftshop_bot, with_ui=False), host="127.0.0.1",
                                          port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_concurrent_shoppers_keep_their_own_state(live_api: str) -> None:
    bench = load_bench()
    result = bench.play(live_api, shoppers=8, think=(0.0, 0.0), concurrent=True, seed=1)
    assert result["turns"] == 8 * 5
    assert result["errors"] == 0, "\n".join(result["problems"])


def test_the_isolation_check_catches_a_shared_session(live_api: str) -> None:
    """Another shopper's turns in the same session are flagged: proves the check above can fail."""
    bench = load_bench()
    mine, intruder = bench.Shopper(0, live_api), bench.Shopper(1, live_api)
    intruder.session = mine.session
    with httpx.Client(base_url=live_api, timeout=60) as client:
        replies = {"search": mine._send(client, "search", f"show me {mine.item}")}
        replies["refine"] = mine._send(client, "refine", "cheaper")
        intruder._send(client, "search", f"show me {intruder.item}")
        intruder._send(client, "refine", "cheaper")
        reply = mine._send(client, "second", "tell me about the second one")
        mine._check("second", reply, replies)
        client.delete(f"/api/session/{mine.session}")
    assert "'the second one' gave" in mine.turns[-1].problem
