"""A Content-Security-Policy on every HTML page, including those no route gives one.

The explorer and the views state their own policies (nonces, open ``frame-ancestors`` for
``/embed``), and ``/docs`` its own (the hash of Swagger UI's start-up script); those are kept.
Every other page (``/id/...``, ``/source/...``, ``/passage/...``, ``/problems``, the ``/sparql``
form) is written by the service with no script at all, so the default allows scripts only from
this origin: a label that slipped past escaping still could not run. Inline ``<style>`` blocks
are allowed because those pages carry one and styles cannot run code.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_CSP", "DEFAULT_HTML_HEADERS", "SecurityHeaders", "policy"]

#: Directives every page's policy starts from; a page widens only what it needs.
_BASE = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'self'",
}


def policy(**widened: str) -> str:
    """The default policy with some directives replaced (``worker_src="'self' blob:"``)."""
    directives = {**_BASE, **{name.replace("_", "-"): value for name, value in widened.items()}}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


DEFAULT_CSP = policy()
DEFAULT_HTML_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": DEFAULT_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Add each of ``headers`` to a ``text/html`` response that does not already have it."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str] = DEFAULT_HTML_HEADERS) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").lower().startswith("text/html"):
                    for name, value in self.headers.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
