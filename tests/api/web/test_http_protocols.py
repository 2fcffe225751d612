"""Both bounded HTTP protocols (httptools, which ``paccto serve`` runs, and h11) fed bytes directly.

A fake transport collects what the protocol writes, so the limits on a request head are tested
byte for byte, chunk by chunk, without a socket: heads that arrive in pieces, pipelined requests,
a request with a body followed by another, and a URL past httptools' 64 KiB URL parser.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from paccto.api.web.server import bounded_protocol, uvicorn_options
from paccto.graph.settings import get_settings

MAX_REQUEST_BYTES = 4096
MAX_HEADER_BYTES = 4096
PARSERS = ["httptools", "h11"]


async def _echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with what it was asked: the path, the query string and the body's length."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = json.dumps(
        {"path": scope["path"], "query": scope["query_string"].decode(), "body": len(body)}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length",
               str(len(answer)).encode())]  # fmt: skip
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5555)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _feed(parser: str, chunks: Iterable[bytes], max_request_bytes: int = MAX_REQUEST_BYTES,
          ) -> tuple[bytes, bool]:  # fmt: skip
    """What the protocol wrote for ``chunks``, and whether it closed the connection."""

    async def run() -> tuple[bytes, bool]:
        config = Config(app=_echo, log_level="warning", access_log=False, lifespan="off")
        config.load()
        protocol_class = bounded_protocol(max_request_bytes, MAX_HEADER_BYTES, parser=parser)
        protocol = protocol_class(config, ServerState(), {}, asyncio.get_running_loop())
        transport = _Transport()
        protocol.connection_made(transport)
        for chunk in chunks:
            if transport.closed:
                break
            protocol.data_received(chunk)
            for _ in range(20):  # let the app answer
                await asyncio.sleep(0)
        return bytes(transport.written), transport.closed

    return asyncio.run(run())


def _answers(written: bytes) -> list[tuple[int, bytes]]:
    """Status and body of each answer in ``written`` (answers with a Content-Length)."""
    answers = []
    while written:
        head, _, rest = written.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        fields = dict(line.lower().split(b": ", 1) for line in lines[1:])
        length = int(fields[b"content-length"])
        answers.append((int(lines[0].split()[1]), rest[:length]))
        written = rest[length:]
    return answers


def _problem(written: bytes) -> tuple[int, str]:
    ((status, body),) = _answers(written)
    problem = json.loads(body)
    assert problem["status"] == status
    return status, problem["type"].removeprefix("/problems#")


def test_paccto_serve_runs_on_httptools() -> None:
    protocol = uvicorn_options(get_settings())["http"]
    assert protocol.__name__ == "BoundedHttpToolsProtocol"
    assert protocol.max_request_bytes == get_settings().max_request_bytes


@pytest.mark.parametrize("parser", PARSERS)
def test_a_head_arriving_in_pieces_is_counted_across_them(parser: str) -> None:
    head = [b"GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: "] + [b"a" * 512] * 40
    written, closed = _feed(parser, head)
    assert _problem(written) == (431, "headers-too-large") and closed


@pytest.mark.parametrize("parser", PARSERS)
def test_a_url_past_the_bound_is_413_before_the_line_ends(parser: str) -> None:
    written, closed = _feed(parser, [b"GET /sparql?query=" + b"x" * 20_000])
    assert _problem(written) == (413, "request-too-large") and closed


@pytest.mark.parametrize("parser", PARSERS)
def test_pipelined_requests_each_get_their_answer(parser: str) -> None:
    one = b"GET /a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
    two = b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    three = b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n"
    written, closed = _feed(parser, [one + two + three[:10], three[10:]])
    answers = [json.loads(body) for _, body in _answers(written)]
    assert answers == [
        {"path": "/a", "query": "x=1", "body": 0},
        {"path": "/b", "query": "", "body": 5},
        {"path": "/c", "query": "", "body": 0},
    ]
    assert not closed


@pytest.mark.parametrize("parser", PARSERS)
def test_the_bound_is_per_head_not_per_connection(parser: str) -> None:
    """Many requests on one connection, together far past the bound, are all answered."""
    request = b"GET /health?" + b"q" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    written, closed = _feed(parser, [request] * 10)
    assert [status for status, _ in _answers(written)] == [200] * 10
    assert not closed


@pytest.mark.parametrize("parser", PARSERS)
def test_a_url_over_64_kib_within_the_limit_reaches_the_app_whole(parser: str) -> None:
    query = "query=" + quote("ASK {} #" + "x" * 100_000)
    request = f"GET /sparql?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    written, _ = _feed(parser, [request[i : i + 65536] for i in range(0, len(request), 65536)],
                       max_request_bytes=1 << 20)  # fmt: skip
    ((status, body),) = _answers(written)
    assert status == 200
    assert json.loads(body) == {"path": "/sparql", "query": query, "body": 0}


@pytest.mark.parametrize("parser", PARSERS)
def test_a_malformed_head_is_a_400_problem(parser: str) -> None:
    written, closed = _feed(parser, [b"GET /health HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n"])
    assert _problem(written) == (400, "malformed-request") and closed


def test_a_small_answer_leaves_in_one_write_and_a_streamed_head_is_not_held() -> None:
    """The head of an answer is held until its body, so a small answer is one write; a head
    whose body takes longer still leaves when the loop turns."""
    writes: list[bytes] = []

    async def slow_body(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = [(b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if scope["path"] == "/slow":
            await asyncio.sleep(0.05)
            assert writes, "the head waited for the body"
        await send({"type": "http.response.body", "body": b"ok"})

    class Recording(_Transport):
        def write(self, data: bytes | bytearray | memoryview) -> None:
            writes.append(bytes(data))

    async def run(path: str) -> None:
        config = Config(app=slow_body, log_level="warning", access_log=False, lifespan="off")
        config.load()
        protocol = bounded_protocol(MAX_REQUEST_BYTES, MAX_HEADER_BYTES)(
            config, ServerState(), {}, asyncio.get_running_loop()
        )
        protocol.connection_made(Recording())
        protocol.data_received(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        await asyncio.sleep(0.2)

    asyncio.run(run("/fast"))
    assert len(writes) == 1 and writes[0].startswith(b"HTTP/1.1 200") and writes[0].endswith(b"ok")
    writes.clear()
    asyncio.run(run("/slow"))
    assert len(writes) == 2 and writes[1] == b"ok"


@pytest.mark.parametrize("parser", PARSERS)
def test_expect_100_continue_comes_before_the_answer(parser: str) -> None:
    head = b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
    written, _ = _feed(parser, [head, b"hello"])
    interim, _, rest = written.partition(b"\r\n\r\n")
    assert interim == b"HTTP/1.1 100 Continue"
    assert [json.loads(body)["body"] for _, body in _answers(rest)] == [5]
