"""Throwaway backing services on loopback: a Chroma server, a PostgreSQL cluster and a Redis server, each in its
own temp dir.

Used by the scale-out tests (``tests/scaleout``), the Redis tests and ``bench/bench_workers.py``, and by hand::

    python scripts/services.py            # starts all three, prints the CARTWISE_* settings, stops on Ctrl-C

Each service listens on a free 127.0.0.1 port and lives in a temporary directory removed on stop, so
several can run side by side and nothing touches a system-wide installation. PostgreSQL refuses to run as
root, so when started by root the cluster is created and run as the ``postgres`` system user (which
Debian's ``postgresql`` package creates).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


class ServiceError(RuntimeError):
    """A service could not be started; the message says what is missing and how to get it."""


def _end(proc: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds, a process this module started."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    # Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<version>/bin.
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in versions:
        if (folder / name).is_file():
            return str(folder / name)
    return None


def missing_binaries(redis: bool = False) -> list[str]:
    """Which of the needed executables (``chroma``, ``initdb``, ``pg_ctl``, with ``redis`` also
    ``redis-server``) are not installed."""
    need = {"chroma": shutil.which("chroma"), "initdb": _pg_bin("initdb"), "pg_ctl": _pg_bin("pg_ctl")}
    if redis:
        need["redis-server"] = shutil.which("redis-server")
    return [name for name, path in need.items() if not path]


@dataclass
class RedisServer:
    """``redis-server`` on a free loopback port, in-memory only (no snapshots), its files in a temp dir.

    Args:
        port: port (default: a free one).
    """

    port: int = 0
    root: Path | None = None
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30.0) -> RedisServer:
        exe = shutil.which("redis-server")
        if exe is None:
            raise ServiceError("`redis-server` is not installed: `apt-get install redis-server` provides it")
        self.root = Path(tempfile.mkdtemp(prefix="cartwise-redis-"))
        self.port = self.port or free_port()
        with open(self.root / "server.log", "wb") as log:
            self._proc = subprocess.Popen(
                [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root), "--save", "",
                 "--appendonly", "no", "--protected-mode", "yes"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ServiceError(f"redis-server exited with {self._proc.returncode}: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ServiceError(f"redis-server did not answer on port {self.port} within {timeout:.0f} s")

    def log_tail(self, n: int = 2000) -> str:
        log = self.root / "server.log" if self.root else None
        return log.read_text(errors="replace")[-n:] if log and log.is_file() else ""

    def stop(self) -> None:
        _end(self._proc)
        self._proc = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


@dataclass
class ChromaServer:
    """``chroma run`` on a free loopback port with its data in a temp dir.

    Args:
        path: data directory (default: a new temp dir, removed on stop).
        port: port (default: a free one).
    """

    path: Path | None = None
    port: int = 0
    _owned_dir: bool = False
    _proc: subprocess.Popen[bytes] | None = None
    _log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ChromaServer:
        exe = shutil.which("chroma")
        if exe is None:
            raise ServiceError("the `chroma` command is not installed: `pip install chromadb` provides it")
        if self.path is None:
            self.path, self._owned_dir = Path(tempfile.mkdtemp(prefix="cartwise-chroma-")), True
        self.port = self.port or free_port()
        self._log = self.path.parent / f"{self.path.name}.log"
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(
                [exe, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ServiceError(f"chroma run exited with {self._proc.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise ServiceError(f"chroma run did not answer on {self.url} within {timeout:.0f} s")

    def log_tail(self, n: int = 2000) -> str:
        return self._log.read_text(errors="replace")[-n:] if self._log and self._log.is_file() else ""

    def stop(self) -> None:
        _end(self._proc)
        self._proc = None
        if self._owned_dir and self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            if self._log:
                self._log.unlink(missing_ok=True)


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL cluster (``initdb`` + ``pg_ctl``) on a free loopback port, trust auth.

    Args:
        port: port (default: a free one).
        database: database created for Cartwise.
        user: superuser name of the cluster.
    """

    port: int = 0
    database: str = "cartwise"
    user: str = "cartwise"
    root: Path | None = None
    _as_postgres: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The SQLAlchemy URL (psycopg 3 driver)."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{self.database}"

    @property
    def datadir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def _run(self, args: list[str], timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*self._as_postgres, *args], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise ServiceError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()[-1500:]}")
        return done

    def start(self) -> PostgresCluster:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise ServiceError("PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                               "`apt-get install postgresql` provides them")
        self.root = Path(tempfile.mkdtemp(prefix="cartwise-pg-"))
        if os.geteuid() == 0:
            # initdb and postgres refuse to run as root: run them as the postgres system user.
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServiceError("running as root needs `runuser` to start PostgreSQL as the postgres user")
            self._as_postgres = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.root, user="postgres", group="postgres")
        self.port = self.port or free_port()
        self._run([initdb, "-D", str(self.datadir), "-U", self.user, "-A", "trust", "-E", "UTF8",
                   "--locale=C", "--no-sync"])
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run([pg_ctl, "-D", str(self.datadir), "-o", options, "-l", str(self.root / "server.log"),
                   "-w", "-t", "60", "start"])
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        return self

    def log_tail(self, n: int = 2000) -> str:
        log = self.root / "server.log" if self.root else None
        return log.read_text(errors="replace")[-n:] if log and log.is_file() else ""

    def stop(self) -> None:
        if self.root is None:
            return
        pg_ctl = _pg_bin("pg_ctl")
        if pg_ctl and (self.datadir / "postmaster.pid").is_file():
            subprocess.run([*self._as_postgres, pg_ctl, "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


def wait_healthy(url: str, timeout: float, alive: Callable[[], str | None] = lambda: None) -> float:
    """Poll ``url``/healthz until it answers 200; returns the seconds it took.

    Args:
        url: the app's base URL.
        timeout: give up after this many seconds.
        alive: called between polls; a message (the process exited, and why) aborts the wait.

    Raises:
        ServiceError: the app died (with ``alive``'s message) or did not answer in time.
    """
    import httpx

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        problem = alive()
        if problem:
            raise ServiceError(problem)
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise ServiceError(f"{url}/healthz did not answer within {timeout:.0f} s")


@dataclass
class AppServer:
    """Cartwise serving on a free loopback port: ``cartwise serve --workers N`` (``workers`` > 1), or one bare
    worker, ``uvicorn --factory composition:worker_app`` (the unit a process manager would run N times).

    Args:
        env: the environment, with the ``CARTWISE_*`` settings that point it at the shared services.
        log: file for its output.
        workers: with more than 1, ``cartwise serve --workers N``; otherwise one uvicorn worker, API only.
        port: port (default: a free one).
    """

    env: dict[str, str]
    log: Path
    workers: int = 1
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300.0) -> AppServer:
        self.port = self.port or free_port()
        if self.workers > 1:
            from app import cli_command

            cmd = [*cli_command(), "serve", "--no-build", "--workers", str(self.workers),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        else:
            cmd = [sys.executable, "-m", "uvicorn", "--factory", "composition:worker_app", "--host", "127.0.0.1",
                   "--port", str(self.port), "--log-level", "warning"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            wait_healthy(self.url, timeout, self._exited)
            deadline = time.monotonic() + timeout
            while len(self.worker_pids()) < self.workers or self._started() < self.workers:
                if time.monotonic() > deadline or self._exited():
                    raise ServiceError(f"not all {self.workers} workers started: {self.tail()}")
                time.sleep(0.3)
        except ServiceError:
            self.stop()
            raise
        return self

    def _exited(self) -> str | None:
        if self.proc is not None and self.proc.poll() is not None:
            return f"the app exited with {self.proc.returncode}:\n{self.tail()}"
        return None

    def _started(self) -> int:
        text = self.log.read_text(errors="replace") if self.log.is_file() else ""
        return max(1, text.count("Application startup complete")) if self.workers > 1 else 1

    def worker_pids(self) -> list[int]:
        """The processes serving requests: the uvicorn workers under ``cartwise serve``, or the one worker."""
        if self.proc is None:
            return []
        if self.workers == 1:
            return [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            pids = [int(p) for p in children.read_text().split()]
        except OSError:
            return []
        # uvicorn's multiprocessing also starts a resource tracker; a killed worker is a zombie until reaped.
        return [p for p in pids if "multiprocessing.resource_tracker" not in _cmdline(p) and not _zombie(p)]

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.is_file() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)


def _zombie(pid: int) -> bool:
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def copy_shop(local: Any, target: Any, keep_customers: Sequence[str] = (), sample_customers: int = 150,
              seed: int = 17) -> int:
    """Copy a built local shop into the services ``target`` points at: every product with its stored vector
    (no re-embedding) into the Chroma server, the products and the orders of ``keep_customers`` plus
    ``sample_customers`` drawn with ``seed`` into PostgreSQL, the co-purchase file into ``target.var_dir``;
    then index the policies there. Returns how many orders were copied.

    Args:
        local: the ``Settings`` of the built local shop (SQLite + embedded Chroma).
        target: the ``Settings`` with ``chroma_url``, ``database_url`` and ``var_dir`` of the shared services.
    """
    import random

    from cartwise.db import ShopDatabase
    from composition import ensure_built
    from retrieval.embeddings import Embedder
    from retrieval.store import ProductStore

    (target.shop_var_dir).mkdir(parents=True, exist_ok=True)
    shutil.copy(local.shop_var_dir / "copurchase.npz", target.shop_var_dir / "copurchase.npz")
    embedder = Embedder.from_settings(local)
    source_store = ProductStore.from_settings(local, embedder=embedder)
    products = source_store.all_products()
    vectors = source_store.embeddings([p.id for p in products])
    server_store = ProductStore.from_settings(target, embedder=embedder, create=True)
    server_store.upsert(products, batch_size=512, vectors=vectors)
    if server_store.count() != len(products):
        raise ServiceError(f"copied {len(products)} products, the Chroma server holds {server_store.count()}")

    source_db, db = ShopDatabase.from_settings(local), ShopDatabase.from_settings(target)
    db.upsert_products(products)
    rng = random.Random(seed)
    everyone = sorted(c.id for c in source_db.active_customers(limit=100_000))
    chosen = list(keep_customers) + rng.sample([c for c in everyone if c not in keep_customers], sample_customers)
    customers = [c for c in (source_db.get_customer(i) for i in chosen) if c is not None]
    orders = [o for c in customers for o in source_db.orders_for_customer(c.id, limit=100_000)]
    db.replace_orders(customers, orders)
    ensure_built(target)  # indexes the policies into the server; everything else is found there
    db.engine.dispose()
    source_db.engine.dispose()
    return len(orders)


def main() -> int:
    parser = argparse.ArgumentParser(description="Start a throwaway Chroma server, PostgreSQL cluster and Redis.")
    parser.add_argument("--no-chroma", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    chroma = None if args.no_chroma else ChromaServer().start()
    pg = None if args.no_postgres else PostgresCluster().start()
    redis = None if args.no_redis else RedisServer().start()
    try:
        if chroma:
            print(f"export CARTWISE_CHROMA_URL={chroma.url}")
        if pg:
            print(f"export CARTWISE_DATABASE_URL={pg.url}")
        if redis:
            print(f"export CARTWISE_REDIS_URL={redis.url}")
        print("# running; Ctrl-C stops them and deletes their data", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        if redis:
            redis.stop()
        if pg:
            pg.stop()
        if chroma:
            chroma.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
