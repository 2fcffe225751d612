"""The loaded knowledge graph: one validated rdflib dataset and what is needed to read it.

Every front end (command line, HTTP API, views) receives a :class:`KnowledgeGraph` built once by
:func:`paccto.graph.loading.load_knowledge_graph`; it is never half-built, because loading builds
a fresh dataset and hands it over only after validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDFS, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from paccto.graph.identifiers import Identifiers

if TYPE_CHECKING:
    from paccto.graph.projection import Projection
    from paccto.graph.resolution import EntityIndex

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

    @cached_property
    def projection(self) -> Projection:
        """The networkx view, built once from this dataset (which never changes once loaded)."""
        from paccto.graph.projection import build_projection

        return build_projection(self)

    @cached_property
    def index(self) -> EntityIndex:
        """Name lookup for every node of the projection."""
        from paccto.graph.resolution import EntityIndex

        return EntityIndex(self.projection)

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
