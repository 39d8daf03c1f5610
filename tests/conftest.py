"""Fixtures shared by the whole suite: one real assistant per shop, built once per test session, and the
throwaway services of ``scripts/services.py`` (a real ``redis-server`` on a free loopback port)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from services_loader import services_module

from cartwise.settings import REPO_ROOT, Settings


@pytest.fixture(scope="session")
def service_scripts() -> ModuleType:
    """``scripts/services.py``: ChromaServer, PostgresCluster, RedisServer."""
    return services_module()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Any]:
    """A real Redis server on a free loopback port for the whole session (skipped, with the reason, when
    ``redis-server`` is not installed)."""
    svc = services_module()
    try:
        server = svc.RedisServer().start()
    except svc.ServiceError as exc:
        pytest.skip(f"Redis tests need a redis-server: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: Any) -> Iterator[str]:
    """The session's Redis, emptied after each test."""
    yield redis_server.url
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()

_ASSISTANTS: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    # The dialog expectations were written against the fine-tuned intent model: the suite serves only it
    # (trained before the first assistant loads, not swapped in mid-run). Subprocesses inherit the setting.
    # tests/finetune/test_serving.py covers the default "auto" mode with its own settings.
    os.environ.setdefault("CARTWISE_INTENT_SERVING", "fine-tuned")
    _import_anyio_eagerly()


def _import_anyio_eagerly() -> None:
    """Resolve anyio's lazily imported names now, in the main thread.

    anyio (4.16) imports its parts on first attribute use, and pytest rewrites anyio's modules (it ships a
    pytest plugin), so that first use parses source. Done in a server's or a TestClient's worker thread while
    another thread parses too, CPython 3.11's AST constructor can fail with "SystemError: AST constructor
    recursion depth mismatch" (python/cpython#106905): a clean-clone CI run failed on ``GET /widget.js``
    importing ``anyio._core._fileio`` that way. Nothing of ours runs ast at serve time; only the suite needs this.
    """
    import warnings

    import anyio
    import anyio.abc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for module in (anyio, anyio.abc):
            for name in dir(module):
                getattr(module, name, None)


# The demo shops the suite's assistants serve, built in the background while the ``no_shop`` tests run.
DEMO_SHOPS = ("giftshop", "electronics")
_BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_demo_shops.py"


class _BackgroundBuild:
    """The build of the demo shops in a process of its own (on a fresh clone: the orders database, two product
    indexes and the fine-tuned intent model, minutes of CPU), so that the tests that never read them (marked
    ``no_shop``) run meanwhile instead of after it. ``ensure_built``'s lock keeps any other build waiting for it."""

    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    failure: str | None = None

    @classmethod
    def start(cls) -> None:
        handle, name = tempfile.mkstemp(prefix="cartwise-test-build-", suffix=".log")
        cls.log = Path(name)
        with os.fdopen(handle, "wb") as out:
            cls.process = subprocess.Popen([sys.executable, str(_BUILD_SCRIPT), *DEMO_SHOPS], cwd=REPO_ROOT,
                                           stdout=out, stderr=subprocess.STDOUT)

    @classmethod
    def wait(cls) -> None:
        """Return once the build is done; fail the test asking with the build's own output if it failed."""
        if cls.process is not None:
            code = cls.process.wait()
            if code != 0 and cls.log is not None:
                tail = cls.log.read_text(errors="replace")[-3000:]
                cls.failure = f"building the demo shops failed (exit {code}; log {cls.log}):\n{tail}"
            cls.process = None
        if cls.failure:
            pytest.fail(cls.failure, pytrace=False)

    @classmethod
    def stop(cls) -> None:
        if cls.process is not None and cls.process.poll() is None:
            cls.process.terminate()  # an interrupted run: the next build resumes what this one left
            cls.process.wait()


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The no_shop tests first (each group in its order), then the rest: the build runs beside the first group.
    items[:] = [item for item in items if item.get_closest_marker("no_shop")] + [
        item for item in items if not item.get_closest_marker("no_shop")]


def pytest_collection_finish(session: pytest.Session) -> None:
    needing = [item for item in session.items if not item.get_closest_marker("no_shop")]
    if needing and len(needing) < len(session.items) and not session.config.option.collectonly:
        _BackgroundBuild.start()


@pytest.hookimpl(tryfirst=True)  # before its fixtures are set up
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not item.get_closest_marker("no_shop"):
        _BackgroundBuild.wait()


def pytest_unconfigure(config: pytest.Config) -> None:
    _BackgroundBuild.stop()


def assistant_for(shop: str) -> Any:
    """The real assistant of ``shop`` (built on first use: database, Chroma, intent model), cached per process."""
    _BackgroundBuild.wait()
    if shop not in _ASSISTANTS:
        from composition import build_assistant

        _ASSISTANTS[shop] = build_assistant(Settings(shop=shop))
    return _ASSISTANTS[shop]


@pytest.fixture(scope="session")
def shop_assistant() -> Callable[[str], Any]:
    return assistant_for


@pytest.fixture(scope="session")
def giftshop_bot() -> Any:
    return assistant_for("giftshop")
