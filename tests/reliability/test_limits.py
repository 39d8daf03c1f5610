"""``max_message_chars`` and ``rate_limit_per_minute``: enforced by the dialog manager (a clear reply) and by
the JSON API (413 / 429), both configured from settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.rate_limit import RateLimiter
from cartwise.settings import Settings
from web.api import create_app


def test_dialog_manager_takes_its_limits_from_settings(giftshop_bot: Any) -> None:
    settings = giftshop_bot.settings
    assert giftshop_bot.dialog.max_chars == settings.max_message_chars
    assert giftshop_bot.dialog.limiter.per_minute == settings.rate_limit_per_minute


def test_too_long_message_gets_a_clear_reply(giftshop_bot: Any, tally: Any) -> None:
    limit = giftshop_bot.dialog.max_chars
    session = tally.session("limit")
    at_limit = giftshop_bot.respond("lunch bag " + "x" * (limit - 10), session_id=session)
    assert f"limit is {limit}" not in at_limit.text
    over = giftshop_bot.respond("🎁" * (limit + 1), session_id=session)
    assert over.intent == "out_of_scope" and not over.products
    assert f"{limit + 1} characters long and the limit is {limit}" in over.text, over.text
    # The rejected turn is in the transcript, truncated, and the conversation goes on.
    assert giftshop_bot.respond("show me lunch bags", session_id=session).products


@pytest.fixture
def strict_limiter(giftshop_bot: Any) -> Iterator[int]:
    """The real dialog manager with a per-session limit of 3 turns a minute, restored afterwards."""
    saved = giftshop_bot.dialog.limiter
    giftshop_bot.dialog.limiter = RateLimiter(3)
    yield 3
    giftshop_bot.dialog.limiter = saved


def test_rate_limit_per_session_in_the_dialog_manager(giftshop_bot: Any, tally: Any, strict_limiter: int) -> None:
    busy, other = tally.session("rl-busy"), tally.session("rl-other")
    replies = [giftshop_bot.respond("hello", session_id=busy) for _ in range(strict_limiter + 1)]
    assert all("wait" not in r.text for r in replies[:strict_limiter])
    limited = replies[-1]
    assert f"more than {strict_limiter} messages in a minute" in limited.text and "wait" in limited.text
    assert limited.intent == "out_of_scope" and not limited.products
    assert "wait" not in giftshop_bot.respond("hello", session_id=other).text  # other sessions are unaffected


def test_api_limits_come_from_settings(giftshop_bot: Any, tally: Any) -> None:
    settings = Settings(shop="giftshop", max_message_chars=50, rate_limit_per_minute=2)
    with TestClient(create_app(settings, giftshop_bot, with_ui=False)) as client:
        session = tally.session("api-limits")
        ok = client.post("/api/chat", json={"message": "é" * 50, "session_id": session})
        assert ok.status_code == 200, ok.text
        long = client.post("/api/chat", json={"message": "é" * 51, "session_id": session})
        assert long.status_code == 413 and "the limit is 50" in long.json()["detail"]
        second = client.post("/api/chat", json={"message": "hello", "session_id": session})
        third = client.post("/api/chat", json={"message": "hello", "session_id": session})
        assert second.status_code == 200 and third.status_code == 429
        assert third.json()["error"] == "rate_limited" and third.headers["retry-after"] == "60"
