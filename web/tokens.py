"""Signed customer tokens: the only way a web request can say who the shopper is.

A token is ``base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`` where the payload is
``{"sub": customer_id, "exp": unix_seconds}``. The server never trusts a plain customer id from a
request; it trusts a customer id only when it comes out of :meth:`TokenSigner.verify`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

from cartwise.settings import Settings
from web.errors import WebError

_MAX_TOKEN_CHARS = 1024


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issues and checks HMAC-SHA256 signed customer tokens.

    Args:
        secret: the signing key (``settings.secret_key``); at least 16 characters.

    Example:
        >>> signer = TokenSigner("a-long-enough-secret")
        >>> signer.verify(signer.sign("17850", ttl=60))
        '17850'
        >>> signer.verify("forged.token") is None
        True
    """

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise WebError(
                f"secret_key is {len(secret)} characters; use at least 16 random characters "
                "(set CARTWISE_SECRET_KEY)"
            )
        self._key = secret.encode("utf-8")

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenSigner:
        return cls(settings.secret_key.get_secret_value())

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def sign(self, customer_id: str, ttl: int, now: float | None = None) -> str:
        """Return a token that proves ``customer_id`` for ``ttl`` seconds.

        Args:
            customer_id: the customer the token stands for.
            ttl: lifetime in seconds (> 0).
            now: the current Unix time (tests pass a fixed clock).

        Returns:
            The token text (URL-safe, no padding).
        """
        if not customer_id:
            raise WebError("cannot sign a token for an empty customer id")
        if ttl <= 0:
            raise WebError(f"token ttl must be positive seconds, got {ttl}")
        issued = time.time() if now is None else now
        payload = json.dumps({"sub": customer_id, "exp": int(issued + ttl)}, separators=(",", ":")).encode()
        return f"{_b64encode(payload)}.{_b64encode(self._mac(payload))}"

    def verify(self, token: str, now: float | None = None) -> str | None:
        """Return the customer id a token proves, or None if it is forged, malformed or expired.

        Args:
            token: the token text.
            now: the current Unix time (tests pass a fixed clock).

        Returns:
            The customer id, or None.
        """
        if not token or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 1:
            return None
        payload_b64, mac_b64 = token.split(".")
        try:
            payload = _b64decode(payload_b64)
            mac = _b64decode(mac_b64)
        except (binascii.Error, ValueError):
            return None
        # Constant-time: a timing difference must not reveal how much of a forged MAC was right.
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            claims = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(claims, dict):
            return None
        customer_id, expires = claims.get("sub"), claims.get("exp")
        if not isinstance(customer_id, str) or not customer_id or not isinstance(expires, int):
            return None
        current = time.time() if now is None else now
        if current >= expires:
            return None
        return customer_id
