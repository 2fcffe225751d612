"""Paths: shortest, all shortest, k alternatives; options; explanations with sources."""

from __future__ import annotations

from datetime import date

import pytest

from paccto.graph.errors import NoPathError, PacctoError, UnknownEntityError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.paths import (
    PathOptions,
    all_shortest_paths,
    hub_entities,
    k_shortest_paths,
    shortest_path,
)


def ids(path) -> list[str]:  # type: ignore[no-untyped-def]
    return [entity["id"] for entity in path.entities]


def test_a_tie_gives_every_shortest_path_in_a_stable_order(small: KnowledgeGraph) -> None:
    paths = all_shortest_paths(small, "alpha", "delta")
    assert [ids(p) for p in paths] == [
        ["alpha", "beta", "delta"],
        ["alpha", "gamma", "delta"],
        ["alpha", "umbrella", "delta"],
    ]
    assert ids(shortest_path(small, "alpha", "delta")) in [ids(p) for p in paths]


def test_steps_say_which_way_the_relationship_points(small: KnowledgeGraph) -> None:
    found = shortest_path(small, "delta", "beta")
    assert found.steps[0].links[0].direction == "backward"
    assert shortest_path(small, "beta", "delta").steps[0].links[0].direction == "forward"


def test_cycles_do_not_produce_repeated_entities(small: KnowledgeGraph) -> None:
    found = k_shortest_paths(small, "alpha", "delta", 10)
    assert len(found) == 3  # only three simple paths exist, however large k is
    assert all(len(set(ids(p))) == len(ids(p)) for p in found)


def test_no_path_to_an_island_is_a_clear_error(small: KnowledgeGraph) -> None:
    with pytest.raises(NoPathError, match="no path between Nandu Agency and Island Agency"):
        shortest_path(small, "alpha", "island")


def test_avoiding_an_entity_reroutes_or_fails(small: KnowledgeGraph) -> None:
    rerouted = k_shortest_paths(small, "beta", "gamma", 5, PathOptions.of(avoid={"delta"}))
    assert [ids(p) for p in rerouted] == [["beta", "alpha", "gamma"]]
    with pytest.raises(NoPathError, match="options"):
        shortest_path(small, "beta", "gamma", PathOptions.of(avoid={"delta", "alpha"}))


def test_relation_filter_uses_labels_or_keys(small: KnowledgeGraph) -> None:
    by_label = shortest_path(
        small, "delta", "umbrella", PathOptions.of(relations={"counterpart of"})
    )
    by_key = shortest_path(
        small, "delta", "umbrella", PathOptions.of(relations={"paccto:counterpartOf"})
    )
    assert ids(by_label) == ids(by_key) == ["delta", "umbrella"]
    with pytest.raises(NoPathError):
        shortest_path(
            small,
            "delta",
            "umbrella",
            PathOptions.of(avoid_relations={"counterpartOf", "member of"}),
        )


def test_as_of_drops_expired_memberships(small: KnowledgeGraph) -> None:
    assert (
        shortest_path(small, "eta", "umbrella", PathOptions.of(as_of=date(2018, 1, 1))).length == 1
    )
    later = PathOptions.of(as_of=date(2021, 1, 1), relations={"member of"})
    with pytest.raises(NoPathError):
        shortest_path(small, "eta", "umbrella", later)
    assert shortest_path(small, "theta", "umbrella", later).length == 1


def test_avoiding_a_class(small: KnowledgeGraph) -> None:
    found = all_shortest_paths(small, "alpha", "delta", PathOptions.of(avoid_classes={"Ministry"}))
    assert [ids(p) for p in found] == [["alpha", "beta", "delta"], ["alpha", "umbrella", "delta"]]


def test_k_paths_are_simple_distinct_and_shortest_first(small: KnowledgeGraph) -> None:
    found = k_shortest_paths(small, "beta", "umbrella", 4)
    lengths = [p.length for p in found]
    assert lengths == sorted(lengths)
    assert len({tuple(ids(p)) for p in found}) == len(found)
    assert all(len(set(ids(p))) == len(ids(p)) for p in found)


def test_max_length_bounds_the_paths(small: KnowledgeGraph) -> None:
    with pytest.raises(NoPathError, match="within 1 steps"):
        shortest_path(small, "beta", "gamma", PathOptions.of(max_length=1))


@pytest.mark.parametrize("k", [0, 51])
def test_k_out_of_range_is_refused(small: KnowledgeGraph, k: int) -> None:
    with pytest.raises(PacctoError, match="k must be between 1 and 50"):
        k_shortest_paths(small, "alpha", "delta", k)


def test_unknown_end_is_named(small: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError, match="Atlantis"):
        shortest_path(small, "alpha", "Atlantis")


# --- on the real facts -------------------------------------------------------------------------


def test_the_hubs_are_the_phases_and_the_regions(kg: KnowledgeGraph) -> None:
    hubs = {kg.projection.graph.nodes[h]["id"] for h in hub_entities(kg)}
    assert {"phase-1", "phase-2", "european-union", "latin-america"} <= hubs


def test_costa_rica_panama_through_the_paso_canoas_centre(kg: KnowledgeGraph) -> None:
    every = [ids(p) for p in all_shortest_paths(kg, "Costa Rica", "Panamá")]
    assert ["costa-rica", "paso-canoas-centre", "panama"] in every
    through_hub = [p for p in all_shortest_paths(kg, "Costa Rica", "Panamá") if p.hubs]
    assert through_hub and through_hub[0].hubs == ["latin-america"]
    direct = shortest_path(kg, "Costa Rica", "Panamá", PathOptions.of(avoid_hubs=True))
    assert ids(direct) == ["costa-rica", "paso-canoas-centre", "panama"]
    assert direct.hubs == []
    step = direct.steps[0]
    assert step.links[0].relation == "connects" and step.links[0].direction == "backward"
    assert step.links[0].documents[0]["file"] == "000_dc3e390db01e9698.txt"


def test_membership_steps_carry_role_and_dates(kg: KnowledgeGraph) -> None:
    found = shortest_path(kg, "Spain", "phase 2", PathOptions.of(relations={"member of"}))
    link = found.steps[0].links[0]
    assert link.relation == "member of (implementing eu member state)"
    assert (link.start, link.end) == ("2023-11", "2027-12")


def test_as_of_excludes_a_phase_that_had_not_started(kg: KnowledgeGraph) -> None:
    before = PathOptions.of(as_of=date(2020, 1, 1), avoid={"european-union", "latin-america"})
    found = shortest_path(kg, "Spain", "Argentina", before)
    assert "phase-2" not in ids(found)
    assert "phase-1" in ids(found)
