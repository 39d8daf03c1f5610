"""Signed customer tokens: only an untampered, unexpired token from our secret proves who someone is."""

from __future__ import annotations

import base64
import json

import pytest

from web.errors import WebError
from web.tokens import TokenSigner

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

SECRET = "test-secret-0123456789"


def test_round_trip_and_expiry() -> None:
    signer = TokenSigner(SECRET)
    token = signer.sign("17850", ttl=60, now=1_000_000)
    assert signer.verify(token, now=1_000_030) == "17850"
    assert signer.verify(token, now=1_000_060) is None  # expired at exactly exp


def test_other_secret_rejects() -> None:
    token = TokenSigner(SECRET).sign("17850", ttl=60)
    assert TokenSigner("another-secret-0123456789").verify(token) is None


def test_tampered_payload_rejected() -> None:
    signer = TokenSigner(SECRET)
    payload_b64, mac = signer.sign("12347", ttl=600).split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"sub": "17850", "exp": 9_999_999_999}).encode()).rstrip(b"=")
    assert signer.verify(f"{forged.decode()}.{mac}") is None
    assert signer.verify(f"{payload_b64}.{mac[:-2]}AA") is None


@pytest.mark.parametrize("token", ["", ".", "a.b.c", "no-dot", "!!!.???", "x" * 2000, "e30.e30"])
def test_garbage_rejected(token: str) -> None:
    assert TokenSigner(SECRET).verify(token) is None


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(WebError, match="at least 16"):
        TokenSigner("short")
    with pytest.raises(WebError, match="ttl must be positive"):
        TokenSigner(SECRET).sign("17850", ttl=0)
    with pytest.raises(WebError, match="empty customer id"):
        TokenSigner(SECRET).sign("", ttl=10)
