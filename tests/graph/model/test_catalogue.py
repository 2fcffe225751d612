"""What the forms offer: classes, relations and organisations with members, all accepted back."""

from __future__ import annotations

from paccto.graph.model.catalogue import class_choices, organisations_with_members, relation_choices
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import matching_classes, matching_relations
from paccto.graph.questions.membership import members_of


def test_every_offered_class_and_relation_is_accepted_by_the_filters(kg: KnowledgeGraph) -> None:
    classes, relations = class_choices(kg.projection), relation_choices(kg.projection)
    assert "Country" in classes and "member of" in relations
    assert "member of (member state)" not in relations  # roles are not separate relations
    assert matching_classes(kg.projection, classes)
    assert matching_relations(kg.projection, relations)
    assert classes == sorted(set(classes), key=str.casefold)


def test_organisations_with_members_agree_with_members_of(kg: KnowledgeGraph) -> None:
    found = organisations_with_members(kg)
    assert {"phase-1", "phase-2", "european-union"} <= {o.id for o in found}
    for organisation in found:
        own = {m.member for m in members_of(kg, organisation.id)}
        everyone = {m.member for m in members_of(kg, organisation.id, transitive=True)}
        assert (organisation.members, organisation.all_members) == (len(own), len(everyone))


def test_small_network_counts_members_through_sub_organisations(small: KnowledgeGraph) -> None:
    umbrella = next(o for o in organisations_with_members(small) if o.id == "umbrella")
    assert (umbrella.members, umbrella.all_members) == (3, 4)
