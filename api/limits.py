"""A bound on request size, checked before any route reads the body.

Uvicorn reads bodies of any length; this middleware answers 413 as soon as the declared or the
received length passes the limit, and also bounds the query string (a SPARQL query by GET).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paccto.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES

__all__ = ["RequestSizeLimit"]


class _TooLargeError(Exception):
    pass


class RequestSizeLimit:
    """Refuse requests whose body or query string exceeds ``max_bytes`` with a 413 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_bytes:
            await self._refuse(scope, send, "query string")
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(scope, send, "request body")
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await self._refuse(scope, send, "request body")

    async def _refuse(self, scope: Scope, send: Send, what: str) -> None:
        body = json.dumps(
            {
                "type": "/problems#request-too-large",
                "title": PROBLEM_TYPES["request-too-large"][0],
                "status": 413,
                "detail": f"the {what} is larger than the {self.max_bytes:,} bytes this service "
                "accepts",
                "instance": scope.get("path"),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
