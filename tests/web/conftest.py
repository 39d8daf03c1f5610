"""Shared fixtures for the web tests: one real assistant, the app around it, and a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cartwise.settings import Settings
from web.api import create_app


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(shop="giftshop")


@pytest.fixture(scope="session")
def bot(settings: Settings, giftshop_bot: Any) -> Any:
    """The session's one giftshop assistant (tests/conftest.py), not a second copy of the models."""
    assert giftshop_bot.settings.shop == settings.shop
    return giftshop_bot


@pytest.fixture(scope="session")
def app(settings: Settings, bot: Any) -> FastAPI:
    return create_app(settings, bot)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_url(settings: Settings, bot: Any) -> Iterator[str]:
    """The real app served by uvicorn on a free loopback port (for gradio_client and the browser)."""
    port = free_port()
    live_settings = settings.model_copy(update={"port": port, "allowed_origins": [f"http://127.0.0.1:{port}"]})
    config = uvicorn.Config(create_app(live_settings, bot), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        raise RuntimeError(f"the app did not start on {url} within 60 s")
    yield url
    server.should_exit = True
    thread.join(timeout=10)
