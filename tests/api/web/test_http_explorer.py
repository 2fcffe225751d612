"""The explorer's pages over HTTP: content, errors as pages, escaping, and no outside address."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from paccto.api.web.app import create_app
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.membership import members_of
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query import run_query
from paccto.graph.sparql.stored_queries import stored_queries, stored_query

HOSTILE = Path(__file__).resolve().parents[2] / "fixtures" / "views" / "hostile.ttl"
CLASI_LABEL = "Latin American Committee for Internal Security"
HTML = "text/html; charset=utf-8"


@pytest.fixture(scope="module")
def hostile_kg() -> KnowledgeGraph:
    settings = get_settings(require_provenance=False)
    return load_knowledge_graph(settings, [HOSTILE])


@pytest.fixture(scope="module")
def hostile_client(hostile_kg: KnowledgeGraph) -> Iterator[TestClient]:
    """The seeds plus labels written to break a page; with its lifespan, for SPARQL pages."""
    settings = get_settings(require_provenance=False, sparql_workers=1)
    with TestClient(create_app(hostile_kg, settings)) as test_client:
        yield test_client


def page(client: TestClient, url: str, status: int = 200, **params: object) -> str:
    response = client.get(url, params=params or None)  # type: ignore[arg-type]
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"] == HTML
    return response.text


class _Page(HTMLParser):
    """Every element's attributes, and the text of inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script" and "src" not in dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def parsed(text: str) -> _Page:
    parser = _Page()
    parser.feed(text)
    return parser


def links(text: str, tag: str = "a", attribute: str = "href") -> list[str]:
    return [attrs[attribute] or "" for name, attrs in parsed(text).elements
            if name == tag and attrs.get(attribute) is not None]  # fmt: skip


# --- each page ---------------------------------------------------------------------------------


def test_home_page_searches_finds_paths_and_lists_networks(client: TestClient) -> None:
    text = page(client, "/")
    assert 'action="/explore/search"' in text and 'data-suggest="open"' in text
    assert 'action="/explore/path"' in text
    for field in ("source", "target", "k", "all", "relation", "avoid_relation", "avoid",
                  "avoid_class", "avoid_hubs", "max_length", "as_of"):  # fmt: skip
        assert f'name="{field}"' in text, field
    assert '<option value="member of">member of</option>' in text
    assert '<option value="Country">Country</option>' in text
    hrefs = links(text)
    assert "/explore/members/phase-1" in hrefs and "/explore/members/european-union" in hrefs
    # The European Commission has members only through a sub-organisation.
    assert "/explore/members/european-commission?transitive=true" in hrefs
    for target in ("/explore/sparql", "/docs", "/openapi.json", "/sparql", "/problems",
                   "/export?format=trig", "/view/graph"):  # fmt: skip
        assert target in hrefs, target
    examples = [href for href in hrefs if href.startswith(("/api/", "/id/"))]
    assert len(examples) >= 4
    for href in examples:  # the API examples answer
        assert client.get(href).status_code == 200, href
    assert re.search(r"\d+ entities · \d+ relationships", text)
    assert links(text, "script", "src") == ["/static/explorer.js"]
    assert links(text, "link") == ["/static/explorer.css"]


def test_pages_carry_a_content_security_policy(client: TestClient) -> None:
    for url in ("/", "/explore/entity/clasi", "/explore/path", "/explore/sparql"):
        policy = client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy


def test_static_files_are_served(client: TestClient) -> None:
    script = client.get("/static/explorer.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "innerHTML" not in script.text and "textContent" in script.text
    assert client.get("/static/explorer.css").headers["content-type"].startswith("text/css")


def test_search_page_lists_matches_and_filters_by_class(client: TestClient) -> None:
    text = page(client, "/explore/search", q="clas")
    assert "/explore/entity/clasi" in links(text)
    countries = page(client, "/explore/search", q="a", **{"class": "Country"})
    found = [href for href in links(countries) if href.startswith("/explore/entity/")]
    assert "/explore/entity/argentina" in found and "/explore/entity/clasi" not in found
    assert '<option value="Country" selected>' in countries
    assert "Nothing answers" in page(client, "/explore/search", q="zzzzqqq")


def test_search_with_an_unknown_class_is_422_with_the_form(client: TestClient) -> None:
    text = page(client, "/explore/search", 422, q="a", **{"class": "Nope"})
    assert "Classes in the graph" in text and 'value="a"' in text


def test_entity_page_shows_facts_with_their_passages(client: TestClient) -> None:
    text = page(client, "/explore/entity/CLASI")
    assert f"<h1>{CLASI_LABEL}</h1>" in text
    assert "Comité Latinoamericano de Seguridad Interior" in text  # another name
    hrefs = links(text)
    passages = sorted({href for href in hrefs if href.startswith("/passage/")})
    assert "/passage/doc-004/5015-5421" in passages
    entity = client.get("/api/entities/clasi").json()
    assert text.count('<td class="relation"') == len(entity["facts"])
    for fact in entity["facts"]:
        assert f"/explore/entity/{fact['other']}" in hrefs
    for passage in passages:  # every source cited opens its passage
        assert client.get(passage).status_code == 200, passage
    assert "/view/entity/clasi" in hrefs and "/id/clasi" in hrefs
    assert links(text, "iframe", "src") == ["/view/entity/clasi/embed?depth=1"]


def test_entity_page_memberships_members_and_neighbours(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    spain = page(client, "/explore/entity/spain")
    assert 'id="memberships"' in spain and "/explore/entity/phase-2" in links(spain)
    phase = page(client, "/explore/entity/phase-2")
    hrefs = links(phase)
    assert "/explore/members/phase-2" in hrefs
    for record in members_of(kg, "phase-2", transitive=True):
        assert f"/explore/entity/{record.member}" in hrefs
    neighbours = client.get("/api/entities/phase-2/neighbours").json()["nodes"]
    section = phase.split('id="neighbours"', 1)[1]
    for node in neighbours[1:]:
        assert f'href="/explore/entity/{node["id"]}"' in section


def test_unknown_entity_is_a_404_page_with_suggestions(client: TestClient) -> None:
    text = page(client, "/explore/entity/Europoll", 404)
    assert "Unknown entity" in text and "Europoll" in text
    assert "/explore/entity/europol" in links(text)
    assert "Traceback" not in text


def test_ambiguous_entity_is_a_409_page_with_the_candidates(client: TestClient) -> None:
    text = page(client, "/explore/entity/justice and security policy cycles", 409)
    hrefs = links(text)
    assert "/explore/entity/justice-policy-cycle" in hrefs
    assert "/explore/entity/security-policy-cycle" in hrefs


# --- paths -------------------------------------------------------------------------------------


def test_path_page_shows_each_step_with_sources(client: TestClient) -> None:
    text = page(client, "/explore/path", source="Costa Rica", target="Panama", avoid_hubs="true")
    api = client.get(
        "/api/paths", params={"source": "Costa Rica", "target": "Panama", "avoid_hubs": True}
    ).json()
    assert text.count('<li class="step">') == api["paths"][0]["length"]
    hrefs = links(text)
    for step in api["paths"][0]["steps"]:
        assert f"/explore/entity/{step['source']}" in hrefs
        for link in step["links"]:
            for doc in link["documents"]:
                local = doc["document"].removeprefix("src:")
                assert f"/passage/{local}/{doc['start']}-{doc['end']}" in hrefs
    assert 'value="Costa Rica"' in text and 'id="path-avoid-hubs"' in text
    assert re.search(r'name="avoid_hubs" type="checkbox" value="true" checked', text)
    frame = links(text, "iframe", "src")
    assert len(frame) == 1 and frame[0].startswith("/view/path/embed?")
    assert parse_qs(urlsplit(frame[0]).query) == {
        "source": ["Costa Rica"], "target": ["Panama"], "avoid_hubs": ["true"]
    }  # fmt: skip


def test_path_options_are_kept_in_the_form(client: TestClient) -> None:
    params = [("source", "Spain"), ("target", "CLASI"), ("as_of", "2024"), ("k", "2"),
              ("relation", "member of"), ("relation", "cooperates with"),
              ("avoid_class", "Region")]  # fmt: skip
    response = client.get("/explore/path", params=params)
    assert response.status_code == 200, response.text
    text = response.text
    assert '<option value="member of" selected>' in text
    assert '<option value="cooperates with" selected>' in text
    assert '<option value="Region" selected>' in text
    assert 'value="2024"' in text and 'name="k" type="number" min="1" max="50" value="2"' in text
    assert "<details open>" in text
    frame = parse_qs(urlsplit(links(text, "iframe", "src")[0]).query)
    assert frame["relation"] == ["member of", "cooperates with"] and frame["k"] == ["2"]


def test_path_form_without_a_query_is_just_the_form(client: TestClient) -> None:
    text = page(client, "/explore/path")
    assert 'action="/explore/path"' in text and 'class="problem"' not in text
    assert page(client, "/explore/path", source="", target="", k="") == text


@pytest.mark.parametrize(
    ("params", "status", "expected"),
    [
        ({"source": "Spain", "target": "Europoll"}, 404,
         "/explore/path?source=Spain&target=europol"),
        ({"source": "Spain", "target": "justice and security policy cycles"}, 409,
         "/explore/path?source=Spain&target=justice-policy-cycle"),
        ({"source": "Spain", "target": "CLASI", "max_length": "1"}, 404, "No path"),
        ({"source": "Spain", "target": "España"}, 400, "same entity"),
        ({"source": "Spain", "target": "CLASI", "k": "0"}, 422, "k: give a whole number"),
        ({"source": "Spain", "target": "CLASI", "as_of": "20x"}, 422, "as_of: invalid date"),
        ({"source": "Spain", "target": "CLASI", "k": "2", "all": "true"}, 422, "either k or all"),
        ({"source": "Spain", "target": "CLASI", "relation": "nonsense"}, 422, "relation: No"),
        ({"source": "Spain", "target": "CLASI", "avoid_class": "Nope"}, 422, "avoid_class: No"),
        ({"source": "Spain", "target": "CLASI", "avoid_hubs": "maybe"}, 422, "avoid_hubs"),
        ({"source": "Spain"}, 422, "target: required: where it ends"),
    ],
)  # fmt: skip
def test_path_errors_are_pages_with_the_form_kept(
    client: TestClient, params: dict[str, str], status: int, expected: str
) -> None:
    text = page(client, "/explore/path", status, **params)
    assert 'class="problem"' in text
    assert expected in text or expected in links(text), text.split('class="problem"')[1][:800]
    assert 'name="source" type="text" value="Spain"' in text
    assert "<iframe" not in text


# --- members -----------------------------------------------------------------------------------


def test_members_page_lists_members_with_roles_dates_and_sources(client: TestClient) -> None:
    api = client.get("/api/entities/phase-2/members").json()
    text = page(client, "/explore/members/phase-2")
    body = text.split('<table class="members">', 1)[1]
    assert body.count("<tr>") - 1 == api["total"] > 0
    for record in api["members"]:
        assert f"/explore/entity/{record['member']}" in links(text)
        assert record["role"] in body
    assert "/passage/" in body
    assert links(text, "iframe", "src") == ["/view/members/phase-2/embed"]


def test_members_page_options(client: TestClient) -> None:
    by_phase = page(client, "/explore/members/EL PAcCTO", by_phase="true")
    assert by_phase.count('<table class="members">') == 2
    assert links(by_phase, "iframe", "src") == ["/view/members/el-paccto/embed?by_phase=true"]
    transitive = page(client, "/explore/members/european-commission", transitive="true")
    assert "/explore/entity/dg-intpa" in links(transitive)  # the "via" column
    role = page(client, "/explore/members/phase-2", role="implementing EU member state")
    assert 'value="implementing EU member state"' in role
    page(client, "/explore/members/spain", 400, by_phase="true")
    bad_date = page(client, "/explore/members/phase-2", 422, as_of="soon")
    assert 'value="soon"' in bad_date
    unknown = page(client, "/explore/members/Europoll", 404, transitive="true")
    assert "/explore/members/europol?transitive=true" in links(unknown)


# --- SPARQL ------------------------------------------------------------------------------------


def test_sparql_editor_offers_every_stored_query(client: TestClient) -> None:
    text = page(client, "/explore/sparql")
    options = [attrs for tag, attrs in parsed(text).elements if tag == "option"]
    assert [o["value"] for o in options] == [q.name for q in stored_queries()]
    assert all(o.get("data-query") for o in options)
    assert 'id="sparql-form"' in text and 'data-endpoint="/sparql"' in text
    chosen = page(client, "/explore/sparql", example="cq03-phase-2-member-states")
    assert '<option value="cq03-phase-2-member-states" data-query=' in chosen
    assert "id:role-implementing-member-state" in chosen.split("<textarea", 1)[1]
    page(client, "/explore/sparql", 400, example="cq99")


def test_sparql_editor_runs_a_query_without_javascript(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    query = stored_query("cq01-phase-1-countries", kg).text
    expected = len(run_query(kg, query).rows)
    text = page(client, "/explore/sparql", query=query)
    table = text.split('<table class="results">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") - 1 == expected == 18
    assert f"{expected} rows" in text
    assert 'href="/explore/entity/argentina"' in table
    downloads = {attrs["data-format"]: attrs for tag, attrs in parsed(text).elements
                 if tag == "a" and attrs.get("data-format")}  # fmt: skip
    assert {"csv", "tsv", "json", "xml"} <= set(downloads)
    csv_link = downloads["csv"]
    assert csv_link["download"] == "results.csv" and csv_link["href"].startswith("/sparql?")
    response = client.get(csv_link["href"] or "")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["country", "name", "iso"] and len(rows) == expected + 1


@pytest.mark.parametrize(
    ("query", "status", "expected"),
    [
        ("ASK { id:clasi paccto:counterpartOf id:cosi }", 200, '<p class="boolean">Yes</p>'),
        ("CONSTRUCT { id:clasi rdfs:label ?l } WHERE { id:clasi rdfs:label ?l }", 200,
         '<pre class="turtle">'),
        ("SELECT ?x WHERE { ?x ?y", 400, "malformed SPARQL query"),
        ("INSERT DATA { id:a id:b id:c }", 403, "read-only"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400,
         "SERVICE is not allowed"),
    ],
)  # fmt: skip
def test_sparql_editor_answers_and_problems(
    client: TestClient, query: str, status: int, expected: str
) -> None:
    text = page(client, "/explore/sparql", status, query=query)
    assert expected in text
    assert "<textarea" in text


# --- never raw, never outside ------------------------------------------------------------------

HOSTILE_PAGES = [
    ("/", {}),
    ("/explore/search", {"q": "img"}),
    ("/explore/search", {"q": "href"}),
    ("/explore/search", {"q": "<script>alert(9)</script>"}),
    ("/explore/entity/hostile-img", {}),
    ("/explore/entity/hostile-href", {}),
    ("/explore/entity/clasi", {}),
    ("/explore/entity/<img src=x onerror=alert(1)>", {}),
    ("/explore/path", {"source": "hostile-href", "target": "CLASI"}),
    ("/explore/path", {"source": "<img src=x onerror=alert(1)>", "target": "Spain"}),
    ("/explore/path", {"source": "<b>bold</b>zz", "target": "Spain"}),
    ("/explore/members/hostile-img", {}),
    ("/explore/sparql", {"query": "SELECT ?l WHERE { id:hostile-href rdfs:label ?l }"}),
    ("/explore/sparql", {"query": "SELECT <script>alert(5)</script>"}),
]
RAW = ("<img src=x", "<script>alert", '<a href="javascript', "<b>bold", "</script><script>")


@pytest.mark.parametrize(("url", "params"), HOSTILE_PAGES)
def test_hostile_labels_are_escaped_everywhere(
    hostile_client: TestClient, url: str, params: dict[str, str]
) -> None:
    response = hostile_client.get(url, params=params)
    assert response.status_code < 500 and response.headers["content-type"] == HTML
    text = response.text
    for raw in RAW:
        assert raw not in text, raw
    assert not parsed(text).inline_scripts


def test_hostile_labels_show_as_text(hostile_client: TestClient) -> None:
    text = page(hostile_client, "/explore/entity/hostile-img")
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in text
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert "&lt;script&gt;alert(3)&lt;/script&gt; &amp; an ampersand" in text
    linked = page(hostile_client, "/explore/entity/hostile-href")
    assert "&lt;a href=&#34;javascript:alert(4)&#34;&gt;href&lt;/a&gt;" in linked
    found = page(hostile_client, "/explore/search", q="img")
    assert "&lt;img src=x onerror=alert(1)&gt;" in found


EVERY_PAGE = [url for url, _ in HOSTILE_PAGES] + [
    "/explore/entity/Europoll",
    "/explore/path?source=Spain&target=CLASI&k=2",
    "/explore/members/el-paccto?by_phase=true",
    "/explore/sparql?example=cq09-quoted-people",
]
#: Attributes holding an address the browser may load or go to.
ADDRESS_ATTRIBUTES = ("href", "src", "action", "formaction", "data-endpoint", "poster", "srcset")


@pytest.mark.parametrize("url", EVERY_PAGE)
def test_no_page_points_outside_or_carries_inline_script(
    hostile_client: TestClient, url: str
) -> None:
    found = parsed(hostile_client.get(url).text)
    for tag, attrs in found.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ADDRESS_ATTRIBUTES:
                address = (value or "").strip().lower()
                assert address.startswith(("/", "#", "?")) or address == "", (tag, name, value)
                assert not address.startswith("//"), (tag, name, value)
        if tag == "script":
            assert attrs.get("src") == "/static/explorer.js"
    assert not found.inline_scripts


def test_pages_are_not_in_the_openapi_document_but_home_is(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" in paths
    assert not [path for path in paths if path.startswith(("/explore", "/static"))]


def test_pages_follow_the_root_path(kg: KnowledgeGraph) -> None:
    behind_proxy = TestClient(create_app(kg), root_path="/kg")
    text = page(behind_proxy, "/kg/explore/entity/clasi")
    assert links(text, "script", "src") == ["/kg/static/explorer.js"]
    assert all(href.startswith("/kg/") for href in links(text))
    assert 'data-root="/kg"' in text
