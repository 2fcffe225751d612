"""Public SPARQL queries, evaluated by Oxigraph in worker processes that can be killed.

Why this shape:

* **Oxigraph, not rdflib**, evaluates public queries: it answers the competency questions
  many times faster than rdflib, which spends most of its time parsing (docs/performance.md).
  rdflib stays the library that loads, validates and exposes the graph; the workers
  load the very quads rdflib validated, with the same default graph (the union of all graphs).
* **Processes, not threads**: neither engine can interrupt a query from another thread, so a
  query past the time limit is stopped by killing its worker, and a fresh one takes its place.
  The caller waits on a pipe, so a server's event loop is never blocked by evaluation.
* **Checked before evaluation, and unable to reach out after it**:
  :func:`paccto.graph.sparql.query.screen_query` refuses SERVICE and FROM naming graphs that are not
  loaded, from the parsed algebra of the canonical text, and only that text is evaluated;
  Oxigraph would fetch a SERVICE endpoint itself. Workers run without a network
  (:mod:`paccto.graph.sparql.worker_confinement`) and with a bound on the memory a query may take.
* **Fair under load**: a client that sends queries which run for seconds must not make
  everybody else's wait. Free workers go first to the waiting client with the fewest queries
  running, and ``quick`` workers (one by default) take only queries from clients with nothing
  running and no recent long query, for at most ``quick_seconds``: a query still running then
  moves to the general workers, its client loses the quick lane for a while, and a simple
  query from anyone else keeps answering in milliseconds while runaways use the rest.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

from paccto.graph.errors import (
    PacctoError,
    QueryError,
    QueryFailedError,
    QueryMemoryError,
    QueryTimeoutError,
    ResultFormatError,
    ResultTooLargeError,
    ServiceBusyError,
    UpdateRefusedError,
)
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings
from paccto.graph.sparql.query import QueryScreen, check_dataset_graphs, is_update, screen_query
from paccto.graph.sparql.query_worker import READY, QueryReply, QueryRequest, WorkerStarted
from paccto.graph.sparql.worker_confinement import NETWORK_ISOLATED

__all__ = ["LOCAL_CLIENT", "QueryWorkerPool", "WorkerPoolStatus"]

logger = logging.getLogger("paccto.sparql")
#: How long a new worker may take to load the graph before it is given up on.
_START_TIMEOUT = 600.0
#: How many distinct query texts keep their screening outcome.
_SCREEN_CACHE_SIZE = 1024
#: How long a client whose query outran the quick lane (or the time limit) stays out of it.
_QUICK_LANE_PENALTY = 60.0
#: How long a query keeps a quick worker, before ``quick_seconds``, while another client that
#: may use the quick lane waits for it; and how often that is checked.
_QUICK_PATIENCE = 0.25
_QUICK_POLL = 0.05
#: Longest wait between attempts to start a worker that failed to start.
_RESTART_BACKOFF_MAX = 30.0
#: Who asks when no client address is known (the command line, tests, in-process callers).
LOCAL_CLIENT = "local"

Lane = Literal["general", "quick"]


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    connection: Connection
    lane: Lane


@dataclass
class _Ticket:
    """A query waiting for a worker: whose it is, and whether it may use the quick lane."""

    client: str
    quick_allowed: bool
    order: int
    worker: _Worker | None = None


@dataclass(frozen=True)
class WorkerPoolStatus:
    """How many workers exist and how many are free, for health checks and logs."""

    workers: int
    idle: int
    restarts: int
    #: Workers kept for short queries, beside ``workers``.
    quick_workers: int = 0
    #: Queries waiting for a worker.
    waiting: int = 0
    #: Whether the workers run without a network, or why not.
    network_isolation: str = NETWORK_ISOLATED
    #: Why the last attempt to start a worker failed, while workers are missing.
    start_error: str | None = None
    #: Bytes of memory each query may use in a worker beyond the graph (0: unbounded).
    query_memory_bytes: int = 0


class QueryWorkerPool:
    """Oxigraph worker processes over one graph, each answering one query at a time, shared
    fairly between clients; see the module docstring for why."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        *,
        size: int,
        timeout: float,
        max_rows: int,
        quick_size: int = 1,
        quick_seconds: float = 1.0,
        query_memory_bytes: int = 0,
        network_isolation: Literal["required", "preferred", "off"] = "preferred",
        max_waiting: int = 64,
    ) -> None:
        self.kg = kg
        self.size = size
        self.quick_size = quick_size
        self.timeout = timeout
        self.quick_seconds = quick_seconds
        self.max_rows = max_rows
        self.query_memory_bytes = query_memory_bytes
        self.network_isolation = network_isolation
        self.max_waiting = max_waiting
        self.restarts = 0
        self._prefixes = {prefix: str(iri) for prefix, iri in kg.ids.prefixes().items()}
        self._closed = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._workers: list[_Worker] = []
        self._idle: dict[Lane, list[_Worker]] = {"general": [], "quick": []}
        self._waiting: list[_Ticket] = []
        self._running: Counter[str] = Counter()
        self._quick_barred_until: dict[str, float] = {}
        self._order = itertools.count()
        self._isolation = NETWORK_ISOLATED
        self._start_error: str | None = None
        # The outcome of screening each recent query text (a QueryScreen, or the error to raise):
        # a query naming "from" anywhere (prov:wasDerivedFrom) costs an rdflib parse, which
        # repeated queries (dashboards, embedded views, YASGUI reruns) need pay only once.
        self._screened: OrderedDict[str, QueryScreen | PacctoError] = OrderedDict()
        self._folder = Path(tempfile.mkdtemp(prefix="paccto-sparql-"))
        if kg.store_path is not None:
            # An on-disk store: every worker opens it read-only, no copy is made.
            self._data = f"oxigraph:{kg.store_path}"
        else:
            data_file = self._folder / "graph.nq"
            kg.dataset.serialize(destination=str(data_file), format="nquads", encoding="utf-8")
            self._data = str(data_file)
        workers_per_lane: dict[Lane, int] = {"general": size, "quick": quick_size}
        lanes = [lane for lane, count in workers_per_lane.items() for _ in range(count)]
        starting = [self._spawn(lane) for lane in lanes]
        try:
            for worker in starting:
                self._wait_ready(worker)
                self._release_worker(worker)
        except BaseException:
            self.close()
            raise

    @classmethod
    def for_graph(cls, kg: KnowledgeGraph, settings: Settings) -> QueryWorkerPool:
        """A pool sized and bounded by the settings (``PACCTO_SPARQL_*``)."""
        return cls(
            kg,
            size=settings.sparql_workers,
            timeout=settings.sparql_timeout,
            max_rows=settings.sparql_max_rows,
            quick_size=settings.sparql_quick_workers,
            quick_seconds=settings.sparql_quick_seconds,
            query_memory_bytes=settings.sparql_query_memory_mb * 1024 * 1024,
            network_isolation=settings.sparql_network_isolation,
        )

    # -- workers -------------------------------------------------------------------------------

    def _spawn(self, lane: Lane) -> _Worker:
        parent, child = socket.socketpair()
        with child:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "paccto.graph.sparql.query_worker", str(child.fileno()),
                    self._data, self.kg.ids.base, json.dumps(self._prefixes),
                    str(self.query_memory_bytes), self.network_isolation,
                ],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        worker = _Worker(process, Connection(parent.detach()), lane)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _wait_ready(self, worker: _Worker) -> None:
        """Wait for ``worker`` to load the graph and confine itself; raise if it cannot."""
        message: object = None
        try:
            if worker.connection.poll(_START_TIMEOUT):
                message = worker.connection.recv()
        except (EOFError, OSError):
            message = None
        if isinstance(message, WorkerStarted) and message.status == READY:
            with self._lock:
                self._isolation = message.network_isolation
                self._start_error = None
            return
        exit_status = worker.process.poll()
        self._kill(worker)
        if isinstance(message, WorkerStarted):
            reason = message.message
        elif exit_status is None:
            reason = f"it did not say it was ready within {_START_TIMEOUT:g} s"
        else:
            reason = f"it exited with status {exit_status}"
        with self._lock:
            self._start_error = f"a SPARQL worker process failed to start: {reason}"
        raise QueryFailedError(f"a SPARQL worker process failed to start: {reason}")

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
        """Kill ``worker`` now and start its successor in the background, retrying (with a
        growing pause) until one starts, so a passing failure does not shrink the pool."""
        self._kill(worker)
        with self._lock:
            self.restarts += 1

        def start_successor() -> None:
            pause = 1.0
            while not self._closed:
                try:
                    successor = self._spawn(worker.lane)
                    self._wait_ready(successor)
                except Exception:
                    if self._closed:  # the pool closed while its successor was starting
                        return
                    logger.exception("could not start a replacement SPARQL worker")
                    time.sleep(pause)
                    pause = min(pause * 2, _RESTART_BACKOFF_MAX)
                    continue
                if self._closed:
                    self._kill(successor)
                else:
                    self._release_worker(successor)
                return

        threading.Thread(target=start_successor, name="paccto-sparql-respawn", daemon=True).start()

    def status(self) -> WorkerPoolStatus:
        with self._lock:
            general = sum(1 for worker in self._workers if worker.lane == "general")
            return WorkerPoolStatus(
                workers=general,
                idle=len(self._idle["general"]),
                restarts=self.restarts,
                quick_workers=len(self._workers) - general,
                waiting=len(self._waiting),
                network_isolation=self._isolation,
                start_error=self._start_error,
                query_memory_bytes=self.query_memory_bytes,
            )

    def close(self) -> None:
        """Stop every worker and remove the data file."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._changed.notify_all()
        for worker in workers:
            self._kill(worker)
        shutil.rmtree(self._folder, ignore_errors=True)

    # -- sharing the workers -------------------------------------------------------------------

    def _quick_allowed(self, client: str, now: float) -> bool:
        return self._running[client] == 0 and self._quick_barred_until.get(client, 0.0) <= now

    def _assign(self) -> None:
        """Give idle workers to waiting tickets (called with the lock held).

        A general worker goes to the waiting client with the fewest queries running, then to
        the longest waiting; a quick worker only to a client with nothing running and no
        recent long query.
        """
        now = time.monotonic()
        while self._waiting:
            if self._idle["general"]:
                ticket = min(self._waiting, key=lambda t: (self._running[t.client], t.order))
                ticket.worker = self._idle["general"].pop()
            else:
                eligible = [
                    ticket
                    for ticket in self._waiting
                    if ticket.quick_allowed
                    and self._idle["quick"]
                    and self._quick_allowed(ticket.client, now)
                ]
                if not eligible:
                    return
                ticket = eligible[0]
                ticket.worker = self._idle["quick"].pop()
            self._waiting.remove(ticket)
            self._running[ticket.client] += 1
            self._changed.notify_all()

    def _acquire(self, client: str, deadline: float, *, quick_allowed: bool = True) -> _Worker:
        with self._lock:
            if self._closed:
                raise QueryFailedError("the SPARQL service is shutting down")
            if len(self._waiting) >= self.max_waiting:
                raise ServiceBusyError(
                    f"{len(self._waiting)} SPARQL queries are already waiting; try again shortly"
                )
            ticket = _Ticket(client, quick_allowed, next(self._order))
            self._waiting.append(ticket)
            self._assign()
            while ticket.worker is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    self._waiting.remove(ticket)
                    if self._closed:
                        raise QueryFailedError("the SPARQL service is shutting down")
                    raise ServiceBusyError(
                        f"every SPARQL worker stayed busy for the {self.timeout:g} s time "
                        "limit; try again shortly"
                    )
                self._changed.wait(remaining)
            return ticket.worker

    def _release_worker(self, worker: _Worker) -> None:
        with self._lock:
            self._idle[worker.lane].append(worker)
            self._assign()

    def _finished(self, client: str, *, ran_long: bool) -> None:
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            if ran_long:
                self._quick_barred_until[client] = time.monotonic() + _QUICK_LANE_PENALTY
            now = time.monotonic()
            for barred, until in list(self._quick_barred_until.items()):
                if until <= now:
                    del self._quick_barred_until[barred]
            self._assign()

    # -- queries -------------------------------------------------------------------------------

    def evaluate(
        self,
        query: str,
        formats: tuple[str, ...],
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        client: str | None = None,
    ) -> QueryReply:
        """Answer ``query`` in the first of ``formats`` that fits it, within the time limit.

        ``client`` names who asks (an address), so that the workers are shared fairly.

        Raises the :mod:`paccto.graph.errors` error that says what went wrong: a refused or
        malformed query, a result over the cap or in no acceptable format, a time-out, a query
        past the memory bound, or a pool too busy to start the query within the limit.
        """
        deadline = time.monotonic() + self.timeout
        screen = self._screen(query)
        if default_graphs:
            check_dataset_graphs(default_graphs, self.kg, "default-graph-uri")
        if named_graphs:
            check_dataset_graphs(named_graphs, self.kg, "named-graph-uri")
        protocol_dataset = default_graphs is not None or named_graphs is not None
        request = QueryRequest(
            query=screen.text,
            formats=formats,
            max_rows=self.max_rows,
            default_graphs=tuple(default_graphs or ()) if protocol_dataset else None,
            named_graphs=tuple(named_graphs or ()) if protocol_dataset else None,
        )
        client = client or LOCAL_CLIENT
        worker = self._acquire(client, deadline)
        if worker.lane == "quick":
            reply = self._run(worker, request, client, min(deadline, time.monotonic()
                                                            + self.quick_seconds))  # fmt: skip
            if reply is None:
                # Too long for the quick lane: start again on a general worker.
                worker = self._acquire(client, deadline, quick_allowed=False)
                reply = self._run(worker, request, client, deadline)
        else:
            reply = self._run(worker, request, client, deadline)
        if reply is None:
            raise QueryTimeoutError(self.timeout)
        return self._checked(reply, screen.text, formats)

    def _run(
        self, worker: _Worker, request: QueryRequest, client: str, until: float
    ) -> QueryReply | None:
        """Send ``request`` to ``worker`` (already counted as ``client``'s) and wait for the
        reply until ``until``; ``None`` when it did not come in time (the worker is replaced)."""
        try:
            worker.connection.send(request)
            if not self._wait_for_reply(worker, until):
                self._replace(worker)
                self._finished(client, ran_long=True)
                return None
            reply: QueryReply = worker.connection.recv()
        except (EOFError, OSError):
            self._replace(worker)
            self._finished(client, ran_long=True)
            raise self._crash_error(worker) from None
        self._release_worker(worker)
        self._finished(client, ran_long=False)
        return reply

    def _wait_for_reply(self, worker: _Worker, until: float) -> bool:
        """Whether ``worker`` has a reply before ``until``.

        A quick worker also gives up early, after :data:`_QUICK_PATIENCE`, when another client
        that may use the quick lane is waiting for it: otherwise a runaway query sent by a new
        client would hold the lane for the whole of ``quick_seconds`` while a simple query waits.
        """
        if worker.lane == "general":
            return worker.connection.poll(max(0.0, until - time.monotonic()))
        patient_until = time.monotonic() + _QUICK_PATIENCE
        while True:
            remaining = until - time.monotonic()
            if remaining <= 0:
                return worker.connection.poll(0)
            if worker.connection.poll(min(remaining, _QUICK_POLL)):
                return True
            if time.monotonic() >= patient_until and self._quick_lane_wanted():
                return False

    def _quick_lane_wanted(self) -> bool:
        with self._lock:
            now = time.monotonic()
            return any(
                ticket.quick_allowed and self._quick_allowed(ticket.client, now)
                for ticket in self._waiting
            )

    def _crash_error(self, worker: _Worker) -> PacctoError:
        """Why a worker died during a query, as far as its exit status tells."""
        # A failed allocation aborts the engine (SIGABRT); the kernel's OOM killer sends SIGKILL.
        if self.query_memory_bytes and worker.process.returncode in (
            -signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV,
        ):  # fmt: skip
            return QueryMemoryError(self.query_memory_bytes)
        return QueryFailedError(
            "the query stopped its worker process (it may have needed more memory than the "
            "machine has); simplify it or add LIMIT"
        )

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

    def _checked(self, reply: QueryReply, query: str, formats: tuple[str, ...]) -> QueryReply:
        if reply.outcome == "ok":
            return reply
        if reply.outcome == "syntax":
            if is_update(query):
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
