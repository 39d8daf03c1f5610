"""Personal data never reaches storage or logs, and a shopper can make the assistant forget a conversation
(through the API and by asking in the chat): checked by querying the database tables themselves."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from assistant.logging_redaction import RedactingFilter, install_log_redaction

PERSONAL = {
    "email": "jo.bloggs+gifts@example.co.uk",
    "phone": "+44 20 7946 0958",
    "card": "4111 1111 1111 1111",
    "address": "221 Baker Street",
}
MESSAGE = (f"this is useless!!! my email is {PERSONAL['email']}, call me on {PERSONAL['phone']}, "
           f"charge card {PERSONAL['card']} and send it to {PERSONAL['address']}")
TABLES = ("dialog_sessions", "dialog_messages", "handoff_tickets")


def rows(bot: Any, table: str, session_id: str) -> list[Any]:
    with bot.db.engine.connect() as conn:
        return list(conn.execute(text(f"SELECT * FROM {table} WHERE session_id = :sid"), {"sid": session_id}))


def stored_text(bot: Any, session_id: str) -> str:
    return "\n".join(str(tuple(r)) for table in TABLES for r in rows(bot, table, session_id))


def test_transcripts_and_tickets_are_redacted(giftshop_bot: Any, tally: Any) -> None:
    session = tally.session("privacy")
    giftshop_bot.respond(MESSAGE, session_id=session)
    giftshop_bot.respond("I want to talk to a person", session_id=session)
    stored = stored_text(giftshop_bot, session)
    assert rows(giftshop_bot, "dialog_messages", session) and rows(giftshop_bot, "handoff_tickets", session)
    for kind, value in PERSONAL.items():
        assert value not in stored, f"{kind} stored unredacted"
    # A group of the card's or the phone's digits on its own, not inside another number: a database that has kept
    # 41,110 messages has a row id printing "4111", and a time stored at 21:59:50.411179 prints it too.
    assert not re.search(r"(?<!\d)(?:4111|7946)(?!\d)", stored) and "Baker Street" not in stored
    for placeholder in ("[email]", "[phone]", "[card]", "[address]"):
        assert placeholder in stored


def test_order_numbers_survive_redaction(giftshop_bot: Any, tally: Any) -> None:
    session = tally.session("privacy-order")
    giftshop_bot.respond("where is order 536365? stock code 85123A", session_id=session)
    stored = stored_text(giftshop_bot, session)
    assert "536365" in stored and "85123A" in stored


@pytest.fixture
def redacting_log() -> Iterator[io.StringIO]:
    """A logger writing to a string, with the process-wide redaction installed (and removed afterwards)."""
    factory = logging.getLogRecordFactory()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("cartwise.test.privacy")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    install_log_redaction()
    install_log_redaction()  # idempotent: a second call must not wrap twice
    yield stream
    log.removeHandler(handler)
    logging.setLogRecordFactory(factory)


def test_log_records_are_redacted(redacting_log: io.StringIO) -> None:
    log = logging.getLogger("cartwise.test.privacy")
    log.info("shopper said %r", MESSAGE)
    log.warning("hand-off for %s", PERSONAL["email"])
    try:
        raise ValueError(f"bad card {PERSONAL['card']} for {PERSONAL['email']}")
    except ValueError:
        log.exception("turn failed for %s", PERSONAL["phone"])
    logging.getLogger("uvicorn.error").addHandler(logging.StreamHandler(redacting_log))
    try:
        logging.getLogger("uvicorn.error").error("request from %s", PERSONAL["email"])  # a third-party logger
    finally:
        logging.getLogger("uvicorn.error").handlers.pop()
    written = redacting_log.getvalue()
    for kind, value in PERSONAL.items():
        assert value not in written, f"{kind} reached the log: {written}"
    assert "ValueError: bad card [card] for [email]" in written  # the traceback is kept, redacted
    assert written.count("[email]") >= 4 and "[phone]" in written and "[address]" in written


def test_filter_on_a_handler_without_installing() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s or %s", (PERSONAL["phone"], "order 536365"),
                               None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "call [phone] or order 536365"


def test_delete_through_the_api(giftshop_bot: Any, api: TestClient, tally: Any) -> None:
    session = tally.session("del-api")
    api.post("/api/chat", json={"message": "show me cake stands", "session_id": session})
    api.post("/api/chat", json={"message": "I want to talk to a person", "session_id": session})
    assert all(rows(giftshop_bot, t, session) for t in TABLES)
    assert api.delete(f"/api/session/{session}").status_code == 204
    assert not any(rows(giftshop_bot, t, session) for t in TABLES)


@pytest.mark.parametrize("request_text", ["delete my chat history", "Delete my chat history",
                                          "please clear this conversation", "forget our chat"])
def test_delete_by_asking_in_the_chat(giftshop_bot: Any, tally: Any, request_text: str) -> None:
    session = tally.session("del-chat")
    shown = giftshop_bot.respond("show me lunch bags", session_id=session)
    giftshop_bot.respond("make a bundle for a tea party under £30", session_id=session)  # an open bundle too
    giftshop_bot.respond("I want to talk to a person", session_id=session)
    assert all(rows(giftshop_bot, t, session) for t in TABLES)
    reply = giftshop_bot.respond(request_text, session_id=session)
    assert "deleted this conversation's history" in reply.text, reply.text
    assert reply.bundle is None and not reply.products
    assert not any(rows(giftshop_bot, t, session) for t in TABLES)
    # The state is gone too: "the second one" no longer refers to the lunch bags shown before.
    after = giftshop_bot.respond("the second one", session_id=session)
    assert not after.products or after.products[0].id != shown.products[1].id
