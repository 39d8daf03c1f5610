"""Fixtures shared by the whole suite: one real assistant per shop, built once per test session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cartwise.settings import Settings

_ASSISTANTS: dict[str, Any] = {}


def assistant_for(shop: str) -> Any:
    """The real assistant of ``shop`` (built on first use: database, Chroma, intent model), cached per process."""
    if shop not in _ASSISTANTS:
        from assistant import Assistant

        _ASSISTANTS[shop] = Assistant.from_settings(Settings(shop=shop))
    return _ASSISTANTS[shop]


@pytest.fixture(scope="session")
def shop_assistant() -> Callable[[str], Any]:
    return assistant_for


@pytest.fixture(scope="session")
def giftshop_bot() -> Any:
    return assistant_for("giftshop")
