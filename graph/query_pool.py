"""Public SPARQL queries, evaluated by Oxigraph in worker processes that can be killed.

Why this shape:

* **Oxigraph, not rdflib**, evaluates public queries: on this kind of machine it answers the
  competency questions in well under a millisecond where rdflib takes 25-60 ms, most of it
  parsing. rdflib stays the library that loads, validates and exposes the graph; the workers
  load the very quads rdflib validated, with the same default graph (the union of all graphs).
* **Processes, not threads**: neither engine can interrupt a query from another thread, so a
  query past the time limit is stopped by killing its worker, and a fresh one takes its place.
  The caller waits on a pipe, so a server's event loop is never blocked by evaluation.
* **Checked before evaluation**: :func:`paccto.graph.sparql.screen_query` refuses SERVICE and
  FROM naming graphs that are not loaded, from the parsed algebra, whichever engine runs the
  query; Oxigraph would fetch a SERVICE endpoint itself.
"""

from __future__ import annotations

import json
import logging
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from paccto.graph.errors import (
    PacctoError,
    QueryError,
    QueryFailedError,
    QueryTimeoutError,
    ResultFormatError,
    ResultTooLargeError,
    ServiceBusyError,
    UpdateRefusedError,
)
from paccto.graph.knowledge_graph import KnowledgeGraph
from paccto.graph.query_worker import READY, QueryReply, QueryRequest
from paccto.graph.settings import Settings
from paccto.graph.sparql import QueryScreen, check_dataset_graphs, screen_query

__all__ = ["QueryWorkerPool", "WorkerPoolStatus"]

logger = logging.getLogger("paccto.sparql")
#: How long a new worker may take to load the graph before it is given up on.
_START_TIMEOUT = 600.0
#: How many distinct query texts keep their screening outcome.
_SCREEN_CACHE_SIZE = 1024


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    connection: Connection


@dataclass(frozen=True)
class WorkerPoolStatus:
    """How many workers exist and how many are free, for health checks and logs."""

    workers: int
    idle: int
    restarts: int


class QueryWorkerPool:
    """A fixed number of Oxigraph worker processes over one graph, each answering one query at a
    time; see the module docstring for why."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        *,
        size: int,
        timeout: float,
        max_rows: int,
    ) -> None:
        self.kg = kg
        self.size = size
        self.timeout = timeout
        self.max_rows = max_rows
        self.restarts = 0
        self._prefixes = {prefix: str(iri) for prefix, iri in kg.ids.prefixes().items()}
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        # The outcome of screening each recent query text (a QueryScreen, or the error to raise):
        # a query naming "from" anywhere (prov:wasDerivedFrom) costs an rdflib parse, 20-50 ms,
        # which repeated queries (dashboards, embedded views, YASGUI reruns) need pay only once.
        self._screened: OrderedDict[str, QueryScreen | PacctoError] = OrderedDict()
        self._folder = Path(tempfile.mkdtemp(prefix="paccto-sparql-"))
        if kg.store_path is not None:
            # An on-disk store: every worker opens it read-only, no copy is made.
            self._data = f"oxigraph:{kg.store_path}"
        else:
            data_file = self._folder / "graph.nq"
            kg.dataset.serialize(destination=str(data_file), format="nquads", encoding="utf-8")
            self._data = str(data_file)
        starting = [self._spawn() for _ in range(size)]
        for worker in starting:
            self._wait_ready(worker)
            self._idle.put(worker)

    @classmethod
    def for_graph(cls, kg: KnowledgeGraph, settings: Settings) -> QueryWorkerPool:
        """A pool sized and bounded by the settings (``PACCTO_SPARQL_*``)."""
        return cls(
            kg,
            size=settings.sparql_workers,
            timeout=settings.sparql_timeout,
            max_rows=settings.sparql_max_rows,
        )

    # -- workers -------------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent, child = socket.socketpair()
        with child:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "paccto.graph.query_worker", str(child.fileno()),
                    self._data, self.kg.ids.base, json.dumps(self._prefixes),
                ],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        worker = _Worker(process, Connection(parent.detach()))
        with self._lock:
            self._workers.append(worker)
        return worker

    def _wait_ready(self, worker: _Worker) -> None:
        if not worker.connection.poll(_START_TIMEOUT) or worker.connection.recv() != READY:
            self._kill(worker)
            raise QueryFailedError("a SPARQL worker process failed to start")

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
        worker.process.kill()
        try:
            worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.warning("SPARQL worker %s did not stop when killed", worker.process.pid)
        worker.connection.close()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now and start its successor in the background."""
        self._kill(worker)
        self.restarts += 1

        def start_successor() -> None:
            if self._closed:
                return
            try:
                successor = self._spawn()
                self._wait_ready(successor)
            except Exception:
                logger.exception("could not start a replacement SPARQL worker")
                return
            if self._closed:
                self._kill(successor)
            else:
                self._idle.put(successor)

        threading.Thread(target=start_successor, name="paccto-sparql-respawn", daemon=True).start()

    def status(self) -> WorkerPoolStatus:
        with self._lock:
            workers = len(self._workers)
        return WorkerPoolStatus(workers=workers, idle=self._idle.qsize(), restarts=self.restarts)

    def close(self) -> None:
        """Stop every worker and remove the data file."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._kill(worker)
        shutil.rmtree(self._folder, ignore_errors=True)

    # -- queries -------------------------------------------------------------------------------

    def evaluate(
        self,
        query: str,
        formats: tuple[str, ...],
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryReply:
        """Answer ``query`` in the first of ``formats`` that fits it, within the time limit.

        Raises the :mod:`paccto.graph.errors` error that says what went wrong: a refused or
        malformed query, a result over the cap or in no acceptable format, a time-out, or a
        pool too busy to start the query within the limit.
        """
        deadline = time.monotonic() + self.timeout
        screen = self._screen(query)
        if default_graphs:
            check_dataset_graphs(default_graphs, self.kg, "default-graph-uri")
        if named_graphs:
            check_dataset_graphs(named_graphs, self.kg, "named-graph-uri")
        protocol_dataset = default_graphs is not None or named_graphs is not None
        request = QueryRequest(
            query=query,
            formats=formats,
            max_rows=self.max_rows,
            default_graphs=tuple(default_graphs or ()) if protocol_dataset else None,
            named_graphs=tuple(named_graphs or ()) if protocol_dataset else None,
            union_default=not screen.has_dataset_clause,
        )
        reply = self._dispatch(request, deadline)
        return self._checked(reply, query, formats)

    def _screen(self, query: str) -> QueryScreen:
        with self._lock:
            outcome = self._screened.get(query)
            if outcome is not None:
                self._screened.move_to_end(query)
        if outcome is None:
            try:
                outcome = screen_query(query, self.kg)
            except PacctoError as error:
                outcome = error
            with self._lock:
                self._screened[query] = outcome
                while len(self._screened) > _SCREEN_CACHE_SIZE:
                    self._screened.popitem(last=False)
        if isinstance(outcome, PacctoError):
            raise outcome.with_traceback(None)
        return outcome

    def _dispatch(self, request: QueryRequest, deadline: float) -> QueryReply:
        if self._closed:
            raise QueryFailedError("the SPARQL service is shutting down")
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ServiceBusyError(
                f"every SPARQL worker stayed busy for the {self.timeout:g} s time limit; "
                "try again shortly"
            ) from None
        try:
            worker.connection.send(request)
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise QueryTimeoutError(self.timeout)
            reply: QueryReply = worker.connection.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise QueryFailedError(
                "the query stopped its worker process (it may have needed more memory than "
                "the machine has); simplify it or add LIMIT"
            ) from None
        self._idle.put(worker)
        return reply

    def _checked(self, reply: QueryReply, query: str, formats: tuple[str, ...]) -> QueryReply:
        if reply.outcome == "ok":
            return reply
        if reply.outcome == "syntax":
            if _is_update(query):
                raise UpdateRefusedError(
                    "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are not allowed: "
                    "the graph is read-only"
                )
            raise QueryError(f"malformed SPARQL query: {_shorten(reply.message)}")
        if reply.outcome == "too-large":
            raise ResultTooLargeError(reply.extra["cap"], reply.extra["unit"])
        if reply.outcome == "not-acceptable":
            raise ResultFormatError(reply.kind, list(formats), reply.extra["acceptable"])
        raise QueryFailedError(f"the query could not be evaluated: {reply.message}")


def _shorten(message: str, limit: int = 300) -> str:
    # Oxigraph lists every character class it expected; the position and the first few
    # alternatives are what a person needs.
    message = " ".join(message.split())
    return message if len(message) <= limit else message[:limit].rstrip() + " …"


def _is_update(text: str) -> bool:
    """Whether a text that is not a query parses as a SPARQL update (only asked on errors)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except (ParseException, RecursionError, ValueError):
        return False
    return True
