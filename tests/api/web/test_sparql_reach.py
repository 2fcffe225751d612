"""No query makes the service open a connection: SERVICE, FROM and LOAD hidden every way we know.

The first line of defence alone is under test here: the workers keep their network
(``sparql_network_isolation="off"``), so a variant the query check misread would reach the
canary listener. Every variant goes through each front end that evaluates text: GET, POST form
and POST body at ``/sparql``, the explorer's SPARQL page, and ``paccto sparql``'s
:func:`run_query`. Each must be refused (400/403) or answered without reaching out; the canary
must see no connection at all.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator

import pytest
from canary import Canary, canary_listener
from fastapi.testclient import TestClient

from paccto.api.web.app import create_app
from paccto.graph.errors import PacctoError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query import canonical_query_text, run_query

#: What a comment can be ended by, raw or escaped: what SPARQL calls a line end and what other
#: parsers might take for one.
LINE_ENDS = [
    "\r", "\n", "\r\n", "\n\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c",
    "\\u000D", "\\u000a", "\\U0000000D", "\\u000D\\u000A",
]  # fmt: skip
#: Spellings of the keyword SERVICE that might get past a checker but not an engine, or back.
SERVICE_SPELLINGS = [
    "SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "S\\u0045RVICE", "\\U00000053ERVICE",
    "\\u0073\\u0065\\u0072\\u0076\\u0069\\u0063\\u0065", "\\u005Cu0053ERVICE",
    "\\u005CU00000053ERVICE", "\ufeffSERVICE", "SER\ufeffVICE", "SER\u200bVICE",
    "\u017fERVICE", "SERV\u0131CE", "\uff33\uff25\uff32\uff36\uff29\uff23\uff25",
    "SERVICE\u00a0", "SERVICE SILENT",
]  # fmt: skip


def _service(spelling: str, iri: str) -> str:
    return f"{spelling} <{iri}> {{ ?s ?p ?o }}"


def _variants(url: str) -> Iterator[tuple[str, str]]:
    """``(name, query)`` pairs, each one way of smuggling a remote call into a query."""
    service = _service("SERVICE", url)
    # 1. A comment the checker may end later than the engine.
    for index, end in enumerate(LINE_ENDS):
        yield f"comment-end-{index}", f"SELECT * WHERE {{ # x{end}{service}\n}}"
        yield f"comment-end-bom-{index}", f"\ufeffSELECT * WHERE {{ # x{end}{service}\n}}"
        yield (
            f"comment-end-ask-{index}",
            f"ASK {{ ?a ?b ?c # {end}{service}\n}}",
        )
        yield f"escaped-hash-{index}", f"SELECT * WHERE {{ \\u0023 x{end}{service}\n}}"
    # 2. The keyword spelt so that only one parser sees it.
    for index, spelling in enumerate(SERVICE_SPELLINGS):
        yield f"keyword-{index}", f"SELECT * WHERE {{ {_service(spelling, url)} }}"
        yield (
            f"keyword-nested-{index}",
            (f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {_service(spelling, url)} }} }} }}"),
        )
    # 3. Inside strings, IRIs and prefixed names, with a line end that might reopen code.
    hiding_places = [
        'FILTER("#") ', "FILTER('#') ", 'FILTER("""#\r""") ', "FILTER('''\r#''') ",
        'FILTER("\\"#") ', 'FILTER("\\u0022#") ', "FILTER('\\u0027#') ", "<http://x/#> ?p ?o . ",
        "?s <http://x/#\r> ?o . ", "?s ?p <http://x#y> # ", "BIND(<#> AS ?x) ",
    ]  # fmt: skip
    for (index, place), end in itertools.product(enumerate(hiding_places), ["\r", "\n"]):
        yield (
            f"hidden-{index}-{'cr' if end == chr(13) else 'lf'}",
            f"SELECT * WHERE {{ {place}{end}{service}\n}}",
        )
    yield (
        "prefixed-name",
        (
            f"PREFIX service: <{url}#>\nSELECT * WHERE {{ service:a service:b ?o . "
            f"SERVICE service:x {{ ?s ?p ?o }} }}"
        ),
    )
    yield "service-variable", f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"
    yield (
        "relative-iri",
        f"BASE <{url.rsplit('/', 1)[0]}/>\nSELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    )
    # 4. FROM and FROM NAMED naming the canary (a graph that is not loaded), hidden the same way.
    for index, end in enumerate(["\r", "\\u000D", "\n"]):
        yield f"from-{index}", f"SELECT * # x{end}FROM <{url}>\nWHERE {{ ?s ?p ?o }}"
        yield (
            f"from-named-{index}",
            (f"SELECT * # x{end}FROM NAMED <{url}>\nWHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        )
        yield f"from-escaped-{index}", f"SELECT * \\u0046ROM <{url}> WHERE {{ ?s ?p ?o }}"
    # 5. Updates that fetch (LOAD), alone, hidden behind a comment, or after a query.
    for index, end in enumerate(["\r", "\n", "\\u000D"]):
        yield f"load-{index}", f"# x{end}LOAD <{url}>"
        yield f"load-silent-{index}", f"LOAD SILENT <{url}> INTO GRAPH <urn:x>"
        yield f"load-after-query-{index}", f"ASK {{}} # x{end}; LOAD <{url}>"


def _app_client(kg: KnowledgeGraph) -> TestClient:
    settings = get_settings(sparql_network_isolation="off", sparql_timeout=5.0)
    return TestClient(create_app(kg, settings))


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with canary_listener() as listener:
        yield listener


@pytest.fixture(scope="module")
def exposed_client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    """The app with workers that keep their network: only the query check stands between."""
    with _app_client(kg) as client:
        yield client


def test_the_variants_cover_every_front_end_and_each_hiding_place(canary: Canary) -> None:
    variants = dict(_variants(canary.url))
    assert len(variants) > 100
    assert all(canary.url.rsplit("/", 1)[0] in query for query in variants.values())


def test_no_query_variant_reaches_the_network(
    exposed_client: TestClient, kg: KnowledgeGraph, canary: Canary
) -> None:
    statuses: dict[str, set[int]] = {}
    for name, query in _variants(canary.url):
        responses = [
            exposed_client.get("/sparql", params={"query": query}),
            exposed_client.post("/sparql", data={"query": query}),
            exposed_client.post(
                "/sparql",
                content=query.encode("utf-8"),
                headers={"Content-Type": "application/sparql-query"},
            ),
            exposed_client.get("/explore/sparql", params={"query": query}),
        ]
        for response in responses:
            statuses.setdefault(name, set()).add(response.status_code)
            assert response.status_code in (200, 400, 403), (name, response.text[:300])
        with contextlib.suppress(PacctoError):
            run_query(kg, query)
        assert canary.connections == 0, f"{name!r} reached the network: {query!r}"
    # The variants are not all refused for being malformed: SERVICE itself is what is refused.
    refused = [
        name for name, codes in statuses.items() if codes == {400} and name.startswith("keyword")
    ]
    assert refused


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { # x\rSERVICE <u:x> {} }", "SELECT * WHERE { # x\nSERVICE <u:x> {} }"),
        ("A\r\nB\rC", "A\nB\nC"),
        ("\ufeffASK {}", "ASK {}"),
        ('ASK { FILTER("caf\\u00e9" = "café") }', 'ASK { FILTER("café" = "café") }'),
        ("\\u0053ERVICE", "SERVICE"),
        ("\\U0001F600", "\U0001f600"),
    ],
)
def test_the_canonical_text_is_the_one_both_parsers_read(text: str, expected: str) -> None:
    assert canonical_query_text(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\\u005Cu0053ERVICE", "spells another escape"),
        ("ASK { # \u2028 }", r"U\+2028"),
        ("ASK {}\x85", r"U\+0085"),
        ("ASK { \ufeff }", r"U\+FEFF"),
        ("ASK { FILTER(?x = '\\uD800') }", "not a Unicode character"),
        ("ASK {}\\U00110000", "not a Unicode character"),
    ],
)
def test_texts_parsers_might_read_apart_are_refused_with_a_reason(text: str, message: str) -> None:
    from paccto.graph.errors import QueryError

    with pytest.raises(QueryError, match=message):
        canonical_query_text(text)


def test_a_comment_only_query_is_malformed_not_an_update(exposed_client: TestClient) -> None:
    for text in ("# nothing here", "# a\r\n# b", "PREFIX x: <urn:x:>"):
        response = exposed_client.get("/sparql", params={"query": text})
        assert response.status_code == 400, text
        assert response.json()["type"] == "/problems#malformed-query"
    update = exposed_client.get("/sparql", params={"query": "# x\rDROP ALL"})
    assert update.status_code == 403
