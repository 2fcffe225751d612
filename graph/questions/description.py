"""Everything the graph says about one entity, with the sources of each statement.

This is what ``paccto show`` prints and what an entity page displays: names, class,
description, figures, and each relationship in either direction with its dates and documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.projection import citations
from paccto.graph.questions.fetching import around

__all__ = ["EntityDescription", "Fact", "describe_entity"]

_ATTRIBUTE_NAMES = (
    "iso_code",
    "start",
    "end",
    "date",
    "founding_date",
    "budget_eur",
    "planned_duration",
)


@dataclass(frozen=True)
class Fact:
    """One relationship seen from the described entity: ``direction`` is "out" when the entity
    is the subject of the stated relationship, "in" when it is the object."""

    relation: str
    key: str
    direction: str
    other: str
    other_label: str
    other_class: str
    start: str | None
    end: str | None
    documents: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class EntityDescription:
    id: str
    iri: str
    label: str
    labels: dict[str, str]
    aliases: list[str]
    cls: str
    class_label: str
    description: str | None
    attributes: dict[str, Any]
    indicators: list[dict[str, Any]]
    facts: list[Fact]


def describe_entity(kg: KnowledgeGraph, name: str) -> EntityDescription:
    """Describe the entity ``name`` designates (any name the resolver accepts)."""
    iri = kg.index.resolve(name)
    kg = around(kg, [iri])
    graph = kg.projection.graph
    node = graph.nodes[iri]
    facts = []
    for direction, edges in (
        ("out", graph.out_edges(iri, keys=True, data=True)),
        ("in", graph.in_edges(iri, keys=True, data=True)),
    ):
        for source, target, key, data in edges:
            other = target if direction == "out" else source
            facts.append(
                Fact(
                    relation=data["relation"],
                    key=key,
                    direction=direction,
                    other=graph.nodes[other]["id"],
                    other_label=graph.nodes[other]["label"],
                    other_class=graph.nodes[other]["class_label"],
                    start=data.get("start"),
                    end=data.get("end"),
                    documents=citations(data),
                )
            )
    facts.sort(key=lambda f: (f.direction != "out", f.relation, f.other_label))
    return EntityDescription(
        id=node["id"],
        iri=iri,
        label=node["label"],
        labels=node["labels"],
        aliases=node["aliases"],
        cls=node["class"],
        class_label=node["class_label"],
        description=node.get("description"),
        attributes={k: node[k] for k in _ATTRIBUTE_NAMES if node.get(k) is not None},
        indicators=[
            {**indicator, "sources": citations(indicator)}
            for indicator in node.get("indicators", [])
        ],
        facts=facts,
    )
