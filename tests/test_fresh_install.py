"""A first start on an empty var directory: ``python app.py`` serves at once and its console stays clean.

Runs the real app in a subprocess on the electronics demo shop (552 products: the same build path as
giftshop minus the orders, so the test takes about a minute). The fine-tuned intent model is left to
train in the background; the test checks it is started and that stopping the server stops it too.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cartwise.settings import REPO_ROOT

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

# What the shopper-facing console must not show: library loading tables and progress bars, warnings.
NOISE = ("Loading weights", "MISSING", "UNEXPECTED", "Consider training", "Warning", "warn(", "it/s]", "Batches:")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_first_start_serves_the_embedding_head_with_one_clean_display(tmp_path: Path) -> None:
    var, port = tmp_path / "var", _free_port()
    env = {
        **os.environ,
        "CARTWISE_VAR_DIR": str(var),
        "CARTWISE_SHOP": "electronics",
        "CARTWISE_INTENT_SERVING": "auto",
        "PYTHONUNBUFFERED": "1",
    }
    console = tmp_path / "console.txt"
    started = time.perf_counter()
    with console.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=out, stderr=out
        )
    try:
        health = _wait_for_health(port, app, console, timeout_s=600)
        first_answer_s = time.perf_counter() - started
        assert health["intent_model"] == "embedding-head", health
        assert health["products"] == 552
        reply = httpx.post(
            f"http://127.0.0.1:{port}/api/chat", json={"message": "a 65 inch tv under $1000"}, timeout=60
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["intent"] == "search_product" and reply.json()["products"]
    finally:
        app.send_signal(signal.SIGINT)  # what Ctrl-C does
        app.wait(timeout=60)
    shown = console.read_text(encoding="utf-8", errors="replace")
    for noise in NOISE:
        assert noise not in shown, f"{noise!r} reached the console:\n{shown}"
    for stage in ("product index", "552/552 products", "intent model: embedding head"):
        assert stage in shown, shown
    assert "intent model: embedding-head" in shown and "trains in the background" in shown
    log = (var / "logs" / "cartwise.log").read_text(encoding="utf-8")
    assert "build stage done: product index" in log
    child = re.search(r"fine-tuning the intent model in the background \(pid (\d+)", log)
    assert child, log[-3000:]
    _assert_gone(int(child.group(1)))  # stopping the server stops the background fine-tune
    print(f"first /healthz after {first_answer_s:.0f} s")


def _wait_for_health(port: int, app: subprocess.Popen[bytes], console: Path, timeout_s: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.poll() is not None:
            pytest.fail(f"app.py exited with {app.returncode}:\n{console.read_text(errors='replace')[-4000:]}")
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except httpx.TransportError:
            pass
        time.sleep(1)
    pytest.fail(f"no /healthz within {timeout_s} s:\n{console.read_text(errors='replace')[-4000:]}")


def _assert_gone(pid: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    pytest.fail(f"the background fine-tune (pid {pid}) outlived the server")
