"""Network measures of the whole graph: who is central, who brokers between Europe and Latin
America and the Caribbean, which ties cross the Atlantic, and which groups hang together.

Every measure works on the undirected simple view of the projection (one edge per pair of
entities, direction ignored): cooperation runs both ways, and a pair of partners linked by five
statements is still one pair of partners. That view (``Projection.simple``) is built with its
nodes and edges in sorted order, because the projection's own order follows Python's string
hashing, which changes from one run to the next; sorted input is what makes the seeded
community detection give the same answer every time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import networkx as nx
from rdflib.namespace import ORG

from paccto.graph.errors import PacctoError
from paccto.graph.model.names import matching_classes
from paccto.graph.model.projection import Projection
from paccto.graph.questions.neighbourhood import edge_documents, edge_passages
from paccto.ontology.namespace import PACCTO

__all__ = [
    "EU",
    "LAC",
    "RANKINGS",
    "Bridge",
    "BridgingEntity",
    "Community",
    "CommunityMember",
    "RankedEntity",
    "Side",
    "bridging_entities",
    "bridging_links",
    "brokers",
    "communities",
    "rank_entities",
    "region_sides",
]

Side = Literal["EU", "LAC"]
EU: Final = "EU"
LAC: Final = "LAC"

#: The measures :func:`rank_entities` knows.
RANKINGS: Final = ("degree", "betweenness")

#: Entities that stand for a side by themselves, by their identifier (the base IRI may vary).
_ANCHORS: Final[dict[str, Side]] = {
    "european-union": EU,
    "europe": EU,
    "latin-america": LAC,
    "caribbean": LAC,
    "lac": LAC,
}
#: The entity whose members are EU-side.
_UNION: Final = "european-union"
#: Classes whose every instance belongs to the European Union's institutions.
_EU_CLASSES: Final = frozenset({"paccto:EUBody", "paccto:CouncilPresidency"})
#: Relations whose subject stands where its object stands.
_TAKES_SIDE_OF: Final = frozenset(
    str(term)
    for term in (PACCTO.partOfRegion, PACCTO.basedIn, PACCTO.locatedIn, ORG.subOrganizationOf)
)

_DIGITS = 6


@dataclass(frozen=True)
class RankedEntity:
    """One entity of a ranking. Equal scores share a rank (1, 2, 2, 4) and are listed by label."""

    rank: int
    id: str
    iri: str
    label: str
    cls: str
    class_label: str
    side: str | None
    score: float


@dataclass(frozen=True)
class Bridge:
    """A stated relationship between an EU-side and a LAC-side entity, in its stated direction."""

    source: str
    source_label: str
    source_side: str
    target: str
    target_label: str
    target_side: str
    relation: str
    key: str
    start: str | None
    end: str | None
    documents: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BridgingEntity:
    """An entity with neighbours on both sides, and how many distinct ones on each."""

    id: str
    iri: str
    label: str
    cls: str
    class_label: str
    side: str | None
    eu_neighbours: int
    lac_neighbours: int


@dataclass(frozen=True)
class CommunityMember:
    """One entity of a community."""

    id: str
    iri: str
    label: str
    cls: str
    degree: int


@dataclass(frozen=True)
class Community:
    """A group of entities more tied to each other than to the rest, named after its hub."""

    name: str
    size: int
    members: list[CommunityMember]


def region_sides(projection: Projection) -> dict[str, Side | None]:
    """Which side of the Atlantic each entity stands on: ``"EU"``, ``"LAC"`` or None.

    The side is read from the data, never from names, so that adding a fact can move an entity
    and a reader can check every assignment against the graph:

    1. Anchors stand for a side by themselves: the European Union and the region Europe are EU;
       the regions Latin America, the Caribbean and Latin America and the Caribbean are LAC.
    2. Every EU body (``paccto:EUBody``) and Council presidency (``paccto:CouncilPresidency``)
       is EU, and so is every member (``org:memberOf``, any role) of the European Union: the
       member states.
    3. Any other entity takes the side of what it is ``paccto:partOfRegion`` of, ``paccto:basedIn``
       or ``paccto:locatedIn``, or an ``org:subOrganizationOf``, followed as far as needed: a
       country part of Latin America is LAC, a ministry based in that country is LAC, an agency
       based in Spain is EU (Spain being a member of the Union), a committee that is a
       sub-organisation of the Union is EU.

    Rules 1 and 2 win over rule 3 (an EU delegation based in Argentina is still EU). An entity
    that rule 3 leads to both sides (a team based in Spain and in Argentina) is None, as is
    everything the rules do not reach: the programme and its phases, bi-regional networks and
    initiatives, people and posts, crime areas and topics. None means bi-regional or neutral,
    not unknown to the graph.
    """
    graph = projection.graph
    direct: dict[str, set[Side]] = {}
    leads: dict[str, list[str]] = {}
    for iri, node in graph.nodes(data=True):
        sides: set[Side] = set()
        if node["id"] in _ANCHORS:
            sides.add(_ANCHORS[node["id"]])
        if _EU_CLASSES & set(node["classes"]):
            sides.add(EU)
        targets: list[str] = []
        for _u, target, data in graph.out_edges(iri, data=True):
            predicate = data.get("predicate")
            if predicate == str(ORG.memberOf) and graph.nodes[target]["id"] == _UNION:
                sides.add(EU)
            elif predicate in _TAKES_SIDE_OF and target != iri:
                targets.append(target)
        if sides:
            direct[iri] = sides
        leads[iri] = targets

    result: dict[str, Side | None] = {}
    for iri in graph.nodes:
        evidence: set[Side] = set()
        seen = {iri}
        stack = [iri]
        while stack:
            current = stack.pop()
            if current in direct:
                evidence |= direct[current]
                continue
            for target in leads[current]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        result[iri] = next(iter(evidence)) if len(evidence) == 1 else None
    return result


def _ranked(
    projection: Projection,
    scores: Mapping[str, float],
    sides: Mapping[str, Side | None],
    top: int | None,
) -> list[RankedEntity]:
    """Scores as a ranking: highest first, ties by label then id, tied entities sharing a rank."""
    graph = projection.graph
    order = sorted(
        scores, key=lambda iri: (-scores[iri], graph.nodes[iri]["label"].casefold(), iri)
    )
    ranking: list[RankedEntity] = []
    for position, iri in enumerate(order[:top] if top is not None else order, start=1):
        rank = ranking[-1].rank if ranking and ranking[-1].score == scores[iri] else position
        node = graph.nodes[iri]
        ranking.append(
            RankedEntity(
                rank=rank,
                id=node["id"],
                iri=iri,
                label=node["label"],
                cls=node["class"],
                class_label=node["class_label"],
                side=sides.get(iri),
                score=scores[iri],
            )
        )
    return ranking


def _check_top(top: int | None) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise PacctoError(f"top must be a whole number of at least 1, not {top!r}")


def rank_entities(
    projection: Projection,
    *,
    by: str = "degree",
    top: int | None = 20,
    classes: Iterable[str] | None = None,
) -> list[RankedEntity]:
    """The most central entities, by number of partners or by how many paths run through them.

    ``degree`` counts distinct neighbours, so an entity stated five times to work with the same
    partner is not five times as connected. ``betweenness`` is the normalised share of shortest
    paths between all pairs that pass through the entity: who holds the network together.
    Both ignore direction. With ``classes`` the ranking is among entities of those classes, but
    betweenness still counts paths through the whole graph.

    Raises
    ------
    PacctoError
        ``by`` is not one of :data:`RANKINGS`, ``top`` is below 1, or a class is unknown.
    """
    if by not in RANKINGS:
        raise PacctoError(f"cannot rank by {by!r}: choose one of {', '.join(RANKINGS)}")
    _check_top(top)
    wanted = matching_classes(projection, classes) if classes else None
    simple = projection.simple()
    if by == "degree":
        scores: dict[str, float] = dict(simple.degree())
    else:
        betweenness = nx.betweenness_centrality(simple, normalized=True)
        scores = {iri: round(value, _DIGITS) for iri, value in betweenness.items()}
    if wanted is not None:
        graph = projection.graph
        scores = {
            iri: score for iri, score in scores.items() if wanted & set(graph.nodes[iri]["classes"])
        }
    return _ranked(projection, scores, region_sides(projection), top)


def brokers(projection: Projection, *, top: int | None = 20) -> list[RankedEntity]:
    """The entities that lie on the shortest paths from EU-side to LAC-side entities.

    This is betweenness restricted to paths that start on one side and end on the other
    (``networkx.betweenness_centrality_subset``, normalised, direction ignored): it finds who
    carries cooperation across the Atlantic, which plain betweenness mixes up with who links
    two Latin American ministries. Sides are those of :func:`region_sides`. Entities on no such
    path (score 0) are left out.

    Raises
    ------
    PacctoError
        ``top`` is below 1.
    """
    _check_top(top)
    sides = region_sides(projection)
    simple = projection.simple()
    sources = sorted(iri for iri, side in sides.items() if side == EU)
    targets = sorted(iri for iri, side in sides.items() if side == LAC)
    betweenness = nx.betweenness_centrality_subset(simple, sources, targets, normalized=True)
    scores = {
        iri: round(value, _DIGITS)
        for iri, value in betweenness.items()
        if round(value, _DIGITS) > 0
    }
    return _ranked(projection, scores, sides, top)


def bridging_links(projection: Projection) -> list[Bridge]:
    """Every stated relationship with one end on the EU side and the other on the LAC side.

    These are the direct cross-Atlantic ties the sources attest, each with the documents and
    passages to check it; ties through neutral entities (the programme, bi-regional networks)
    are found by :func:`bridging_entities` and :func:`brokers` instead. Listed by source label,
    relation and target label.
    """
    graph = projection.graph
    sides = region_sides(projection)
    bridges: list[Bridge] = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        source_side, target_side = sides[u], sides[v]
        if {source_side, target_side} != {EU, LAC}:
            continue
        bridges.append(
            Bridge(
                source=graph.nodes[u]["id"],
                source_label=graph.nodes[u]["label"],
                source_side=str(source_side),
                target=graph.nodes[v]["id"],
                target_label=graph.nodes[v]["label"],
                target_side=str(target_side),
                relation=str(data.get("relation") or key),
                key=key,
                start=data.get("start"),
                end=data.get("end"),
                documents=edge_documents(data),
                passages=edge_passages(data),
            )
        )
    bridges.sort(
        key=lambda b: (b.source_label.casefold(), b.relation, b.target_label.casefold(), b.key)
    )
    return bridges


def bridging_entities(projection: Projection) -> list[BridgingEntity]:
    """Entities, of any side or none, with distinct neighbours on both the EU and the LAC side.

    A neutral entity here (a programme phase, a summit, a bi-regional network) is a meeting
    point of the two sides; a sided one (CLASI, counterpart of EU bodies) reaches across
    itself. Listed by the smaller of the two counts, then the total, highest first, so that
    entities well anchored on both sides come before those with one token partner across.
    """
    graph = projection.graph
    sides = region_sides(projection)
    simple = projection.simple()
    found: list[BridgingEntity] = []
    for iri in simple.nodes:
        neighbour_sides = [sides[other] for other in simple.neighbors(iri)]
        eu, lac = neighbour_sides.count(EU), neighbour_sides.count(LAC)
        if eu and lac:
            node = graph.nodes[iri]
            found.append(
                BridgingEntity(
                    id=node["id"],
                    iri=iri,
                    label=node["label"],
                    cls=node["class"],
                    class_label=node["class_label"],
                    side=sides[iri],
                    eu_neighbours=eu,
                    lac_neighbours=lac,
                )
            )
    found.sort(
        key=lambda e: (
            -min(e.eu_neighbours, e.lac_neighbours),
            -(e.eu_neighbours + e.lac_neighbours),
            e.label.casefold(),
            e.iri,
        )
    )
    return found


def communities(projection: Projection, *, seed: int = 42) -> list[Community]:
    """Groups of entities densely tied among themselves, by Louvain modularity.

    Louvain is randomised, so the seed (and the sorted view, see the module) fixes the answer;
    a different seed may split the loosely held middle of the graph differently. A community is
    named after its member with the most distinct neighbours, the entity it gathers around.
    Members are listed by degree, then label; communities largest first, ties by name. An
    entity with no relationship at all is a community of its own.
    """
    graph = projection.graph
    simple = projection.simple()
    degree: dict[str, int] = dict(simple.degree())
    found: list[Community] = []
    for group in nx.community.louvain_communities(simple, seed=seed):
        ordered = sorted(
            group, key=lambda iri: (-degree[iri], graph.nodes[iri]["label"].casefold(), iri)
        )
        members = [_member(graph.nodes[iri], iri, degree[iri]) for iri in ordered]
        found.append(Community(name=members[0].label, size=len(members), members=members))
    found.sort(key=lambda community: (-community.size, community.name.casefold()))
    return found


def _member(node: Mapping[str, Any], iri: str, degree: int) -> CommunityMember:
    return CommunityMember(
        id=node["id"], iri=iri, label=node["label"], cls=node["class"], degree=degree
    )
