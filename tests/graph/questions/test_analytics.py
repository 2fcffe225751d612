"""Tests for paccto.graph.questions.analytics: rankings, sides, brokers, bridges and communities.

Each measure is checked on a small projection built by hand, with the node and edge attributes
``build_projection`` gives, so that every expected figure below can be worked out on paper; then
a few facts of the seed data are checked as they stand.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Any

import networkx as nx
import pytest
from rdflib.namespace import ORG

from paccto.graph.errors import PacctoError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.projection import Projection
from paccto.graph.questions.analytics import (
    EU,
    LAC,
    Community,
    RankedEntity,
    bridging_entities,
    bridging_links,
    brokers,
    communities,
    rank_entities,
    region_sides,
)
from paccto.graph.questions.neighbourhood import ego_network
from paccto.ontology.namespace import PACCTO

BASE = "https://example.org/id/"


def iri(id_: str) -> str:
    return BASE + id_


def add_node(graph: nx.MultiDiGraph, id_: str, cls: str = "paccto:Topic", label: str = "") -> None:
    label = label or id_
    graph.add_node(
        iri(id_),
        iri=iri(id_),
        id=id_,
        label=label,
        labels={"en": label},
        aliases=[],
        search_terms=[],
        classes=[cls],
        class_label=cls.split(":")[-1],
        **{"class": cls},
    )


def add_edge(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    key: str = "paccto:cooperatesWith",
    document: str = "src:doc-1",
) -> None:
    stem = key.split("/")[0]
    prefix, local = stem.split(":")
    namespace = str(PACCTO._NS) if prefix == "paccto" else str(ORG)
    graph.add_edge(
        iri(source),
        iri(target),
        key=key,
        predicate=namespace + local,
        relation=local,
        start=None,
        end=None,
        sources=[{"document": document, "passage": f"passage/{document}/0-10"}],
    )


def scores(ranking: list[RankedEntity]) -> list[tuple[int, str, float]]:
    return [(entity.rank, entity.id, entity.score) for entity in ranking]


# --- rankings ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def star() -> Projection:
    """hub - alpha, bravo, charlie; alpha = bravo (three statements); charlie - delta; echo alone.

    Nodes go in in reverse label order, so that a listing by label is not insertion order.
    """
    graph = nx.MultiDiGraph()
    for id_, cls in [
        ("echo", "paccto:Country"),
        ("delta", "paccto:Country"),
        ("charlie", "paccto:Agency"),
        ("bravo", "paccto:Country"),
        ("alpha", "paccto:Country"),
        ("hub", "paccto:Programme"),
    ]:
        add_node(graph, id_, cls, label=id_.title())
    for target in ("charlie", "bravo", "alpha"):
        add_edge(graph, "hub", target)
    add_edge(graph, "alpha", "bravo")
    add_edge(graph, "alpha", "bravo", "paccto:supports")
    add_edge(graph, "bravo", "alpha")
    add_edge(graph, "charlie", "delta")
    return Projection(graph=graph)


def test_degree_counts_distinct_neighbours_and_ties_share_a_rank(star: Projection) -> None:
    assert scores(rank_entities(star, by="degree")) == [
        (1, "hub", 3),
        (2, "alpha", 2),  # three statements with bravo are one partner
        (2, "bravo", 2),
        (2, "charlie", 2),
        (5, "delta", 1),
        (6, "echo", 0),
    ]


def test_betweenness_is_normalised_on_the_simple_graph(star: Projection) -> None:
    # Of the 10 pairs of the 6 entities, 4 have their one shortest path through the hub
    # (alpha/bravo with charlie/delta) and 3 through charlie (hub, alpha, bravo with delta).
    assert scores(rank_entities(star, by="betweenness")) == [
        (1, "hub", 0.4),
        (2, "charlie", 0.3),
        (3, "alpha", 0.0),
        (3, "bravo", 0.0),
        (3, "delta", 0.0),
        (3, "echo", 0.0),
    ]


def test_top_cuts_the_ranking(star: Projection) -> None:
    assert scores(rank_entities(star, top=2)) == [(1, "hub", 3), (2, "alpha", 2)]
    assert len(rank_entities(star, top=None)) == 6


@pytest.mark.parametrize(
    ("by", "classes", "expected"),
    [
        (
            "degree",
            ["Country"],
            [(1, "alpha", 2), (1, "bravo", 2), (3, "delta", 1), (4, "echo", 0)],
        ),
        # charlie keeps the betweenness it has in the whole graph
        ("betweenness", ["paccto:Agency"], [(1, "charlie", 0.3)]),
    ],
)
def test_ranking_within_classes(
    star: Projection, by: str, classes: list[str], expected: list[tuple[int, str, float]]
) -> None:
    assert scores(rank_entities(star, by=by, classes=classes)) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"by": "pagerank"}, "cannot rank by 'pagerank': choose one of degree, betweenness"),
        ({"top": 0}, "top must be a whole number of at least 1"),
        ({"top": True}, "top must be a whole number of at least 1"),
        ({"classes": ["Ministry"]}, "No entity has the class 'Ministry'"),
    ],
)
def test_bad_ranking_options_are_refused(
    star: Projection, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(PacctoError, match=message):
        rank_entities(star, **options)


# --- sides ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def atlantic() -> Projection:
    graph = nx.MultiDiGraph()
    for id_, cls, label in [
        ("european-union", "paccto:Bloc", "European Union"),
        ("europe", "paccto:Region", "Europe"),
        ("latin-america", "paccto:Region", "Latin America"),
        ("caribbean", "paccto:Region", "Caribbean"),
        ("lac", "paccto:Region", "Latin America and the Caribbean"),
        ("asia", "paccto:Region", "Asia"),
        ("spain", "paccto:Country", "Spain"),
        ("iceland", "paccto:Country", "Iceland"),
        ("mexico", "paccto:Country", "Mexico"),
        ("cuba", "paccto:Country", "Cuba"),
        ("spanish-agency", "paccto:Agency", "Spanish agency"),
        ("mexican-ministry", "paccto:Ministry", "Mexican ministry"),
        ("eu-delegation-mexico", "paccto:EUBody", "EU delegation to Mexico"),
        ("presidency", "paccto:CouncilPresidency", "Council presidency"),
        ("eu-committee", "paccto:Committee", "EU committee"),
        ("regional-forum", "paccto:Network", "Regional forum"),
        ("binational-team", "paccto:Team", "Binational team"),
        ("programme", "paccto:Programme", "Programme"),
        ("circle-a", "paccto:Committee", "Circle A"),
        ("circle-b", "paccto:Committee", "Circle B"),
        ("topic", "paccto:Topic", "Topic"),
    ]:
        add_node(graph, id_, cls, label)
    add_edge(graph, "spain", "european-union", "org:memberOf/member-state")
    add_edge(graph, "iceland", "europe", "paccto:partOfRegion")
    add_edge(graph, "mexico", "latin-america", "paccto:partOfRegion")
    add_edge(graph, "cuba", "caribbean", "paccto:partOfRegion")
    add_edge(graph, "caribbean", "lac", "paccto:partOfRegion")
    add_edge(graph, "spanish-agency", "spain", "paccto:basedIn", "src:doc-2")
    add_edge(graph, "mexican-ministry", "mexico", "paccto:basedIn")
    add_edge(graph, "eu-delegation-mexico", "mexico", "paccto:basedIn", "src:doc-3")
    add_edge(graph, "presidency", "spain", "paccto:heldByCountry")
    add_edge(graph, "eu-committee", "european-union", "org:subOrganizationOf")
    add_edge(graph, "regional-forum", "latin-america", "paccto:partOfRegion")
    add_edge(graph, "binational-team", "spain", "paccto:basedIn")
    add_edge(graph, "binational-team", "mexico", "paccto:basedIn")
    add_edge(graph, "spain", "programme", "org:memberOf/implementing-state")
    add_edge(graph, "mexico", "programme", "org:memberOf/beneficiary-country")
    add_edge(graph, "circle-a", "circle-b", "paccto:basedIn")
    add_edge(graph, "circle-b", "circle-a", "paccto:basedIn")
    add_edge(graph, "spanish-agency", "mexican-ministry", "paccto:cooperatesWith", "src:doc-2")
    add_edge(graph, "regional-forum", "eu-committee", "paccto:counterpartOf", "src:doc-4")
    return Projection(graph=graph)


ATLANTIC_SIDES = {
    # anchors
    "european-union": EU,
    "europe": EU,
    "latin-america": LAC,
    "caribbean": LAC,
    "lac": LAC,
    # member of the Union; EU classes, which win over being based in Mexico
    "spain": EU,
    "eu-delegation-mexico": EU,
    "presidency": EU,
    # region, base and parent, followed as far as needed
    "iceland": EU,
    "mexico": LAC,
    "cuba": LAC,
    "spanish-agency": EU,
    "mexican-ministry": LAC,
    "eu-committee": EU,
    "regional-forum": LAC,
    # both sides, or none
    "binational-team": None,
    "programme": None,
    "asia": None,
    "circle-a": None,
    "circle-b": None,
    "topic": None,
}


@pytest.mark.parametrize(("id_", "side"), sorted(ATLANTIC_SIDES.items()))
def test_region_sides(atlantic: Projection, id_: str, side: str | None) -> None:
    assert region_sides(atlantic)[iri(id_)] == side


def test_every_entity_has_a_side_entry(atlantic: Projection) -> None:
    assert set(region_sides(atlantic)) == set(atlantic.graph.nodes)


def test_bridging_links_are_the_direct_eu_lac_edges(atlantic: Projection) -> None:
    links = [
        (link.source, link.source_side, link.key, link.target, link.target_side, link.documents)
        for link in bridging_links(atlantic)
    ]
    assert links == [
        ("eu-delegation-mexico", EU, "paccto:basedIn", "mexico", LAC, ["src:doc-3"]),
        ("regional-forum", LAC, "paccto:counterpartOf", "eu-committee", EU, ["src:doc-4"]),
        ("spanish-agency", EU, "paccto:cooperatesWith", "mexican-ministry", LAC, ["src:doc-2"]),
    ]


def test_bridging_entities_count_neighbours_on_each_side(atlantic: Projection) -> None:
    found = [
        (entity.id, entity.side, entity.eu_neighbours, entity.lac_neighbours)
        for entity in bridging_entities(atlantic)
    ]
    assert found == [
        # Mexico: the EU delegation on one side; Latin America and its ministry on the other
        ("mexico", LAC, 1, 2),
        ("binational-team", None, 1, 1),  # a node standing on both sides
        ("eu-committee", EU, 1, 1),
        ("mexican-ministry", LAC, 1, 1),
        ("programme", None, 1, 1),
        ("regional-forum", LAC, 1, 1),
        ("spanish-agency", EU, 1, 1),
    ]


# --- brokers -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def relay() -> Projection:
    """eu-body - programme - latin-america - (caribbean, lac); topics x1 - x2 - x3 apart."""
    graph = nx.MultiDiGraph()
    add_node(graph, "eu-body", "paccto:EUBody")
    add_node(graph, "programme", "paccto:Programme")
    for id_ in ("latin-america", "caribbean", "lac"):
        add_node(graph, id_, "paccto:Region")
    for id_ in ("x1", "x2", "x3"):
        add_node(graph, id_)
    add_edge(graph, "programme", "eu-body")
    add_edge(graph, "programme", "latin-america")
    add_edge(graph, "caribbean", "latin-america")
    add_edge(graph, "lac", "latin-america")
    add_edge(graph, "x1", "x2")
    add_edge(graph, "x2", "x3")
    return Projection(graph=graph)


def test_brokers_count_only_paths_from_eu_to_lac(relay: Projection) -> None:
    # Three EU-LAC pairs: the programme is on all three paths, Latin America on two; the
    # normalisation divides by (n - 1)(n - 2) = 42. x2 brokers, but not across the Atlantic.
    assert [(e.rank, e.id, e.side, e.score) for e in brokers(relay)] == [
        (1, "programme", None, round(3 / 42, 6)),
        (2, "latin-america", LAC, round(2 / 42, 6)),
    ]
    assert "x2" in {e.id for e in rank_entities(relay, by="betweenness") if e.score > 0}


def test_brokers_top(relay: Projection) -> None:
    assert [e.id for e in brokers(relay, top=1)] == ["programme"]
    with pytest.raises(PacctoError, match="top must be"):
        brokers(relay, top=0)


# --- communities ---------------------------------------------------------------------------------


def test_communities_are_named_after_their_hub_largest_first() -> None:
    graph = nx.MultiDiGraph()
    for group in "ab":
        ids = [f"{group}{n}" for n in range(1, 5)]
        for id_ in ids:
            add_node(graph, id_, label=id_.upper())
        for i, source in enumerate(ids):
            for target in ids[i + 1 :]:
                add_edge(graph, source, target)
    add_edge(graph, "a1", "b1")
    add_node(graph, "z", label="Z")
    found = communities(Projection(graph=graph))
    assert [(c.name, c.size, [m.id for m in c.members]) for c in found] == [
        ("A1", 4, ["a1", "a2", "a3", "a4"]),
        ("B1", 4, ["b1", "b2", "b3", "b4"]),
        ("Z", 1, ["z"]),  # an isolated entity is a community of its own
    ]
    assert [m.degree for m in found[0].members] == [4, 3, 3, 3]


def shuffled(projection: Projection, seed: int) -> Projection:
    """The same graph with its nodes and edges added in another order."""
    rng = random.Random(seed)
    nodes = list(projection.graph.nodes(data=True))
    edges = list(projection.graph.edges(keys=True, data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return Projection(graph=graph)


def partition(found: list[Community]) -> list[list[str]]:
    return [[member.id for member in community.members] for community in found]


@pytest.fixture(scope="module")
def tangle() -> Projection:
    """A random graph whose communities Louvain finds differently in different node orders."""
    graph = nx.MultiDiGraph()
    sample = nx.gnm_random_graph(40, 80, seed=1)
    for node in sample.nodes:
        add_node(graph, f"n{node:02d}")
    for u, v in sample.edges:
        add_edge(graph, f"n{u:02d}", f"n{v:02d}")
    return Projection(graph=graph)


@pytest.mark.parametrize("order", range(4))
def test_communities_do_not_depend_on_insertion_order(tangle: Projection, order: int) -> None:
    assert partition(communities(shuffled(tangle, order))) == partition(communities(tangle))


def test_communities_partition_the_entities(tangle: Projection) -> None:
    found = communities(tangle, seed=7)
    members = [member for group in partition(found) for member in group]
    assert sorted(members) == sorted(tangle.graph.nodes[n]["id"] for n in tangle.graph)
    assert [c.size for c in found] == sorted((c.size for c in found), reverse=True)


# --- the seed data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sides(kg: KnowledgeGraph) -> dict[str, str | None]:
    graph = kg.projection.graph
    return {graph.nodes[node]["id"]: side for node, side in region_sides(kg.projection).items()}


@pytest.mark.parametrize(
    ("id_", "side"),
    [
        ("fiiapp", EU),  # based in Spain, a member state
        ("expertise-france", EU),
        ("iila", EU),  # based in Italy
        ("instituto-camoes", EU),  # based in Portugal
        ("spain", EU),
        ("cosi", EU),  # a sub-organisation of the Union
        ("eu-delegation-argentina", EU),
        ("spanish-presidency-2023", EU),
        ("clasi", LAC),  # part of Latin America
        ("argentina-ministry-security", LAC),  # based in Argentina, part of Latin America
        ("argentina-ministry-justice", LAC),
        ("argentina-ministry-foreign-affairs", LAC),
        ("costa-rica", LAC),
        ("caribbean", LAC),
        ("multidisciplinary-teams", LAC),  # based in four Latin American countries
        ("phase-1", None),
        ("phase-2", None),
        ("bi-regional-networks", None),
        ("drug-trafficking", None),
    ],
)
def test_seed_sides(sides: dict[str, str | None], id_: str, side: str | None) -> None:
    assert sides[id_] == side


def test_every_seed_country_has_a_side(kg: KnowledgeGraph, sides: dict[str, str | None]) -> None:
    graph = kg.projection.graph
    countries = [graph.nodes[n]["id"] for n in graph if graph.nodes[n]["class"] == "paccto:Country"]
    assert countries and [c for c in countries if sides[c] is None] == []


def test_degree_agrees_with_ego_network(kg: KnowledgeGraph) -> None:
    projection = kg.projection
    ranking = rank_entities(projection, top=None)
    assert len(ranking) == projection.graph.number_of_nodes()
    for entity in ranking:
        assert entity.score == len(ego_network(projection, entity.iri).nodes) - 1, entity.id


def test_the_first_phase_is_the_hub_and_the_main_broker(kg: KnowledgeGraph) -> None:
    assert rank_entities(kg.projection, by="degree", top=1)[0].id == "phase-1"
    assert rank_entities(kg.projection, by="betweenness", top=1)[0].id == "phase-1"
    top = [entity.id for entity in brokers(kg.projection, top=10)]
    assert top[0] == "phase-1"
    assert "european-union" in top


def test_seed_bridging_links(kg: KnowledgeGraph, sides: dict[str, str | None]) -> None:
    links = bridging_links(kg.projection)
    found = {(link.source, link.relation, link.target, tuple(link.documents)) for link in links}
    assert {
        ("clasi", "counterpart of", "cosi", ("src:doc-003",)),
        ("clasi", "counterpart of", "jha-council", ("src:doc-003",)),
        ("clasi", "cooperates with", "european-union", ("src:doc-004",)),
        ("eurojust-contact-points", "cooperates with", "eurojust", ("src:doc-000",)),
    } <= found
    for link in links:
        assert {sides[link.source], sides[link.target]} == {EU, LAC}
        assert (link.source_side, link.target_side) == (sides[link.source], sides[link.target])


def test_phase_2_meets_five_member_states_and_two_regions(kg: KnowledgeGraph) -> None:
    phase_2 = next(e for e in bridging_entities(kg.projection) if e.id == "phase-2")
    # EU side: France, Italy, the Netherlands, Portugal, Spain (implementing member states), the
    # EU (funder), Eurojust and Europol; LAC side: the Caribbean and LAC (beneficiary regions).
    assert (phase_2.side, phase_2.eu_neighbours, phase_2.lac_neighbours) == (None, 8, 2)


def test_seed_communities_cover_every_entity_once_and_are_stable(kg: KnowledgeGraph) -> None:
    found = communities(kg.projection)
    members = [member for group in partition(found) for member in group]
    assert len(members) == len(set(members)) == kg.projection.graph.number_of_nodes()
    assert partition(communities(shuffled(kg.projection, 3))) == partition(found)
    assert asdict(found[0])["members"][0]["id"] == found[0].members[0].id
