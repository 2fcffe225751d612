"""The networkx projection: what becomes a node, an edge or an attribute, and that it agrees
with what SPARQL sees in the same loaded snapshot."""

from __future__ import annotations

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.sparql.query import run_query


def node(kg: KnowledgeGraph, local_id: str) -> dict:  # type: ignore[type-arg]
    return kg.projection.graph.nodes[str(kg.ids.entity(local_id))]


def test_memberships_collapse_into_one_edge_with_role_and_dates(kg: KnowledgeGraph) -> None:
    graph = kg.projection.graph
    spain, phase_2 = str(kg.ids.entity("spain")), str(kg.ids.entity("phase-2"))
    edges = graph.get_edge_data(spain, phase_2)
    assert list(edges) == ["org:memberOf/role-implementing-member-state"]
    edge = edges["org:memberOf/role-implementing-member-state"]
    assert edge["role"] == "Implementing EU member state"
    assert (edge["start"], edge["end"]) == ("2023-11", "2027-12")
    assert {s["document"] for s in edge["sources"]} == {"src:doc-004"}
    assert not any(iri.endswith("/membership-phase-2-spain-implementing-member-state")
                   for iri in graph)  # fmt: skip


def test_folded_nodes_are_not_nodes(kg: KnowledgeGraph) -> None:
    classes = {data["class"] for _iri, data in kg.projection.graph.nodes(data=True)}
    assert not classes & {
        "org:Membership", "paccto:Indicator", "paccto:Quotation", "time:ProperInterval",
        "paccto:Passage", "paccto:SourceDocument", "paccto:Measure", "org:Role",
    }  # fmt: skip


def test_literals_become_attributes(kg: KnowledgeGraph) -> None:
    phase_1 = node(kg, "phase-1")
    assert phase_1["budget_eur"] == 19_000_000
    assert (phase_1["start"], phase_1["end"]) == ("2017-04-15", "2022")
    assert node(kg, "mexico")["iso_code"] == "MX"
    assert node(kg, "clasi")["founding_date"] == "2022"
    members = [i for i in node(kg, "clasi")["indicators"] if i["measure"] == "Member countries"]
    assert members[0]["value"] == 10 and members[0]["date"] == "2022-05-31"
    assert len(members[0]["sources"]) == 1


def test_a_fact_stated_twice_is_one_edge_with_both_sources(kg: KnowledgeGraph) -> None:
    phase_1, clasi = str(kg.ids.entity("phase-1")), str(kg.ids.entity("clasi"))
    edge = kg.projection.graph.edges[phase_1, clasi, "paccto:helpedCreate"]
    assert edge["relation"] == "helped create"
    assert {s["document"] for s in edge["sources"]} == {"src:doc-000", "src:doc-004"}


def test_quotations_link_the_speaker(kg: KnowledgeGraph) -> None:
    graph = kg.projection.graph
    speaker = str(kg.ids.entity("anibal-fernandez"))
    relations = {(data["relation"], graph.nodes[v]["id"]) for _u, v, data in
                 graph.out_edges(speaker, data=True)}  # fmt: skip
    assert ("quoted speaking for", "argentina-ministry-security") in relations
    assert ("quoted at", "phase-1-results-event") in relations
    assert ("holds post", "post-minister-security-argentina") in relations


def test_every_sparql_relationship_between_nodes_is_an_edge(kg: KnowledgeGraph) -> None:
    """Same snapshot, same answers: each direct entity-to-entity fact SPARQL sees is an edge."""
    result = run_query(
        kg,
        """SELECT DISTINCT ?s ?p ?o WHERE {
             GRAPH ?g { ?s ?p ?o } ?g a paccto:Passage .
             FILTER(isIRI(?o) && ?p != dcterms:temporal)
           }""",
    )
    graph = kg.projection.graph

    def has_edge(s: str, p: str, o: str) -> bool:
        edges = graph.get_edge_data(s, o) or {}
        return any(data["predicate"] == p for data in edges.values())

    missing = [
        (str(s), str(p), str(o))
        for s, p, o in result.rows
        if str(s) in graph and str(o) in graph and not has_edge(str(s), str(p), str(o))
    ]
    assert missing == []
    assert len(result.rows) > 300


def test_the_projection_is_built_once_per_loaded_graph(kg: KnowledgeGraph) -> None:
    assert kg.projection is kg.projection
    assert kg.index is kg.index
