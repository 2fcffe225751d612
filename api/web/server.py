"""How ``paccto serve`` runs uvicorn: the HTTP parser, and the limits it enforces before the app.

uvicorn's httptools protocol, as it comes, reads a request head of any size: a 128 MiB header
was read for 27 s and answered 200, and every other client waited meanwhile. httptools' URL
parser also keeps offsets in 16 bits, so a GET query string over 64 KiB got a plain-text 400 and
never the documented 413. The service therefore bounds the whole request head at the
request-size limit plus the header limit: a URL within ``max_request_bytes`` reaches the app
(whose :class:`~paccto.api.web.limits.RequestSizeLimit` answers the exact limits with
problems), and anything past the bound is refused after reading about 1 MiB, not 128.

Two protocols do that. :class:`BoundedHttpToolsProtocol`, the one ``paccto serve`` runs, counts
the bytes of each head as they arrive and splits a long URL itself; httptools parses in C,
and h11 (pure Python) cost about 140 µs of CPU more per request, as much as the app's own work
for a small SPARQL answer. :class:`BoundedH11Protocol` does the same on h11
(``max_incomplete_event_size``), for where httptools is not installed. Either refuses with a
problem document, as every other error of the service is.
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

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is not installed: h11 serves
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

__all__ = [
    "BoundedH11Protocol",
    "BoundedHttpToolsProtocol",
    "bounded_protocol",
    "uvicorn_options",
]

#: Room in the request head for the method, the path, ``HTTP/1.1`` and the line ends.
_HEAD_SLACK = 8192
#: The longest URL httptools' URL parser reads (its offsets are 16-bit).
_HTTPTOOLS_URL_LIMIT = 65_535
#: Bodies up to this size leave in one write with their response's head.
_JOIN_BODY_BELOW = 64 * 1024


def _problem(status: int, kind: str, detail: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The header fields and body of a problem that closes the connection."""
    body = json.dumps(
        {"type": f"/problems#{kind}", "title": PROBLEM_TYPES[kind][0], "status": status,
         "detail": detail}
    ).encode()  # fmt: skip
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    return headers, body


def _too_large(
    line_ended: bool, max_request_bytes: int, max_header_bytes: int
) -> tuple[int, str, str]:
    """The refusal of a head past the bound: its URL (413) while the request line has not
    ended, else its header fields (431)."""
    if not line_ended:
        return 413, "request-too-large", (
            f"the request line (the URL and its query string) is longer than the "
            f"{max_request_bytes:,} bytes this service accepts"
        )  # fmt: skip
    return 431, "headers-too-large", (
        f"the request's header fields are larger than the {max_header_bytes:,} bytes this "
        "service accepts"
    )  # fmt: skip


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
            return _too_large(b"\n" in head, self.max_request_bytes, self.max_header_bytes)
        return 400, "malformed-request", message

    def send_400_response(self, msg: str) -> None:
        status, kind, detail = self._refusal(msg)
        headers, body = _problem(status, kind, detail)
        reason = HTTPStatus(status).phrase.encode()
        self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers,
                                                         reason=reason)))  # fmt: skip
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


class _HttpToolsBase:
    """Stands in for uvicorn's httptools protocol where httptools is not installed."""


class BoundedHttpToolsProtocol(HttpToolsProtocol or _HttpToolsBase):  # type: ignore[misc]
    """uvicorn's httptools protocol with a bounded request head and problem+json refusals.

    Each head is counted as it is fed to the parser, from the end of the previous request, and
    no more than the bound is fed while a head is open: past it, the head is refused (413 while
    the request line has not ended, else 431) and the connection closed, after reading at most
    one read's worth more. A URL longer than httptools' URL parser reads is split here (path,
    then query string). Any other syntax error is a 400 problem.
    """

    max_request_bytes: ClassVar[int] = 1_048_576
    max_header_bytes: ClassVar[int] = 65_536
    #: The request target read so far (uvicorn's).
    url: bytes

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        #: Whether the parser is inside a request head, and how many of its bytes it was fed.
        self._in_head = True
        self._head_bytes = 0
        self._line_ended = False

    @classmethod
    def head_limit(cls) -> int:
        """The most bytes of one request head (request line and header fields) read."""
        return cls.max_request_bytes + cls.max_header_bytes + _HEAD_SLACK

    def data_received(self, data: bytes) -> None:
        while self._in_head:
            allowance = self.head_limit() - self._head_bytes
            if len(data) <= allowance:
                break
            self._head_bytes += allowance
            super().data_received(data[:allowance])
            data = data[allowance:]
            if self.transport.is_closing():
                return
            if self._in_head:
                self._refuse(*_too_large(self._line_ended, self.max_request_bytes,
                                         self.max_header_bytes))  # fmt: skip
                return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)

    def on_message_begin(self) -> None:
        self._in_head, self._line_ended = True, False
        super().on_message_begin()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._line_ended = True
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head, self._line_ended, self._head_bytes = False, True, 0
        url = self.url
        if len(url) <= _HTTPTOOLS_URL_LIMIT:
            super().on_headers_complete()
            return
        # httptools' URL parser stops at 64 KiB: it reads the target without its query, whose
        # bytes are put in the scope here, before the request's task first runs.
        target, _, query = url.partition(b"?")
        self.url = target
        try:
            super().on_headers_complete()
        finally:
            self.url = url
        if self.scope is not None and "query_string" in self.scope:
            self.scope["query_string"] = query.partition(b"#")[0]

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes = True, 0
        super().on_message_complete()

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        # Every request's cycle, pipelined ones too, starts here (uvicorn's own hook).
        cycle.transport = _HeadHoldingTransport(cycle.transport, self.loop)
        super()._start_asgi_task(cycle, app)

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "malformed-request", msg)

    def _refuse(self, status: int, kind: str, detail: str) -> None:
        headers, body = _problem(status, kind, detail)
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
        head += [name + b": " + value for name, value in headers]
        self.transport.write(b"\r\n".join([*head, b"", body]))
        self.transport.close()


class _HeadHoldingTransport:
    """The transport as one response sees it: its head (the first write) is held until its
    body is written, then both leave in one write, so a small answer costs the client one
    wake-up and the server one system call rather than two. A head whose body does not follow
    at once is written when the loop next turns (a streamed answer)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None
        self._writes = 0
        self._flush_handle: asyncio.Handle | None = None

    def write(self, data: bytes) -> None:
        self._writes += 1
        if self._writes == 1:
            self._head = bytes(data)
            self._flush_handle = self._loop.call_soon(self._flush)
            return
        head = self._take_head()
        if head is None:
            self._transport.write(data)
        elif len(data) < _JOIN_BODY_BELOW:
            self._transport.write(head + data)
        else:  # not copied: two writes
            self._transport.write(head)
            self._transport.write(data)

    def _take_head(self) -> bytes | None:
        head, self._head = self._head, None
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        return head

    def _flush(self) -> None:
        self._flush_handle = None
        head, self._head = self._head, None
        if head is not None:
            self._transport.write(head)

    def close(self) -> None:
        head = self._take_head()
        if head is not None:
            self._transport.write(head)
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def bounded_protocol(
    max_request_bytes: int, max_header_bytes: int, *, parser: str = "httptools"
) -> type[BoundedHttpToolsProtocol] | type[BoundedH11Protocol]:
    """The protocol class for these limits (uvicorn builds protocols from a class alone), on
    httptools where it is installed, else (or with ``parser="h11"``) on h11."""
    base: type = BoundedHttpToolsProtocol
    if parser == "h11" or HttpToolsProtocol is None:
        base = BoundedH11Protocol
    return type(
        base.__name__,
        (base,),
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
