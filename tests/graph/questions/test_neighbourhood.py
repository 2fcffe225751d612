"""Tests for paccto.graph.questions.neighbourhood: ego networks on a purpose-built graph and on
the seeds.

The small graph is built directly as a projection, with the node and edge attributes that
``build_projection`` gives, so that every distance, filter and date below can be worked out by
hand. Distances from the agency, walking both ways::

    agency -basedIn-> spain -memberOf-> phase <-memberOf- mexico <-connects- border-centre
    agency -cooperatesWith-> network -cooperatesWith-> latin-america <-partOfRegion- mexico
    spain -cooperatesWith-> network

    agency 0 | spain, network 1 | phase, latin-america 2 | mexico 3 | border-centre 4
    isolated: no relationship at all
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date
from typing import Any

import networkx as nx
import pytest
from rdflib.namespace import ORG

from paccto.graph.errors import PacctoError, UnknownEntityError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.projection import Projection
from paccto.graph.questions.neighbourhood import Neighbourhood, ego_network
from paccto.ontology.namespace import PACCTO

BASE = "https://example.org/id/"

CLASS_LABELS = {
    "paccto:Agency": "Agency",
    "paccto:CooperationMechanism": "Cooperation mechanism",
    "paccto:Country": "Country",
    "paccto:Network": "Network",
    "paccto:ProgrammePhase": "Programme phase",
    "paccto:Region": "Region",
    "paccto:Topic": "Topic",
}
RELATIONS = {
    "paccto:basedIn": "based in",
    "paccto:connects": "connects",
    "paccto:cooperatesWith": "cooperates with",
    "paccto:partOfRegion": "part of region",
    "org:memberOf": "member of",
}


def iri(id_: str) -> str:
    return BASE + id_


def add_node(graph: nx.MultiDiGraph, id_: str, cls: str, label: str, **attributes: Any) -> None:
    graph.add_node(
        iri(id_),
        iri=iri(id_),
        id=id_,
        label=label,
        labels={"en": label},
        aliases=[],
        search_terms=[],
        description=None,
        iso_code=None,
        classes=[cls],
        class_label=CLASS_LABELS[cls],
        **{"class": cls},
        **attributes,
    )


def add_edge(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    key: str,
    *,
    role: str | None = None,
    start: str | None = None,
    end: str | None = None,
    sources: list[tuple[str, str]] = (("src:doc-1", "passage/doc-1/0-10"),),
) -> None:
    stem = key.split("/")[0]
    prefix, local = stem.split(":")
    namespace = str(PACCTO._NS) if prefix == "paccto" else str(ORG)
    relation = RELATIONS[stem] + (f" ({role.lower()})" if role else "")
    graph.add_edge(
        iri(source),
        iri(target),
        key=key,
        predicate=namespace + local,
        relation=relation,
        role=role,
        start=start,
        end=end,
        sources=[
            {"document": document, "passage": passage, "file": None, "start": 0, "end": 10}
            for document, passage in sources
        ],
    )


@pytest.fixture(scope="module")
def small() -> Projection:
    graph = nx.MultiDiGraph()
    add_node(graph, "agency", "paccto:Agency", "Agencia")
    add_node(graph, "spain", "paccto:Country", "Spain")
    add_node(graph, "mexico", "paccto:Country", "Mexico")
    add_node(graph, "latin-america", "paccto:Region", "Latin America")
    add_node(graph, "network", "paccto:Network", "Network", founding_date="2021")
    add_node(graph, "phase", "paccto:ProgrammePhase", "Phase", start="2017-04-15", end="2022")
    add_node(graph, "border-centre", "paccto:CooperationMechanism", "Border centre")
    add_node(graph, "isolated", "paccto:Topic", "Isolated topic")
    add_edge(
        graph,
        "agency",
        "spain",
        "paccto:basedIn",
        sources=[
            ("src:doc-1", "passage/doc-1/0-10"),
            ("src:doc-1", "passage/doc-1/20-30"),
            ("src:doc-2", "passage/doc-2/0-10"),
        ],
    )
    add_edge(graph, "agency", "network", "paccto:cooperatesWith")
    add_edge(graph, "spain", "network", "paccto:cooperatesWith")
    add_edge(graph, "network", "latin-america", "paccto:cooperatesWith")
    # Spain's membership expired before the phase ended; Mexico's ran to the end.
    add_edge(
        graph,
        "spain",
        "phase",
        "org:memberOf/implementing-state",
        role="Implementing state",
        start="2017-04-15",
        end="2019",
    )
    add_edge(
        graph,
        "mexico",
        "phase",
        "org:memberOf/beneficiary-country",
        role="Beneficiary country",
        start="2017-04-15",
        end="2022",
    )
    add_edge(graph, "mexico", "latin-america", "paccto:partOfRegion")
    add_edge(graph, "border-centre", "mexico", "paccto:connects")
    return Projection(graph=graph, class_labels=dict(CLASS_LABELS))


def ids(result: Neighbourhood) -> set[str]:
    return {node.id for node in result.nodes}


def distances(result: Neighbourhood) -> dict[str, int]:
    return {node.id: node.distance for node in result.nodes}


def edge_triples(result: Neighbourhood) -> set[tuple[str, str, str]]:
    return {(edge.source, edge.key, edge.target) for edge in result.edges}


# --- depth and direction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (1, {"agency": 0, "spain": 1, "network": 1}),
        (2, {"agency": 0, "spain": 1, "network": 1, "phase": 2, "latin-america": 2}),
        (
            3,
            {"agency": 0, "spain": 1, "network": 1, "phase": 2, "latin-america": 2, "mexico": 3},
        ),
    ],
)
def test_depth_bounds_the_walk(small: Projection, depth: int, expected: dict[str, int]) -> None:
    result = ego_network(small, iri("agency"), depth=depth)
    assert distances(result) == expected
    assert result.depth == depth


def test_walk_follows_edges_backwards_and_keeps_their_direction(small: Projection) -> None:
    # Mexico is the subject of all three statements but the object of the border centre's.
    result = ego_network(small, iri("mexico"))
    assert distances(result) == {"mexico": 0, "phase": 1, "latin-america": 1, "border-centre": 1}
    assert ("border-centre", "paccto:connects", "mexico") in edge_triples(result)
    assert ("mexico", "org:memberOf/beneficiary-country", "phase") in edge_triples(result)


@pytest.mark.parametrize("depth", [0, 4, -1, 1.5, "2", True])
def test_depth_out_of_range_is_refused(small: Projection, depth: Any) -> None:
    with pytest.raises(PacctoError, match="depth must be a whole number from 1 to 3"):
        ego_network(small, iri("agency"), depth=depth)


def test_unknown_centre_is_refused(small: Projection) -> None:
    with pytest.raises(UnknownEntityError):
        ego_network(small, iri("atlantis"))


def test_isolated_entity_is_its_own_neighbourhood(small: Projection) -> None:
    result = ego_network(small, iri("isolated"), depth=3)
    assert distances(result) == {"isolated": 0}
    assert result.edges == []


# --- what is shown: nodes, edges, sources ------------------------------------------------------


def test_nodes_are_listed_by_distance_then_label(small: Projection) -> None:
    result = ego_network(small, iri("agency"), depth=2)
    assert [node.id for node in result.nodes] == [
        "agency",
        "network",
        "spain",
        "latin-america",
        "phase",
    ]
    centre = result.nodes[0]
    assert (centre.iri, centre.label, centre.cls, centre.class_label) == (
        iri("agency"),
        "Agencia",
        "paccto:Agency",
        "Agency",
    )


def test_edges_carry_relation_dates_and_distinct_sources(small: Projection) -> None:
    result = ego_network(small, iri("agency"), depth=2)
    by_key = {(edge.source, edge.target): edge for edge in result.edges}
    assert set(by_key) == {
        ("agency", "spain"),
        ("agency", "network"),
        ("network", "latin-america"),
        ("spain", "network"),
        ("spain", "phase"),
    }
    based_in = by_key["agency", "spain"]
    assert based_in.relation == "based in"
    assert based_in.documents == ["src:doc-1", "src:doc-2"]
    assert based_in.passages == [
        "passage/doc-1/0-10",
        "passage/doc-1/20-30",
        "passage/doc-2/0-10",
    ]
    membership = by_key["spain", "phase"]
    assert (membership.relation, membership.start, membership.end) == (
        "member of (implementing state)",
        "2017-04-15",
        "2019",
    )


def test_result_is_json_ready(small: Projection) -> None:
    result = ego_network(small, iri("agency"), depth=2, as_of=date(2018, 1, 1))
    data = json.loads(json.dumps(asdict(result)))
    assert data["as_of"] == "2018-01-01"
    assert data["centre"] == iri("agency")
    assert {node["id"] for node in data["nodes"]} == {"agency", "spain", "phase"}


# --- class filter ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Country", "country", "paccto:Country", "Country "])
def test_class_filter_accepts_label_or_compact_name(small: Projection, name: str) -> None:
    result = ego_network(small, iri("agency"), depth=3, classes=[name])
    # Mexico is three steps away through entities that are not shown; the centre always is.
    assert distances(result) == {"agency": 0, "spain": 1, "mexico": 3}
    assert edge_triples(result) == {("agency", "paccto:basedIn", "spain")}
    assert result.classes == ["paccto:Country"]


def test_class_filter_keeps_any_of_several_classes(small: Projection) -> None:
    result = ego_network(small, iri("phase"), depth=1, classes=["Region", "Country"])
    assert distances(result) == {"phase": 0, "spain": 1, "mexico": 1}
    result = ego_network(small, iri("phase"), depth=2, classes=["Region", "Country"])
    assert distances(result) == {"phase": 0, "spain": 1, "mexico": 1, "latin-america": 2}


@pytest.mark.parametrize("name", ["Institution", "paccto:Ministry", "Countries"])
def test_unknown_class_is_refused(small: Projection, name: str) -> None:
    pattern = rf"No entity has the class {re.escape(repr(name))}.*Country"
    with pytest.raises(PacctoError, match=pattern):
        ego_network(small, iri("agency"), classes=[name])


# --- relation filter ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["based in", "paccto:basedIn", "basedIn", "BASED IN"])
def test_relation_filter_limits_the_walk(small: Projection, name: str) -> None:
    result = ego_network(small, iri("agency"), depth=3, relations=[name])
    assert distances(result) == {"agency": 0, "spain": 1}
    assert edge_triples(result) == {("agency", "paccto:basedIn", "spain")}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["member of"], {"phase": 0, "spain": 1, "mexico": 1}),
        (["org:memberOf"], {"phase": 0, "spain": 1, "mexico": 1}),
        (["member of (beneficiary country)"], {"phase": 0, "mexico": 1}),
        (["org:memberOf/beneficiary-country"], {"phase": 0, "mexico": 1}),
        (["Beneficiary country"], {"phase": 0, "mexico": 1}),
        (
            ["member of", "part of region"],
            {"phase": 0, "spain": 1, "mexico": 1, "latin-america": 2},
        ),
    ],
)
def test_relation_filter_knows_memberships_and_roles(
    small: Projection, names: list[str], expected: dict[str, int]
) -> None:
    assert distances(ego_network(small, iri("phase"), depth=2, relations=names)) == expected


def test_relation_filter_hides_other_edges_between_shown_entities(small: Projection) -> None:
    # Spain is reached through the network, so the agency's "based in" edge is not walked,
    # and it is not shown either although both its ends are.
    result = ego_network(small, iri("agency"), depth=2, relations=["cooperates with"])
    assert distances(result) == {"agency": 0, "network": 1, "spain": 2, "latin-america": 2}
    assert edge_triples(result) == {
        ("agency", "paccto:cooperatesWith", "network"),
        ("network", "paccto:cooperatesWith", "latin-america"),
        ("spain", "paccto:cooperatesWith", "network"),
    }


def test_unknown_relation_is_refused(small: Projection) -> None:
    with pytest.raises(PacctoError, match=r"No relationship is called 'funds'.*based in"):
        ego_network(small, iri("agency"), relations=["funds"])


# --- as of a date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (None, {"phase": 0, "spain": 1, "mexico": 1}),
        (date(2019, 12, 31), {"phase": 0, "spain": 1, "mexico": 1}),
        ("2019", {"phase": 0, "spain": 1, "mexico": 1}),  # a year means its last day
        (date(2020, 1, 1), {"phase": 0, "mexico": 1}),  # Spain's membership has expired
        ("2022-12", {"phase": 0, "mexico": 1}),
        (date(2023, 1, 1), {"phase": 0}),  # the phase itself has ended: shown alone
        (date(2017, 4, 14), {"phase": 0}),  # ... or not yet begun
    ],
)
def test_as_of_drops_expired_edges_and_entities(
    small: Projection, as_of: date | str | None, expected: dict[str, int]
) -> None:
    assert distances(ego_network(small, iri("phase"), as_of=as_of)) == expected


def test_entities_not_yet_founded_are_not_walked_through(small: Projection) -> None:
    # The network was founded in 2021: before, Latin America is out of the agency's reach.
    assert distances(ego_network(small, iri("agency"), depth=2, as_of=date(2019, 6, 1))) == {
        "agency": 0,
        "spain": 1,
        "phase": 2,
    }
    # Founded "2021" holds from its first day.
    assert ids(ego_network(small, iri("agency"), depth=2, as_of=date(2021, 1, 1))) == {
        "agency",
        "spain",
        "network",
        "latin-america",
    }


def test_invalid_as_of_is_refused(small: Projection) -> None:
    with pytest.raises(PacctoError, match="invalid date"):
        ego_network(small, iri("phase"), as_of="last year")


# --- the seed data -----------------------------------------------------------------------------

PHASE_1_BENEFICIARIES = {
    "argentina",
    "bolivia",
    "brazil",
    "chile",
    "colombia",
    "costa-rica",
    "cuba",
    "ecuador",
    "el-salvador",
    "guatemala",
    "honduras",
    "mexico",
    "nicaragua",
    "panama",
    "paraguay",
    "peru",
    "uruguay",
    "venezuela",
}


def test_clasi_neighbours_include_its_eu_counterparts(kg: KnowledgeGraph) -> None:
    result = ego_network(kg.projection, kg.index.resolve("CLASI"))
    assert {"cosi", "jha-council", "european-union", "latin-america", "phase-1"} <= ids(result)
    assert all(node.distance == 1 for node in result.nodes[1:])
    counterparts = {
        (edge.target, edge.relation, tuple(edge.documents))
        for edge in result.edges
        if edge.source == "clasi" and edge.key == "paccto:counterpartOf"
    }
    assert counterparts == {
        ("cosi", "counterpart of", ("src:doc-003",)),
        ("jha-council", "counterpart of", ("src:doc-003",)),
    }


def test_phase_1_countries_are_its_beneficiaries(kg: KnowledgeGraph) -> None:
    result = ego_network(kg.projection, kg.index.resolve("phase-1"), classes=["Country"])
    assert ids(result) - {"phase-1"} == PHASE_1_BENEFICIARIES
    roles = {edge.relation for edge in result.edges}
    assert roles == {"member of (beneficiary country)"}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2020", {"spain", "european-union"}),
        ("2024", {"spain", "european-union", "phase-2"}),
    ],
)
def test_spain_joins_phase_2_in_2023(kg: KnowledgeGraph, as_of: str, expected: set[str]) -> None:
    result = ego_network(
        kg.projection, kg.index.resolve("Spain"), relations=["member of"], as_of=as_of
    )
    assert ids(result) == expected
