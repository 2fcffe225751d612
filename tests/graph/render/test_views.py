"""Views: what each drawing shows, under each filter, on the seed facts."""

from __future__ import annotations

import pytest

from paccto.graph.errors import PacctoError, UnknownEntityError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.membership import members_of
from paccto.graph.questions.neighbourhood import ego_network
from paccto.graph.questions.paths import PathOptions, shortest_path
from paccto.graph.render import views as views_module
from paccto.graph.render.layout import layout
from paccto.graph.render.style import OTHER, family_of
from paccto.graph.render.views import (
    ViewFilter,
    ViewTooLargeError,
    entity_view,
    graph_view,
    members_view,
    path_view,
    phase_view,
    resolve_phase,
)


def ids(view: views_module.GraphView) -> set[str]:
    return {node.id for node in view.nodes}


def test_entity_view_is_the_ego_network_with_its_relationships(kg: KnowledgeGraph) -> None:
    view = entity_view(kg, "CLASI")
    around = ego_network(kg.projection, kg.index.resolve("clasi"))
    assert ids(view) == {node.id for node in around.nodes}
    assert view.focus == ("clasi",)
    assert [node.id for node in view.nodes if node.focus] == ["clasi"]
    assert {(e.source, e.target, e.key) for e in view.edges} == {
        (e.source, e.target, e.key) for e in around.edges
    }
    assert all(edge.documents for edge in view.edges)  # every seed relationship cites a source
    assert view.name == "view-entity-clasi"


def test_deeper_entity_views_reach_further(kg: KnowledgeGraph) -> None:
    assert ids(entity_view(kg, "clasi")) < ids(entity_view(kg, "clasi", depth=2))


def test_class_filter_keeps_the_entities_that_lead_to_what_it_shows(kg: KnowledgeGraph) -> None:
    view = entity_view(kg, "clasi", depth=2, view_filter=ViewFilter.of(classes=["country"]))
    kept = [node for node in view.nodes if not node.focus and not node.context]
    assert kept and all(node.class_label == "Country" for node in kept)
    context = [node for node in view.nodes if node.context]
    assert context and all(node.class_label != "Country" for node in context)
    # every shown entity is connected to the centre: no scatter of dots
    linked = {edge.source for edge in view.edges} | {edge.target for edge in view.edges}
    assert ids(view) <= linked


def test_as_of_before_an_entity_existed_shows_it_alone(kg: KnowledgeGraph) -> None:
    view = entity_view(kg, "clasi", view_filter=ViewFilter.of(as_of="2018"))  # CLASI: 2022
    assert ids(view) == {"clasi"}
    assert view.edges == ()
    assert "as of 2018-12-31" in view.caption


def test_events_not_yet_held_are_left_out_the_same_way_in_views_and_paths(
    kg: KnowledgeGraph,
) -> None:
    summit = "eu-celac-summit-2023"
    assert summit in ids(entity_view(kg, "european-union"))
    assert summit not in ids(
        entity_view(kg, "european-union", view_filter=ViewFilter.of(as_of="2022"))
    )
    options = PathOptions.of(as_of=views_module.parse_as_of("2022"))
    steps = shortest_path(kg, "european-union", "clasi", options).entities
    assert summit not in {entity["id"] for entity in steps}


def test_phase_filter_keeps_what_holds_during_the_phase(kg: KnowledgeGraph) -> None:
    during_two = ids(graph_view(kg, view_filter=ViewFilter.of(phase="2")))
    during_one = ids(graph_view(kg, view_filter=ViewFilter.of(phase="phase 1")))
    assert "phase-2" in during_two and "phase-1" not in during_two
    assert "phase-1" in during_one and "phase-2" not in during_one
    assert "phase-2-launch" in during_two and "phase-2-launch" not in during_one


def test_relation_filter_on_the_whole_graph_drops_entities_left_without_any(
    kg: KnowledgeGraph,
) -> None:
    view = graph_view(kg, view_filter=ViewFilter.of(relations=["part of region"]))
    assert {edge.relation for edge in view.edges} == {"part of region"}
    linked = {edge.source for edge in view.edges} | {edge.target for edge in view.edges}
    assert ids(view) == linked
    assert len(graph_view(kg).nodes) == kg.projection.graph.number_of_nodes()


def test_path_view_draws_every_step_of_the_path(kg: KnowledgeGraph) -> None:
    found = shortest_path(kg, "spain", "clasi")
    view = path_view(kg, "spain", "clasi")
    assert ids(view) == {entity["id"] for entity in found.entities}
    assert set(view.focus) == {"spain", "clasi"}
    pairs = {frozenset((edge.source, edge.target)) for edge in view.edges}
    assert pairs == {frozenset((step.source, step.target)) for step in found.steps}
    assert view.title.startswith("From Spain to")


def test_path_view_with_alternatives_and_options(kg: KnowledgeGraph) -> None:
    one = path_view(kg, "spain", "ameripol")
    three = path_view(kg, "spain", "ameripol", k=3)
    assert ids(one) < ids(three)
    assert "3 paths" in three.caption
    around = path_view(kg, "spain", "ameripol", options=PathOptions.of(avoid=["phase-2"]))
    assert "phase-2" in ids(one) and "phase-2" not in ids(around)
    during_one = path_view(kg, "spain", "ameripol", view_filter=ViewFilter.of(phase="1"))
    assert "phase-1" in ids(during_one) and "phase-2" not in ids(during_one)
    with pytest.raises(PacctoError, match="avoid_class"):
        path_view(kg, "spain", "clasi", view_filter=ViewFilter.of(classes=["country"]))


def test_members_view_draws_each_membership(kg: KnowledgeGraph) -> None:
    view = members_view(kg, "european union")
    expected = {m.member for m in members_of(kg, "european-union")}
    assert ids(view) == expected | {"european-union"}
    assert all(edge.target == "european-union" for edge in view.edges)
    assert all(edge.key.startswith("org:memberOf") for edge in view.edges)
    assert len(view.edges) == len(members_of(kg, "european-union"))


def test_phase_view_shows_the_phase_its_programme_and_who_takes_part(kg: KnowledgeGraph) -> None:
    view = phase_view(kg, "2")
    members = {m.member for m in members_of(kg, "phase-2")}
    assert members and members <= ids(view)
    assert {"phase-2", "el-paccto"} <= ids(view)
    assert "phase-1" not in ids(view)
    assert view.caption.startswith("2023-11 to 2027-12")
    with pytest.raises(PacctoError, match="already about one phase"):
        phase_view(kg, "2", view_filter=ViewFilter.of(phase="1"))


@pytest.mark.parametrize("name", ["1", "Phase 2", "phase-1", "EL PAcCTO phase 2"])
def test_phases_are_named_by_number_id_or_label(kg: KnowledgeGraph, name: str) -> None:
    assert resolve_phase(kg, name).rsplit("/", 1)[-1] in {"phase-1", "phase-2"}


@pytest.mark.parametrize("name", ["9", "clasi", "no such thing"])
def test_a_wrong_phase_lists_the_phases(kg: KnowledgeGraph, name: str) -> None:
    with pytest.raises(PacctoError, match=r"phases are 1 \(EL PAcCTO phase 1\), 2"):
        resolve_phase(kg, name)


def test_unknown_names_are_refused_with_the_usual_errors(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError):
        entity_view(kg, "no such entity")
    with pytest.raises(PacctoError, match="No entity has the class"):
        graph_view(kg, view_filter=ViewFilter.of(classes=["Spaceship"]))
    with pytest.raises(PacctoError, match="No relationship is called"):
        graph_view(kg, view_filter=ViewFilter.of(relations=["teleports to"]))
    with pytest.raises(PacctoError, match="invalid date"):
        ViewFilter.of(as_of="yesterday")


def test_a_view_too_large_to_draw_asks_for_a_filter(
    kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_module, "MAX_VIEW_NODES", 20)
    with pytest.raises(ViewTooLargeError, match="narrow it with a class, relation, phase"):
        graph_view(kg)


def test_layout_places_every_entity_apart_and_is_the_same_every_time(kg: KnowledgeGraph) -> None:
    view = graph_view(kg, view_filter=ViewFilter.of(classes=["country", "region"]))
    first = layout(view)
    layout.cache_clear()
    second = layout(view)
    assert first == second and first is not second
    assert set(first) == ids(view)
    points = {(round(x), round(y)) for x, y in first.values()}
    assert len(points) == len(first)  # disconnected pieces do not collapse onto each other


def test_every_class_of_the_seeds_has_a_family_in_the_legend(kg: KnowledgeGraph) -> None:
    classes = {data["class"] for _iri, data in kg.projection.graph.nodes(data=True)}
    assert {cls for cls in classes if family_of(cls) is OTHER} == set()
    assert family_of("ex:Unknown") is OTHER


def test_large_views_are_laid_out_by_igraph_the_same_every_time() -> None:
    nodes = tuple(
        views_module.ViewNode(
            id=f"n{i}",
            iri=f"urn:n{i}",
            label=f"N{i}",
            cls="paccto:Country",
            class_label="Country",
            start=None,
            end=None,
            documents=(),
        )
        for i in range(400)
    )
    edges = tuple(
        views_module.ViewEdge(
            source=f"n{i}",
            target=f"n{(i * 7 + 1) % 400}",
            relation="r",
            key="k",
            start=None,
            end=None,
            documents=(),
            passages=(),
        )
        for i in range(400)
    )
    view = views_module.GraphView("graph", "t", "", ViewFilter(), nodes, edges)
    first = layout(view)
    layout.cache_clear()
    assert layout(view) == first
    assert len({(round(x), round(y)) for x, y in first.values()}) == len(nodes)
