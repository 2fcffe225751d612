"""What there is to choose from: the classes, the relations and the organisations with members.

Forms that let a person filter by class or relation, or pick a network to browse, should offer
only what the loaded graph holds: a choice that matches nothing would give an empty answer that
looks like a finding. The names returned are ones the filters accept as they are
(:func:`paccto.graph.questions.neighbourhood.matching_classes`, ``matching_relations``), so a
form can send back whatever it offered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from paccto.graph.model.folding import MEMBER_OF
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.projection import Projection

__all__ = ["Organisation", "class_choices", "organisations_with_members", "relation_choices"]

#: As in :mod:`paccto.graph.questions.membership`, whose transitive members go through this
#: relation.
_SUB_ORGANISATION_OF = "org:subOrganizationOf"


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation, phase or network that has members: ``members`` counts its own,
    ``all_members`` also those of its sub-organisations (what ``transitive`` lists)."""

    id: str
    label: str
    class_label: str
    members: int
    all_members: int


def class_choices(projection: Projection) -> list[str]:
    """The readable class of every entity, once each, in alphabetical order."""
    labels = {node["class_label"] for _iri, node in projection.known_entities()}
    return sorted(labels, key=str.casefold)


def relation_choices(projection: Projection) -> list[str]:
    """Every relation stated between two entities, by its readable name without a
    membership's role (``member of``, not ``member of (member state)``)."""
    names = {
        str(data.get("relation") or key).split(" (")[0]
        for key, data in projection.known_relations()
    }
    return sorted(names, key=str.casefold)


def organisations_with_members(kg: KnowledgeGraph) -> list[Organisation]:
    """Every entity with members of its own or through its sub-organisations, by label.

    These are the entities whose members page has something to show; a network whose
    membership the sources do not state is left out rather than shown empty.
    """
    graph = kg.catalogue.graph
    own: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for member, organisation, key in kg.membership_links():
        if key.startswith(MEMBER_OF):
            own[organisation].add(member)
        elif key == _SUB_ORGANISATION_OF:
            parents[member].add(organisation)
    everyone: dict[str, set[str]] = defaultdict(set)
    for organisation, members in own.items():
        # Up the sub-organisation chain, as members_of(transitive=True) walks it down.
        seen = {organisation}
        frontier = [organisation]
        while frontier:
            current = frontier.pop()
            everyone[current] |= members
            for parent in parents.get(current, ()):
                if parent not in seen:
                    seen.add(parent)
                    frontier.append(parent)
    found = [
        Organisation(
            id=graph.nodes[iri]["id"],
            label=graph.nodes[iri]["label"],
            class_label=graph.nodes[iri]["class_label"],
            members=len(own.get(iri, ())),
            all_members=len(members),
        )
        for iri, members in everyone.items()
    ]
    return sorted(found, key=lambda item: (item.label.casefold(), item.id))
