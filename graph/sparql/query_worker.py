"""The inside of one SPARQL worker process: an Oxigraph store answering queries sent down a pipe.

Neither rdflib nor pyoxigraph can interrupt a running query from another thread, so public
queries run in processes the server can kill (see :mod:`paccto.graph.sparql.query_pool`). A worker
first gives up its network (:mod:`paccto.graph.sparql.worker_confinement`), loads the graph once
from an N-Quads file, bounds the memory a query may add, says :class:`WorkerStarted`, then answers
:class:`QueryRequest` messages with :class:`QueryReply` messages until its pipe closes. It
imports only pyoxigraph and the result writers, so a replacement starts in a fraction of a
second.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paccto.graph.sparql.results import CapExceeded, WrittenAnswer, write_answer
from paccto.graph.sparql.worker_confinement import (
    NETWORK_ISOLATED,
    isolate_from_network,
    limit_query_memory,
)
from paccto.graph.stores.query_store import QUERY_STORE_FOLDER, load_query_store
from paccto.graph.stores.store_lease import lease_version

__all__ = ["QueryReply", "QueryRequest", "WorkerStarted", "main", "serve_queries"]

READY = "ready"
REFUSED = "refused"


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
    connection: Connection,
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
        connection.send(
            WorkerStarted(REFUSED, isolation, message=f"network isolation is required but "
                          f"{isolation}")
        )  # fmt: skip
        return
    try:
        if data_file.startswith("oxigraph:"):
            # Held while this worker lives, so that no load removes the version it reads.
            lease = lease_version(data_file.removeprefix("oxigraph:"))
            store = ox.Store.read_only(str(lease.version / QUERY_STORE_FOLDER))
        else:
            store = load_query_store(Path(data_file).read_bytes())
    except Exception as error:  # said to the pool, which reports it in /health
        connection.send(WorkerStarted(REFUSED, isolation, message=f"cannot open the graph: "
                                      f"{type(error).__name__}: {error}"))  # fmt: skip
        return
    limit = limit_query_memory(query_memory) if query_memory else 0
    connection.send(WorkerStarted(READY, isolation, limit))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(answer(store, request, prefixes, base_iri))


def main(arguments: list[str]) -> None:
    """``python -m paccto.graph.sparql.query_worker FD DATA_FILE BASE_IRI PREFIXES_JSON QUERY_MEMORY
    NETWORK_ISOLATION``.

    Started as a plain interpreter rather than through :mod:`multiprocessing`, whose "spawn"
    would re-import the parent's main module (the whole command line or test runner) first.
    """
    descriptor, data_file, base_iri, prefixes, query_memory, isolation = arguments
    serve_queries(
        Connection(int(descriptor)),
        data_file,
        json.loads(prefixes),
        base_iri,
        query_memory=int(query_memory),
        network_isolation=isolation,
    )


if __name__ == "__main__":
    # Run the copy imported under its real name, so replies pickle as
    # paccto.graph.sparql.query_worker.QueryReply rather than __main__.QueryReply.
    from paccto.graph.sparql import query_worker

    query_worker.main(sys.argv[1:])
