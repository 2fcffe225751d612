"""Bounds on request size, checked before any route reads the body.

Uvicorn reads bodies of any length; this middleware answers 413 as soon as the declared or the
received length passes the limit, and also bounds the query string (a SPARQL query by GET) and
the header fields (431). ``paccto serve`` refuses heads far past these limits before they are
read whole (:mod:`paccto.api.web.server`); the exact limits are applied here, so they hold under any
ASGI server.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paccto.api.web.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES

__all__ = ["RequestSizeLimit"]


class _TooLargeError(Exception):
    pass


class RequestSizeLimit:
    """Refuse requests whose body or query string exceeds ``max_bytes`` with a 413 problem, and
    those whose header fields add up to more than ``max_header_bytes`` with a 431 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int = 65_536) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        # Counted as sent: "name: value" and the line end.
        if sum(len(name) + len(value) + 4 for name, value in headers) > self.max_header_bytes:
            await self._send_problem(
                scope, send, 431, "headers-too-large",
                f"the request's header fields are larger than the {self.max_header_bytes:,} "
                "bytes this service accepts",
            )  # fmt: skip
            return
        if len(scope.get("query_string", b"")) > self.max_bytes:
            await self._refuse(scope, send, "query string")
            return
        for name, value in headers:
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
        await self._send_problem(
            scope, send, 413, "request-too-large",
            f"the {what} is larger than the {self.max_bytes:,} bytes this service accepts",
        )  # fmt: skip

    async def _send_problem(
        self, scope: Scope, send: Send, status: int, kind: str, detail: str
    ) -> None:
        body = json.dumps(
            {
                "type": f"/problems#{kind}",
                "title": PROBLEM_TYPES[kind][0],
                "status": status,
                "detail": detail,
                "instance": scope.get("path"),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
