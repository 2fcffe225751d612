"""How ``paccto serve`` runs uvicorn: the HTTP parser, and the limits it enforces before the app.

uvicorn[standard] picks httptools, which reads a request head of any size: a 128 MiB header was
read for 27 s and answered 200, and every other client waited meanwhile. Its URL parser also
keeps offsets in 16 bits, so a GET query string over 64 KiB got a plain-text 400 and never the
documented 413. h11 bounds the whole request head (``max_incomplete_event_size``) and reads a
URL of any length up to that bound, so the service runs on h11 with the bound set to the
request-size limit plus the header limit: a URL within ``max_request_bytes`` reaches the app
(whose :class:`~paccto.api.web.limits.RequestSizeLimit` answers the exact limits with problems), and
anything past the bound is refused after reading about 1 MiB, not 128.

h11 is pure Python and slower per request than httptools; next to a SPARQL query or a rendered
page the difference is small, and a server that can be stalled by one client is slower still.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any, ClassVar

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from paccto.api.web.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES
from paccto.graph.settings import Settings

__all__ = ["BoundedH11Protocol", "bounded_protocol", "uvicorn_options"]

#: Room in the request head for the method, the path, ``HTTP/1.1`` and the line ends.
_HEAD_SLACK = 8192


class _Connection(h11.Connection):
    """h11's server side, remembering the status h11 suggests for the error it raises, so the
    refusal can say 431 (head too large) rather than a bare 400."""

    refusal: int | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as error:
            self.refusal = error.error_status_hint
            raise


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a bounded request head and problem+json refusals.

    A head that outgrows the bound before its request line ends is a URL over the request-size
    limit (413, like a long query string the app sees); one whose line ended is header fields
    over their limit (431); any other syntax error is a 400. Each is a problem document, as
    every other error of the service is, and closes the connection.
    """

    max_request_bytes: ClassVar[int] = 1_048_576
    max_header_bytes: ClassVar[int] = 65_536
    #: Always ours (set in ``__init__``), which remembers the status of a refused request.
    conn: _Connection

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _Connection(h11.SERVER, max_incomplete_event_size=self.head_limit())

    @classmethod
    def head_limit(cls) -> int:
        """The most bytes of one request head (request line and header fields) read."""
        return cls.max_request_bytes + cls.max_header_bytes + _HEAD_SLACK

    def _refusal(self, message: str) -> tuple[int, str, str]:
        if self.conn.refusal == 431:
            head, _ = self.conn.trailing_data
            if b"\n" not in head:
                return 413, "request-too-large", (
                    f"the request line (the URL and its query string) is longer than the "
                    f"{self.max_request_bytes:,} bytes this service accepts"
                )  # fmt: skip
            return 431, "headers-too-large", (
                f"the request's header fields are larger than the {self.max_header_bytes:,} "
                "bytes this service accepts"
            )  # fmt: skip
        return 400, "malformed-request", message

    def send_400_response(self, msg: str) -> None:
        status, kind, detail = self._refusal(msg)
        body = json.dumps(
            {"type": f"/problems#{kind}", "title": PROBLEM_TYPES[kind][0], "status": status,
             "detail": detail}
        ).encode()  # fmt: skip
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        reason = HTTPStatus(status).phrase.encode()
        self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers,
                                                         reason=reason)))  # fmt: skip
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


def bounded_protocol(max_request_bytes: int, max_header_bytes: int) -> type[BoundedH11Protocol]:
    """The protocol class for these limits (uvicorn builds protocols from a class alone)."""
    return type(
        "BoundedH11Protocol",
        (BoundedH11Protocol,),
        {"max_request_bytes": max_request_bytes, "max_header_bytes": max_header_bytes},
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` that serve with these settings' limits."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": settings.access_log,
        "http": bounded_protocol(settings.max_request_bytes, settings.max_header_bytes),
    }
