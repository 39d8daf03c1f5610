"""Request limits: a body-size cap for the JSON API and a per-session rate limit."""

from __future__ import annotations

import json
import threading
import time
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RateLimiter:
    """Sliding one-minute window per key (the session id).

    Args:
        per_minute: requests allowed per key in any 60 seconds.
        max_keys: keys remembered; the oldest are forgotten beyond this so memory stays bounded.
    """

    def __init__(self, per_minute: int, max_keys: int = 50_000) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record one request for ``key``; False when it is over the limit."""
        current = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._hits.pop(next(iter(self._hits)))
                hits = self._hits[key] = deque()
            while hits and hits[0] <= current - 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(current)
            return True


class BodySizeLimit:
    """ASGI middleware: requests under ``prefix`` with a body over ``max_bytes`` get a 413 JSON error.

    Checks ``Content-Length`` up front and also counts streamed (chunked) bodies, so a client cannot
    bypass the cap by omitting the header.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/api/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"error": "body_too_large", "detail": f"request body is over {self.max_bytes} bytes; send less"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(send)
                return
        received = 0
        too_large = False
        rejected = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Once the cap is hit, whatever the app answers (FastAPI turns the read error into a 400)
            # is replaced by the one clear 413.
            nonlocal rejected
            if not too_large:
                await send(message)
            elif not rejected:
                rejected = True
                await self._reject(send)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if not rejected:
                await self._reject(send)


class _BodyTooLarge(Exception):
    pass
