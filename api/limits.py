"""Limits on what one client may ask of the service.

- A cap on request bodies: no endpoint takes one (the API reads the graph only), so anything
  beyond a small size is refused with 413 before it is read into memory. A declared
  ``Content-Length`` over the cap is refused at once; a body sent in chunks is counted as it
  arrives and refused as soon as it passes the cap.
- A per-client request rate (``S3GRAPH_RATE_LIMIT``, e.g. ``50/second``): a client that floods
  the service gets 429 with ``Retry-After`` while the others keep being served. The counting is
  the ``limits`` library's moving window, kept in memory per process.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from limits import RateLimitItem, parse_many, storage, strategies

from graph.errors import ConfigurationError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """ASGI middleware: 413 with a JSON ``detail`` for bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        # Read the body here, up to the cap, so that an endless chunked body is cut off even
        # when the endpoint never reads it; then hand it on unchanged.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        detail = f"request body larger than {self.max_bytes:,} bytes: no endpoint takes a body"
        payload = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def parse_rate(rate: str) -> list[RateLimitItem]:
    """The limits of ``S3GRAPH_RATE_LIMIT``, or an error with an example (at start-up, rather
    than at the first request)."""
    try:
        return parse_many(rate)
    except ValueError as exc:
        raise ConfigurationError(
            f"S3GRAPH_RATE_LIMIT {rate!r} is not a rate such as '50/second' or "
            "'50/second;1000/minute'"
        ) from exc


class RateLimit:
    """ASGI middleware: 429 with ``Retry-After`` once a client (its address) passes one of
    ``items`` (``parse_rate``)."""

    def __init__(self, app: ASGIApp, items: list[RateLimitItem]) -> None:
        self.app = app
        self.items = items
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        for item in self.items:
            if not self.limiter.hit(item, client):
                reset = self.limiter.get_window_stats(item, client).reset_time
                await self._refuse(send, item, max(1, math.ceil(reset - time.time())))
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(send: Send, item: Any, retry_after: int) -> None:
        detail = (
            f"too many requests from this client (more than {item}): retry after "
            f"{retry_after} s; S3GRAPH_RATE_LIMIT sets the limit"
        )
        payload = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
