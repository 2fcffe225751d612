"""The inside of one SPARQL worker process: an Oxigraph store answering queries sent down a pipe.

Neither rdflib nor pyoxigraph can interrupt a running query from another thread, so public
queries run in processes the server can kill (see :mod:`paccto.graph.query_pool`). A worker
loads the graph once from an N-Quads file, then answers :class:`QueryRequest` messages with
:class:`QueryReply` messages until its pipe closes. It imports only pyoxigraph and the result
writers, so a replacement starts in a fraction of a second.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from paccto.graph.sparql_results import CapExceeded, WrittenAnswer, write_answer

__all__ = ["QueryReply", "QueryRequest", "main", "serve_queries"]

READY = "ready"


@dataclass(frozen=True)
class QueryRequest:
    """One query and how to answer it.

    ``default_graphs``/``named_graphs`` are the protocol's ``default-graph-uri`` and
    ``named-graph-uri`` (``None`` when not given). ``union_default`` makes the default graph the
    union of all graphs, as rdflib's dataset does; it is off when the query names its own
    dataset with FROM, which Oxigraph would otherwise ignore.
    """

    query: str
    formats: tuple[str, ...]
    max_rows: int
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default: bool = True


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


def _dataset_arguments(request: QueryRequest) -> dict[str, Any]:
    if request.default_graphs is not None or request.named_graphs is not None:
        # The protocol's dataset replaces the query's own (SPARQL 1.1 Protocol, 2.1.4).
        return {
            "default_graph": [ox.NamedNode(iri) for iri in request.default_graphs or ()],
            "named_graphs": [ox.NamedNode(iri) for iri in request.named_graphs or ()],
        }
    return {"use_default_graph_as_union": request.union_default}


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
    connection: Connection, data_file: str, prefixes: dict[str, str], base_iri: str
) -> None:
    """Entry point of a worker process: load, say ready, then answer until the pipe closes.

    ``data_file`` is an N-Quads file to load into memory, or ``oxigraph:FOLDER`` for an
    on-disk store to open read-only in place.
    """
    if data_file.startswith("oxigraph:"):
        store = ox.Store.read_only(data_file.removeprefix("oxigraph:"))
    else:
        store = ox.Store()
        store.load(path=data_file, format=ox.RdfFormat.N_QUADS)
    connection.send(READY)
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(answer(store, request, prefixes, base_iri))


def main(arguments: list[str]) -> None:
    """``python -m paccto.graph.query_worker FD DATA_FILE BASE_IRI PREFIXES_JSON``.

    Started as a plain interpreter rather than through :mod:`multiprocessing`, whose "spawn"
    would re-import the parent's main module (the whole command line or test runner) first.
    """
    descriptor, data_file, base_iri, prefixes = arguments
    serve_queries(Connection(int(descriptor)), data_file, json.loads(prefixes), base_iri)


if __name__ == "__main__":
    # Run the copy imported under its real name, so replies pickle as
    # paccto.graph.query_worker.QueryReply rather than __main__.QueryReply.
    from paccto.graph import query_worker

    query_worker.main(sys.argv[1:])
