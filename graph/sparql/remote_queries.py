"""Public SPARQL queries over a ``sparql:URL`` store: checked here, evaluated by the server.

It answers like :class:`paccto.graph.sparql.query_pool.QueryWorkerPool` (same method, same
errors), so ``/sparql`` and ``paccto sparql`` do not know which store they run on:

* **Checked before sending**: the query is parsed here with the project's prefixes, so an
  update, a SERVICE clause or a FROM naming a graph the store does not hold is refused before
  the server sees it, and the server never fetches anything on a query's behalf.
* **Bounded**: the server is asked to stop at the time limit (``timeout``, which Virtuoso and
  Fuseki read), the connection gives up at the same limit, and the answer is read as a stream
  and cut at ``max_rows`` + 1 rows, which is refused as too large, as on the other stores.
* **Written here**: the server's answer is parsed by pyoxigraph and written by the same writers
  as the other stores use, so formats, media types and caps are identical.

The default graph is the server's: without FROM, Virtuoso matches every graph it holds (its
system graphs too), counting a triple once per graph it is in, where the other stores use the
union of our graphs. Queries that say DISTINCT, or name graphs with GRAPH or FROM, answer the
same everywhere; the competency questions all do, and the tests check it.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace

from paccto.graph.errors import (
    QueryTimeoutError,
    ResultFormatError,
    ResultTooLargeError,
    ServiceBusyError,
)
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings
from paccto.graph.sparql.query import (
    canonical_query_text,
    check_dataset_graphs,
    names_its_dataset,
    prepare_read_only_query,
)
from paccto.graph.sparql.query_pool import WorkerPoolStatus
from paccto.graph.sparql.query_worker import QueryReply
from paccto.graph.sparql.results import CapExceeded, write_answer
from paccto.graph.stores.sparql_client import SparqlClient

__all__ = ["RemoteQueryService"]


@dataclass
class RemoteQueryService:
    """Evaluates public queries on the store's server, at most ``size`` at a time."""

    kg: KnowledgeGraph
    client: SparqlClient
    size: int
    timeout: float
    max_rows: int
    #: The client for queries that do not name their graphs: the default graph the store
    #: sets (the merge of its graphs, where the server allows; see ``open_sparql_store``).
    query_client: SparqlClient | None = None

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.size)
        self._busy = 0
        self._lock = threading.Lock()
        self.restarts = 0

    @classmethod
    def for_graph(
        cls,
        kg: KnowledgeGraph,
        client: SparqlClient,
        settings: Settings,
        query_client: SparqlClient | None = None,
    ) -> RemoteQueryService:
        return cls(
            kg,
            client,
            size=settings.sparql_workers,
            timeout=settings.sparql_timeout,
            max_rows=settings.sparql_max_rows,
            query_client=query_client,
        )

    def status(self) -> WorkerPoolStatus:
        with self._lock:
            busy = self._busy
        return WorkerPoolStatus(
            workers=self.size,
            idle=self.size - busy,
            restarts=0,
            network_isolation="not applicable: queries run on the store's SPARQL server",
        )

    def close(self) -> None:
        """Nothing to stop: the server is not ours."""

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

        ``client`` is accepted for the worker pool's interface; the server shares its own
        capacity.
        """
        deadline = time.monotonic() + self.timeout
        # The server evaluates the very text that was checked (see canonical_query_text).
        query = canonical_query_text(query)
        parsed = prepare_read_only_query(query, self.kg)
        if default_graphs:
            check_dataset_graphs(default_graphs, self.kg, "default-graph-uri")
        if named_graphs:
            check_dataset_graphs(named_graphs, self.kg, "named-graph-uri")
        kind = parsed.algebra.name
        # The query's or the protocol's own graphs replace the merged default graph.
        own_dataset = bool(default_graphs or named_graphs) or names_its_dataset(parsed)
        parameters: list[tuple[str, str]] = [
            ("timeout", str(max(1, math.floor(self.timeout * 1000)))),
            *(("default-graph-uri", graph) for graph in default_graphs or ()),
            *(("named-graph-uri", graph) for graph in named_graphs or ()),
        ]
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ServiceBusyError(
                f"every SPARQL slot stayed busy for the {self.timeout:g} s time limit; "
                "try again shortly"
            )
        with self._lock:
            self._busy += 1
        try:
            return self._ask(query, kind, formats, parameters, deadline, own_dataset=own_dataset)
        finally:
            with self._lock:
                self._busy -= 1
            self._slots.release()

    def _ask(
        self,
        query: str,
        kind: str,
        formats: tuple[str, ...],
        parameters: list[tuple[str, str]],
        deadline: float,
        *,
        own_dataset: bool,
    ) -> QueryReply:
        chosen = self.client if own_dataset else (self.query_client or self.client)
        client = replace(chosen, timeout=max(1.0, deadline - time.monotonic()))
        graph_query = kind in ("ConstructQuery", "DescribeQuery")
        opened = client.triples if graph_query else client.solutions
        try:
            with opened(query, parameters) as results:
                written = write_answer(
                    results, formats, max_rows=self.max_rows, prefixes=self.client.prefixes
                )
        except CapExceeded as error:
            raise ResultTooLargeError(error.cap, error.unit) from None
        except LookupError as error:
            answer_kind, acceptable = error.args
            raise ResultFormatError(answer_kind, list(formats), acceptable) from None
        except QueryTimeoutError:
            raise QueryTimeoutError(self.timeout) from None
        return QueryReply.answered(written)
