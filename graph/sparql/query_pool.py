"""Public SPARQL queries, evaluated by Oxigraph in worker processes that can be killed.

Why this shape:

* **Oxigraph, not rdflib**, evaluates public queries: it answers the competency questions
  many times faster than rdflib, which spends most of its time parsing (docs/performance.md).
  rdflib stays the library that loads, validates and exposes the graph; the workers
  load the very quads rdflib validated, with the same default graph (the union of all graphs).
* **Processes, not threads**: neither engine can interrupt a query from another thread, so a
  query past the time limit is stopped by killing its worker, and a fresh one takes its place.
* **Awaited, not waited for in a thread**: :meth:`QueryWorkerPool.evaluate_async` waits for a
  worker and for its reply on the caller's event loop (the socket to each worker is read
  without blocking), so ``/sparql`` spends no thread hop per query, which cost more than
  answering a small query; :meth:`QueryWorkerPool.evaluate` runs the very same code on a
  private loop for callers without one. Requests and replies are plain frames (a JSON head,
  then the answer's raw bytes: :mod:`paccto.graph.sparql.query_worker`), never pickles, since
  a worker evaluates hostile queries and what it sends is only ever read as data.
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

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import logging
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

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
from paccto.graph.sparql.query_worker import (
    READY,
    FrameReader,
    QueryReply,
    QueryRequest,
    WireError,
    WorkerStarted,
    decode_reply,
    decode_started,
    encode_request,
)
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
#: How long a killed worker may take to exit before it is reported as stuck.
_EXIT_TIMEOUT = 5.0
#: Queries up to this length whose text cannot name another endpoint or graph are screened on
#: the event loop when they are new (a few regular expressions); others in a thread, since
#: screening them may parse with rdflib for milliseconds.
_SCREEN_INLINE_BELOW = 8192
#: Who asks when no client address is known (the command line, tests, in-process callers).
LOCAL_CLIENT = "local"

Lane = Literal["general", "quick"]


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    #: The pool's end of the worker's socket, non-blocking, read by :class:`FrameReader`.
    connection: socket.socket
    lane: Lane
    reader: FrameReader = field(default_factory=FrameReader)
    #: The exit status once the process is reaped (by the thread that replaces it).
    exited: concurrent.futures.Future[int | None] = field(default_factory=concurrent.futures.Future)


@dataclass(eq=False)
class _Ticket:
    """A query waiting for a worker: whose it is, and whether it may use the quick lane.

    ``woken`` is set on the waiter's own event loop when a worker is given to the ticket (or
    the pool closes); whoever gives it may be on another thread.
    """

    client: str
    quick_allowed: bool
    order: int
    worker: _Worker | None = None
    loop: asyncio.AbstractEventLoop | None = None
    woken: asyncio.Future[None] | None = None


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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None
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
            # The store as laid out, merge included: a worker loads it and is ready.
            data_file = self._folder / "graph.nq"
            kg.query_store().dump(str(data_file), format=ox.RdfFormat.N_QUADS)
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
        parent.setblocking(False)
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
        worker = _Worker(process, parent, lane)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _wait_ready(self, worker: _Worker) -> None:
        """Wait for ``worker`` to load the graph and confine itself; raise if it cannot."""
        message: object = None
        try:
            frame = _read_frame_within(worker, _START_TIMEOUT)
            if frame is not None:
                message = decode_started(frame[0])
        except (EOFError, OSError, WireError):
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
        worker.connection.close()
        _reap(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now and start its successor in the background, retrying (with a
        growing pause) until one starts, so a passing failure does not shrink the pool.

        Only the signal is sent here: waiting for the process to exit (and saying how it did,
        through ``worker.exited``) is the background thread's, so an event loop calling this is
        not held while the kernel tears down a large worker."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            self.restarts += 1
        worker.process.kill()
        worker.connection.close()

        def start_successor() -> None:
            _reap(worker)
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
            for ticket in self._waiting:
                _wake(ticket)
            loop, thread = self._loop, self._loop_thread
            self._loop = self._loop_thread = None
        if loop is not None and thread is not None:
            # Queries asked through evaluate() end now (their callers hear that the service is
            # shutting down), each replacing its worker, before the loop stops.
            with contextlib.suppress(concurrent.futures.TimeoutError, RuntimeError):
                asyncio.run_coroutine_threadsafe(_cancel_all(), loop).result(_EXIT_TIMEOUT)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=_EXIT_TIMEOUT)
            if not thread.is_alive():
                loop.close()
        with self._lock:
            workers = list(self._workers)
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
            _wake(ticket)

    async def _acquire(
        self, client: str, deadline: float, *, quick_allowed: bool = True
    ) -> _Worker:
        """A worker for ``client``'s query, awaited on the caller's loop until ``deadline``."""
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
            if ticket.worker is not None:
                return ticket.worker
            ticket.loop = asyncio.get_running_loop()
            ticket.woken = ticket.loop.create_future()
        try:
            while True:
                try:
                    async with asyncio.timeout(deadline - time.monotonic()):
                        await ticket.woken
                except TimeoutError:
                    pass
                with self._lock:
                    if ticket.worker is not None:
                        return ticket.worker
                    if self._closed or time.monotonic() >= deadline:
                        self._waiting.remove(ticket)
                        break
                    ticket.woken = ticket.loop.create_future()  # woken for nothing: wait on
        except BaseException:  # cancelled while waiting: a worker given meanwhile goes back
            with self._lock:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                given, ticket.worker = ticket.worker, None
            if given is not None:
                self._release_worker(given)
                self._finished(client, ran_long=False)
            raise
        if self._closed:
            raise QueryFailedError("the SPARQL service is shutting down")
        raise ServiceBusyError(
            f"every SPARQL worker stayed busy for the {self.timeout:g} s time limit; try again "
            "shortly"
        )

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

        For callers without an event loop: it runs :meth:`evaluate_async`'s code on the pool's
        own loop, in a thread started on first use, so both ways of asking share every rule.
        """
        deadline = time.monotonic() + self.timeout
        screen = self._screen(query)
        work = self._evaluate_screened(
            screen, formats, default_graphs, named_graphs, client or LOCAL_CLIENT, deadline
        )
        try:
            loop = self._own_loop()
        except BaseException:
            work.close()
            raise
        try:
            return asyncio.run_coroutine_threadsafe(work, loop).result()
        except concurrent.futures.CancelledError:  # by close()
            raise QueryFailedError("the SPARQL service is shutting down") from None

    def _own_loop(self) -> asyncio.AbstractEventLoop:
        """The loop :meth:`evaluate` runs queries on, and its thread, started on first use."""
        with self._lock:
            if self._closed:
                raise QueryFailedError("the SPARQL service is shutting down")
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._loop_thread = threading.Thread(
                    target=self._loop.run_forever, name="paccto-sparql-loop", daemon=True
                )
                self._loop_thread.start()
            return self._loop

    async def evaluate_async(
        self,
        query: str,
        formats: tuple[str, ...],
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        client: str | None = None,
    ) -> QueryReply:
        """:meth:`evaluate`, awaited on the caller's event loop without a thread.

        Cancelling it while a worker runs the query kills that worker (a fresh one takes its
        place), so a query nobody waits for any more does not run on.
        """
        deadline = time.monotonic() + self.timeout
        outcome = self._screened_before(query)
        if outcome is None:
            if _cheap_to_screen(query):
                outcome = self._screen_outcome(query)
            else:  # it may parse with rdflib for milliseconds: not on the loop
                loop = asyncio.get_running_loop()
                outcome = await loop.run_in_executor(None, self._screen_outcome, query)
        if isinstance(outcome, PacctoError):
            raise outcome.with_traceback(None)
        return await self._evaluate_screened(
            outcome, formats, default_graphs, named_graphs, client or LOCAL_CLIENT, deadline
        )

    async def _evaluate_screened(
        self,
        screen: QueryScreen,
        formats: tuple[str, ...],
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        client: str,
        deadline: float,
    ) -> QueryReply:
        if default_graphs:
            check_dataset_graphs(default_graphs, self.kg, "default-graph-uri")
        if named_graphs:
            check_dataset_graphs(named_graphs, self.kg, "named-graph-uri")
        protocol_dataset = default_graphs is not None or named_graphs is not None
        request = encode_request(
            QueryRequest(
                query=screen.text,
                formats=formats,
                max_rows=self.max_rows,
                default_graphs=tuple(default_graphs or ()) if protocol_dataset else None,
                named_graphs=tuple(named_graphs or ()) if protocol_dataset else None,
            )
        )
        worker = await self._acquire(client, deadline)
        if worker.lane == "quick":
            quick_until = min(deadline, time.monotonic() + self.quick_seconds)
            reply = await self._run(worker, request, client, quick_until)
            if reply is None:
                # Too long for the quick lane: start again on a general worker.
                worker = await self._acquire(client, deadline, quick_allowed=False)
                reply = await self._run(worker, request, client, deadline)
        else:
            reply = await self._run(worker, request, client, deadline)
        if reply is None:
            raise QueryTimeoutError(self.timeout)
        return self._checked(reply, screen.text, formats)

    async def _run(
        self, worker: _Worker, request: list[bytes], client: str, until: float
    ) -> QueryReply | None:
        """Send the ``request`` frame to ``worker`` (already counted as ``client``'s) and await
        the reply until ``until``; ``None`` when it did not come in time (the worker is
        replaced)."""
        loop = asyncio.get_running_loop()
        try:
            for part in request:
                await loop.sock_sendall(worker.connection, part)
            frame = await self._reply_within(worker, until)
            reply = None if frame is None else decode_reply(*frame)
        except WireError as error:
            self._replace(worker)
            self._finished(client, ran_long=True)
            logger.error("SPARQL worker %s sent a malformed frame: %s", worker.process.pid, error)
            raise QueryFailedError(
                "the SPARQL worker sent a malformed answer and was replaced"
            ) from None
        except (EOFError, OSError):
            self._replace(worker)
            self._finished(client, ran_long=True)
            raise await self._crash_error(worker) from None
        except BaseException:  # cancelled: the query must not run on, nor its reply be read
            self._replace(worker)  # by the next query
            self._finished(client, ran_long=False)
            raise
        if reply is None:
            self._replace(worker)
            self._finished(client, ran_long=True)
            return None
        self._release_worker(worker)
        self._finished(client, ran_long=False)
        return reply

    async def _reply_within(
        self, worker: _Worker, until: float
    ) -> tuple[dict[str, Any], bytes] | None:
        """The reply frame of ``worker`` if it comes before ``until``.

        A quick worker also gives up early, after :data:`_QUICK_PATIENCE`, when another client
        that may use the quick lane is waiting for it: otherwise a runaway query sent by a new
        client would hold the lane for the whole of ``quick_seconds`` while a simple query waits.
        """
        if worker.lane == "general":
            return await _read_frame(worker, until)
        patient_until = time.monotonic() + _QUICK_PATIENCE
        while True:
            now = time.monotonic()
            if now >= until:  # a last look, without waiting
                return await _read_frame(worker, now)
            step = max(patient_until - now, _QUICK_POLL)
            frame = await _read_frame(worker, min(until, now + step))
            if frame is not None:
                return frame
            if time.monotonic() >= patient_until and self._quick_lane_wanted():
                return None

    def _quick_lane_wanted(self) -> bool:
        with self._lock:
            now = time.monotonic()
            return any(
                ticket.quick_allowed and self._quick_allowed(ticket.client, now)
                for ticket in self._waiting
            )

    async def _crash_error(self, worker: _Worker) -> PacctoError:
        """Why a worker died during a query, as far as its exit status tells (once the thread
        replacing it has reaped it)."""
        try:
            async with asyncio.timeout(_EXIT_TIMEOUT):
                status = await asyncio.wrap_future(worker.exited)
        except TimeoutError:
            status = None
        # A failed allocation aborts the engine (SIGABRT); the kernel's OOM killer sends SIGKILL.
        if self.query_memory_bytes and status in (
            -signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV,
        ):  # fmt: skip
            return QueryMemoryError(self.query_memory_bytes)
        return QueryFailedError(
            "the query stopped its worker process (it may have needed more memory than the "
            "machine has); simplify it or add LIMIT"
        )

    def _screen(self, query: str) -> QueryScreen:
        outcome = self._screened_before(query) or self._screen_outcome(query)
        if isinstance(outcome, PacctoError):
            raise outcome.with_traceback(None)
        return outcome

    def _screened_before(self, query: str) -> QueryScreen | PacctoError | None:
        """The remembered outcome of screening ``query``, if it is recent."""
        with self._lock:
            outcome = self._screened.get(query)
            if outcome is not None:
                self._screened.move_to_end(query)
            return outcome

    def _screen_outcome(self, query: str) -> QueryScreen | PacctoError:
        """Screen ``query`` and remember the outcome."""
        try:
            outcome: QueryScreen | PacctoError = screen_query(query, self.kg)
        except PacctoError as error:
            outcome = error
        with self._lock:
            self._screened[query] = outcome
            while len(self._screened) > _SCREEN_CACHE_SIZE:
                self._screened.popitem(last=False)
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


# -- waiting without threads -------------------------------------------------------------------


def _wake(ticket: _Ticket) -> None:
    """Tell ``ticket``'s waiter to look again (called with the pool's lock held, on any thread).

    A waiter that has not started waiting yet (``woken`` unset) still holds the lock and sees
    the worker itself; otherwise the future is set on its own loop, directly when that loop is
    this thread's, else through ``call_soon_threadsafe``."""
    woken, loop = ticket.woken, ticket.loop
    if woken is None or loop is None:
        return
    if asyncio._get_running_loop() is loop:
        _set_woken(woken)
        return
    with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_set_woken, woken)


async def _cancel_all() -> None:
    """Cancel every other task of this loop and wait until they have ended."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


def _set_woken(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)


async def _read_frame(worker: _Worker, until: float) -> tuple[dict[str, Any], bytes] | None:
    """The next frame from ``worker``, read on this loop as it arrives; ``None`` when it is not
    whole by ``until`` (what was read is kept, so waiting again goes on where this stopped)."""
    loop = asyncio.get_running_loop()
    reader, connection = worker.reader, worker.connection
    try:
        async with asyncio.timeout(until - time.monotonic()):
            while True:
                frame = reader.advance(await loop.sock_recv_into(connection, reader.space()))
                if frame is not None:
                    return frame
    except TimeoutError:
        return None


def _read_frame_within(worker: _Worker, seconds: float) -> tuple[dict[str, Any], bytes] | None:
    """The next frame from ``worker``, blocking this thread for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    poller = select.poll()
    poller.register(worker.connection, select.POLLIN)
    while True:
        try:
            count = worker.connection.recv_into(worker.reader.space())
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                return None
            continue
        frame = worker.reader.advance(count)
        if frame is not None:
            return frame


def _reap(worker: _Worker) -> None:
    """Wait for a killed worker to exit, and say how it did through ``worker.exited``."""
    status: int | None = None
    try:
        status = worker.process.wait(timeout=_EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        logger.warning("SPARQL worker %s did not stop when killed", worker.process.pid)
    with contextlib.suppress(concurrent.futures.InvalidStateError):  # reaped twice
        worker.exited.set_result(status)


def _cheap_to_screen(query: str) -> bool:
    """Whether screening ``query`` can only take a few regular expressions (no rdflib parse),
    so a new query text may be screened on the event loop."""
    if len(query) > _SCREEN_INLINE_BELOW or "\\" in query or not query.isascii():
        return False
    folded = query.casefold()
    return "service" not in folded and "from" not in folded
