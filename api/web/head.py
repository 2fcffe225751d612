"""HEAD wherever GET is answered (RFC 9110 section 9.3.2: same status and header fields, no
content).

FastAPI routes answer only the methods they list, so a HEAD on ``/``, ``/id/...`` or
``/sparql`` was a 405. Rather than list HEAD on every route (which would also put a HEAD
operation beside each GET in the OpenAPI document), the request goes to the app as a GET and
the content is dropped on the way out. The GET runs in full, so its headers
(``Content-Length``, ``Content-Type``, ``Link``) are exactly those a GET gets.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """Answer HEAD by running the GET and sending its status and headers without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, without_body)
