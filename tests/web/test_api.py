"""The JSON API against the real app and the real assistant: identity, limits, errors, CORS."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cartwise.settings import REPO_ROOT, Settings
from web.api import MAX_BODY_BYTES, create_app
from web.tokens import TokenSigner

ORDER_FACTS = ("White Hanging Heart", "White Metal Lantern", "delivered")
OWNER, STRANGER, ORDER = "17850", "12347", "536365"


def chat(client: TestClient, message: str, **extra: Any) -> Any:
    return client.post("/api/chat", json={"message": message, **extra})


def token_for(settings: Settings, customer_id: str, ttl: int = 600, now: float | None = None) -> str:
    return TokenSigner.from_settings(settings).sign(customer_id, ttl=ttl, now=now)


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["shop"] == "giftshop"
    assert body["products"] > 1000
    # The suite serves the fine-tuned model (tests/conftest.py); a fresh "auto" start says "embedding-head".
    assert body["intent_model"] == "fine-tuned"


def test_chat_round_trip(client: TestClient) -> None:
    response = chat(client, "do you sell lunch bags?", session_id="api-roundtrip")
    assert response.status_code == 200
    body = response.json()
    assert body["session_id"] == "api-roundtrip" and body["currency"] == "£"
    assert body["text"] and body["intent"] and body["signed_in"] is False
    assert body["products"], body
    for product in body["products"]:
        assert isinstance(product["price"], str) and re.fullmatch(r"\d+\.\d\d", product["price"])
    assert {"handoff", "options", "slots", "bundle", "confidence", "sources"} <= body.keys()


def test_session_is_created_when_missing(client: TestClient) -> None:
    first, second = chat(client, "hello").json(), chat(client, "hello").json()
    assert re.fullmatch(r"[0-9a-f]{32}", first["session_id"])
    assert first["session_id"] != second["session_id"]


def test_order_needs_the_owners_token(client: TestClient, settings: Settings) -> None:
    question = f"where is my order {ORDER}?"
    guest = chat(client, question, session_id="api-guest")
    assert guest.status_code == 200
    assert not any(f.lower() in guest.json()["text"].lower() for f in ORDER_FACTS)

    stranger = chat(client, question, session_id="api-stranger", token=token_for(settings, STRANGER))
    assert stranger.status_code == 200 and stranger.json()["signed_in"] is True
    assert not any(f.lower() in stranger.json()["text"].lower() for f in ORDER_FACTS)

    owner = chat(client, question, session_id="api-owner", token=token_for(settings, OWNER))
    assert owner.status_code == 200
    assert ORDER in owner.json()["text"] and "delivered" in owner.json()["text"].lower()

    bearer = client.post(
        "/api/chat",
        json={"message": question, "session_id": "api-bearer"},
        headers={"Authorization": f"Bearer {token_for(settings, OWNER)}"},
    )
    assert "delivered" in bearer.json()["text"].lower()


@pytest.mark.parametrize("kind", ["garbage", "forged", "expired", "other-secret"])
def test_bad_token_is_401_and_reveals_nothing(client: TestClient, settings: Settings, kind: str) -> None:
    tokens = {
        "garbage": "not-a-token",
        "forged": token_for(settings, STRANGER).split(".")[0] + "." + token_for(settings, OWNER).split(".")[1],
        "expired": token_for(settings, OWNER, ttl=60, now=time.time() - 3600),
        "other-secret": TokenSigner("some-other-secret-123456").sign(OWNER, ttl=600),
    }
    response = chat(client, f"where is my order {ORDER}?", token=tokens[kind])
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert "sign in again" in response.json()["detail"]
    assert "White Hanging Heart" not in response.text


def test_identity_never_from_a_plain_field(client: TestClient) -> None:
    for field in ("user_id", "customer_id"):
        response = chat(client, f"where is my order {ORDER}?", **{field: OWNER})
        assert response.status_code == 422
        assert f"{field}: unknown field" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "error", "says"),
    [
        (b'{"message": "hi",', 400, "malformed_json", "not valid JSON"),
        (b'{"message": 5}', 422, "invalid_request", "message: Input should be a valid string (got 5)"),
        (b'{"message": ""}', 422, "invalid_request", "message: String should have at least 1 character"),
        (b"{}", 422, "invalid_request", "message: required field is missing"),
        (b'["hi"]', 422, "invalid_request", "body"),
        (b'{"message": "hi", "session_id": "../etc"}', 422, "invalid_request", "session_id"),
        (b'{"message": "hi", "token": 123}', 422, "invalid_request", "token"),
    ],
)
def test_malformed_requests_get_clear_4xx(client: TestClient, body: bytes, status: int, error: str, says: str) -> None:
    response = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert says in response.json()["detail"]


def test_wrong_content_type_says_what_to_send(client: TestClient) -> None:
    response = client.post("/api/chat", content=b"hello", headers={"Content-Type": "text/plain"})
    assert response.status_code == 422
    assert "Content-Type: application/json" in response.json()["detail"]


def test_oversize_message_and_body(client: TestClient, settings: Settings) -> None:
    long = chat(client, "a" * (settings.max_message_chars + 1))
    assert long.status_code == 413 and long.json()["error"] == "message_too_long"
    assert str(settings.max_message_chars) in long.json()["detail"]

    huge = client.post("/api/chat", json={"message": "hi", "padding": "x" * MAX_BODY_BYTES})
    assert huge.status_code == 413 and huge.json()["error"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap must count streamed bytes too
        yield b'{"message": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    streamed = client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"] == "body_too_large"


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/orders/536365")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_cors_only_for_allowed_origins(client: TestClient, settings: Settings) -> None:
    allowed = settings.allowed_origins[0]
    ok = client.post("/api/chat", json={"message": "hello"}, headers={"Origin": allowed})
    assert ok.headers.get("access-control-allow-origin") == allowed
    evil = client.post("/api/chat", json={"message": "hello"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil.headers
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/api/chat", headers=preflight).headers
    preflight["Origin"] = allowed
    assert client.options("/api/chat", headers=preflight).headers["access-control-allow-origin"] == allowed


def test_rate_limit_per_session(settings: Settings, bot: Any) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(limited, bot, with_ui=False)) as c:
        codes = [chat(c, "hello", session_id="rl-a").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        blocked = chat(c, "hello", session_id="rl-a")
        assert blocked.json()["error"] == "rate_limited" and blocked.headers["retry-after"] == "60"
        assert chat(c, "hello", session_id="rl-b").status_code == 200


def test_rate_limit_per_client_whatever_the_session_ids(settings: Settings, bot: Any) -> None:
    limited = settings.model_copy(update={"rate_limit_per_client_per_minute": 3})
    with TestClient(create_app(limited, bot, with_ui=False)) as c:
        codes = [chat(c, "hello", session_id=f"rotating-{n}").status_code for n in range(4)]
        assert codes == [200, 200, 200, 429]
        blocked = chat(c, "hello", session_id="yet-another")
        assert blocked.status_code == 429 and "from your address" in blocked.json()["detail"]


def test_demo_token_endpoint(client: TestClient, settings: Settings, bot: Any) -> None:
    demo_ids = [c["id"] for c in client.get("/api/demo/customers").json()]
    assert demo_ids
    issued = client.post("/api/token", json={"customer_id": demo_ids[0]}).json()
    assert TokenSigner.from_settings(settings).verify(issued["token"]) == demo_ids[0]
    outsider = next(cid for cid in ("12346", "99999", "00000") if cid not in demo_ids)
    refused = client.post("/api/token", json={"customer_id": outsider})
    assert refused.status_code == 403 and refused.json()["error"] == "not_a_demo_customer"

    off = settings.model_copy(update={"demo_mode": False})
    with TestClient(create_app(off, bot, with_ui=False)) as c:
        assert c.post("/api/token", json={"customer_id": demo_ids[0]}).status_code == 403
        assert c.get("/api/demo/customers").status_code == 403
        assert c.get("/examples/shop_page.html").status_code == 403


def test_delete_session_forgets_history(client: TestClient, bot: Any) -> None:
    chat(client, "show me cake stands", session_id="api-delete")
    assert bot.transcript("api-delete")
    assert client.delete("/api/session/api-delete").status_code == 204
    assert not bot.transcript("api-delete")
    assert client.delete("/api/session/bad%20id").status_code == 422


def test_widget_and_pages_are_served(client: TestClient) -> None:
    widget = client.get("/widget.js")
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", widget.text)
    assert "textContent" in widget.text
    page = client.get("/examples/shop_page.html")
    assert page.status_code == 200
    # The snippet is rewritten to point at the serving app.
    assert 'src="http://testserver/widget.js"' in page.text
    assert (REPO_ROOT / "examples" / "shop_page.html").read_text().count("/widget.js") == 1
    ui = client.get("/")
    assert ui.status_code == 200 and "<html" in ui.text.lower()
