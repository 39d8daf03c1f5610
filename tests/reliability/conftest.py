"""Fixtures of the reliability suite: the shared giftshop assistant, the JSON API around it, and a tally of
hostile inputs tried and passed (printed at the end of the run and written to ``var/reports/hostile_inputs.json``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cartwise.settings import Settings


@dataclass
class Tally:
    """Hostile inputs tried and passed per channel, and the sessions they used (deleted afterwards)."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    sessions: set[str] = field(default_factory=set)

    def add(self, channel: str, tried: int, passed: int) -> None:
        seen = self.counts.setdefault(channel, [0, 0])
        seen[0] += tried
        seen[1] += passed

    def session(self, label: str) -> str:
        sid = f"hz-{label}-{uuid.uuid4().hex[:12]}"
        self.sessions.add(sid)
        return sid

    @property
    def totals(self) -> tuple[int, int]:
        return sum(c[0] for c in self.counts.values()), sum(c[1] for c in self.counts.values())


@pytest.fixture(scope="session")
def tally(request: pytest.FixtureRequest, giftshop_bot: Any) -> Iterator[Tally]:
    result = Tally()
    yield result
    for sid in result.sessions:
        giftshop_bot.delete_history(sid)
    if not result.counts:
        return
    tried, passed = result.totals
    lines = [f"hostile inputs: {passed}/{tried} passed"] + [
        f"  {channel}: {p}/{t}" for channel, (t, p) in sorted(result.counts.items())
    ]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)
    out = Settings().var_dir / "reports" / "hostile_inputs.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"tried": tried, "passed": passed, "channels": result.counts}, indent=1) + "\n")


@pytest.fixture(scope="session")
def hostile_settings() -> Settings:
    # A high per-minute limit: this suite sends hundreds of messages; the limits have their own tests.
    return Settings(shop="giftshop", rate_limit_per_minute=100_000, rate_limit_per_client_per_minute=100_000)


@pytest.fixture(scope="session")
def api(hostile_settings: Settings, giftshop_bot: Any) -> Iterator[TestClient]:
    """The real JSON API (no Gradio UI) around the shared giftshop assistant."""
    from web.api import create_app

    # raise_server_exceptions=False: a bug must show up as the 500 a client would see, which the tests count.
    with TestClient(create_app(hostile_settings, giftshop_bot, with_ui=False), raise_server_exceptions=False) as c:
        yield c
