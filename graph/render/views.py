"""What a drawing shows: the entities and relationships of one view of the graph, as plain data.

A view is the answer to a question a researcher asks of the network (who is around CLASI, how
is Spain connected to AMERIPOL, who belongs to AIAMP, who took part in phase 2, the whole
picture), filtered by class, relation, phase and date. The interactive page, the static image
and any table are drawn from the same :class:`GraphView`, so they never disagree, and nothing in
here knows how it will be drawn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paccto.graph.errors import AmbiguousEntityError, PacctoError, UnknownEntityError
from paccto.graph.model.dates import Period, entity_exists, parse_as_of
from paccto.graph.model.folding import MEMBER_OF
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import matching_classes, matching_relations, relation_names
from paccto.graph.questions.fetching import around, for_members
from paccto.graph.questions.membership import MembersQuestion, members_of
from paccto.graph.questions.neighbourhood import (
    MAX_DEPTH,
    edge_documents,
    edge_passages,
    ego_network,
)
from paccto.graph.questions.options import (
    Question,
    as_of_option,
    classes_option,
    option,
    relations_option,
)
from paccto.graph.questions.paths import (
    PathOptions,
    PathQuestion,
    all_shortest_paths,
    k_shortest_paths,
)

__all__ = [
    "MAX_VIEW_NODES",
    "VIEW_KINDS",
    "EntityViewQuestion",
    "GraphView",
    "MembersViewQuestion",
    "PathViewQuestion",
    "PhaseViewQuestion",
    "ViewEdge",
    "ViewFilter",
    "ViewKind",
    "ViewNode",
    "ViewTooLargeError",
    "entity_view",
    "graph_view",
    "members_view",
    "path_view",
    "phase_view",
    "phases",
    "resolve_phase",
]

#: Past this many entities a force-directed drawing stops being readable or responsive in a
#: browser; the error asks for a filter instead of sending a hairball.
MAX_VIEW_NODES = 1500

_PHASE_CLASS = "paccto:ProgrammePhase"
_PHASE_OF = "paccto:phaseOf"
_SUB_ORGANISATION_OF = "org:subOrganizationOf"


class ViewTooLargeError(PacctoError):
    """The view would hold more entities than a drawing can show; narrow it with a filter."""


@dataclass(frozen=True, kw_only=True)
class ViewFilter(Question):
    """What a view keeps, as the user wrote it: class and relation names in any spelling, a
    programme phase by any of its names, an "as of" date (a year means its last day)."""

    classes: tuple[str, ...] = classes_option(
        "Only entities of this class: a label or compact name."
    )
    relations: tuple[str, ...] = relations_option(
        "Only this relation: a key (paccto:basedIn), predicate name or label (member of)."
    )
    phase: str | None = option("Only what holds during this programme phase: 1, 2, its id or name.")
    as_of: date | None = as_of_option()

    @classmethod
    def of(
        cls,
        *,
        classes: Iterable[str] | None = None,
        relations: Iterable[str] | None = None,
        phase: str | None = None,
        as_of: str | date | None = None,
    ) -> ViewFilter:
        return cls(
            classes=tuple(classes or ()),
            relations=tuple(relations or ()),
            phase=phase or None,
            as_of=parse_as_of(as_of),
        )

    def view_filter(self) -> ViewFilter:
        """The filter part of a view's question, which the drawn view keeps."""
        return ViewFilter(
            classes=self.classes, relations=self.relations, phase=self.phase, as_of=self.as_of
        )

    def more_problems(self, kg: KnowledgeGraph) -> Iterable[tuple[tuple[str, ...], str]]:
        if self.phase is not None:
            try:
                resolve_phase(kg, self.phase)
            except PacctoError as error:
                yield ("phase",), str(error)

    def describe(self) -> str:
        """The filters in words, for a caption; empty when nothing is filtered."""
        parts = []
        if self.classes:
            parts.append("classes " + ", ".join(self.classes))
        if self.relations:
            parts.append("relations " + ", ".join(self.relations))
        if self.phase:
            parts.append(f"during {self.phase}")
        if self.as_of:
            parts.append(f"as of {self.as_of.isoformat()}")
        return "; ".join(parts)


@dataclass(frozen=True)
class ViewNode:
    """One entity of a view. ``focus`` marks what the view is about (the centre, the ends of a
    path, the network, the phase), which a drawing makes stand out."""

    id: str
    iri: str
    label: str
    cls: str
    class_label: str
    start: str | None
    end: str | None
    documents: tuple[str, ...]
    focus: bool = False
    description: str | None = None
    #: Shown only because it links the focus to entities the class filter keeps.
    context: bool = False


@dataclass(frozen=True)
class ViewEdge:
    """One stated relationship between two entities of a view, in the direction the sources
    state it; ``source`` and ``target`` are :attr:`ViewNode.id` values."""

    source: str
    target: str
    relation: str
    key: str
    start: str | None
    end: str | None
    documents: tuple[str, ...]
    passages: tuple[str, ...]


@dataclass(frozen=True)
class GraphView:
    """One view: a title and caption in words, the filters used, the entities and relationships."""

    kind: str
    title: str
    caption: str
    filters: ViewFilter
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    focus: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """A file name stem for the view (``view-entity-clasi``), safe on every file system."""
        stem = "-".join([self.kind, *self.focus]) if self.focus else self.kind
        return "view-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or self.kind)

    def classes(self) -> list[tuple[str, str]]:
        """The (class, label) pairs present, in order of first appearance: the legend."""
        seen: dict[str, str] = {}
        for node in self.nodes:
            seen.setdefault(node.cls, node.class_label)
        return list(seen.items())


@dataclass
class _Selection:
    """The IRIs and edge keys a view builder picked, before they become view objects."""

    nodes: set[str] = field(default_factory=set)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    focus: list[str] = field(default_factory=list)
    context: set[str] = field(default_factory=set)


class _Filters:
    """A :class:`ViewFilter` checked against the graph: names resolved, dates read."""

    def __init__(
        self, kg: KnowledgeGraph, view_filter: ViewFilter, *, during: Period | None = None
    ) -> None:
        projection = kg.catalogue
        self.source = view_filter
        self.classes = (
            matching_classes(projection, view_filter.classes) if view_filter.classes else None
        )
        self.relations = (
            matching_relations(projection, view_filter.relations) if view_filter.relations else None
        )
        self.as_of = parse_as_of(view_filter.as_of)
        self.phase_iri = resolve_phase(kg, view_filter.phase) if view_filter.phase else None
        self.during = during or (_phase_period(kg, self.phase_iri) if self.phase_iri else None)
        self.periods = tuple(
            p for p in (Period.on(self.as_of) if self.as_of else None, self.during) if p is not None
        )

    def edge(self, key: str, data: dict[str, Any]) -> bool:
        if self.relations is not None and not self.relations & relation_names(key, data):
            return False
        return all(period.holds(data.get("start"), data.get("end")) for period in self.periods)

    def timely(self, node: dict[str, Any]) -> bool:
        return all(entity_exists(node, period) for period in self.periods)

    def shown(self, node: dict[str, Any]) -> bool:
        return self.classes is None or bool(self.classes & set(node["classes"]))


def phases(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """The programme phases in the graph, in date order, as their node attributes."""
    listed = [
        iri for iri, data in kg.catalogue.graph.nodes(data=True) if _PHASE_CLASS in data["classes"]
    ]
    graph = around(kg, listed).projection.graph
    found = [graph.nodes[iri] for iri in listed]
    return sorted(found, key=lambda data: (data.get("start") or "", data["id"]))


def resolve_phase(kg: KnowledgeGraph, name: str) -> str:
    """The IRI of the phase ``name`` designates: its number, its id or any of its names.

    Raises
    ------
    PacctoError
        ``name`` is not a phase (or nothing at all); the message lists the phases there are.
    """
    known = phases(kg)
    wanted = name.strip().casefold()
    for position, data in enumerate(known, start=1):
        if wanted in {str(position), f"phase {position}", f"phase-{position}"}:
            return str(data["iri"])
    listed = ", ".join(f"{position} ({data['label']})" for position, data in enumerate(known, 1))
    try:
        iri = kg.index.resolve(name)
    except (UnknownEntityError, AmbiguousEntityError):
        iri = None
    if iri is None or _PHASE_CLASS not in kg.catalogue.graph.nodes[iri]["classes"]:
        raise PacctoError(f"{name!r} is not a programme phase; the phases are {listed or 'none'}")
    return iri


def _phase_period(kg: KnowledgeGraph, iri: str) -> Period:
    node = around(kg, [iri]).projection.graph.nodes[iri]
    return Period.between(node.get("start"), node.get("end"))


def _node_documents(kg: KnowledgeGraph, iri: str) -> tuple[str, ...]:
    """The documents that state something about an entity: its relationships and figures."""
    graph = kg.projection.graph
    found: list[str] = []
    edges = [*graph.out_edges(iri, data=True), *graph.in_edges(iri, data=True)]
    for _u, _v, data in edges:
        found.extend(edge_documents(data))
    for indicator in graph.nodes[iri].get("indicators") or []:
        found.extend(source.get("document") for source in indicator.get("sources") or [])
    return tuple(sorted({document for document in found if document}))


def _assemble(
    kg: KnowledgeGraph,
    kind: str,
    title: str,
    selection: _Selection,
    filters: _Filters,
    *,
    caption: str = "",
) -> GraphView:
    """Turn picked IRIs and edge keys into a view, applying the class filter to what is shown.

    The class filter never hides what the view is about; the edges shown are those picked
    between shown entities.
    """
    kg = around(kg, selection.nodes | selection.context)
    graph = kg.projection.graph
    focus = set(selection.focus)
    kept = {iri for iri in selection.nodes if iri in focus or filters.shown(graph.nodes[iri])}
    shown = kept | (selection.context & selection.nodes)
    if len(shown) > MAX_VIEW_NODES:
        raise ViewTooLargeError(
            f"the view would show {len(shown):,} entities, more than the {MAX_VIEW_NODES:,} a "
            "drawing can show; narrow it with a class, relation, phase or date filter"
        )
    nodes = []
    for iri in shown:
        data = graph.nodes[iri]
        nodes.append(
            ViewNode(
                id=data["id"],
                iri=iri,
                label=data["label"],
                cls=data["class"],
                class_label=data["class_label"],
                start=data.get("start") or data.get("founding_date") or data.get("date"),
                end=data.get("end"),
                documents=_node_documents(kg, iri),
                focus=iri in focus,
                description=data.get("description"),
                context=iri not in kept,
            )
        )
    nodes.sort(key=lambda node: (not node.focus, node.label.casefold(), node.id))
    edges = []
    for u, v, key in selection.edges:
        if u not in shown or v not in shown:
            continue
        data = graph.edges[u, v, key]
        edges.append(
            ViewEdge(
                source=graph.nodes[u]["id"],
                target=graph.nodes[v]["id"],
                relation=str(data.get("relation") or key),
                key=key,
                start=data.get("start"),
                end=data.get("end"),
                documents=tuple(edge_documents(data)),
                passages=tuple(edge_passages(data)),
            )
        )
    edges.sort(key=lambda edge: (edge.source, edge.target, edge.key))
    described = filters.source.describe()
    return GraphView(
        kind=kind,
        title=title,
        caption="; ".join(part for part in (caption, described) if part),
        filters=filters.source,
        nodes=tuple(nodes),
        edges=tuple(edges),
        focus=tuple(graph.nodes[iri]["id"] for iri in selection.focus),
    )


def _induced_edges(
    kg: KnowledgeGraph, nodes: set[str], filters: _Filters
) -> set[tuple[str, str, str]]:
    """Every relationship the filters allow among ``nodes``."""
    return {
        (u, v, key)
        for u, v, key, data in kg.projection.graph.subgraph(nodes).edges(keys=True, data=True)
        if filters.edge(key, data)
    }


def entity_view(
    kg: KnowledgeGraph,
    name: str,
    *,
    depth: int = 1,
    view_filter: ViewFilter | None = None,
) -> GraphView:
    """The ego network of an entity, ``depth`` steps out (1 to 3), as :func:`ego_network`
    walks it: relations and dates limit the walk, classes only what is shown."""
    view_filter = view_filter or ViewFilter()
    filters = _Filters(kg, view_filter)
    iri = kg.index.resolve(name)
    kg = around(kg, [iri], depth)
    ego = ego_network(
        kg.projection,
        iri,
        depth=depth,
        relations=view_filter.relations,
        as_of=filters.as_of,
        during=filters.during,
    )
    selection = _Selection(nodes={node.iri for node in ego.nodes}, focus=[iri])
    selection.edges = _induced_edges(kg, selection.nodes, filters)
    if filters.classes is not None:
        selection.context = _routes_to(kg, ego.nodes, selection.edges, filters)
    label = kg.projection.graph.nodes[iri]["label"]
    steps = "1 step" if depth == 1 else f"{depth} steps"
    return _assemble(kg, "entity", f"Around {label}", selection, filters, caption=steps + " out")


def _routes_to(
    kg: KnowledgeGraph,
    reached: Iterable[Any],
    edges: set[tuple[str, str, str]],
    filters: _Filters,
) -> set[str]:
    """The entities on one shortest route from the centre to each entity the class filter
    keeps, so that "countries two steps from CLASI" shows how each country is reached rather
    than a scatter of unconnected dots. Ties go to the first by label, for a stable drawing."""
    graph = kg.projection.graph
    distance = {node.iri: node.distance for node in reached}
    neighbours: dict[str, set[str]] = {}
    for u, v, _key in edges:
        neighbours.setdefault(u, set()).add(v)
        neighbours.setdefault(v, set()).add(u)
    context: set[str] = set()
    for iri, steps in distance.items():
        if steps < 2 or not filters.shown(graph.nodes[iri]):
            continue
        current = iri
        while distance[current] > 1:
            closer = [
                n for n in neighbours.get(current, ()) if distance[n] == distance[current] - 1
            ]
            if not closer:
                break
            current = min(closer, key=lambda n: (graph.nodes[n]["label"].casefold(), n))
            context.add(current)
    return context


def path_view(
    kg: KnowledgeGraph,
    source: str,
    target: str,
    *,
    options: PathOptions | None = None,
    k: int | None = None,
    all_shortest: bool = False,
    view_filter: ViewFilter | None = None,
) -> GraphView:
    """The paths between two entities (one shortest by default, ``k`` alternatives or all
    shortest), drawn as the union of their steps with every relationship each step uses.

    The view's relation, phase and date filters narrow the path search itself; its class
    filter would hide the steps that make a path, so it is refused.
    """
    view_filter = view_filter or ViewFilter()
    if view_filter.classes:
        raise PacctoError(
            "a path view cannot hide classes (the path runs through them); "
            "use avoid_class to route around a class instead"
        )
    filters = _Filters(kg, view_filter)
    options = options or PathOptions()
    options = PathOptions.of(
        relations={*options.relations, *view_filter.relations},
        avoid_relations=options.avoid_relations,
        avoid=options.avoid,
        avoid_classes=options.avoid_classes,
        avoid_hubs=options.avoid_hubs,
        as_of=options.as_of or filters.as_of,
        max_length=options.max_length,
        during=options.during or filters.during,
    )
    if k is not None:
        found = k_shortest_paths(kg, source, target, k, options)
    else:
        found = all_shortest_paths(kg, source, target, options, limit=50 if all_shortest else 1)
    index = kg.index
    start, end = index.resolve(source), index.resolve(target)
    by_id = {index.node(iri)["id"]: iri for iri in (start, end)}
    for path in found:
        for entity in path.entities:
            by_id.setdefault(entity["id"], index.resolve(entity["id"]))
    kg = around(kg, by_id.values())
    graph = kg.projection.graph
    selection = _Selection(focus=[start, end])
    for path in found:
        for step in path.steps:
            here, there = by_id[step.source], by_id[step.target]
            selection.nodes |= {here, there}
            for link in step.links:
                u, v = (here, there) if link.direction == "forward" else (there, here)
                selection.edges.add((u, v, link.key))
    count = len(found)
    caption = f"{count} path{'s' if count != 1 else ''}, {found[0].length} steps the shortest"
    title = f"From {graph.nodes[start]['label']} to {graph.nodes[end]['label']}"
    return _assemble(kg, "path", title, selection, filters, caption=caption)


def members_view(
    kg: KnowledgeGraph,
    organisation: str,
    *,
    transitive: bool = False,
    role: str | None = None,
    view_filter: ViewFilter | None = None,
) -> GraphView:
    """The members of a network or organisation, with their membership relationships (and,
    when ``transitive``, the sub-organisations they belong through)."""
    view_filter = view_filter or ViewFilter()
    filters = _Filters(kg, view_filter)
    root = kg.index.resolve(organisation)
    kg = for_members(kg, root, transitive=transitive)
    graph = kg.projection.graph
    selection = _Selection(nodes={root}, focus=[root])
    memberships = members_of(kg, root, transitive=transitive, as_of=filters.as_of, role=role)
    resolve = kg.index.resolve
    for membership in memberships:
        member, parent = resolve(membership.member), resolve(membership.organisation)
        chain = [root, *(resolve(via) for via in membership.via)]
        for key, data in (graph.get_edge_data(member, parent) or {}).items():
            if key.startswith(MEMBER_OF) and filters.edge(key, data):
                selection.nodes |= {member, parent}
                selection.edges.add((member, parent, key))
        if parent in selection.nodes:
            for lower, upper in zip(chain[1:], chain, strict=False):
                if graph.has_edge(lower, upper, _SUB_ORGANISATION_OF):
                    selection.nodes |= {lower, upper}
                    selection.edges.add((lower, upper, _SUB_ORGANISATION_OF))
    label = graph.nodes[root]["label"]
    members = len(selection.nodes) - 1
    caption = f"{members} member{'s' if members != 1 else ''}" + (
        ", through sub-organisations too" if transitive else ""
    )
    if role:
        caption += f", role {role}"
    return _assemble(kg, "members", f"Members of {label}", selection, filters, caption=caption)


def phase_view(
    kg: KnowledgeGraph, phase: str, *, view_filter: ViewFilter | None = None
) -> GraphView:
    """A programme phase: its programme, the entities that take part in it and every
    relationship among them that holds during the phase."""
    view_filter = view_filter or ViewFilter()
    if view_filter.phase:
        raise PacctoError("a phase view is already about one phase; leave out the phase filter")
    phase_iri = resolve_phase(kg, phase)
    filters = _Filters(kg, view_filter, during=_phase_period(kg, phase_iri))
    kg = around(kg, [phase_iri], 1)
    graph = kg.projection.graph
    selection = _Selection(nodes={phase_iri}, focus=[phase_iri])
    for _u, programme, key in graph.out_edges(phase_iri, keys=True):
        if key == _PHASE_OF:
            selection.nodes.add(programme)
    for membership in members_of(kg, phase_iri, as_of=filters.as_of):
        member = kg.index.resolve(membership.member)
        if filters.timely(graph.nodes[member]):
            selection.nodes.add(member)
    selection.edges = _induced_edges(kg, selection.nodes, filters)
    node = graph.nodes[phase_iri]
    dates = f"{node.get('start') or '?'} to {node.get('end') or '?'}"
    return _assemble(kg, "phase", node["label"], selection, filters, caption=dates)


def graph_view(kg: KnowledgeGraph, *, view_filter: ViewFilter | None = None) -> GraphView:
    """The whole network, or the part of it the filters keep. With a relation filter, entities
    left without any relationship are dropped, since a field of dots shows nothing."""
    view_filter = view_filter or ViewFilter()
    filters = _Filters(kg, view_filter)
    graph = kg.projection.graph
    nodes = {iri for iri, data in graph.nodes(data=True) if filters.timely(data)}
    nodes = {iri for iri in nodes if filters.shown(graph.nodes[iri])}
    selection = _Selection(nodes=nodes)
    selection.edges = _induced_edges(kg, nodes, filters)
    if view_filter.relations:
        selection.nodes = {u for u, _v, _k in selection.edges} | {
            v for _u, v, _k in selection.edges
        }
    return _assemble(kg, "graph", "The cooperation network", selection, filters)


# --- the view kinds: each a question and the code that draws its answer ----------------------

_NAME = "an identifier, label (any language) or acronym"


@dataclass(frozen=True, kw_only=True)
class EntityViewQuestion(ViewFilter):
    """The network around an entity."""

    name: str = option(f"The entity at the centre: {_NAME}.", positional=True, in_path=True)
    depth: int = option("How many steps out.", 1, low=1, high=MAX_DEPTH)


@dataclass(frozen=True, kw_only=True)
class PathViewQuestion(ViewFilter, PathQuestion):
    """How two entities are connected; the relation, phase and date filters narrow the search."""

    def more_problems(self, kg: KnowledgeGraph) -> Iterable[tuple[tuple[str, ...], str]]:
        yield from super().more_problems(kg)
        if self.classes:
            yield (
                ("classes",),
                (
                    "a path view cannot hide classes (the path runs through them); use "
                    "avoid_class to route around a class instead"
                ),
            )


@dataclass(frozen=True, kw_only=True)
class MembersViewQuestion(ViewFilter, MembersQuestion):
    """The members of an organisation (one: a members view draws no phase-by-phase lists)."""

    left_out = frozenset({"by_phase"})


@dataclass(frozen=True, kw_only=True)
class PhaseViewQuestion(ViewFilter):
    """A programme phase and who takes part in it."""

    name: str = option("The phase: its number (1, 2), id or name.", positional=True, in_path=True)

    def more_problems(self, kg: KnowledgeGraph) -> Iterable[tuple[tuple[str, ...], str]]:
        yield from super().more_problems(kg)
        if self.phase:
            yield ("phase",), "a phase view is already about one phase; leave out the phase filter"


@dataclass(frozen=True)
class ViewKind:
    """One kind of view: the question it answers and how its answer is drawn. The command
    line's ``paccto render KIND`` and the service's ``/view/KIND`` are made from this entry."""

    name: str
    #: One line for ``--help`` and the API documentation.
    summary: str
    #: What the view shows, in a few sentences, for the same.
    description: str
    question: type[ViewFilter]
    select: Callable[[KnowledgeGraph, Any], GraphView]

    def draw(self, kg: KnowledgeGraph, question: ViewFilter) -> GraphView:
        """The view ``question`` asks for, its names checked against ``kg`` first.

        Raises
        ------
        QuestionError
            An option names nothing in the graph or does not fit this kind of view.
        """
        return self.select(kg, question.check_names(kg))


def _entity(kg: KnowledgeGraph, q: EntityViewQuestion) -> GraphView:
    return entity_view(kg, q.name, depth=q.depth, view_filter=q.view_filter())


def _path(kg: KnowledgeGraph, q: PathViewQuestion) -> GraphView:
    return path_view(
        kg, q.source, q.target, options=q.options().with_compact_classes(kg.catalogue),
        k=q.k, all_shortest=q.all_shortest,
        view_filter=q.view_filter(),
    )  # fmt: skip


def _members(kg: KnowledgeGraph, q: MembersViewQuestion) -> GraphView:
    return members_view(
        kg, q.organisation, transitive=q.transitive, role=q.role, view_filter=q.view_filter()
    )


def _phase(kg: KnowledgeGraph, q: PhaseViewQuestion) -> GraphView:
    return phase_view(kg, q.name, view_filter=q.view_filter())


def _graph(kg: KnowledgeGraph, q: ViewFilter) -> GraphView:
    return graph_view(kg, view_filter=q.view_filter())


#: Every kind of view, in the order the command line and the API list them.
VIEW_KINDS: dict[str, ViewKind] = {
    kind.name: kind
    for kind in (
        ViewKind(
            "entity",
            "The network around an entity",
            "Every entity within `depth` steps, either direction. Relation and date filters "
            "limit the walk; a class filter only what is shown (with the entities that link "
            "the centre to them, faded).",
            EntityViewQuestion,
            _entity,
        ),
        ViewKind(
            "path",
            "How two entities are connected, drawn",
            "The paths the path question finds (one shortest, `k` alternatives or `all` "
            "shortest), drawn together with every relationship each step uses.",
            PathViewQuestion,
            _path,
        ),
        ViewKind(
            "members",
            "The members of a network, drawn",
            "The members of an organisation, with their membership relationships (and, when "
            "transitive, the sub-organisations they belong through).",
            MembersViewQuestion,
            _members,
        ),
        ViewKind(
            "phase",
            "A programme phase and who takes part in it",
            "A phase, its programme, the entities taking part, and their relationships during it.",
            PhaseViewQuestion,
            _phase,
        ),
        ViewKind(
            "graph",
            "The whole cooperation network",
            "Everything, or what the filters keep.",
            ViewFilter,
            _graph,
        ),
    )
}
