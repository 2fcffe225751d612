"""How is A connected to B? Shortest, all shortest and alternative paths, each step explained.

Paths follow relationships in either direction, since cooperation runs both ways, but every
step says which way the stated relationship points and which documents state it. A few hubs
(the programme, its phases, the EU) touch so much that they make almost every path two steps
long; a path through one is flagged, and ``avoid_hubs`` routes around them.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice, pairwise
from typing import Any

import networkx as nx

from paccto.graph.errors import NoPathError, PacctoError
from paccto.graph.model.dates import Period, entity_exists
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import (
    matching_classes,
    relation_name,
    relation_names,
)
from paccto.graph.model.projection import Projection, citations
from paccto.graph.questions.options import (
    Question,
    as_of_option,
    classes_option,
    option,
    relations_option,
)

__all__ = [
    "Link",
    "Path",
    "PathOptions",
    "PathQuestion",
    "PathStep",
    "all_shortest_paths",
    "hub_entities",
    "k_shortest_paths",
    "path_scope",
    "search_graph",
    "shortest_path",
]

#: Hard cap on what one request may ask for, so a query cannot run away.
MAX_PATHS = 50
MAX_LENGTH = 12


@dataclass(frozen=True)
class PathOptions:
    """What a path may use. Names are resolved like any entity name; relation names match an
    edge's key (``paccto:helpedCreate``), its predicate's local name or its readable label."""

    relations: frozenset[str] = frozenset()
    avoid_relations: frozenset[str] = frozenset()
    avoid: frozenset[str] = frozenset()
    avoid_classes: frozenset[str] = frozenset()
    avoid_hubs: bool = False
    as_of: date | None = None
    max_length: int | None = None
    #: Only what holds at some time in this period (a programme phase), besides ``as_of``.
    during: Period | None = None

    @classmethod
    def of(
        cls,
        *,
        relations: Iterable[str] = (),
        avoid_relations: Iterable[str] = (),
        avoid: Iterable[str] = (),
        avoid_classes: Iterable[str] = (),
        avoid_hubs: bool = False,
        as_of: date | None = None,
        max_length: int | None = None,
        during: Period | None = None,
    ) -> PathOptions:
        return cls(
            relations=frozenset(relations),
            avoid_relations=frozenset(avoid_relations),
            avoid=frozenset(avoid),
            avoid_classes=frozenset(avoid_classes),
            avoid_hubs=avoid_hubs,
            as_of=as_of,
            max_length=max_length,
            during=during,
        )

    def is_default(self) -> bool:
        return self == PathOptions()

    def with_compact_classes(self, projection: Projection) -> PathOptions:
        """These options with class names in their compact form, as nodes carry them.

        Raises
        ------
        PacctoError
            A class name matches no class of any entity; the message lists those there are.
        """
        if not self.avoid_classes:
            return self
        compact = matching_classes(projection, self.avoid_classes)
        return dataclasses.replace(self, avoid_classes=frozenset(compact))

    @property
    def periods(self) -> tuple[Period, ...]:
        """The time filters a node or edge must pass: the "as of" day and the period."""
        found = [] if self.as_of is None else [Period.on(self.as_of)]
        return (*found, *([] if self.during is None else [self.during]))


@dataclass(frozen=True)
class Link:
    """One stated relationship between two neighbouring entities on a path."""

    relation: str
    key: str
    direction: str  # "forward": stated from the step's source to its target; else "backward"
    start: str | None
    end: str | None
    documents: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PathStep:
    """From one entity to the next, with every relationship that links them."""

    source: str
    source_label: str
    target: str
    target_label: str
    links: list[Link]

    @property
    def relation(self) -> str:
        return self.links[0].relation


@dataclass(frozen=True)
class Path:
    """A path and its explanation; ``hubs`` names the hub entities it passes through."""

    entities: list[dict[str, str]]
    steps: list[PathStep]
    hubs: list[str]

    @property
    def length(self) -> int:
        return len(self.steps)


def hub_entities(kg: KnowledgeGraph) -> set[str]:
    """Entities whose number of distinct neighbours is far above the rest (mean + 2 standard
    deviations, and at least 10): the programme, its phases, the EU in the seed data."""
    projection = kg.projection
    if projection.hubs is None:
        degrees = kg.neighbour_counts()
        if len(degrees) < 2:
            projection.hubs = frozenset()
        else:
            values = list(degrees.values())
            threshold = max(10.0, statistics.fmean(values) + 2 * statistics.pstdev(values))
            projection.hubs = frozenset(n for n, degree in degrees.items() if degree >= threshold)
    return set(projection.hubs)


def _matches(names: frozenset[str], key: str, data: dict[str, Any]) -> bool:
    """Whether one of ``names`` names the edge (see :func:`relation_names`)."""
    return not {relation_name(name) for name in names}.isdisjoint(relation_names(key, data))


def _edge_allowed(options: PathOptions, key: str, data: dict[str, Any]) -> bool:
    if options.relations and not _matches(options.relations, key, data):
        return False
    if options.avoid_relations and _matches(options.avoid_relations, key, data):
        return False
    return all(period.holds(data.get("start"), data.get("end")) for period in options.periods)


def _node_allowed(
    node: dict[str, Any], avoid_classes: set[str], periods: tuple[Period, ...]
) -> bool:
    if avoid_classes and (
        avoid_classes & set(node["classes"]) or node["class_label"].casefold() in avoid_classes
    ):
        return False
    return all(entity_exists(node, period) for period in periods)


def search_graph(
    kg: KnowledgeGraph, source: str, target: str, options: PathOptions, avoided: set[str]
) -> nx.Graph:
    """The undirected graph a search may walk under ``options``, never through ``avoided``
    (IRIs, see :func:`_avoided`).

    Unfiltered, it is the cached simple graph. Filtered, it is a lazy view of it that checks the
    options only on the nodes and edges the search actually reaches, so a filtered query on a
    large graph costs no more than the part of the graph it explores.
    """
    projection = kg.projection
    simple = projection.simple()
    if options == PathOptions(max_length=options.max_length):  # a length bound filters nothing
        return simple
    avoided = set(avoided)
    if options.avoid_hubs:
        avoided |= hub_entities(kg)
    avoided -= {source, target}
    avoid_classes = {c if ":" in c else c.casefold() for c in options.avoid_classes}
    nodes = projection.graph.nodes
    multi = projection.graph
    filters_edges = bool(options.relations or options.avoid_relations or options.periods)

    def node_allowed(node: str) -> bool:
        if node in (source, target):
            return True
        return node not in avoided and _node_allowed(nodes[node], avoid_classes, options.periods)

    def edge_allowed(u: str, v: str) -> bool:
        if not filters_edges:
            return True
        return any(
            _edge_allowed(options, key, data)
            for a, b in ((u, v), (v, u))
            for key, data in (multi.get_edge_data(a, b) or {}).items()
        )

    return nx.subgraph_view(simple, filter_node=node_allowed, filter_edge=edge_allowed)


def _explain(kg: KnowledgeGraph, nodes: list[str], options: PathOptions, hubs: set[str]) -> Path:
    graph = kg.projection.graph
    steps = []
    for here, there in pairwise(nodes):
        links = []
        for u, v, direction in ((here, there, "forward"), (there, here, "backward")):
            for key, data in (graph.get_edge_data(u, v) or {}).items():
                if _edge_allowed(options, key, data):
                    links.append(
                        Link(
                            relation=data["relation"],
                            key=key,
                            direction=direction,
                            start=data.get("start"),
                            end=data.get("end"),
                            documents=citations(data),
                        )
                    )
        steps.append(
            PathStep(
                source=graph.nodes[here]["id"],
                source_label=graph.nodes[here]["label"],
                target=graph.nodes[there]["id"],
                target_label=graph.nodes[there]["label"],
                links=links,
            )
        )
    entities = [
        {
            "id": graph.nodes[n]["id"],
            "label": graph.nodes[n]["label"],
            "class": graph.nodes[n]["class_label"],
        }
        for n in nodes
    ]
    through = [graph.nodes[n]["id"] for n in nodes[1:-1] if n in hubs]
    return Path(entities=entities, steps=steps, hubs=through)


def _endpoints(kg: KnowledgeGraph, source: str, target: str) -> tuple[str, str]:
    start = kg.index.resolve(source)
    end = kg.index.resolve(target)
    if start == end:
        raise PacctoError(f"{source!r} and {target!r} are the same entity")
    return start, end


def path_scope(
    kg: KnowledgeGraph,
    source: str,
    target: str,
    options: PathOptions,
    wanted: int | None = 1,
) -> tuple[KnowledgeGraph, str, str, set[str]]:
    """The graph a search needs, the two ends and the avoided entities, all resolved on the
    whole graph (``wanted``: how many paths; ``None`` for every shortest one)."""
    start, end = _endpoints(kg, source, target)
    avoided = {kg.index.resolve(name) for name in options.avoid} - {start, end}
    return _searched_part(kg, start, end, options, avoided, wanted), start, end, avoided


def _searched_part(
    kg: KnowledgeGraph,
    start: str,
    end: str,
    options: PathOptions,
    avoided: set[str],
    wanted: int | None,
) -> KnowledgeGraph:
    """The part of a graph held elsewhere that a search between ``start`` and ``end`` needs.

    It expands, level by level, the side whose frontier is smaller (the forward one on a tie),
    exactly as networkx's bidirectional search walks, until the two sides meet: then every path
    of length up to the two depths added together lies among the expanded entities' edges, and
    the search on the part takes the same steps as on the whole graph. ``wanted`` is how many
    paths must fit that bound (``None``: every shortest one, which the meeting gives); for
    ``k`` alternatives it keeps expanding until ``k`` paths fit or the length bound is reached.
    A frontier that empties proves there is no path.
    """
    scope = ("path", start, end, options, frozenset(avoided), wanted)
    fetch = None if kg.answers(scope) else kg.fetch(fresh=True)
    if fetch is None:
        return kg
    limit = options.max_length or (MAX_LENGTH if wanted and wanted > 1 else None)
    # Neighbours are read without their own links: every edge of a path within the bound has
    # an expanded end, so the last frontiers need only the names and classes read with them.
    local = fetch.expand(sorted({start, end}), attributes_only=True)
    seen = {"forward": {start}, "reverse": {end}}
    fringe = {"forward": [start], "reverse": [end]}
    depth = {"forward": 0, "reverse": 0}
    met = False
    while fringe["forward"] and fringe["reverse"]:
        if limit is not None and depth["forward"] + depth["reverse"] >= limit:
            break
        side = "forward" if len(fringe["forward"]) <= len(fringe["reverse"]) else "reverse"
        other = "reverse" if side == "forward" else "forward"
        local = fetch.expand(fringe[side], attributes_only=True)
        graph = search_graph(local, start, end, options, avoided)
        following: list[str] = []
        for node in fringe[side]:
            for neighbour in graph.neighbors(node) if node in graph else ():
                if neighbour not in seen[side]:
                    seen[side].add(neighbour)
                    following.append(neighbour)
                if neighbour in seen[other]:
                    met = True
        fringe[side] = following
        depth[side] += 1
        bound = depth["forward"] + depth["reverse"]
        if met and _enough_within(local, start, end, options, avoided, wanted, bound):
            break
    return fetch.done(scope)


def _enough_within(
    local: KnowledgeGraph,
    start: str,
    end: str,
    options: PathOptions,
    avoided: set[str],
    wanted: int | None,
    bound: int,
) -> bool:
    """Whether ``wanted`` paths lie within the proven ``bound`` (the two depths together)."""
    if not wanted or wanted == 1:
        return True
    graph = search_graph(local, start, end, options, avoided)
    found = 0
    try:
        for nodes in nx.shortest_simple_paths(graph, start, end):
            if len(nodes) - 1 > bound:
                break
            found += 1
            if found >= wanted:
                return True
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return False
    return False


def _no_path(kg: KnowledgeGraph, source: str, target: str, options: PathOptions) -> NoPathError:
    label = kg.projection.graph.nodes
    detail = (
        ""
        if options.is_default()
        else " with the options given (avoided entities, relations, classes or date)"
    )
    limit = f" within {options.max_length} steps" if options.max_length else ""
    return NoPathError(
        f"no path between {label[source]['label']} and {label[target]['label']}{limit}{detail}"
    )


def _check_length(paths: Iterator[list[str]], max_length: int | None) -> Iterator[list[str]]:
    for nodes in paths:
        if max_length is not None and len(nodes) - 1 > max_length:
            return
        yield nodes


def shortest_path(
    kg: KnowledgeGraph, source: str, target: str, options: PathOptions | None = None
) -> Path:
    """One shortest path from ``source`` to ``target``, explained step by step.

    Raises
    ------
    UnknownEntityError, AmbiguousEntityError
        An end is not one known entity.
    NoPathError
        The two are not connected under ``options``.
    """
    options = options or PathOptions()
    kg, start, end, avoided = path_scope(kg, source, target, options)
    graph = search_graph(kg, start, end, options, avoided)
    try:
        nodes = nx.bidirectional_shortest_path(graph, start, end)
    except nx.NetworkXNoPath:
        raise _no_path(kg, start, end, options) from None
    if options.max_length is not None and len(nodes) - 1 > options.max_length:
        raise _no_path(kg, start, end, options)
    return _explain(kg, nodes, options, hub_entities(kg))


def all_shortest_paths(
    kg: KnowledgeGraph,
    source: str,
    target: str,
    options: PathOptions | None = None,
    *,
    limit: int = MAX_PATHS,
) -> list[Path]:
    """Every path of the shortest length (at most ``limit``), in a stable order."""
    options = options or PathOptions()
    kg, start, end, avoided = path_scope(kg, source, target, options, None)
    graph = search_graph(kg, start, end, options, avoided)
    hubs = hub_entities(kg)
    try:
        found = sorted(islice(nx.all_shortest_paths(graph, start, end), max(limit, 1) * 20))
    except nx.NetworkXNoPath:
        raise _no_path(kg, start, end, options) from None
    found = list(_check_length(iter(found), options.max_length))[: max(1, min(limit, MAX_PATHS))]
    if not found:
        raise _no_path(kg, start, end, options)
    return [_explain(kg, nodes, options, hubs) for nodes in found]


def k_shortest_paths(
    kg: KnowledgeGraph,
    source: str,
    target: str,
    k: int = 3,
    options: PathOptions | None = None,
) -> list[Path]:
    """Up to ``k`` simple paths, shortest first (Yen's algorithm), none longer than
    ``options.max_length`` (default 12 steps)."""
    if not 1 <= k <= MAX_PATHS:
        raise PacctoError(f"k must be between 1 and {MAX_PATHS}, not {k}")
    options = options or PathOptions()
    kg, start, end, avoided = path_scope(kg, source, target, options, k)
    graph = search_graph(kg, start, end, options, avoided)
    hubs = hub_entities(kg)
    max_length = min(options.max_length or MAX_LENGTH, MAX_LENGTH)
    try:
        found = list(
            islice(_check_length(nx.shortest_simple_paths(graph, start, end), max_length), k)
        )
    except nx.NetworkXNoPath:
        raise _no_path(kg, start, end, options) from None
    if not found:
        raise _no_path(kg, start, end, options)
    return [_explain(kg, nodes, options, hubs) for nodes in found]


_ENTITY_NAME = "any entity name: an identifier, label (any language) or acronym"


@dataclass(frozen=True, kw_only=True)
class PathQuestion(Question):
    """How is one entity connected to another: the options of every front end that asks."""

    source: str = option(f"Where the path starts: {_ENTITY_NAME}.", positional=True)
    target: str = option(f"Where it ends: {_ENTITY_NAME}.", positional=True)
    k: int | None = option(
        "Up to k alternative simple paths, shortest first; not with all.",
        flags=("-k",),
        low=1,
        high=MAX_PATHS,
    )
    all_shortest: bool = option(
        f"Every path of the shortest length (at most {MAX_PATHS}); not with k.",
        False,
        flags=("--all",),
        parameter="all",
    )
    relations: tuple[str, ...] = relations_option(
        "Use only this relation: a key (paccto:basedIn), predicate name or label (member of).",
        flags=("--relation", "--relations"),
    )
    avoid_relations: tuple[str, ...] = relations_option(
        "Never use this relation.", parameter="avoid_relation"
    )
    avoid: tuple[str, ...] = option("Route around this entity.", ())
    avoid_classes: tuple[str, ...] = classes_option(
        "Route around entities of this class: a label or compact name.", parameter="avoid_class"
    )
    avoid_hubs: bool = option(
        "Route around hubs (the programme, its phases, the EU, the regions).", False
    )
    max_length: int | None = option("At most this many steps.", low=1, high=MAX_LENGTH)
    as_of: date | None = as_of_option()

    conflicts = ((("k", "all_shortest"), "use either k or all, not both"),)

    def options(self) -> PathOptions:
        """What the search may use."""
        return PathOptions.of(
            relations=self.relations,
            avoid_relations=self.avoid_relations,
            avoid=self.avoid,
            avoid_classes=self.avoid_classes,
            avoid_hubs=self.avoid_hubs,
            as_of=self.as_of,
            max_length=self.max_length,
        )

    def answer(self, kg: KnowledgeGraph) -> list[Path]:
        """The paths asked for: one shortest, ``k`` alternatives or every shortest one.

        Raises
        ------
        QuestionError
            A relation or class name designates nothing in the graph.
        UnknownEntityError, AmbiguousEntityError, NoPathError
            As :func:`shortest_path`.
        """
        self.check_names(kg)
        options = self.options().with_compact_classes(kg.catalogue)
        if self.k is not None:
            return k_shortest_paths(kg, self.source, self.target, self.k, options)
        limit = MAX_PATHS if self.all_shortest else 1
        return all_shortest_paths(kg, self.source, self.target, options, limit=limit)
