"""A small HTTP/1.1 JSON client on asyncio streams, for load generators that share the machine they measure.

The load generator runs on the same two cores as the workers it measures, so every millisecond of its CPU
is taken from them. httpx in one thread per shopper cost about 11 ms of CPU per turn (measured in
``bench/bench_workers.py``); this client, all shoppers in one event loop, keep-alive, no TLS, no redirects,
costs a fraction of that, the way load tools such as wrk keep themselves out of the measurement. It speaks
just what the app's JSON API answers: ``Content-Length`` or chunked bodies.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


class LoopbackClient:
    """One keep-alive connection to ``base_url``; requests on it go one at a time (as one shopper sends).

    With ``keep_alive=False`` every request opens its own connection and asks the server to close it, as a
    browser does when its shopper pauses longer than the server's keep-alive timeout (uvicorn's: 5 s).
    """

    def __init__(self, base_url: str, timeout: float = 120.0, keep_alive: bool = True) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"expected an http:// URL, got {base_url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.keep_alive = keep_alive
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        """Send one request; returns (status, body bytes). A dropped connection is reopened once."""
        for attempt in (0, 1):
            try:
                return await asyncio.wait_for(self._exchange(method, path, body), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        status, raw = await self.request("POST", path, body)
        return status, json.loads(raw) if status == 200 else raw.decode("utf-8", "replace")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except ConnectionError:
                pass
        self._reader = self._writer = None

    async def _exchange(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        payload = json.dumps(body).encode() if body is not None else b""
        connection = "" if self.keep_alive else "Connection: close\r\n"
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{connection}"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n")
        writer.write(head.encode("ascii") + payload)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            chunks = []
            while (size := int((await reader.readline()).split(b";")[0], 16)) > 0:
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readline()  # the blank line after the last chunk (no trailers from uvicorn)
            data = b"".join(chunks)
        else:
            data = await reader.readexactly(int(headers.get(b"content-length", b"0")))
        if not self.keep_alive or headers.get(b"connection", b"").lower() == b"close":
            await self.close()
        return status, data
