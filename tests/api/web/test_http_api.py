"""The JSON API under /api, through real HTTP requests on the app around the seed graph.

Answers are checked against known facts of the seeds (the same ones the graph and command-line
tests rely on); each query option is shown to change the answer; bad parameters are shown to
give problem documents that name the parameter; and the OpenAPI document is checked to
describe every route, its parameters, its 200 model and its problem responses.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
ENTITIES_IN_SEEDS = 147

Params = dict[str, Any]


def get_json(client: TestClient, url: str, params: Params | None = None) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def get_problem(client: TestClient, url: str, params: Params | None, status: int) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    return body


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


# --- entities: search, list, describe ----------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "matched"),
    [
        ("CLASI", "clasi"),
        (
            "Comité Latinoamericano de Seguridad Interior",
            "Comité Latinoamericano de Seguridad Interior",
        ),
        (
            "comite latinoamericano de seguridad interior",
            "Comité Latinoamericano de Seguridad Interior",
        ),
        (
            "Latin American Committee for Internal Security",
            "Latin American Committee for Internal Security",
        ),
    ],
)
def test_search_finds_clasi_by_acronym_and_by_name(
    client: TestClient, q: str, matched: str
) -> None:
    found = get_json(client, "/api/entities", {"q": q})
    best = found["items"][0]
    assert (best["id"], best["class"], best["class_label"]) == (
        "clasi",
        "paccto:Committee",
        "Committee",
    )
    assert (best["matched"], best["score"]) == (matched, 100.0)
    assert found["query"] == q


def test_search_ranks_best_first_and_pages(client: TestClient) -> None:
    everything = get_json(client, "/api/entities", {"q": "prison", "limit": 200})
    scores = [item["score"] for item in everything["items"]]
    assert everything["items"][0]["id"] == "component-prisons"
    assert scores == sorted(scores, reverse=True)
    assert everything["total"] == len(everything["items"]) > 3
    page = get_json(client, "/api/entities", {"q": "prison", "limit": 2, "offset": 1})
    assert (page["total"], page["limit"], page["offset"]) == (everything["total"], 2, 1)
    assert page["items"] == everything["items"][1:3]


def test_search_and_list_filter_by_class(client: TestClient) -> None:
    unfiltered = get_json(client, "/api/entities", {"q": "e", "limit": 200})
    countries = get_json(client, "/api/entities", {"q": "e", "class": "country", "limit": 200})
    assert countries["classes"] == ["paccto:Country"]
    assert {item["class"] for item in countries["items"]} == {"paccto:Country"}
    assert 0 < countries["total"] < unfiltered["total"]
    listed = get_json(
        client, "/api/entities", {"class": ["Country", "paccto:Region"], "limit": 200}
    )
    assert {item["class_label"] for item in listed["items"]} == {"Country", "Region"}
    assert "spain" in ids(listed["items"]) and "latin-america" in ids(listed["items"])


def test_list_without_q_gives_every_entity_by_label(client: TestClient) -> None:
    listed = get_json(client, "/api/entities", {"limit": 200})
    labels = [item["label"].casefold() for item in listed["items"]]
    assert listed["total"] == len(listed["items"]) == ENTITIES_IN_SEEDS
    assert labels == sorted(labels)
    assert listed["query"] is None
    assert all(item["score"] is None and item["matched"] is None for item in listed["items"])
    second_page = get_json(client, "/api/entities", {"limit": 50, "offset": 50})
    assert second_page["items"] == listed["items"][50:100]


@pytest.mark.parametrize(
    "name",
    [
        "CLASI",
        "clasi",
        "id:clasi",
        "Comité Latinoamericano de Seguridad Interior",
        "comite latinoamericano de seguridad interior",
    ],
)
def test_entity_by_any_of_its_names(client: TestClient, name: str) -> None:
    entity = get_json(client, f"/api/entities/{name}")
    assert entity["id"] == "clasi"
    assert entity["iri"] == "https://w3id.org/paccto-graph/id/clasi"
    assert entity["labels"]["es"] == "Comité Latinoamericano de Seguridad Interior"
    assert "CLASI" in entity["aliases"]
    assert (entity["class"], entity["class_label"]) == ("paccto:Committee", "Committee")


def test_entity_facts_carry_their_sources(client: TestClient) -> None:
    entity = get_json(client, "/api/entities/CLASI")
    counterparts = {
        (fact["other"], fact["direction"], fact["documents"][0]["document"])
        for fact in entity["facts"]
        if fact["key"] == "paccto:counterpartOf"
    }
    assert counterparts == {("cosi", "out", "src:doc-003"), ("jha-council", "out", "src:doc-003")}
    for fact in entity["facts"]:
        assert fact["documents"], fact
        for citation in fact["documents"]:
            assert citation["file"] and 0 <= citation["start"] < citation["end"]
    directions = [fact["direction"] for fact in entity["facts"]]
    assert directions == sorted(directions, key=lambda d: d != "out")  # outgoing first


def test_entity_figures_and_attributes(client: TestClient) -> None:
    phase = get_json(client, "/api/entities/phase 1")
    assert phase["id"] == "phase-1"
    assert phase["attributes"]["budget_eur"] == 19_000_000
    assert phase["indicators"] and all(item["sources"] for item in phase["indicators"])


NAME_ROUTES = [
    ("/api/entities/{}", {}),
    ("/api/entities/{}/neighbours", {}),
    ("/api/entities/{}/members", {}),
    ("/api/entities/{}/memberships", {}),
    ("/api/paths", {"source": "Spain", "target": "{}"}),
    ("/api/paths", {"source": "Spain", "target": "CLASI", "avoid": "{}"}),
    ("/api/common", {"first": "{}", "second": "Spain"}),
]


def _fill(url: str, params: Params, name: str) -> tuple[str, Params]:
    return url.format(name), {key: value.format(name) for key, value in params.items()}


@pytest.mark.parametrize(("url", "params"), NAME_ROUTES)
def test_unknown_entity_is_404_with_suggestions(
    client: TestClient, url: str, params: Params
) -> None:
    body = get_problem(client, *_fill(url, params, "Europoll"), 404)
    assert body["type"] == "/problems#unknown-entity"
    assert body["suggestions"][0] == "europol"
    assert "Europoll" in body["detail"]


@pytest.mark.parametrize(("url", "params"), NAME_ROUTES)
def test_ambiguous_name_is_409_with_candidates(
    client: TestClient, url: str, params: Params
) -> None:
    name = "justice and security policy cycles"
    body = get_problem(client, *_fill(url, params, name), 409)
    assert body["type"] == "/problems#ambiguous-entity"
    assert [c.split(" ")[0] for c in body["candidates"]] == [
        "justice-policy-cycle",
        "security-policy-cycle",
    ]


# --- neighbours --------------------------------------------------------------------------------


def test_neighbours_of_clasi_include_its_eu_counterparts(client: TestClient) -> None:
    found = get_json(client, "/api/entities/CLASI/neighbours")
    assert found["nodes"][0] == {
        "id": "clasi",
        "iri": "https://w3id.org/paccto-graph/id/clasi",
        "label": "Latin American Committee for Internal Security",
        "class": "paccto:Committee",
        "class_label": "Committee",
        "distance": 0,
    }
    assert {"cosi", "jha-council", "european-union", "latin-america", "phase-1"} <= set(
        ids(found["nodes"])
    )
    assert {node["distance"] for node in found["nodes"][1:]} == {1}
    counterparts = {
        (edge["target"], tuple(edge["documents"]))
        for edge in found["edges"]
        if edge["source"] == "clasi" and edge["key"] == "paccto:counterpartOf"
    }
    assert counterparts == {("cosi", ("src:doc-003",)), ("jha-council", ("src:doc-003",))}


def test_neighbours_depth_reaches_further(client: TestClient) -> None:
    sizes = []
    for depth in (1, 2, 3):
        found = get_json(client, "/api/entities/CLASI/neighbours", {"depth": depth})
        assert found["depth"] == depth
        assert max(node["distance"] for node in found["nodes"]) == depth
        sizes.append(len(found["nodes"]))
    assert sizes == sorted(set(sizes))


def test_neighbours_class_filter_shows_only_that_class(client: TestClient) -> None:
    found = get_json(
        client, "/api/entities/Paso Canoas centre/neighbours", {"depth": 2, "class": "Country"}
    )
    nodes = found["nodes"]
    assert found["classes"] == ["paccto:Country"]
    assert {node["id"] for node in nodes if node["distance"] == 1} == {"costa-rica", "panama"}
    assert {node["class_label"] for node in nodes[1:]} == {"Country"}
    assert {node["distance"] for node in nodes[1:]} == {1, 2}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, None),
        ({"relation": "member of"}, {"spain", "european-union", "phase-2"}),
        ({"relation": "member of", "as_of": "2020"}, {"spain", "european-union"}),
        ({"relation": "member of", "as_of": "2024-01"}, {"spain", "european-union", "phase-2"}),
    ],
)
def test_neighbours_relation_and_as_of_limit_the_walk(
    client: TestClient, params: Params, expected: set[str] | None
) -> None:
    found = get_json(client, "/api/entities/Spain/neighbours", params)
    if expected is None:  # unfiltered: more than memberships
        assert len(found["nodes"]) > 3
    else:
        assert set(ids(found["nodes"])) == expected
        assert {edge["relation"].split(" (")[0] for edge in found["edges"]} == {"member of"}
    assert found["as_of"] == {"2020": "2020-12-31", "2024-01": "2024-01-31"}.get(
        params.get("as_of", "")
    )


# --- memberships -------------------------------------------------------------------------------


def members(client: TestClient, name: str, **params: Any) -> Any:
    return get_json(client, f"/api/entities/{name}/members", params)


def test_members_by_role(client: TestClient) -> None:
    found = members(client, "EL PAcCTO 2.0", role="implementing EU member state")
    assert found["organisation"]["id"] == "phase-2"
    assert [m["member"] for m in found["members"]] == [
        "france",
        "italy",
        "netherlands",
        "portugal",
        "spain",
    ]
    assert {(m["start"], m["end"]) for m in found["members"]} == {("2023-11", "2027-12")}
    assert {m["documents"][0]["document"] for m in found["members"]} == {"src:doc-004"}
    assert found["total"] == 5 < members(client, "phase-2")["total"]


@pytest.mark.parametrize(
    ("organisation", "as_of", "holds"),
    [
        ("phase-1", "2020", True),
        ("phase-1", "2023", False),
        ("phase-2", "2020", False),
        ("phase-2", "2024-06-30", True),
    ],
)
def test_members_as_of_keeps_memberships_valid_that_day(
    client: TestClient, organisation: str, as_of: str, holds: bool
) -> None:
    every = members(client, organisation)["members"]
    found = members(client, organisation, as_of=as_of)
    assert every
    assert found["members"] == (every if holds else [])


def test_members_transitive_go_through_sub_organisations(client: TestClient) -> None:
    direct = members(client, "European Commission")
    transitive = members(client, "European Commission", transitive=True)
    assert (direct["total"], direct["transitive"]) == (0, False)
    assert [(m["member"], m["via"]) for m in transitive["members"]] == [
        ("jorge-de-la-caballeria", ["dg-intpa"])
    ]


def test_members_by_phase(client: TestClient) -> None:
    found = members(client, "EL PAcCTO", by_phase=True)
    assert found["organisation"]["id"] == "el-paccto"
    assert [phase["phase"] for phase in found["phases"]] == ["phase-1", "phase-2"]
    for phase in found["phases"]:
        assert phase["members"] == members(client, phase["phase"])["members"]
    assert found["members"] == [m for phase in found["phases"] for m in phase["members"]]
    assert members(client, "EL PAcCTO")["phases"] is None


def test_members_by_phase_of_something_without_phases_is_400(client: TestClient) -> None:
    body = get_problem(client, "/api/entities/Spain/members", {"by_phase": True}, 400)
    assert "has no phases" in body["detail"]


def test_memberships_as_of_a_date(client: TestClient) -> None:
    now = get_json(client, "/api/entities/Spain/memberships")
    before = get_json(client, "/api/entities/Spain/memberships", {"as_of": "2020"})
    assert now["member"]["id"] == "spain" and now["as_of"] is None
    assert ("phase-2", "Implementing EU member state") in {
        (m["organisation"], m["role"]) for m in now["memberships"]
    }
    assert "phase-2" not in {m["organisation"] for m in before["memberships"]}
    assert before["as_of"] == "2020-12-31"
    assert before["total"] == len(before["memberships"]) < now["total"]


def test_common_memberships(client: TestClient) -> None:
    shared = get_json(client, "/api/common", {"first": "Costa Rica", "second": "Panamá"})
    assert (shared["first"]["id"], shared["second"]["id"]) == ("costa-rica", "panama")
    assert [item["organisation"] for item in shared["items"]] == ["phase-1"]
    item = shared["items"][0]
    assert (item["first"]["member"], item["second"]["member"]) == ("costa-rica", "panama")
    later = get_json(
        client, "/api/common", {"first": "Costa Rica", "second": "Panamá", "as_of": "2024"}
    )
    assert later["items"] == []


def test_common_with_itself_is_400(client: TestClient) -> None:
    body = get_problem(client, "/api/common", {"first": "Spain", "second": "España"}, 400)
    assert "same entity" in body["detail"]


# --- paths -------------------------------------------------------------------------------------


def path_ids(found: dict[str, Any]) -> list[list[str]]:
    return [ids(path["entities"]) for path in found["paths"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "Costa Rica", "target": "Panamá"}, ["costa-rica", "latin-america", "panama"]),
        (
            {"source": "Costa Rica", "target": "Panamá", "avoid_hubs": True},
            ["costa-rica", "paso-canoas-centre", "panama"],
        ),
        ({"source": "Spain", "target": "CLASI"}, ["spain", "european-union", "clasi"]),
        (
            {"source": "Spain", "target": "CLASI", "avoid": "European Union"},
            ["spain", "fiiapp", "phase-1", "clasi"],
        ),
        (
            {"source": "Spain", "target": "CLASI", "avoid_class": "Bloc"},
            ["spain", "fiiapp", "phase-1", "clasi"],
        ),
        ({"source": "Spain", "target": "Argentina"}, ["spain", "fiiapp", "phase-1", "argentina"]),
        (
            {"source": "Spain", "target": "Argentina", "avoid_relation": "member of"},
            [
                "spain",
                "spain-ministry-foreign-affairs",
                "phase-1-results-event",
                "anibal-fernandez",
                "argentina-ministry-security",
                "argentina",
            ],
        ),
        ({"source": "Spain", "target": "phase 2"}, ["spain", "phase-2"]),
        (
            {"source": "Spain", "target": "phase 2", "as_of": "2020"},
            ["spain", "european-union", "phase-2"],
        ),
        (
            {"source": "Spain", "target": "CLASI", "relation": ["member of", "cooperates with"]},
            ["spain", "european-union", "clasi"],
        ),
    ],
)
def test_path_options_change_the_path(
    client: TestClient, params: Params, expected: list[str]
) -> None:
    found = get_json(client, "/api/paths", params)
    assert path_ids(found) == [expected]
    path = found["paths"][0]
    assert path["length"] == len(path["steps"]) == len(expected) - 1
    assert path["hubs"] == [
        e for e in expected[1:-1] if e in {"latin-america", "european-union", "phase-1", "phase-2"}
    ]
    assert (found["source"]["id"], found["target"]["id"]) == (expected[0], expected[-1])


def test_path_steps_explain_each_link_with_its_source(client: TestClient) -> None:
    found = get_json(
        client, "/api/paths", {"source": "Costa Rica", "target": "Panama", "avoid_hubs": True}
    )
    first, second = found["paths"][0]["steps"]
    assert (first["source"], first["target"]) == ("costa-rica", "paso-canoas-centre")
    link = first["links"][0]
    assert (link["relation"], link["direction"]) == ("connects", "backward")
    assert second["links"][0]["direction"] == "forward"
    assert link["documents"][0] == {
        "document": "src:doc-000",
        "file": "000_dc3e390db01e9698.txt",
        "start": 4307,
        "end": 4544,
    }


def test_path_membership_links_carry_role_and_dates(client: TestClient) -> None:
    found = get_json(
        client, "/api/paths", {"source": "Spain", "target": "phase 2", "relation": "member of"}
    )
    link = found["paths"][0]["steps"][0]["links"][0]
    assert link["relation"] == "member of (implementing eu member state)"
    assert (link["start"], link["end"]) == ("2023-11", "2027-12")


def test_k_alternative_paths(client: TestClient) -> None:
    params = {"source": "Spain", "target": "CLASI", "k": 3, "avoid_hubs": True}
    found = get_json(client, "/api/paths", params)
    lengths = [path["length"] for path in found["paths"]]
    assert found["total"] == len(found["paths"]) == 3
    assert lengths == sorted(lengths)
    assert all(path["hubs"] == [] for path in found["paths"])
    assert len({tuple(p) for p in path_ids(found)}) == 3


def test_all_shortest_paths(client: TestClient) -> None:
    found = get_json(
        client, "/api/paths", {"source": "Costa Rica", "target": "Panamá", "all": True}
    )
    assert ["costa-rica", "paso-canoas-centre", "panama"] in path_ids(found)
    assert ["costa-rica", "latin-america", "panama"] in path_ids(found)
    assert found["total"] > 2 and {path["length"] for path in found["paths"]} == {2}


@pytest.mark.parametrize(
    "params",
    [
        {"source": "Costa Rica", "target": "Panama", "max_length": 1},
        {"source": "Spain", "target": "Argentina", "relation": "counterpart of"},
    ],
)
def test_no_path_under_the_options_is_404(client: TestClient, params: Params) -> None:
    body = get_problem(client, "/api/paths", params, 404)
    assert body["type"] == "/problems#no-path"
    assert body["detail"].startswith("no path between")


def test_path_to_itself_is_400(client: TestClient) -> None:
    body = get_problem(client, "/api/paths", {"source": "Spain", "target": "España"}, 400)
    assert "same entity" in body["detail"]


# --- analytics ---------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["degree", "betweenness", "brokerage"])
def test_rank_puts_phase_1_first(client: TestClient, by: str) -> None:
    found = get_json(client, "/api/rank", {"by": by, "top": 5})
    items = found["items"]
    assert found["by"] == by
    assert len(items) == 5 and items[0]["id"] == "phase-1"
    assert [item["score"] for item in items] == sorted((i["score"] for i in items), reverse=True)
    assert [item["rank"] for item in items] == sorted(item["rank"] for item in items)


def test_rank_measures_differ_and_top_cuts(client: TestClient) -> None:
    rankings = {
        by: get_json(client, "/api/rank", {"by": by, "top": 20})["items"]
        for by in ("degree", "betweenness", "brokerage")
    }
    scores = {by: tuple(item["score"] for item in items) for by, items in rankings.items()}
    assert len(set(scores.values())) == 3
    # brokerage counts only paths between the two sides, so it is far below betweenness
    assert scores["brokerage"][0] < scores["betweenness"][0] / 10
    assert len(get_json(client, "/api/rank")["items"]) == 20  # the CLI's default
    assert get_json(client, "/api/rank", {"top": 3})["items"] == rankings["degree"][:3]


def test_rank_within_a_class(client: TestClient) -> None:
    found = get_json(client, "/api/rank", {"class": "Country", "top": 1000})
    assert found["classes"] == ["paccto:Country"]
    assert {item["class"] for item in found["items"]} == {"paccto:Country"}
    assert len(found["items"]) == 23
    sides = {item["id"]: item["side"] for item in found["items"]}
    assert (sides["spain"], sides["argentina"]) == ("EU", "LAC")


def test_communities_cover_every_entity_and_depend_on_the_seed(client: TestClient) -> None:
    found = get_json(client, "/api/communities")
    assert found["seed"] == 42 and found["total"] == len(found["communities"])
    assert sum(group["size"] for group in found["communities"]) == ENTITIES_IN_SEEDS
    assert all(group["size"] == len(group["members"]) for group in found["communities"])
    assert get_json(client, "/api/communities", {"seed": 42}) == found
    assert get_json(client, "/api/communities", {"seed": 0})["communities"] != found["communities"]


def test_bridges(client: TestClient) -> None:
    found = get_json(client, "/api/bridges")
    assert ("clasi", "cosi") in {(link["source"], link["target"]) for link in found["links"]}
    assert all(
        {link["source_side"], link["target_side"]} == {"EU", "LAC"} for link in found["links"]
    )
    assert all(e["eu_neighbours"] and e["lac_neighbours"] for e in found["entities"])
    assert "clasi" in ids(found["entities"])


# --- statistics and sources --------------------------------------------------------------------


def test_sources_list_every_registered_document(client: TestClient) -> None:
    found = get_json(client, "/api/sources")
    assert found["total"] == 5
    assert ids(found["items"]) == ["doc-000", "doc-001", "doc-002", "doc-003", "doc-004"]
    doc = found["items"][3]
    assert doc == {
        "id": "doc-003",
        "curie": "src:doc-003",
        "iri": "https://w3id.org/paccto-graph/source/doc-003",
        "label": "Source document 003",
        "title": "EL PAcCTO news: EU\u2013Latin America high-level meeting on security, justice "
        "and prisons",
        "language": "en",
        "file_name": "003_c1af3d0165c45628.txt",
        "sha256": "dcc5d6133e7195fa44571b2f48f4b285fc3eba806fb40b6bafeadfef8e9bd5cf",
        "character_count": 6502,
        "issued": "2022-05-31",
        "publisher": "el-paccto",
        "publisher_label": "EL PAcCTO",
        "fact_count": doc["fact_count"],
        "passage_count": doc["passage_count"],
    }
    assert found["items"][1]["publisher"] is None  # doc-001 names no publisher


def test_sources_agree_with_statistics(client: TestClient) -> None:
    statistics = get_json(client, "/api/statistics")
    documents = get_json(client, "/api/sources")["items"]
    assert statistics["sources"] == len(documents)
    assert statistics["passages"] == sum(d["passage_count"] for d in documents)
    assert statistics["facts_per_source"] == {d["curie"]: d["fact_count"] for d in documents}
    assert statistics["entities_per_class"]["paccto:Country"] == 23


@pytest.mark.parametrize("name", ["doc-003", "src:doc-003", "DOC-003"])
def test_one_source_with_its_passages(client: TestClient, name: str) -> None:
    doc = get_json(client, f"/api/sources/{name}")
    passages = doc["passages"]
    assert doc["id"] == "doc-003"
    assert doc["passage_count"] == len(passages) > 0
    assert [p["start"] for p in passages] == sorted(p["start"] for p in passages)
    assert all(0 <= p["start"] < p["end"] <= doc["character_count"] for p in passages)
    assert all(
        p["iri"].startswith("https://w3id.org/paccto-graph/passage/doc-003/") for p in passages
    )
    assert (
        max(p["fact_count"] for p in passages)
        <= doc["fact_count"]
        <= sum(p["fact_count"] for p in passages)
    )


def test_every_citation_leads_to_a_registered_passage(client: TestClient) -> None:
    entity = get_json(client, "/api/entities/CLASI")
    citations = {
        (c["document"], c["start"], c["end"]) for f in entity["facts"] for c in f["documents"]
    }
    for document, start, end in citations:
        passages = get_json(client, f"/api/sources/{document}")["passages"]
        assert (start, end) in {(p["start"], p["end"]) for p in passages}


def test_unknown_source_is_404_with_suggestions(client: TestClient) -> None:
    body = get_problem(client, "/api/sources/doc-03", None, 404)
    assert body["type"] == "/problems#not-found"
    assert body["suggestions"][0] == "doc-003"
    assert "doc-03" in body["detail"]


# --- invalid parameters ------------------------------------------------------------------------

ROUTES_WITH_AS_OF = [
    ("/api/entities/CLASI/neighbours", {}),
    ("/api/entities/phase-2/members", {}),
    ("/api/entities/Spain/memberships", {}),
    ("/api/common", {"first": "Spain", "second": "Italy"}),
    ("/api/paths", {"source": "Spain", "target": "CLASI"}),
]


@pytest.mark.parametrize("as_of", ["2023-13-01", "2023-02-30", "last year", "23", ""])
@pytest.mark.parametrize(("url", "params"), ROUTES_WITH_AS_OF)
def test_malformed_as_of_is_422_naming_it(
    client: TestClient, url: str, params: Params, as_of: str
) -> None:
    body = get_problem(client, url, {**params, "as_of": as_of}, 422)
    assert body["type"] == "/problems#invalid-parameters"
    assert [error["location"] for error in body["errors"]] == ["query.as_of"]
    assert "YYYY-MM-DD" in body["detail"]


@pytest.mark.parametrize(
    ("url", "params", "location"),
    [
        ("/api/entities", {"limit": 0}, "query.limit"),
        ("/api/entities", {"limit": 201}, "query.limit"),
        ("/api/entities", {"offset": -1}, "query.offset"),
        ("/api/entities", {"q": ""}, "query.q"),
        ("/api/entities", {"class": "Nonsense"}, "query.class"),
        ("/api/entities", {"class": ["Country", ""]}, "query.class.1"),
        ("/api/entities/CLASI/neighbours", {"relation": ""}, "query.relation.0"),
        ("/api/paths", {"source": "Spain", "target": "CLASI", "avoid": ""}, "query.avoid.0"),
        ("/api/paths", {"source": "Spain", "target": "", "avoid": "x"}, "query.target"),
        ("/api/entities/CLASI/neighbours", {"depth": 0}, "query.depth"),
        ("/api/entities/CLASI/neighbours", {"depth": 4}, "query.depth"),
        ("/api/entities/CLASI/neighbours", {"depth": "two"}, "query.depth"),
        ("/api/entities/CLASI/neighbours", {"class": "Nonsense"}, "query.class"),
        ("/api/entities/CLASI/neighbours", {"relation": "nonsense"}, "query.relation"),
        ("/api/entities/phase-2/members", {"transitive": "perhaps"}, "query.transitive"),
        ("/api/entities/el-paccto/members", {"by_phase": True, "role": "x"}, "query.by_phase"),
        (
            "/api/entities/el-paccto/members",
            {"by_phase": True, "transitive": True},
            "query.by_phase",
        ),
        ("/api/common", {"first": "Spain"}, "query.second"),
        ("/api/paths", {"source": "Spain"}, "query.target"),
        ("/api/paths", {"source": "Spain", "target": "CLASI", "k": 0}, "query.k"),
        ("/api/paths", {"source": "Spain", "target": "CLASI", "k": 51}, "query.k"),
        ("/api/paths", {"source": "Spain", "target": "CLASI", "max_length": 0}, "query.max_length"),
        (
            "/api/paths",
            {"source": "Spain", "target": "CLASI", "max_length": 13},
            "query.max_length",
        ),
        (
            "/api/paths",
            {"source": "Spain", "target": "CLASI", "avoid_hubs": "maybe"},
            "query.avoid_hubs",
        ),
        (
            "/api/paths",
            {"source": "Spain", "target": "CLASI", "avoid_class": "Nonsense"},
            "query.avoid_class",
        ),
        (
            "/api/paths",
            {"source": "Spain", "target": "CLASI", "relation": "nonsense"},
            "query.relation",
        ),
        (
            "/api/paths",
            {"source": "Spain", "target": "CLASI", "avoid_relation": "x"},
            "query.avoid_relation",
        ),
        ("/api/paths", {"source": "Spain", "target": "CLASI", "k": 2, "all": True}, "query.all"),
        ("/api/rank", {"top": 0}, "query.top"),
        ("/api/rank", {"top": 1001}, "query.top"),
        ("/api/rank", {"by": "popularity"}, "query.by"),
        ("/api/rank", {"class": "Nonsense"}, "query.class"),
        ("/api/rank", {"by": "brokerage", "class": "Country"}, "query.class"),
        ("/api/communities", {"seed": -1}, "query.seed"),
        ("/api/communities", {"seed": "abc"}, "query.seed"),
    ],
)
def test_bad_parameter_values_are_422_naming_the_parameter(
    client: TestClient, url: str, params: Params, location: str
) -> None:
    body = get_problem(client, url, params, 422)
    assert body["type"] == "/problems#invalid-parameters"
    assert location in [error["location"] for error in body["errors"]]
    assert location in body["detail"]


def test_unknown_class_problem_lists_the_classes(client: TestClient) -> None:
    body = get_problem(client, "/api/entities", {"class": "Nonsense"}, 422)
    assert "Classes in the graph:" in body["detail"] and "Country" in body["detail"]


# --- the OpenAPI document ----------------------------------------------------------------------

ROUTES = {
    "/api/entities": ("EntityListOut", {422}, {"q", "class", "limit", "offset"}),
    "/api/entities/{name}": ("EntityOut", {404, 409, 422}, {"name"}),
    "/api/entities/{name}/neighbours": (
        "NeighbourhoodOut",
        {404, 409, 422},
        {"name", "depth", "class", "relation", "as_of"},
    ),
    "/api/entities/{name}/members": (
        "MembersOut",
        {400, 404, 409, 422},
        {"name", "transitive", "role", "by_phase", "as_of"},
    ),
    "/api/entities/{name}/memberships": ("MembershipsOut", {404, 409, 422}, {"name", "as_of"}),
    "/api/common": ("CommonOut", {400, 404, 409, 422}, {"first", "second", "as_of"}),
    "/api/paths": (
        "PathsOut",
        {400, 404, 409, 422},
        {
            "source",
            "target",
            "k",
            "all",
            "relation",
            "avoid_relation",
            "avoid",
            "avoid_class",
            "avoid_hubs",
            "max_length",
            "as_of",
        },
    ),
    "/api/rank": ("RankingOut", {422}, {"by", "top", "class"}),
    "/api/communities": ("CommunitiesOut", {422}, {"seed"}),
    "/api/bridges": ("BridgesOut", set(), set()),
    "/api/statistics": ("StatisticsOut", set(), set()),
    "/api/sources": ("SourcesOut", set(), set()),
    "/api/sources/{id}": ("SourceOut", {404, 422}, {"id"}),
}


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> Any:
    return get_json(client, "/openapi.json")


def test_openapi_lists_exactly_the_api_routes(openapi: Any) -> None:
    assert {path for path in openapi["paths"] if path.startswith("/api/")} == set(ROUTES)


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_openapi_declares_model_problems_and_parameters(openapi: Any, path: str) -> None:
    model, problems, parameters = ROUTES[path]
    operation = openapi["paths"][path]["get"]
    responses = operation["responses"]
    schema = responses["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": f"#/components/schemas/{model}"}
    assert {int(status) for status in responses} - {200} == problems
    for status in problems:
        content = responses[str(status)]["content"]
        assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert {parameter["name"] for parameter in operation.get("parameters", [])} == parameters
    assert all(parameter.get("description") for parameter in operation.get("parameters", []))
    assert operation["summary"] and operation["description"] and operation["tags"]


@pytest.mark.parametrize(
    ("path", "name", "bounds"),
    [
        ("/api/entities/{name}/neighbours", "depth", (1, 3)),
        ("/api/paths", "k", (1, 50)),
        ("/api/paths", "max_length", (1, 12)),
        ("/api/rank", "top", (1, 1000)),
        ("/api/entities", "limit", (1, 200)),
    ],
)
def test_openapi_states_the_cli_bounds(
    openapi: Any, path: str, name: str, bounds: tuple[int, int]
) -> None:
    parameter = next(p for p in openapi["paths"][path]["get"]["parameters"] if p["name"] == name)
    schema = parameter["schema"]
    options = schema.get("anyOf", [schema])
    number = next(option for option in options if option.get("type") == "integer")
    assert (number["minimum"], number["maximum"]) == bounds


def test_openapi_models_use_class_as_the_json_name(openapi: Any) -> None:
    schemas = openapi["components"]["schemas"]
    for model in ("EntityRefOut", "EntityOut", "NeighbourOut", "RankedEntityOut"):
        assert "class" in schemas[model]["properties"] and "cls" not in schemas[model]["properties"]
