"""The loaded knowledge graph: one validated dataset and what is needed to read it.

Every front end (command line, HTTP API, views) receives a :class:`KnowledgeGraph` built once by
:func:`paccto.graph.load.loading.load_knowledge_graph`; it is never half-built, because loading
builds a fresh dataset and hands it over only after validation.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rdflib import RDFS, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from paccto.graph.model.folding import MEMBER_OF, SUB_ORGANISATION_OF
from paccto.graph.model.identifiers import Identifiers

if TYPE_CHECKING:  # imported where used: networkx and the name index cost start-up time
    import pyoxigraph as ox

    from paccto.graph.model.names import EntityIndex
    from paccto.graph.model.projection import Projection

__all__ = ["Fetch", "KnowledgeGraph"]


class Fetch(Protocol):
    """A part of a graph held elsewhere (on a SPARQL server), grown entity by entity.

    The questions decide what to read (a path search level by level from both ends, a
    membership question down the sub-organisations); a store only reads what it is told to,
    so no question is written twice, once for the graph in memory and once for a store.
    """

    @property
    def expanded(self) -> Set[str]:
        """Entities whose every statement, and their neighbours' names and classes, are held."""
        ...

    def expand(self, iris: Sequence[str], *, attributes_only: bool = False) -> KnowledgeGraph:
        """The part grown by the closures of ``iris``: a graph exact at every expanded entity.

        ``attributes_only``: the neighbours come without their own links to other entities,
        which is all a search that walks only expanded entities' edges needs."""
        ...

    def done(self, scope: Hashable) -> KnowledgeGraph:
        """The part as grown, remembering that it answers the question ``scope`` whole."""
        ...


@dataclass
class KnowledgeGraph:
    """A validated dataset: ontology, entity descriptions, provenance and one graph per passage."""

    dataset: Dataset
    ids: Identifiers
    files: list[Path] = field(default_factory=list)
    #: The kind of store the graph was opened from (see :mod:`paccto.graph.store_registry`).
    store_kind: str = "memory"
    #: Known quad count of a stored graph; counting a store graph by graph would scan it.
    quad_count: int | None = None
    #: The Oxigraph database folder a stored graph is read from (None when held in memory),
    #: which the SPARQL workers open themselves instead of receiving a copy.
    store_path: Path | None = None
    #: Reads the projection saved with a stored graph; None (or None from it) builds it.
    saved_projection: Callable[[], Projection | None] | None = field(
        default=None, repr=False, compare=False
    )
    #: The Oxigraph store holding the graph (:mod:`paccto.graph.model.oxigraph_dataset`), which
    #: ``dataset`` reads and SPARQL queries go to; None for a part fetched from a SPARQL server
    #: (:func:`paccto.graph.stores.query_store.query_store` builds one when it is queried).
    store: Any = field(default=None, repr=False, compare=False)

    @cached_property
    def projection(self) -> Projection:
        """The networkx view, built once from this dataset (which never changes once loaded),
        unless the store saved it when it was written."""
        if self.saved_projection is not None:
            saved = self.saved_projection()
            if saved is not None:
                return saved
        from paccto.graph.model.projection import build_projection, build_projection_from_store

        if self.store is not None:
            return build_projection_from_store(self.store, self.ids)
        return build_projection(self.dataset, self.ids)

    def query_store(self) -> ox.Store:
        """The Oxigraph store SPARQL queries over this graph go to (a ``pyoxigraph.Store``):
        the one holding it, or, for a part fetched from a SPARQL server (an rdflib dataset),
        one built from it the first time it is asked for, in the same layout."""
        if self.store is None:
            import pyoxigraph as ox

            from paccto.graph.model.oxigraph_dataset import MERGE_UPDATE

            built = ox.Store()
            nquads = self.dataset.serialize(format="nquads", encoding="utf-8")
            built.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
            built.update(MERGE_UPDATE)
            self.store = built
        store: ox.Store = self.store
        return store

    @cached_property
    def index(self) -> EntityIndex:
        """Name lookup for every node of the projection."""
        from paccto.graph.model.names import EntityIndex

        return EntityIndex(self.catalogue)

    def neighbour_counts(self) -> Mapping[str, int]:
        """The number of distinct neighbours of every entity of the whole graph, which the hub
        test compares with each other (a part of a graph held elsewhere asks the whole)."""
        return dict(self.projection.simple().degree())

    def warm_up(self) -> None:
        """Build now what the first path question would otherwise build while someone waits:
        the name index and the neighbour counts (tens of seconds at a million triples, see
        docs/performance.md). A server calls this before it starts listening."""
        self.index  # noqa: B018
        self.neighbour_counts()

    @property
    def catalogue(self) -> Projection:
        """Every entity by name and class and every relation by name: the projection itself
        here; a remote store's lists them without the facts."""
        return self.projection

    # A question that reads only part of the graph asks for that part first, so that a store
    # that does not hold the graph in this process can fetch it. Here it is all there.

    def fetch(self, *, fresh: bool = False) -> Fetch | None:
        """A part of this graph to grow, or None when every fact is here already.

        ``fresh``: start from nothing rather than from what this graph holds, for a search
        whose steps must not depend on what earlier questions happened to read."""
        return None

    def answers(self, scope: Hashable) -> bool:
        """Whether this graph was fetched whole for the question ``scope`` (see
        :meth:`Fetch.done`); a graph held whole answers every question."""
        return True

    def membership_links(self) -> Iterable[tuple[str, str, str]]:
        """``(member, organisation, key)`` of every membership and sub-organisation edge."""
        return (
            (member, organisation, key)
            for member, organisation, key in self.projection.graph.edges(keys=True)
            if key.startswith(MEMBER_OF) or key == SUB_ORGANISATION_OF
        )

    def graph_sizes(self) -> dict[str, int]:
        """Quads in each non-empty named graph, the ontology's included."""
        return {
            str(graph.identifier): len(graph)
            for graph in self.dataset.graphs()
            if graph.identifier != DATASET_DEFAULT_GRAPH_ID and len(graph)
        }

    def graph_names(self) -> set[str]:
        """Every graph name in the dataset, the ontology's included."""
        return {str(graph.identifier) for graph in self.dataset.graphs()}

    def data_graph_names(self) -> list[URIRef]:
        """Named graphs that hold data, i.e. all but the ontology."""
        names = [
            graph.identifier
            for graph in self.dataset.graphs()
            if graph.identifier not in (self.ids.ontology_graph, DATASET_DEFAULT_GRAPH_ID)
        ]
        return sorted(URIRef(str(name)) for name in names)

    def label(self, node: Node, language: str = "en") -> str:
        """The node's label in ``language`` if it has one, else any label, else its short form."""
        fallback: str | None = None
        for value in self.dataset.objects(node, RDFS.label):
            if isinstance(value, Literal):
                if value.language == language:
                    return str(value)
                fallback = fallback or str(value)
        return fallback or self.ids.compact(str(node))

    def __len__(self) -> int:
        """Number of quads, counting a triple once per graph it is in."""
        if self.quad_count is not None:
            return self.quad_count
        # A store's rdflib view shows the unattributed facts as the default graph, never the
        # merge, so every graph counts as it does for a dataset held by rdflib.
        return sum(len(graph) for graph in self.dataset.graphs())
