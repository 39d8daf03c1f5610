"""Hostile input straight into ``Assistant.respond``: nothing escapes, every reply is well-formed, and no
guest or other customer ever sees order 536365 of customer 17850."""

from __future__ import annotations

from typing import Any

from hostile_inputs import (
    HAND_WRITTEN,
    INJECTIONS,
    ORDER,
    OWNER,
    STRANGER,
    framed_text,
    leak_problems,
    reply_problems,
    unicode_text,
)
from hypothesis import HealthCheck, given, settings

from assistant.reply import Reply

PER_SESSION = 25  # messages per conversation: state carries over between hostile turns, under the rate limit
FUZZ = settings(max_examples=70, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))


class Driver:
    """Sends messages through ``respond`` in conversations of ``PER_SESSION`` turns and records the problems."""

    def __init__(self, bot: Any, tally: Any, channel: str, user_id: str | None = None) -> None:
        self.bot, self.tally, self.channel, self.user_id = bot, tally, channel, user_id
        self.sent = 0
        self.failures: list[str] = []
        self.session = ""

    def send(self, message: Any) -> Reply | None:
        if self.sent % PER_SESSION == 0:
            self.session = self.tally.session(self.channel)
        self.sent += 1
        reply = None
        try:
            reply = self.bot.respond(message, session_id=self.session, user_id=self.user_id)
            problems = reply_problems(reply, self.user_id, message)
        except Exception as exc:  # counted and reported: no exception may escape respond
            problems = [f"respond raised {type(exc).__name__}: {exc}"]
        if problems:
            self.failures.append(f"{str(message)[:80]!r}: {problems}")
        return reply

    def finish(self) -> None:
        self.tally.add(self.channel, self.sent, self.sent - len(self.failures))
        assert not self.failures, f"{len(self.failures)}/{self.sent} failed:\n" + "\n".join(self.failures[:20])


def test_hand_written_inputs_as_guest(giftshop_bot: Any, tally: Any) -> None:
    driver = Driver(giftshop_bot, tally, "respond/hand-written (guest)")
    for message in HAND_WRITTEN:
        driver.send(message)
    driver.finish()


def test_injections_as_another_customer(giftshop_bot: Any, tally: Any) -> None:
    driver = Driver(giftshop_bot, tally, f"respond/injections (customer {STRANGER})", user_id=STRANGER)
    for message in INJECTIONS:
        driver.send(message)
    driver.finish()


def test_the_leak_check_fires_for_the_owner(giftshop_bot: Any, tally: Any) -> None:
    """The owner does see the order: proves the leak detector above would catch a real leak."""
    reply = giftshop_bot.respond(f"where is my order {ORDER}?", session_id=tally.session("owner"), user_id=OWNER)
    assert leak_problems(reply.text, strict=True), reply.text


def test_random_unicode(giftshop_bot: Any, tally: Any) -> None:
    driver = Driver(giftshop_bot, tally, "respond/hypothesis unicode")

    @FUZZ
    @given(text=unicode_text())
    def run(text: str) -> None:
        driver.send(text)

    run()
    driver.finish()


def test_shopping_requests_with_hostile_fragments(giftshop_bot: Any, tally: Any) -> None:
    driver = Driver(giftshop_bot, tally, "respond/hypothesis framed")

    @FUZZ
    @given(text=framed_text())
    def run(text: str) -> None:
        driver.send(text)

    run()
    driver.finish()


def test_hostile_session_ids_keep_conversations_apart(giftshop_bot: Any, tally: Any) -> None:
    ids = ["'; DROP TABLE dialog_sessions; --", "🎁 %s%n ../../etc/passwd", "a" * 128]
    failures = []
    for n, raw in enumerate(ids):
        sid = f"{raw[:120]}-{n}" if len(raw) < 120 else raw
        tally.sessions.add(sid)
        first = giftshop_bot.respond("show me lunch bags", session_id=sid)
        second = giftshop_bot.respond("the second one", session_id=sid)
        problems = reply_problems(first, None) + reply_problems(second, None)
        if len(first.products) >= 2 and (not second.products or second.products[0].id != first.products[1].id):
            problems.append("'the second one' lost the conversation's state")
        if problems:
            failures.append(f"{sid!r}: {problems}")
    tally.add("respond/session ids", len(ids), len(ids) - len(failures))
    assert not failures, failures
