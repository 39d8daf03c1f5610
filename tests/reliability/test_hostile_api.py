"""Hostile requests to ``POST /api/chat``: never a 5xx, every 200 a well-formed reply, every 4xx a JSON error.

Bodies are sent as raw bytes so they can carry what a JSON library would refuse to produce: lone surrogate
escapes, invalid UTF-8, truncated documents, wrong types, megabyte messages.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hostile_inputs import HAND_WRITTEN, INJECTIONS, STRANGER, json_value, reply_problems, unicode_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.reply import Reply
from cartwise.settings import Settings
from web.schemas import ChatResponse
from web.tokens import TokenSigner

FUZZ = settings(max_examples=60, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))

RAW_BODIES: list[bytes] = [
    b"", b"{", b'{"message": "hi",', b"null", b"[]", b"0", b'"hi"', b"true", b"{}", b'{"message": null}',
    b'{"message": "\xff\xfe\xfd"}', b'{"message": "caf\xe9"}', b'\xef\xbb\xbf{"message": "bom"}',
    '{"message": "utf-16"}'.encode("utf-16"), b'{"message": "\\ud800"}', b'{"message": "\\udfff\\ud800 mugs"}',
    b'{"message": "\\u0000\\u0001\\u001b"}', b'{"message": "ok", "message": "dup"}', b'{"message": NaN}',
    b'{"message": Infinity}', b'{"message": 1e999}', b'{"message": ["a"]}', b'{"message": {"$gt": ""}}',
    b'{"message": "hi", "session_id": "\\u0000"}', b'{"message": "hi", "session_id": "' + b"a" * 65 + b'"}',
    b'{"message": "hi", "session_id": "\'; DROP TABLE dialog_sessions; --"}', b'{"message": "hi", "token": null}',
    b'{"message": "hi", "token": "' + b"x" * 2000 + b'"}', b'{"message": "hi", "token": "a.b.c"}',
    b'{"message": "hi", "extra": 1}', b'{"message": "hi", "user_id": "17850"}', b"[" * 30000 + b"]" * 30000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000, b'{"message": "' + b"x" * 70_000 + b'"}', b"\x00" * 100,
    b'{"message": "hi"} trailing', b"message=hi&session_id=x", b"<xml><message>hi</message></xml>",
]
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                 "application/json; charset=latin-1", ""]


class ApiDriver:
    """Posts bodies and records which answers are unacceptable."""

    def __init__(self, client: TestClient, tally: Any, channel: str) -> None:
        self.client, self.tally, self.channel = client, tally, channel
        self.sent = 0
        self.failures: list[str] = []

    def post(self, body: bytes, content_type: str = "application/json", user_id: str | None = None,
             message: Any = None, headers: dict[str, Any] | None = None) -> None:
        self.sent += 1
        all_headers: dict[str, Any] = {"Content-Type": content_type} if content_type else {}
        all_headers |= headers or {}
        response = self.client.post("/api/chat", content=body, headers=all_headers)
        problems = []
        if response.status_code >= 500:
            problems.append(f"HTTP {response.status_code}: {response.text[:200]}")
        elif response.status_code == 200:
            try:
                data = ChatResponse.model_validate_json(response.content)
                reply = Reply.model_validate(data.model_dump(exclude={"signed_in", "currency"}))
                problems += reply_problems(reply, user_id, message)
            except ValueError as exc:
                problems.append(f"200 with a body that is not a ChatResponse: {exc}")
        else:
            try:
                error = response.json()
                if not (isinstance(error, dict) and error.get("error") and error.get("detail")):
                    problems.append(f"HTTP {response.status_code} without an error code and detail: {error}")
            except ValueError:
                problems.append(f"HTTP {response.status_code} with a non-JSON body: {response.text[:100]!r}")
        if problems:
            self.failures.append(f"{body[:80]!r}: {problems}")

    def finish(self) -> None:
        self.tally.add(self.channel, self.sent, self.sent - len(self.failures))
        assert not self.failures, f"{len(self.failures)}/{self.sent} failed:\n" + "\n".join(self.failures[:20])


def chat_body(message: Any, session_id: str | None = None, **extra: Any) -> bytes:
    # ensure_ascii keeps lone surrogates as \\udXXX escapes: valid JSON text a browser can send.
    fields = {"message": message, **({"session_id": session_id} if session_id else {}), **extra}
    return json.dumps(fields, ensure_ascii=True).encode()


def test_hand_written_messages(api: TestClient, tally: Any) -> None:
    driver = ApiDriver(api, tally, "api/hand-written messages")
    session = tally.session("api")
    for n, message in enumerate(HAND_WRITTEN):
        if n % 25 == 0:
            session = tally.session("api")
        try:
            body = chat_body(message if not isinstance(message, bytes) else message.decode(), session)
        except TypeError:
            continue
        driver.post(body, message=message)
    driver.finish()


def test_injections_with_another_customers_token(api: TestClient, tally: Any, hostile_settings: Settings) -> None:
    driver = ApiDriver(api, tally, f"api/injections (customer {STRANGER} token)")
    token = TokenSigner.from_settings(hostile_settings).sign(STRANGER, ttl=600)
    session = tally.session("api-inj")
    for message in INJECTIONS:
        driver.post(chat_body(message, session), user_id=STRANGER, message=message,
                    headers={"Authorization": f"Bearer {token}"})
    driver.finish()


def test_raw_bodies_and_content_types(api: TestClient, tally: Any) -> None:
    driver = ApiDriver(api, tally, "api/raw bodies")
    for body in RAW_BODIES:
        driver.post(body)
    for content_type in CONTENT_TYPES:
        driver.post(chat_body("show me mugs"), content_type=content_type)
    for token in ["Bearer ", "Bearer \u00e9", "Basic YWRtaW46YWRtaW4=", "Bearer a.b", "Bearer " + "A" * 5000]:
        driver.post(chat_body("where is order 536365"), headers={"Authorization": token.encode()})
    driver.finish()


def test_random_json_bodies(api: TestClient, tally: Any) -> None:
    driver = ApiDriver(api, tally, "api/hypothesis json bodies")

    @FUZZ
    @given(body=st.one_of(json_value(), st.fixed_dictionaries({"message": json_value()}),
                          st.fixed_dictionaries({"message": st.just("hi"), "session_id": json_value()})))
    def run(body: Any) -> None:
        driver.post(json.dumps(body, ensure_ascii=True).encode())

    run()
    driver.finish()


def test_random_unicode_messages(api: TestClient, tally: Any) -> None:
    driver = ApiDriver(api, tally, "api/hypothesis unicode messages")
    sessions = [tally.session("api-uni") for _ in range(4)]

    @FUZZ
    @given(message=unicode_text())
    def run(message: str) -> None:
        driver.post(chat_body(message, sessions[driver.sent % len(sessions)]), message=message)

    run()
    driver.finish()
