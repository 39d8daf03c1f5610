"""Fixtures shared by the whole suite: one real assistant per shop, built once per test session."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from cartwise.settings import Settings

_ASSISTANTS: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    # The dialog expectations were written against the fine-tuned intent model: the suite serves only it
    # (trained before the first assistant loads, not swapped in mid-run). Subprocesses inherit the setting.
    # tests/finetune/test_serving.py covers the default "auto" mode with its own settings.
    os.environ.setdefault("CARTWISE_INTENT_SERVING", "fine-tuned")


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
