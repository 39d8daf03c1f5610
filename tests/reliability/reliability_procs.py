"""Helpers for tests that run Cartwise as real processes: free ports, waiting for an app, small catalogs."""

from __future__ import annotations

import csv
import os
import random
import socket
import subprocess
import sys
from pathlib import Path

from services_loader import services_module

from app import cli_command
from cartwise.settings import REPO_ROOT

COLOURS = ["red", "pink", "blue", "green", "ivory", "black", "gold", "silver", "mint", "cream"]
PATTERNS = ["retrospot", "polkadot", "vintage", "regency", "paisley", "woodland", "floral", "gingham", "owl", "star"]
NOUNS = {"cake stand": "kitchen & baking", "t-light holder": "candles & lighting", "lunch bag": "bags",
         "mug": "kitchen & baking", "bunting": "party", "photo frame": "home decor", "notebook": "stationery & cards",
         "jigsaw": "toys & games", "planter": "garden & outdoor", "bauble": "christmas"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_catalog(path: Path, n: int, seed: int = 7) -> list[dict[str, str]]:
    """A giftshop-like catalog CSV of ``n`` products with ids ``GEN0000``...; returns its rows."""
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < n:
        noun = rng.choice(list(NOUNS))
        title = f"{rng.choice(COLOURS)} {rng.choice(PATTERNS)} {noun}".title()
        if title in seen:
            title = f"{title} No. {len(rows)}"
        seen.add(title)
        rows.append({"id": f"GEN{len(rows):04d}", "title": title,
                     "description": f"{title}, from our {NOUNS[noun]} range.",
                     "category": NOUNS[noun], "price": f"{rng.randrange(50, 3000) / 100:.2f}",
                     "stock": str(rng.choice([0, 5, 40]))})
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def cartwise_cmd(*args: str) -> list[str]:
    return cli_command(*args)


def child_env(**overrides: str) -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", **overrides}


class AppProcess:
    """``python app.py --port P --no-build`` as a child process.

    Args:
        port: where it listens.
        env: its environment (``CARTWISE_*`` settings).
        log: file for its output.
    """

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port, self.env, self.log = port, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240.0) -> AppProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "app.py", "--port", str(self.port), "--no-build"],
                                         cwd=REPO_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        proc = self.proc
        svc = services_module()
        try:
            svc.wait_healthy(self.url, timeout, lambda: None if proc.poll() is None else f"app.py exited with "
                             f"{proc.returncode}")
        except svc.ServiceError as exc:
            self.stop()
            raise RuntimeError(f"{exc}:\n{self.tail()}") from None
        return self

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.is_file() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what is on disk is all that survives."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
