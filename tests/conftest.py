"""Fixtures shared by the whole suite: one real assistant per shop, built once per test session, and the
throwaway services of ``scripts/services.py`` (a real ``redis-server`` on a free loopback port)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from services_loader import services_module

from cartwise.settings import Settings


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


def assistant_for(shop: str) -> Any:
    """The real assistant of ``shop`` (built on first use: database, Chroma, intent model), cached per process."""
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
