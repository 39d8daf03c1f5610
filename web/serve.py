"""Serve Cartwise from one process or several: ``cartwise serve --workers N`` (and ``python app.py``).

One worker (the default) serves the Gradio UI, the widget and the JSON API, with SQLite, embedded Chroma and
in-process locks and rate limits: nothing to set up. ``--workers N`` runs N uvicorn worker processes on one
port (each with its own ``SO_REUSEPORT`` socket, so the kernel spreads new connections over them;
:class:`WorkerPool` replaces one that dies); each loads the models once and finds the shared services
from its ``CARTWISE_*`` settings alone: PostgreSQL (``CARTWISE_DATABASE_URL``), a Chroma server
(``CARTWISE_CHROMA_URL``) and Redis (``CARTWISE_REDIS_URL``) for per-conversation locks and rate limits.
Anything else is refused before a worker starts. The layout and every setting are in ``docs/deploy.md``.
This module runs processes; the app they serve is built by :mod:`composition` (``composition:worker_app``).

Example:
    $ CARTWISE_DATABASE_URL=postgresql+psycopg://cartwise@127.0.0.1:5432/cartwise \\
      CARTWISE_CHROMA_URL=http://127.0.0.1:8000 CARTWISE_REDIS_URL=redis://127.0.0.1:6379/0 \\
      cartwise serve --workers 2 --port 7860
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cartwise.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

logger = logging.getLogger(__name__)


class ServeError(RuntimeError):
    """The requested layout cannot run with these settings; the message names the settings to change."""


def shared_state_problems(settings: Settings) -> list[str]:
    """What keeps several app processes from sharing state safely (empty when nothing does).

    Example:
        >>> shared_state_problems(Settings(database_url="sqlite:///x.db"))[0][:22]
        'CARTWISE_DATABASE_URL '
    """
    problems = []
    if settings.database_url_resolved.startswith("sqlite"):
        problems.append("CARTWISE_DATABASE_URL is SQLite (one file, one machine): set a PostgreSQL URL, "
                        "e.g. postgresql+psycopg://cartwise@127.0.0.1:5432/cartwise")
    if not settings.chroma_url:
        problems.append("CARTWISE_CHROMA_URL is unset (embedded Chroma must not be opened by several processes): "
                        "start `chroma run --path DIR --port 8000` and set CARTWISE_CHROMA_URL=http://127.0.0.1:8000")
    if not settings.redis_url:
        problems.append("CARTWISE_REDIS_URL is unset (turn locks and rate limits would be per process): "
                        "start `redis-server` and set CARTWISE_REDIS_URL=redis://127.0.0.1:6379/0")
    return problems


def check_layout(settings: Settings, workers: int) -> None:
    """Refuse several workers without shared services; check that a configured Redis answers (fast).

    Raises:
        ServeError: several workers on process-local state.
        SharedStateError: ``CARTWISE_REDIS_URL`` is set but nothing answers there.
    """
    if workers < 1:
        raise ServeError(f"--workers must be at least 1; got {workers}")
    problems = shared_state_problems(settings) if workers > 1 else []
    if problems:
        raise ServeError(f"--workers {workers} needs state every process can share (see docs/deploy.md):\n  - "
                         + "\n  - ".join(problems))
    if settings.redis_url:
        from assistant.redis_client import redis_from_settings

        client = redis_from_settings(settings)
        if client is not None:
            client.close()


def build_once(settings: Settings, build: Callable[[Settings], None]) -> None:
    """Run ``build`` (a module-level function: it is pickled by name) in a child process, so the supervisor of the
    workers stays small."""
    process = multiprocessing.get_context("spawn").Process(target=build, args=(settings,), name="cartwise-build")
    process.start()
    process.join()
    if process.exitcode != 0:
        raise ServeError(f"building {settings.shop} failed (exit code {process.exitcode}); see the log above")


def run_one(app: FastAPI, settings: Settings, intent_model: str) -> None:
    """Serve ``app`` (UI, widget and API) from this process until interrupted."""
    import uvicorn

    url = f"http://{settings.host}:{settings.port}/"
    print(f"Cartwise ({settings.shop}) on {url}  widget: /widget.js  API: /docs  intent model: {intent_model}",
          flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", log_config=uvicorn_log_config())


def run_workers(settings: Settings, app_factory: str) -> None:
    """Serve ``settings.workers`` processes of ``app_factory`` ("module:function", built in each worker from the
    ``CARTWISE_*`` environment) on one port until interrupted."""
    import uvicorn

    # Workers are fresh interpreters that read their settings from the environment, like any deployment would.
    os.environ.update({"CARTWISE_SHOP": settings.shop, "CARTWISE_HOST": settings.host,
                       "CARTWISE_PORT": str(settings.port)})
    print(f"Cartwise ({settings.shop}) on http://{settings.host}:{settings.port}/ with {settings.workers} workers  "
          "widget: /widget.js  API: /docs (the Gradio UI needs sticky sessions: serve it from one separate process, "
          "see docs/deploy.md)", flush=True)
    config = uvicorn.Config(app_factory, factory=True, host=settings.host, port=settings.port,
                            log_level="info", log_config=uvicorn_log_config(), timeout_graceful_shutdown=30)
    WorkerPool(config, settings.workers).run()


def uvicorn_log_config() -> dict[str, Any]:
    """Uvicorn's logging config with a plain access formatter.

    Log redaction (:mod:`assistant.logging_redaction`) formats each record's message up front and clears its
    ``args``; uvicorn's own access formatter unpacks ``args`` and would fail on every request.
    """
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s %(message)s",
        "use_colors": None,
    }
    return config


class WorkerPool:
    """N uvicorn worker processes serving one listening socket; a worker that dies is replaced at once.

    uvicorn's own supervisor (``uvicorn --workers``) pings each worker and kills one that does not answer within
    5 s. A Cartwise worker loading its models on a busy machine often does not (native library loading holds
    the GIL), so workers were killed and restarted over and over and the app never came up; a longer ping
    timeout instead delays noticing a worker that died with a ping pending. This pool only watches for exits
    (``waitpid`` every ``poll_s``): a killed worker is replaced within a second, a worker is never killed for
    being slow, and one that exits before it ever served (bad settings, Redis down) stops the pool with an
    error instead of a restart loop. A hung but living worker is not detected: leave that to the reverse
    proxy's health checks (``/healthz``).

    Args:
        config: the uvicorn configuration every worker runs (an app factory, host and port).
        workers: how many worker processes.
        poll_s: how often exits are looked for.
    """

    def __init__(self, config: Any, workers: int, poll_s: float = 0.5) -> None:
        self.config = config
        self.workers = workers
        self.poll_s = poll_s
        self._reservation: socket.socket | None = None

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM; then stop every worker gracefully.

        Raises:
            ServeError: a worker exited before it started serving, or the address cannot be bound.
        """
        context = multiprocessing.get_context("spawn")
        sock = self._listen()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        slots = [self._start(context, sock) for _ in range(self.workers)]
        failed = ""
        while not stop.wait(self.poll_s):
            for i, (process, ready) in enumerate(slots):
                if process.is_alive():
                    continue
                if not ready.is_set():
                    failed = (f"worker {process.pid} exited with code {process.exitcode} before it started serving "
                              "(its error is in the log above); stopping")
                    stop.set()
                    break
                logger.warning("worker %s exited with code %s; starting a new one", process.pid, process.exitcode)
                slots[i] = self._start(context, sock)
        self._stop([process for process, _ in slots])
        if isinstance(sock, socket.socket):
            sock.close()
        if self._reservation is not None:
            self._reservation.close()
        if failed:
            raise ServeError(failed)

    def _listen(self) -> socket.socket | tuple[str, int]:
        """What the workers serve: a ``(host, port)`` each binds with ``SO_REUSEPORT`` where the platform has it,
        else one socket they share.

        With one shared socket, whichever worker wakes first accepts every pending connection (asyncio accepts up
        to its backlog per wake-up): 20 shoppers connecting at once gave one worker 3.2 CPU-seconds of turns per
        round and the other 0.5 (bench/bench_workers.py). With a socket per worker the kernel hashes each new
        connection to one of them. The pool keeps a socket bound to the port with ``SO_REUSEPORT`` but never
        listening: it holds the port (and learns it when the port is 0) without taking connections.
        """
        config = self.config
        if not reuse_port_available() or config.uds is not None or config.fd is not None:
            sock: socket.socket = config.bind_socket()
            return sock
        try:
            self._reservation = reuse_port_socket(config.host, config.port)
        except OSError as exc:
            raise ServeError(f"cannot listen on {config.host}:{config.port}: {exc}") from exc
        port = self._reservation.getsockname()[1]
        logger.info("serving on http://%s:%d with %d workers, one SO_REUSEPORT socket each", config.host, port,
                    self.workers)
        return (config.host, port)

    def _start(self, context: Any, sock: socket.socket | tuple[str, int]) -> tuple[Any, Any]:
        ready = context.Event()
        process = context.Process(target=_run_worker, args=(self.config, sock, ready), name="cartwise-worker")
        process.start()
        logger.info("started worker %s", process.pid)
        return process, ready

    def _stop(self, processes: list[Any]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn finishes the requests in flight first
        deadline = time.monotonic() + self.config.timeout_graceful_shutdown + 10
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def reuse_port_available() -> bool:
    """Whether listening sockets can share a port with the kernel balancing connections (Linux ``SO_REUSEPORT``)."""
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with ``SO_REUSEPORT`` (not listening yet)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _run_worker(config: Any, sock: socket.socket | tuple[str, int], ready: Any) -> None:
    """A worker process: serve ``config`` on the inherited socket, or on its own ``SO_REUSEPORT`` socket for a
    ``(host, port)``; tell the pool once it is serving."""
    import uvicorn

    if not isinstance(sock, socket.socket):
        sock = reuse_port_socket(*sock)
        sock.listen(config.backlog)

    class AnnouncingServer(uvicorn.Server):
        # Told from inside startup, before the first request can be handled: a worker killed right after it
        # answered is always one that had started (a polling thread could lag behind on a busy machine, and
        # the pool then took a killed worker for one that never started and stopped).
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                ready.set()

    config.configure_logging()
    AnnouncingServer(config).run(sockets=[sock])
