"""rdflib's view of a graph held in an Oxigraph store: one engine under every mode.

Whether the graph lives in memory or in an on-disk store, its quads are in a pyoxigraph
``Store`` laid out the same way, and every reader sees that one store: SPARQL queries go to
Oxigraph directly, and the library code that works with rdflib reads it through oxrdflib.

The layout decides the default graph once for every front end. The store holds:

* the named graphs as loaded: one per passage, the entity descriptions, the provenance records,
  the ontology, and ``graph/unattributed`` for facts a file gave outside any named graph;
* in its default graph, the RDF merge of all of them: each triple once however many graphs
  state it, as the SPARQL dataset definition and Jena's union default graph have it.

So a query without ``GRAPH`` (from ``paccto sparql``, ``/sparql``, a SPARQL worker or the
Oxigraph server itself on the same folder) reads the merge, ``GRAPH ?g`` reads the named graphs,
and nothing has to be passed with each query. The price is a second copy of each triple, written
once by the load.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

from rdflib import XSD, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

if TYPE_CHECKING:
    import pyoxigraph as ox

    from paccto.graph.model.identifiers import Identifiers

__all__ = ["MERGE_UPDATE", "dataset_over"]

#: Writes the RDF merge of the named graphs into the default graph.
MERGE_UPDATE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _view_class() -> type:
    """oxrdflib's store class, extended; built on first use so that importing the model does
    not import oxrdflib."""
    from oxrdflib import OxigraphStore

    class OxigraphView(OxigraphStore):
        """oxrdflib over a store laid out as the module says, shown to rdflib as a dataset
        whose union is the merge and whose default graph holds the unattributed facts.

        That is the layout an rdflib ``Dataset(default_union=True)`` loaded in memory had, so
        the library reads, serialises and counts it as before: reading without a graph reads
        the merge (each triple once), ``graphs()`` lists the named graphs the files gave, and
        an export writes each quad once, in the graph it was given in.
        """

        #: What must live as long as the store is read (an on-disk version's lease).
        keep_alive: Any = None
        #: The named graph that stands for rdflib's default graph.
        unattributed: URIRef

        def add_graph(self, graph: Any) -> None:
            """Naming a graph is not a write (rdflib names one whenever code asks for it, and
            a read-only store would refuse); a graph not there simply has no triples."""
            return None

        def _stored(self, context: Any) -> Any:
            """The graph of the store that rdflib's ``context`` stands for."""
            if context is None:
                return Graph(identifier=DATASET_DEFAULT_GRAPH_ID)  # the merge
            if context.identifier == DATASET_DEFAULT_GRAPH_ID:
                return Graph(identifier=self.unattributed)
            return context

        def _shown(self, graph: Any) -> Any:
            if graph is not None and graph.identifier == self.unattributed:
                return Graph(store=self, identifier=DATASET_DEFAULT_GRAPH_ID)
            return graph

        def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
            """As oxrdflib's, in the layout above, with simple literals as rdflib writes them.

            Oxigraph returns a plain string literal typed ``xsd:string`` (the same literal in
            RDF 1.1), which rdflib neither compares equal to its own plain literal nor
            serialises the same way.
            """
            string = XSD.string
            for (subject, predicate, obj), contexts in super().triples(
                triple_pattern, self._stored(context)
            ):
                if type(obj) is Literal and obj.datatype == string:
                    obj = Literal(str(obj))
                # A triple read from the merge is in the graphs that state it, found only if
                # the caller asks (``quads()`` does, ``triples()`` does not).
                holding = (
                    self._holding((subject, predicate, obj))
                    if context is None
                    else (self._shown(graph) for graph in contexts)
                )
                yield (subject, predicate, obj), holding

        def _holding(self, triple: Any) -> Iterator[Any]:
            for _triple, contexts in super().triples(triple, None):  # every graph
                for graph in contexts:
                    if graph is not None and graph.identifier != DATASET_DEFAULT_GRAPH_ID:
                        yield self._shown(graph)

        def query(self, query: Any, *arguments: Any, **options: Any) -> Any:
            """Oxigraph evaluates; a query over the union reads the merge, each triple once
            (oxrdflib would ask Oxigraph for its union, one copy per graph). rdflib passes the
            namespaces, bindings and graph queried positionally, the graph last."""
            *others, graph = arguments
            if graph == "__UNION__":
                graph = DATASET_DEFAULT_GRAPH_ID
            return super().query(query, *others, graph, **options)  # type: ignore[call-arg]

        def __len__(self, context: Any = None) -> int:
            return int(super().__len__(self._stored(context)))

        def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
            for graph in super().contexts(triple):
                if graph.identifier == self.unattributed:
                    yield self._shown(graph)
                elif graph.identifier != DATASET_DEFAULT_GRAPH_ID:
                    yield graph

    return OxigraphView


_VIEW: type | None = None


def dataset_over(store: ox.Store, ids: Identifiers, keep_alive: Any = None) -> Dataset:
    """An rdflib ``Dataset`` reading ``store``, with the prefixes a load binds.

    Reading it without naming a graph reads the merge: ``dataset.triples(...)`` sees each
    triple once. Its default graph holds the facts given outside any graph.
    """
    global _VIEW
    if _VIEW is None:
        _VIEW = _view_class()
    backend = _VIEW(store=store)
    backend.keep_alive = keep_alive
    backend.unattributed = ids.unattributed_graph
    dataset = Dataset(store=backend, default_union=True)
    for prefix, namespace in ids.prefixes().items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    return dataset
