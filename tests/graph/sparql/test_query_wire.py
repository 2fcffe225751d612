"""What travels between the server and its SPARQL workers: frames, never pickles.

The frame format is tested on its own (whole, cut anywhere, malformed in each way a subverted
worker could make it), then through a real worker pool: large answers, a reply that comes
after a wait gave up, a query nobody waits for any more, and a malformed reply.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import socket
import struct
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

import paccto.graph.sparql.query_pool as query_pool
from paccto.graph.errors import QueryFailedError, QueryTimeoutError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query_pool import QueryWorkerPool
from paccto.graph.sparql.query_worker import (
    MAX_BODY_BYTES,
    MAX_HEAD_BYTES,
    FrameReader,
    QueryReply,
    QueryRequest,
    WireError,
    WorkerStarted,
    decode_reply,
    decode_request,
    decode_started,
    encode_frame,
    encode_reply,
    encode_request,
    encode_started,
)

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?n WHERE { ?n a paccto:Network } ORDER BY ?n LIMIT 3"
#: Every quad ten times over: tens of thousands of rows, several MB of JSON.
LARGE = "SELECT * WHERE { ?s ?p ?o . VALUES ?i { 0 1 2 3 4 5 6 7 8 9 } }"
_PREFIX = struct.Struct("!IQ")


T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread for the whole session, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _joined(parts: list[bytes]) -> bytes:
    return b"".join(parts)


def _read_all(frames: list[bytes], chunk: int) -> list[tuple[dict[str, Any], bytes]]:
    """Each frame fed in turn to one reader, ``chunk`` bytes at a time (requests and replies
    alternate, so the next frame comes only once this one is read)."""
    reader, read = FrameReader(), []
    for data in frames:
        offset, frame = 0, None
        while offset < len(data):
            space = reader.space()
            count = min(chunk, len(space), len(data) - offset)
            space[:count] = data[offset : offset + count]
            offset += count
            frame = reader.advance(count)
        assert frame is not None and not reader.partial
        read.append(frame)
    return read


def _decode_one(data: bytes) -> tuple[dict[str, Any], bytes]:
    (frame,) = _read_all([data], 1 << 20)
    return frame


# -- the format alone --------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_messages_survive_the_wire_cut_anywhere(chunk: int) -> None:
    request = QueryRequest('ASK { ?s ?p "é\\u00e9" }', ("json", "xml"), 10, ("urn:g",), ())
    reply = QueryReply("ok", "SELECT", "csv", "text/csv", b"a,b\r\n1,\xff\r\n", 1)
    started = WorkerStarted("ready", "isolated", 1024, "")
    frames = [_joined(encode_request(request)), _joined(encode_reply(reply)),
              _joined(encode_started(started))]  # fmt: skip
    (request_head, _), (reply_head, body), (started_head, _) = _read_all(frames, chunk)
    assert decode_request(request_head) == request
    assert decode_reply(reply_head, body) == reply
    assert decode_started(started_head) == started


@pytest.mark.parametrize("extra", [-1, 0, 1, 70_000])
@pytest.mark.parametrize("chunk", [1000, 65536])
def test_frames_around_the_size_read_at_once_arrive_whole(extra: int, chunk: int) -> None:
    head = _joined(encode_frame({"outcome": "ok"}))
    body = b"\xab" * (64 * 1024 - len(head) + extra)
    (frame,) = _read_all([_joined(encode_frame({"outcome": "ok"}, body))], chunk)
    assert frame == ({"outcome": "ok"}, body)


def test_any_text_can_be_sent_even_a_lone_surrogate() -> None:
    """The head is ASCII JSON: no string makes encoding fail on the way to the engine (which
    then says what it thinks of it)."""
    request = QueryRequest("ASK { ?s ?p '\ud800\u00e9\U0001f600' }", ("json",), 1)
    assert decode_request(_decode_one(_joined(encode_request(request)))[0]) == request


def test_errors_keep_their_details() -> None:
    for reply in (
        QueryReply("syntax", message="1:5: expected WHERE"),
        QueryReply("too-large", extra={"cap": 5, "unit": "rows"}),
        QueryReply("not-acceptable", kind="ASK", extra={"acceptable": ["json", "xml"]}),
        QueryReply("failed", message="OSError: no"),
    ):
        assert decode_reply(*_decode_one(_joined(encode_reply(reply)))) == reply


def test_the_media_type_comes_from_the_servers_table_not_the_worker() -> None:
    head = {"outcome": "ok", "kind": "SELECT", "format": "json", "count": 0,
            "media_type": "text/html\r\nSet-Cookie: x=1"}  # fmt: skip
    assert decode_reply(head, b"{}").media_type == "application/sparql-results+json"


def test_bytes_past_the_end_of_a_frame_are_refused() -> None:
    """Replies answer requests one at a time: a worker that sends more than one frame is not
    following the protocol."""
    data = _joined(encode_reply(QueryReply("failed", message="a"))) * 2
    reader = FrameReader()
    reader.space()[: len(data)] = data
    with pytest.raises(WireError, match="past the end"):
        reader.advance(len(data))


def test_a_large_body_is_read_whole_in_one_buffer() -> None:
    body = bytes(range(256)) * (40 * 1024 * 4)  # 40 MiB
    parts = encode_frame({"outcome": "ok"}, body)
    assert parts[1] is body, "a large body is not copied into the frame"
    left, right = socket.socketpair()
    writer = threading.Thread(target=lambda: [left.sendall(part) for part in parts])
    writer.start()
    try:
        head, received = FrameReader().read_blocking(right)
    finally:
        writer.join()
        left.close()
        right.close()
    assert head == {"outcome": "ok"} and received == body


def _frame(head: bytes, body: bytes = b"") -> bytes:
    return _PREFIX.pack(len(head), len(body)) + head + body


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (_PREFIX.pack(MAX_HEAD_BYTES + 1, 0), "announcing"),
        (_PREFIX.pack(2, MAX_BODY_BYTES + 1), "announcing"),
        (_PREFIX.pack(0, 0), "announcing"),
        (_frame(b"{not json}"), "not JSON"),
        (_frame(b"\xff\xfe"), "not JSON"),
        (_frame(b"[1, 2]"), "not an object"),
        (_frame(b'"ok"'), "not an object"),
        # What the workers sent before: a pickle is refused before anything is unpickled.
        (pickle.dumps(QueryReply("ok", body=b"x" * 64)), "announcing|JSON|object"),
    ],
)
def test_malformed_frames_are_refused(data: bytes, why: str) -> None:
    reader = FrameReader()
    with pytest.raises(WireError, match=why):
        offset = 0
        while True:
            space = reader.space()
            count = min(len(space), len(data) - offset)
            assert count > 0, "the reader waited for more instead of refusing"
            space[:count] = data[offset : offset + count]
            offset += count
            reader.advance(count)


def test_a_frame_cut_short_is_the_end_of_the_stream() -> None:
    data = _joined(encode_reply(QueryReply("ok", "ASK", "json", "", b"true", 1)))
    left, right = socket.socketpair()
    left.sendall(data[:-3])
    left.close()
    with pytest.raises(EOFError, match="within a frame"), right:
        FrameReader().read_blocking(right)


@pytest.mark.parametrize(
    "head",
    [
        {"outcome": "pwned"},
        {"outcome": "ok", "kind": "SELECT", "format": "html", "count": 1},
        {"outcome": "ok", "kind": "SELECT", "format": "turtle", "count": 1},
        {"outcome": "ok", "kind": "CONSTRUCT", "format": "json", "count": 1},
        {"outcome": "ok", "kind": "DROP", "format": "json", "count": 1},
        {"outcome": "ok", "kind": "ASK", "format": "json", "count": -1},
        {"outcome": "ok", "kind": "ASK", "format": "json", "count": True},
        {"outcome": "ok", "kind": "ASK", "format": "json", "count": "1"},
        {"outcome": "too-large", "extra": {"cap": "5", "unit": "rows"}},
        {"outcome": "too-large", "extra": {"unit": "rows"}},
        {"outcome": "not-acceptable", "kind": "ASK", "extra": {"acceptable": "json"}},
        {"outcome": "failed", "message": 3},
        {"outcome": "failed", "extra": []},
    ],
)
def test_replies_with_a_bad_field_are_refused(head: dict[str, Any]) -> None:
    with pytest.raises(WireError):
        decode_reply(head, b"x" if head["outcome"] == "ok" else b"")


def test_only_an_answer_carries_a_body() -> None:
    with pytest.raises(WireError, match="carries"):
        decode_reply({"outcome": "failed", "message": "no"}, b"<script>")


@pytest.mark.parametrize(
    "head",
    [
        {"query": "ASK {}", "max_rows": 1},
        {"query": "ASK {}", "formats": "json", "max_rows": 1},
        {"query": 1, "formats": ["json"], "max_rows": 1},
        {"query": "ASK {}", "formats": ["json"], "max_rows": 1, "named_graphs": [1]},
        {"status": "maybe", "network_isolation": "x"},
    ],
)
def test_requests_and_greetings_with_a_bad_field_are_refused(head: dict[str, Any]) -> None:
    with pytest.raises(WireError):
        decode_started(head) if "status" in head else decode_request(head)


# -- through a real worker pool ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pool(kg: KnowledgeGraph) -> Iterator[QueryWorkerPool]:
    settings = get_settings(
        sparql_workers=1, sparql_quick_workers=0, sparql_timeout=2.0, sparql_max_rows=1_000_000
    )
    started = QueryWorkerPool.for_graph(kg, settings)
    try:
        yield started
    finally:
        started.close()


def _wait_for_workers(pool: QueryWorkerPool, count: int = 1) -> None:
    deadline = time.monotonic() + 30
    while pool.status().idle < count:
        assert time.monotonic() < deadline, "the worker was not replaced"
        time.sleep(0.05)


def test_a_large_answer_arrives_whole_both_ways(pool: QueryWorkerPool) -> None:
    expected = 10 * pool.evaluate("SELECT * WHERE { ?s ?p ?o }", ("tsv",)).count
    awaited = _run(pool.evaluate_async(LARGE, ("json",)))
    assert len(awaited.body) > 4_000_000
    assert len(json.loads(awaited.body)["results"]["bindings"]) == awaited.count == expected
    called = pool.evaluate(LARGE, ("ntriples", "csv"))
    assert called.format == "csv" and called.media_type == "text/csv"
    assert called.body.count(b"\r\n") == expected + 1


def test_after_a_time_out_the_next_query_gets_its_own_answer(pool: QueryWorkerPool) -> None:
    restarts = pool.restarts
    with pytest.raises(QueryTimeoutError):
        pool.evaluate(RUNAWAY, ("json",))
    assert pool.restarts == restarts + 1
    reply = pool.evaluate(SIMPLE, ("json",))
    assert reply.count == 3
    assert json.loads(reply.body)["head"]["vars"] == ["n"]


def test_a_query_nobody_awaits_any_more_is_stopped(pool: QueryWorkerPool) -> None:
    async def give_up() -> None:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await pool.evaluate_async(RUNAWAY, ("json",))

    _wait_for_workers(pool)
    restarts = pool.restarts
    started = time.monotonic()
    _run(give_up())
    assert time.monotonic() - started < 1.5, "the runaway was waited for, not stopped"
    assert pool.restarts == restarts + 1  # its worker was killed, not left running
    assert pool.evaluate(SIMPLE, ("json",)).count == 3


def test_a_reply_cut_by_a_wait_is_read_on_where_it_stopped() -> None:
    """The quick lane waits in slices: a frame half read when a slice ends is finished by the
    next wait, not lost or read twice."""
    left, right = socket.socketpair()
    right.setblocking(False)
    worker: Any = type("FakeWorker", (), {"reader": FrameReader(), "connection": right})()
    data = _joined(encode_reply(QueryReply("ok", "ASK", "json", "", b'{"boolean":true}', 1)))

    async def read() -> None:
        left.sendall(data[:10])
        assert await query_pool._read_frame(worker, time.monotonic() + 0.1) is None
        left.sendall(data[10:])
        frame = await query_pool._read_frame(worker, time.monotonic() + 1)
        assert frame is not None and decode_reply(*frame).body == b'{"boolean":true}'

    try:
        _run(read())
    finally:
        left.close()
        right.close()


def test_a_malformed_reply_replaces_the_worker(
    pool: QueryWorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(head: dict[str, Any], body: bytes) -> QueryReply:
        raise WireError("a reply whose outcome is 'pwned'")

    _wait_for_workers(pool)
    restarts = pool.restarts
    with monkeypatch.context() as patched:
        patched.setattr(query_pool, "decode_reply", refuse)
        with pytest.raises(QueryFailedError, match="malformed answer"):
            pool.evaluate(SIMPLE, ("json",))
    assert pool.restarts == restarts + 1
    assert pool.evaluate(SIMPLE, ("json",)).count == 3


def test_closing_the_pool_ends_a_query_in_progress(kg: KnowledgeGraph) -> None:
    settings = get_settings(sparql_workers=1, sparql_quick_workers=0, sparql_timeout=30.0)
    closing = QueryWorkerPool.for_graph(kg, settings)
    outcome: list[BaseException] = []

    def ask() -> None:
        try:
            closing.evaluate(RUNAWAY, ("json",))
        except BaseException as error:  # what the caller heard, whatever it is
            outcome.append(error)

    asker = threading.Thread(target=ask)
    asker.start()
    time.sleep(0.5)
    started = time.monotonic()
    closing.close()
    asker.join(10)
    assert not asker.is_alive() and time.monotonic() - started < 10
    assert isinstance(outcome[0], QueryFailedError) and "shutting down" in str(outcome[0])
