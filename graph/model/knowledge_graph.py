"""The loaded knowledge graph: one validated rdflib dataset and what is needed to read it.

Every front end (command line, HTTP API, views) receives a :class:`KnowledgeGraph` built once by
:func:`paccto.graph.load.loading.load_knowledge_graph`; it is never half-built, because loading
builds a fresh dataset and hands it over only after validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDFS, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from paccto.graph.model.identifiers import Identifiers

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from paccto.graph.model.projection import Projection
    from paccto.graph.questions.paths import PathOptions
    from paccto.graph.questions.resolution import EntityIndex

__all__ = ["KnowledgeGraph"]


@dataclass
class KnowledgeGraph:
    """A validated dataset: ontology, entity descriptions, provenance and one graph per passage."""

    dataset: Dataset
    ids: Identifiers
    files: list[Path] = field(default_factory=list)
    #: Known quad count of a stored graph; counting a store graph by graph would scan it.
    quad_count: int | None = None
    #: The Oxigraph database folder a stored graph is read from (None when held in memory),
    #: which the SPARQL workers open themselves instead of receiving a copy.
    store_path: Path | None = None
    #: Reads the projection saved with a stored graph; None (or None from it) builds it.
    saved_projection: Callable[[], Projection | None] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def projection(self) -> Projection:
        """The networkx view, built once from this dataset (which never changes once loaded),
        unless the store saved it when it was written."""
        from paccto.graph.model.projection import build_projection

        if self.saved_projection is not None:
            saved = self.saved_projection()
            if saved is not None:
                return saved
        return build_projection(self)

    @cached_property
    def index(self) -> EntityIndex:
        """Name lookup for every node of the projection."""
        from paccto.graph.questions.resolution import EntityIndex

        return EntityIndex(self.catalogue)

    def warm_up(self) -> None:
        """Build now what the first path question would otherwise build while someone waits:
        the name index, the search graph and the hub test (at a million triples, 20 s or more
        on every store). A server calls this before it starts listening."""
        from paccto.graph.questions.paths import hub_entities

        self.index  # noqa: B018
        hub_entities(self)

    @property
    def catalogue(self) -> Projection:
        """Every entity by name and class and every relation by name: the projection itself
        here; a remote store's lists them without the facts."""
        return self.projection

    # A question that reads only part of the graph says which part first, so that a store
    # that does not hold the graph in this process can fetch that part. Here it is all there.

    def around(self, iris: Iterable[str], depth: int = 0) -> KnowledgeGraph:
        """A graph exact at ``iris`` and at everything within ``depth`` steps of them."""
        return self

    def for_path(
        self, start: str, end: str, options: PathOptions, avoided: set[str], wanted: int | None
    ) -> KnowledgeGraph:
        """A graph holding every path a search from ``start`` to ``end`` can return."""
        return self

    def for_members(self, root: str, *, transitive: bool) -> KnowledgeGraph:
        """A graph exact at ``root`` (and its sub-organisations when ``transitive``)."""
        return self

    def evaluate(self, text: str, query: Any) -> Any:
        """The rdflib result of a checked query (``query``, parsed from ``text``)."""
        return self.dataset.query(query)

    def membership_links(self) -> Iterable[tuple[str, str, str]]:
        """``(member, organisation, key)`` of every membership and sub-organisation edge."""
        from paccto.graph.model.projection import MEMBER_OF

        return (
            (member, organisation, key)
            for member, organisation, key in self.projection.graph.edges(keys=True)
            if key.startswith(MEMBER_OF) or key == "org:subOrganizationOf"
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

    def label(self, node: URIRef, language: str = "en") -> str:
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
        return sum(len(graph) for graph in self.dataset.graphs())
