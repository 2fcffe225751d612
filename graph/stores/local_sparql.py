"""An Oxigraph store in this process, answering SPARQL as a server does for the ``sparql:URL``
store: the same fetching of parts, without HTTP.

:class:`LocalSparqlClient` has the query surface of :class:`paccto.graph.stores.sparql_client.
SparqlClient` (:class:`paccto.graph.stores.sparql_client.SparqlSource`), so a
:class:`paccto.graph.stores.sparql_store.RemoteKnowledgeGraph` runs over a store written by
``paccto load --store oxigraph:PATH`` (:func:`remote_view`): the fetching logic of the
``sparql:URL`` store can be run and checked against the other stores' answers without a server,
and its cost compared with theirs on the same data (``benchmarks/bench_whole_commands.py``).

The store's layout (:mod:`paccto.graph.model.oxigraph_dataset`) is what the server's is after a
``paccto load``: the named graphs as loaded and the RDF merge as the default graph, so queries
read the same graphs on both, and no pragma is needed to make the default graph the merge.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from paccto.graph.errors import QueryError
from paccto.graph.load.parsing import parse_file
from paccto.graph.load.resources import ontology_file
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.stores.sparql_client import select_rows
from paccto.graph.stores.sparql_store import RemoteKnowledgeGraph

__all__ = ["LocalSparqlClient", "remote_view"]


@dataclass(frozen=True)
class LocalSparqlClient:
    """SPARQL over an Oxigraph store of this process, answered as a server's answers are read."""

    store: ox.Store = field(repr=False)
    prefixes: dict[str, str]
    location: str = "an Oxigraph store in this process"

    def prologue(self) -> str:
        return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in self.prefixes.items())

    def _query(self, text: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        try:
            return self.store.query(self.prologue() + text)
        except SyntaxError as error:
            raise QueryError(f"{self.location} refused the query: {error}") from None

    @contextmanager
    def solutions(
        self, text: str, parameters: Sequence[tuple[str, str]] = ()
    ) -> Iterator[ox.QuerySolutions | ox.QueryBoolean]:
        """A SELECT or ASK answer (``parameters``, a server's request parameters, mean nothing
        here)."""
        answer = self._query(text)
        if isinstance(answer, ox.QueryTriples):
            raise QueryError("expected a SELECT or ASK query")
        yield answer

    @contextmanager
    def triples(
        self, text: str, parameters: Sequence[tuple[str, str]] = ()
    ) -> Iterator[Iterator[ox.Triple]]:
        """A CONSTRUCT or DESCRIBE answer, as a stream of triples."""
        answer = self._query(text)
        if not isinstance(answer, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        yield iter(answer)

    def select(self, text: str) -> list[tuple[Node | None, ...]]:
        with self.solutions(text) as results:
            return select_rows(results)

    def ask(self, text: str) -> bool:
        with self.solutions(text) as results:
            return bool(results)


def remote_view(
    kg: KnowledgeGraph, *, max_entities: int = 1_000_000, max_copied_quads: int = 10**9
) -> RemoteKnowledgeGraph:
    """``kg``'s store (an ``oxigraph:PATH`` store's, or the memory store's) seen as the
    ``sparql:URL`` store sees a server: every question fetched by SPARQL, part by part."""
    if kg.store is None:
        raise QueryError("this graph has no Oxigraph store to query")
    ontology = Graph()
    for s, p, o, _g in parse_file(ontology_file(), base_iri=kg.ids.base):
        ontology.add((s, p, o))
    client = LocalSparqlClient(kg.store, dict(kg.ids.prefixes()))
    return RemoteKnowledgeGraph(
        client, kg.ids, ontology, max_entities=max_entities, max_copied_quads=max_copied_quads
    )
