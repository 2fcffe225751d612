"""Who is around an entity: its ego network, a few steps out, filtered by class, relation and date.

Cooperation runs both ways, so the walk follows relationships in either direction, while every
edge of the answer keeps the direction in which the sources state it. The answer is plain data
(frozen dataclasses of strings, numbers and lists) so that a table, JSON and a network drawing
can all be made from the same object.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paccto.graph.errors import PacctoError, UnknownEntityError
from paccto.graph.model.dates import Period, entity_exists, parse_as_of
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import matching_classes, matching_relations
from paccto.graph.model.names import relation_names as names_of_edge
from paccto.graph.model.projection import Projection
from paccto.graph.questions.fetching import around
from paccto.graph.questions.options import (
    Question,
    as_of_option,
    classes_option,
    option,
    relations_option,
)

__all__ = [
    "MAX_DEPTH",
    "Neighbour",
    "Neighbourhood",
    "NeighbourhoodEdge",
    "NeighbourhoodQuestion",
    "edge_documents",
    "edge_passages",
    "ego_network",
    "neighbourhood_of",
]

#: Three steps already reach most of the graph through the programme's hubs; more is noise.
MAX_DEPTH = 3


@dataclass(frozen=True)
class Neighbour:
    """One entity of a neighbourhood and how many steps it lies from the centre (0 = centre)."""

    id: str
    iri: str
    label: str
    cls: str
    class_label: str
    distance: int


@dataclass(frozen=True)
class NeighbourhoodEdge:
    """One stated relationship between two entities of a neighbourhood, as the sources state it.

    ``source`` and ``target`` are the entities' ``id`` values, as in :class:`Neighbour`.
    """

    source: str
    target: str
    relation: str
    key: str
    start: str | None
    end: str | None
    documents: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Neighbourhood:
    """The entities within ``depth`` steps of ``centre`` and the relationships among them."""

    centre: str
    depth: int
    classes: list[str]
    relations: list[str]
    as_of: str | None
    nodes: list[Neighbour]
    edges: list[NeighbourhoodEdge]


def edge_documents(data: dict[str, Any]) -> list[str]:
    """The distinct source documents stating a relationship, in the order the sources give."""
    documents: list[str] = []
    for source in data.get("sources") or []:
        document = source.get("document")
        if document and document not in documents:
            documents.append(document)
    return documents


def edge_passages(data: dict[str, Any]) -> list[str]:
    """The distinct passages stating a relationship: what a reader opens to check it."""
    passages: list[str] = []
    for source in data.get("sources") or []:
        passage = source.get("passage")
        if passage and passage not in passages:
            passages.append(passage)
    return passages


def _incident_edges(
    projection: Projection, iri: str
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Edges out of and into ``iri`` as (source, target, key, data), as the sources state them."""
    graph = projection.graph
    for _u, v, key, data in graph.out_edges(iri, keys=True, data=True):
        yield iri, v, key, data
    for u, _v, key, data in graph.in_edges(iri, keys=True, data=True):
        yield u, iri, key, data


def _check_depth(depth: int) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise PacctoError(f"depth must be a whole number from 1 to {MAX_DEPTH}, not {depth!r}")


def neighbourhood_of(
    kg: KnowledgeGraph, name: str, *, depth: int = 1, **options: Any
) -> Neighbourhood:
    """:func:`ego_network` of the entity ``name`` designates, on whichever store holds the
    graph (a remote one fetches the entities within ``depth`` steps first)."""
    iri = kg.index.resolve(name)
    _check_depth(depth)
    return ego_network(around(kg, [iri], depth).projection, iri, depth=depth, **options)


def ego_network(
    projection: Projection,
    center_iri: str,
    *,
    depth: int = 1,
    classes: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
    as_of: date | str | None = None,
    during: Period | None = None,
) -> Neighbourhood:
    """The entities within ``depth`` steps of an entity and the relationships among them.

    The walk goes both ways along relationships, because a partner is a partner whichever end
    of the statement it stands on. ``relations`` and ``as_of`` change what may be walked: only
    edges of those relations, valid on that date, between entities that existed then (open ends
    count as valid). ``classes`` only changes what is shown: distances are measured through
    entities of every class, so "countries within two steps of CLASI" finds the countries
    reached through a region. The centre is always shown; if it did not exist on ``as_of`` it
    is shown alone. Edges are those among the shown entities (the induced subgraph), so an
    entity shown at distance 2 may appear without the intermediary that led to it.

    Parameters
    ----------
    projection
        The networkx view of the knowledge graph.
    center_iri
        IRI of the centre (resolve a name with ``kg.index.resolve`` first).
    depth
        Number of steps, 1 to :data:`MAX_DEPTH`.
    classes
        Compact class names or class labels; an entity is shown if any of its classes matches.
    relations
        Relation keys, predicate names or readable relation labels to walk along.
    as_of
        A date, or a partial date string (a year means its last day).
    during
        A period such as a programme phase: only what holds at some time in it, like ``as_of``.

    Raises
    ------
    UnknownEntityError
        ``center_iri`` is not an entity of the graph.
    PacctoError
        ``depth`` is out of range, or a class or relation name matches nothing in the graph.
    """
    graph = projection.graph
    if center_iri not in graph:
        raise UnknownEntityError(center_iri)
    _check_depth(depth)
    on = parse_as_of(as_of)
    class_names = list(classes or [])
    relation_names = list(relations or [])
    wanted_classes = matching_classes(projection, class_names) if class_names else None
    wanted_relations = matching_relations(projection, relation_names) if relation_names else None

    as_of_period = Period.on(on) if on is not None else None
    periods = [period for period in (as_of_period, during) if period is not None]

    def walkable(key: str, data: dict[str, Any]) -> bool:
        if wanted_relations is not None and not wanted_relations & names_of_edge(key, data):
            return False
        return all(period.holds(data.get("start"), data.get("end")) for period in periods)

    def existed(iri: str) -> bool:
        return all(entity_exists(graph.nodes[iri], period) for period in periods)

    distance = {center_iri: 0}
    frontier = [center_iri] if existed(center_iri) else []
    for step in range(1, depth + 1):
        reached: list[str] = []
        for iri in frontier:
            for u, v, key, data in _incident_edges(projection, iri):
                other = v if u == iri else u
                if other not in distance and walkable(key, data) and existed(other):
                    distance[other] = step
                    reached.append(other)
        frontier = reached

    shown = {
        iri
        for iri in distance
        if iri == center_iri
        or wanted_classes is None
        or wanted_classes & set(graph.nodes[iri]["classes"])
    }
    nodes = [
        Neighbour(
            id=graph.nodes[iri]["id"],
            iri=iri,
            label=graph.nodes[iri]["label"],
            cls=graph.nodes[iri]["class"],
            class_label=graph.nodes[iri]["class_label"],
            distance=distance[iri],
        )
        for iri in shown
    ]
    nodes.sort(key=lambda node: (node.distance, node.label.casefold(), node.id))
    edges = [
        NeighbourhoodEdge(
            source=graph.nodes[u]["id"],
            target=graph.nodes[v]["id"],
            relation=str(data.get("relation") or key),
            key=key,
            start=data.get("start"),
            end=data.get("end"),
            documents=edge_documents(data),
            passages=edge_passages(data),
        )
        for u, v, key, data in graph.subgraph(shown).edges(keys=True, data=True)
        if walkable(key, data)
    ]
    edges.sort(key=lambda edge: (edge.source, edge.target, edge.key))
    return Neighbourhood(
        centre=center_iri,
        depth=depth,
        classes=sorted(wanted_classes) if wanted_classes is not None else [],
        relations=relation_names,
        as_of=on.isoformat() if on is not None else None,
        nodes=nodes,
        edges=edges,
    )


@dataclass(frozen=True, kw_only=True)
class NeighbourhoodQuestion(Question):
    """What lies within a few steps of an entity: the options of every front end that asks."""

    name: str = option(
        "The entity at the centre: an identifier, label (any language) or acronym.",
        positional=True,
        in_path=True,
    )
    depth: int = option("How many steps out.", 1, low=1, high=MAX_DEPTH)
    classes: tuple[str, ...] = classes_option(
        "Only show entities of this class (distances still run through every entity): a label "
        "or compact name."
    )
    relations: tuple[str, ...] = relations_option(
        "Follow only this relation: a key (paccto:basedIn), predicate name or label."
    )
    as_of: date | None = as_of_option()

    def answer(self, kg: KnowledgeGraph) -> Neighbourhood:
        self.check_names(kg)
        return neighbourhood_of(
            kg,
            self.name,
            depth=self.depth,
            classes=self.classes or None,
            relations=self.relations or None,
            as_of=self.as_of,
        )
