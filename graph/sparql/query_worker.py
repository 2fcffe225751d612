"""The inside of one SPARQL worker process: an Oxigraph store answering queries sent down a pipe.

Neither rdflib nor pyoxigraph can interrupt a running query from another thread, so public
queries run in processes the server can kill (see :mod:`paccto.graph.sparql.query_pool`). A worker
first gives up its network (:mod:`paccto.graph.sparql.worker_confinement`), loads the graph once
from an N-Quads file, bounds the memory a query may add, says :class:`WorkerStarted`, then answers
:class:`QueryRequest` messages with :class:`QueryReply` messages until its pipe closes. It
imports only pyoxigraph and the result writers, so a replacement starts in a fraction of a
second.

The messages travel as *frames* (:func:`encode_frame`, :class:`FrameReader`): a fixed 12-byte
prefix giving two lengths, a JSON object of the message's small fields, then the raw bytes of
the answer the worker already wrote. Not pickle, for two reasons. A worker evaluates hostile
queries and is confined for that; unpickling what it sends would let a worker subverted through
the engine run code in the server, outside the confinement, whereas a JSON object and a byte
string are only data, checked field by field (:func:`decode_reply`). And it is cheaper: the
answer is never copied into or out of a pickle, and a request costs one small JSON document.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paccto.graph.sparql.results import (
    RESULT_FORMATS,
    CapExceeded,
    WrittenAnswer,
    format_by_name,
    write_answer,
)
from paccto.graph.sparql.worker_confinement import (
    NETWORK_ISOLATED,
    isolate_from_network,
    limit_query_memory,
)
from paccto.graph.stores.query_store import STORE_FOLDER, dumped_store
from paccto.graph.stores.store_lease import lease_version

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_HEAD_BYTES",
    "FrameReader",
    "QueryReply",
    "QueryRequest",
    "WireError",
    "WorkerStarted",
    "decode_reply",
    "decode_request",
    "decode_started",
    "encode_frame",
    "encode_reply",
    "encode_request",
    "encode_started",
    "main",
    "serve_queries",
]

READY = "ready"
REFUSED = "refused"

#: A frame's prefix: the length of its JSON head, then the length of its body (network order).
_PREFIX = struct.Struct("!IQ")
#: The most bytes a frame's head may have. A request's head carries the query text, which the
#: HTTP layer bounds (``max_request_bytes``, 1 MiB by default) far below this.
MAX_HEAD_BYTES = 256 * 1024 * 1024
#: The most bytes a frame's body may have: a length past it is a malformed frame, read no
#: further, rather than an allocation as large as a corrupt prefix says.
MAX_BODY_BYTES = 8 * 1024 * 1024 * 1024
#: Bodies up to this size go out in one write with their prefix and head.
_JOIN_BELOW = 256 * 1024
#: Frames up to this size are read with one ``recv`` into a buffer kept for the purpose.
_SCRATCH_BYTES = 64 * 1024
#: What a reply's ``outcome`` may say.
_OUTCOMES = frozenset({"ok", "syntax", "not-acceptable", "too-large", "failed"})
_KINDS = frozenset({"SELECT", "ASK", "CONSTRUCT"})


class WireError(ValueError):
    """A frame that does not follow the format: its sender is not to be trusted further."""


@dataclass(frozen=True)
class WorkerStarted:
    """A worker's first message: ready to answer (``READY``), or why it will not (``REFUSED``)."""

    status: str
    network_isolation: str
    memory_limit: int = 0
    message: str = ""


@dataclass(frozen=True)
class QueryRequest:
    """One query and how to answer it.

    ``default_graphs``/``named_graphs`` are the protocol's ``default-graph-uri`` and
    ``named-graph-uri`` (``None`` when not given). Without them, and without FROM in the query,
    the default graph is the query store's: the RDF merge of every graph
    (:mod:`paccto.graph.stores.query_store`).
    """

    query: str
    formats: tuple[str, ...]
    max_rows: int
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class QueryReply:
    """``outcome`` is "ok", "syntax", "not-acceptable", "too-large" or "failed"."""

    outcome: str
    kind: str = ""
    format: str = ""
    media_type: str = ""
    body: bytes = b""
    count: int = 0
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def answered(cls, written: WrittenAnswer) -> QueryReply:
        """The reply carrying a written answer, from a worker or from a remote server alike."""
        return cls(
            "ok",
            kind=written.kind,
            format=written.format.name,
            media_type=written.format.media_type,
            body=written.body,
            count=written.count,
        )


# -- frames ------------------------------------------------------------------------------------


def encode_frame(head: dict[str, Any], body: bytes = b"") -> list[bytes]:
    """The bytes of one frame, as parts to write in order (a large body is not copied)."""
    # ASCII: any string encodes, a lone surrogate too (as an escape).
    data = json.dumps(head, separators=(",", ":")).encode()
    if len(data) > MAX_HEAD_BYTES or len(body) > MAX_BODY_BYTES:
        raise WireError(f"a frame of {len(data):,} + {len(body):,} bytes is over the limits")
    prefix = _PREFIX.pack(len(data), len(body))
    if len(body) < _JOIN_BELOW:
        return [prefix + data + body]
    return [prefix + data, body]


class FrameReader:
    """Reassembles one frame at a time from whatever a socket gives, blocking or not.

    A frame that fits in :data:`_SCRATCH_BYTES` (any request, most answers) is read whole with
    one ``recv``; a larger one goes, once its prefix is read, into a buffer of its exact size,
    so a large answer is not copied between growing buffers, and a prefix that announces more
    than the limits is refused before anything is allocated for it. Requests and replies
    alternate, so bytes past the end of a frame break the format.
    """

    def __init__(self) -> None:
        self._scratch = bytearray(_SCRATCH_BYTES)
        self._reset()

    def _reset(self) -> None:
        self._buffer = self._scratch
        self._filled = 0
        #: Where the head starts in ``_buffer`` and the sizes the prefix gave (once read).
        self._offset = 0
        self._sizes: tuple[int, int] | None = None

    @property
    def partial(self) -> bool:
        """Whether part of a frame has been read (a frame cut here was cut short)."""
        return self._filled > 0 or self._buffer is not self._scratch

    def space(self) -> memoryview:
        """Where the next bytes go: ``recv_into`` this, then call :meth:`advance`."""
        return memoryview(self._buffer)[self._filled :]

    def advance(self, count: int) -> tuple[dict[str, Any], bytes] | None:
        """Take ``count`` bytes just written into :meth:`space`; the frame once it is whole.

        Raises :class:`EOFError` for a count of 0 (the other side closed) and
        :class:`WireError` for a frame that breaks the format.
        """
        if count == 0:
            raise EOFError("the other side closed" + (" within a frame" if self.partial else ""))
        self._filled += count
        if self._sizes is None:
            if self._filled < _PREFIX.size:
                return None
            head_size, body_size = _PREFIX.unpack_from(self._buffer)
            if not 2 <= head_size <= MAX_HEAD_BYTES or body_size > MAX_BODY_BYTES:
                raise WireError(f"a frame announcing {head_size:,} + {body_size:,} bytes")
            self._sizes, self._offset = (head_size, body_size), _PREFIX.size
            if _PREFIX.size + head_size + body_size > len(self._scratch):
                # Too large for the scratch buffer: the rest goes into one of its exact size.
                whole = bytearray(head_size + body_size)
                received = self._filled - _PREFIX.size
                whole[:received] = self._scratch[_PREFIX.size : self._filled]
                self._buffer, self._filled, self._offset = whole, received, 0
        head_size, body_size = self._sizes
        end = self._offset + head_size + body_size
        if self._filled < end:
            return None
        if self._filled > end:
            raise WireError(f"{self._filled - end:,} bytes past the end of a frame")
        view = memoryview(self._buffer)
        head = bytes(view[self._offset : self._offset + head_size])
        body = bytes(view[self._offset + head_size : end])
        view.release()
        self._reset()
        try:
            decoded = json.loads(head)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise WireError(f"a frame whose head is not JSON: {error}") from None
        if not isinstance(decoded, dict):
            raise WireError(f"a frame whose head is a {type(decoded).__name__}, not an object")
        return decoded, body

    def read_blocking(self, connection: socket.socket) -> tuple[dict[str, Any], bytes]:
        """The next frame from a blocking socket."""
        while True:
            frame = self.advance(connection.recv_into(self.space()))
            if frame is not None:
                return frame


def _field(head: dict[str, Any], name: str, kind: type, default: Any = None) -> Any:
    value = head.get(name, default)
    # bool is an int to isinstance, never a count.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise WireError(f"the field {name!r} is not a {kind.__name__}: {value!r}")
    return value


def _strings(head: dict[str, Any], name: str) -> tuple[str, ...] | None:
    value = head.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WireError(f"the field {name!r} is not a list of strings: {value!r}")
    return tuple(value)


def encode_started(started: WorkerStarted) -> list[bytes]:
    """A worker's first message as a frame."""
    return encode_frame(
        {
            "status": started.status,
            "network_isolation": started.network_isolation,
            "memory_limit": started.memory_limit,
            "message": started.message,
        }
    )


def decode_started(head: dict[str, Any]) -> WorkerStarted:
    """A worker's first message, read back from a frame's head."""
    status = _field(head, "status", str)
    if status not in (READY, REFUSED):
        raise WireError(f"a worker's first message says {status!r}")
    return WorkerStarted(
        status,
        _field(head, "network_isolation", str),
        _field(head, "memory_limit", int, 0),
        _field(head, "message", str, ""),
    )


def encode_request(request: QueryRequest) -> list[bytes]:
    """A request as a frame: its fields in the head, no body."""
    head = {"query": request.query, "formats": list(request.formats),
            "max_rows": request.max_rows}  # fmt: skip
    # None (the parameter was not given) and an empty list (given, empty) differ.
    if request.default_graphs is not None:
        head["default_graphs"] = list(request.default_graphs)
    if request.named_graphs is not None:
        head["named_graphs"] = list(request.named_graphs)
    return encode_frame(head)


def decode_request(head: dict[str, Any]) -> QueryRequest:
    """A request, read back from a frame's head (the worker trusts nothing it did not check)."""
    formats = _strings(head, "formats")
    if formats is None:
        raise WireError("a request without formats")
    return QueryRequest(
        _field(head, "query", str),
        formats,
        _field(head, "max_rows", int),
        _strings(head, "default_graphs"),
        _strings(head, "named_graphs"),
    )


def encode_reply(reply: QueryReply) -> list[bytes]:
    """A reply as a frame: its small fields in the head (those not empty), the answer's bytes
    as the body."""
    head: dict[str, Any] = {"outcome": reply.outcome}
    for name, value, empty in (
        ("kind", reply.kind, ""), ("format", reply.format, ""), ("count", reply.count, 0),
        ("message", reply.message, ""), ("extra", reply.extra, {}),
    ):  # fmt: skip
        if value != empty:
            head[name] = value
    return encode_frame(head, reply.body)


def decode_reply(head: dict[str, Any], body: bytes) -> QueryReply:
    """The reply a frame carries, every field checked: what reaches a response header (the
    media type) comes from the server's own table of formats, never from the worker."""
    outcome = _field(head, "outcome", str)
    if outcome not in _OUTCOMES:
        raise WireError(f"a reply whose outcome is {outcome!r}")
    kind = _field(head, "kind", str, "")
    name = _field(head, "format", str, "")
    count = _field(head, "count", int, 0)
    extra = _field(head, "extra", dict, {})
    message = _field(head, "message", str, "")
    media_type = ""
    if outcome == "ok":
        chosen = format_by_name(name) if name else None
        if kind not in _KINDS or chosen is None or chosen.name != name or count < 0:
            raise WireError(f"an answer of kind {kind!r}, format {name!r}, count {count!r}")
        if (chosen in RESULT_FORMATS) != (kind in ("SELECT", "ASK")):
            raise WireError(f"a {kind} answer in {name}")
        media_type = chosen.media_type
    elif outcome == "too-large":
        _field(extra, "cap", int)
        _field(extra, "unit", str)
    elif outcome == "not-acceptable" and (
        kind not in _KINDS or _strings(extra, "acceptable") is None
    ):
        raise WireError(f"a refusal of kind {kind!r} with {extra!r}")
    if body and outcome != "ok":
        raise WireError(f"a reply with outcome {outcome!r} carries {len(body):,} bytes")
    return QueryReply(outcome, kind, name, media_type, body, count, message, extra)


def send_frame(connection: socket.socket, parts: list[bytes]) -> None:
    """Write a frame's parts to a blocking socket."""
    for part in parts:
        connection.sendall(part)


# -- answering ---------------------------------------------------------------------------------


def _dataset_arguments(request: QueryRequest) -> dict[str, Any]:
    if request.default_graphs is not None or request.named_graphs is not None:
        # The protocol's dataset replaces the query's own (SPARQL 1.1 Protocol, 2.1.4).
        return {
            "default_graph": [ox.NamedNode(iri) for iri in request.default_graphs or ()],
            "named_graphs": [ox.NamedNode(iri) for iri in request.named_graphs or ()],
        }
    return {}


def answer(
    store: ox.Store, request: QueryRequest, prefixes: dict[str, str], base_iri: str
) -> QueryReply:
    """Evaluate one request against ``store``; every failure becomes a reply, never a crash."""
    try:
        results = store.query(
            request.query, prefixes=prefixes, base_iri=base_iri, **_dataset_arguments(request)
        )
        written = write_answer(
            results, request.formats, max_rows=request.max_rows, prefixes=prefixes
        )
    except SyntaxError as error:
        return QueryReply("syntax", message=str(error))
    except CapExceeded as error:
        return QueryReply("too-large", extra={"cap": error.cap, "unit": error.unit})
    except LookupError as error:
        kind, acceptable = error.args
        return QueryReply("not-acceptable", kind=kind, extra={"acceptable": acceptable})
    except Exception as error:  # the engine's own failures (type errors, I/O) are reported
        return QueryReply("failed", message=f"{type(error).__name__}: {error}")
    return QueryReply.answered(written)


def serve_queries(
    connection: socket.socket,
    data_file: str,
    prefixes: dict[str, str],
    base_iri: str,
    *,
    query_memory: int = 0,
    network_isolation: str = "preferred",
) -> None:
    """Entry point of a worker process: confine, load, say ready, then answer until the pipe
    closes.

    ``data_file`` is an N-Quads file to load into memory, or ``oxigraph:FOLDER`` for an
    on-disk store to open read-only in place. ``query_memory`` is the bytes a query may use
    beyond the loaded graph (0: unbounded); ``network_isolation`` "required" refuses to answer
    where the worker cannot run without a network, "off" keeps the network.
    """
    # Before the engine starts any thread: a namespace can only be entered single-threaded.
    isolation = "off by configuration" if network_isolation == "off" else isolate_from_network()
    if isolation != NETWORK_ISOLATED and network_isolation == "required":
        send_frame(connection, encode_started(
            WorkerStarted(REFUSED, isolation, message=f"network isolation is required but "
                          f"{isolation}")
        ))  # fmt: skip
        return
    try:
        if data_file.startswith("oxigraph:"):
            # Held while this worker lives, so that no load removes the version it reads.
            lease = lease_version(data_file.removeprefix("oxigraph:"))
            store = ox.Store.read_only(str(lease.version / STORE_FOLDER))
        else:
            store = dumped_store(Path(data_file).read_bytes())
    except Exception as error:  # said to the pool, which reports it in /health
        send_frame(connection, encode_started(WorkerStarted(
            REFUSED, isolation, message=f"cannot open the graph: {type(error).__name__}: {error}"
        )))  # fmt: skip
        return
    limit = limit_query_memory(query_memory) if query_memory else 0
    send_frame(connection, encode_started(WorkerStarted(READY, isolation, limit)))
    reader = FrameReader()
    while True:
        try:
            head, _ = reader.read_blocking(connection)
        except (EOFError, OSError):
            return
        try:
            request = decode_request(head)
        except WireError as error:  # the pool only sends well-formed requests: say so, go on
            reply = QueryReply("failed", message=f"a malformed request: {error}")
        else:
            reply = answer(store, request, prefixes, base_iri)
        try:
            send_frame(connection, encode_reply(reply))
        except WireError as error:  # an answer past the frame's limits
            send_frame(connection, encode_reply(QueryReply("failed", message=str(error))))


def main(arguments: list[str]) -> None:
    """``python -m paccto.graph.sparql.query_worker FD DATA_FILE BASE_IRI PREFIXES_JSON QUERY_MEMORY
    NETWORK_ISOLATION``.

    Started as a plain interpreter rather than through :mod:`multiprocessing`, whose "spawn"
    would re-import the parent's main module (the whole command line or test runner) first.
    """
    descriptor, data_file, base_iri, prefixes, query_memory, isolation = arguments
    serve_queries(
        socket.socket(fileno=int(descriptor)),
        data_file,
        json.loads(prefixes),
        base_iri,
        query_memory=int(query_memory),
        network_isolation=isolation,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
