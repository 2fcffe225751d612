"""Who belongs to X, and since when? What does Y take part in? What do A and B share?

Memberships come from ``org:Membership`` facts (collapsed by the projection into ``member of``
edges that keep their role and dates). "Transitive" follows ``org:subOrganizationOf``: a member
of a sub-organisation of X counts as a member of X, and the answer says through which
sub-organisation. Taking part also covers events an entity took part in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paccto.graph.errors import PacctoError
from paccto.graph.model.dates import is_valid_on
from paccto.graph.model.folding import MEMBER_OF
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import normalise_name
from paccto.graph.model.projection import citations
from paccto.graph.questions.fetching import around, for_members
from paccto.graph.questions.options import Question, as_of_option, option

__all__ = [
    "CommonMembership",
    "MembersQuestion",
    "Membership",
    "common_memberships",
    "members_by_phase",
    "members_of",
    "memberships_of",
]

_SUB_ORGANISATION_OF = "org:subOrganizationOf"
_PARTICIPANT = "paccto:participant"
_PHASE_OF = "paccto:phaseOf"


@dataclass(frozen=True)
class Membership:
    """``member`` belongs to (or takes part in) ``organisation`` in ``role``, from ``start`` to
    ``end`` (either may be unknown); ``via`` lists the sub-organisations a transitive answer
    goes through."""

    member: str
    member_label: str
    member_class: str
    organisation: str
    organisation_label: str
    organisation_class: str
    kind: str
    role: str | None
    start: str | None
    end: str | None
    via: list[str] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CommonMembership:
    """An organisation both entities belong to, with each one's membership."""

    organisation: str
    organisation_label: str
    first: Membership
    second: Membership


def _record(
    kg: KnowledgeGraph,
    member: str,
    organisation: str,
    kind: str,
    data: dict[str, Any],
    via: list[str] | None = None,
) -> Membership:
    nodes = kg.projection.graph.nodes
    return Membership(
        member=nodes[member]["id"],
        member_label=nodes[member]["label"],
        member_class=nodes[member]["class_label"],
        organisation=nodes[organisation]["id"],
        organisation_label=nodes[organisation]["label"],
        organisation_class=nodes[organisation]["class_label"],
        kind=kind,
        role=data.get("role"),
        start=data.get("start"),
        end=data.get("end"),
        via=via or [],
        documents=citations(data),
    )


def _valid(data: dict[str, Any], as_of: date | None) -> bool:
    return as_of is None or is_valid_on(as_of, data.get("start"), data.get("end"))


def _role_matches(role: str | None, data: dict[str, Any]) -> bool:
    if role is None:
        return True
    wanted = normalise_name(role)
    return wanted in {
        normalise_name(str(data.get("role") or "")),
        normalise_name(str(data.get("role_iri") or "").rsplit("/", 1)[-1]),
        normalise_name(str(data.get("role_iri") or "").rsplit("/role-", 1)[-1]),
    }


def _sort(records: list[Membership]) -> list[Membership]:
    return sorted(
        records, key=lambda m: (m.via != [], m.role or "", m.member_label, m.organisation_label)
    )


def members_of(
    kg: KnowledgeGraph,
    organisation: str,
    *,
    transitive: bool = False,
    as_of: date | None = None,
    role: str | None = None,
) -> list[Membership]:
    """Members of ``organisation`` (a name or IRI), optionally through its sub-organisations,
    optionally only those valid on ``as_of`` or holding ``role`` (a role label or id)."""
    root = kg.index.resolve(organisation)
    kg = for_members(kg, root, transitive=transitive)
    graph = kg.projection.graph
    results: list[Membership] = []
    seen_orgs = {root}
    frontier: list[tuple[str, list[str]]] = [(root, [])]
    while frontier:
        current, via = frontier.pop(0)
        for member, _target, key, data in graph.in_edges(current, keys=True, data=True):
            if key.startswith(MEMBER_OF) and _valid(data, as_of) and _role_matches(role, data):
                results.append(_record(kg, member, current, "membership", data, via))
            elif transitive and key == _SUB_ORGANISATION_OF and member not in seen_orgs:
                seen_orgs.add(member)
                frontier.append((member, [*via, graph.nodes[member]["id"]]))
    return _sort(results)


def memberships_of(
    kg: KnowledgeGraph, member: str, *, as_of: date | None = None
) -> list[Membership]:
    """What ``member`` belongs to, is a sub-organisation of, or took part in (events)."""
    node = kg.index.resolve(member)
    kg = around(kg, [node])
    graph = kg.projection.graph
    results: list[Membership] = []
    for _source, organisation, key, data in graph.out_edges(node, keys=True, data=True):
        if key.startswith(MEMBER_OF) and _valid(data, as_of):
            results.append(_record(kg, node, organisation, "membership", data))
        elif key == _SUB_ORGANISATION_OF:
            results.append(_record(kg, node, organisation, "sub-organisation", data))
    for event, _target, key, data in graph.in_edges(node, keys=True, data=True):
        if key == _PARTICIPANT:
            event_data = dict(graph.nodes[event])
            # taking part in an event counts from the event on
            dated = {**data, "start": event_data.get("date"), "end": None}
            if _valid(dated, as_of):
                results.append(_record(kg, node, event, "participation", dated))
    return _sort(results)


def members_by_phase(
    kg: KnowledgeGraph, programme: str = "el-paccto", *, as_of: date | None = None
) -> dict[str, list[Membership]]:
    """Members of each phase of ``programme``, keyed by phase id in date order."""
    root = kg.index.resolve(programme)
    kg = around(kg, [root])
    graph = kg.projection.graph
    phases = [phase for phase, _target, key in graph.in_edges(root, keys=True) if key == _PHASE_OF]
    if not phases:
        raise PacctoError(f"{graph.nodes[root]['label']} has no phases")
    phases = sorted(set(phases), key=lambda p: (graph.nodes[p].get("start") or "", p))
    return {graph.nodes[p]["id"]: members_of(kg, p, as_of=as_of) for p in phases}


def common_memberships(
    kg: KnowledgeGraph, first: str, second: str, *, as_of: date | None = None
) -> list[CommonMembership]:
    """Organisations, phases, networks and events that both entities belong to or took part in."""
    first_iri, second_iri = kg.index.resolve(first), kg.index.resolve(second)
    if first_iri == second_iri:
        raise PacctoError(f"{first!r} and {second!r} are the same entity")
    a = memberships_of(kg, first_iri, as_of=as_of)
    b = memberships_of(kg, second_iri, as_of=as_of)
    by_org: dict[str, list[Membership]] = defaultdict(list)
    for record in b:
        by_org[record.organisation].append(record)
    common = [
        CommonMembership(
            organisation=record.organisation,
            organisation_label=record.organisation_label,
            first=record,
            second=other,
        )
        for record in a
        for other in by_org.get(record.organisation, [])
    ]
    return sorted(common, key=lambda c: (c.organisation_label, c.first.role or ""))


@dataclass(frozen=True, kw_only=True)
class MembersQuestion(Question):
    """Who belongs to an organisation: the options of every front end that asks."""

    organisation: str = option(
        "A network, body, bloc, programme or phase: an identifier, label (any language) or "
        "acronym.",
        positional=True,
        parameter="name",
        in_path=True,
    )
    transitive: bool = option(
        "Include members of its sub-organisations, saying through which.", False
    )
    role: str | None = option("Only members in this role, by label or id.")
    by_phase: bool = option(
        "For a programme: the members of each of its phases (not with transitive or role).",
        False,
    )
    as_of: date | None = as_of_option()

    conflicts = (
        (("by_phase", "transitive"), "by_phase lists each phase's own members; drop transitive"),
        (("by_phase", "role"), "by_phase lists each phase's members in every role; drop role"),
    )

    def answer(self, kg: KnowledgeGraph) -> list[Membership]:
        """The members (not by phase: see :meth:`answer_by_phase`)."""
        return members_of(
            kg, self.organisation, transitive=self.transitive, as_of=self.as_of, role=self.role
        )

    def answer_by_phase(self, kg: KnowledgeGraph) -> dict[str, list[Membership]]:
        """The members of each phase of the programme, keyed by phase id in date order."""
        return members_by_phase(kg, self.organisation, as_of=self.as_of)
