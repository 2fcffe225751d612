"""The edges of HTTP: oversized heads and URLs, HEAD, malformed ``format``, page policies, CORS.

The limits on a request head are the server's own business, so those tests send raw bytes to a
real ``paccto serve`` (httpx refuses to build a URL over 64 KiB, and a client that stops at the
first refused write would never see the answer). The rest go through the app.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from paccto.api.web.app import create_app
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import get_settings

PROBLEM = "application/problem+json"
MIB = 1 << 20
#: The defaults ``paccto serve`` runs with (graph/settings.py).
MAX_REQUEST_BYTES = 1_048_576
MAX_HEADER_BYTES = 65_536
NETWORKS = "SELECT ?n WHERE { ?n a paccto:Network } ORDER BY ?n"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ORIGIN = "https://yasgui.example"


# --- raw HTTP against a live server --------------------------------------------------------


@dataclass
class Exchange:
    """What came back for bytes sent on one connection, and how long the first byte took."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    sent: int = 0


def _exchange(base: str, parts: Iterable[bytes], timeout: float = 60.0) -> Exchange:
    """Send ``parts`` on a fresh connection while reading the answer in another thread, so an
    answer sent before the request ends (and before the server closes) is still read."""
    parsed = urlsplit(base)
    connection = socket.create_connection((parsed.hostname, parsed.port), timeout=timeout)
    answer = Exchange()
    received = bytearray()
    started = time.monotonic()

    def read() -> None:
        try:
            while chunk := connection.recv(65536):
                if not received:
                    answer.seconds = time.monotonic() - started
                received.extend(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for part in parts:
            connection.sendall(part)
            answer.sent += len(part)
    except OSError:
        pass  # the server refused and closed while we were still sending
    reader.join(timeout)
    connection.close()
    head, _, answer.body = bytes(received).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), f"no HTTP answer: {bytes(received[:200])!r}"
    answer.status = int(lines[0].split()[1])
    answer.headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:])
    }
    return answer


def _get(path: str, *extra_headers: bytes) -> list[bytes]:
    head = [f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode()]
    return [*head, *(header + b"\r\n" for header in extra_headers), b"\r\n"]


def _problem_of(answer: Exchange, status: int, kind: str) -> dict[str, object]:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == PROBLEM
    problem = json.loads(answer.body)
    assert problem["type"] == f"/problems#{kind}"
    assert problem["status"] == status
    return problem


def _huge_header(size: int) -> Iterator[bytes]:
    yield b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
    block = b"a" * MIB
    for _ in range(size // MIB):
        yield block
    yield b"\r\n\r\n"


@pytest.mark.server
def test_a_128_mib_header_is_refused_at_once_and_others_are_not_kept_waiting(
    live_server: str,
) -> None:
    """Before: httptools read all 128 MiB (27 s) and answered 200, and other clients waited."""
    latencies: list[float] = []
    done = threading.Event()

    def others() -> None:
        with httpx.Client(base_url=live_server, timeout=60) as client:
            while not done.is_set() or len(latencies) < 5:
                started = time.monotonic()
                assert client.get("/health").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.01)

    watcher = threading.Thread(target=others)
    watcher.start()
    time.sleep(0.2)
    try:
        answer = _exchange(live_server, _huge_header(128 * MIB))
    finally:
        done.set()
        watcher.join(120)
    problem = _problem_of(answer, 431, "headers-too-large")
    assert "65,536" in str(problem["detail"])
    assert answer.seconds < 2, f"refused only after {answer.seconds:.1f} s"
    assert answer.sent < 32 * MIB, f"the server read {answer.sent:,} bytes of header"
    assert max(latencies) < 1, f"other clients waited {max(latencies):.1f} s"


@pytest.mark.server
def test_a_header_over_the_limit_but_within_the_parser_bound_is_a_431_problem(
    live_server: str,
) -> None:
    answer = _exchange(live_server, _get("/health", b"X-Padding: " + b"a" * 70_000))
    _problem_of(answer, 431, "headers-too-large")
    within = _exchange(live_server, _get("/health", b"X-Padding: " + b"a" * 60_000))
    assert within.status == 200


@pytest.mark.server
def test_a_200_kb_query_string_is_answered(live_server: str) -> None:
    """Before: any URL over 64 KiB got httptools' plain-text 400 "Invalid HTTP request"."""
    padded = NETWORKS + " #" + "x" * 200_000
    answer = _exchange(live_server, _get("/sparql?query=" + quote(padded)))
    assert answer.status == 200, answer.body[:500]
    assert answer.headers["content-type"] == "application/sparql-results+json"
    assert json.loads(answer.body)["results"]["bindings"]


@pytest.mark.server
@pytest.mark.parametrize(
    "length", [MAX_REQUEST_BYTES + 1, MAX_REQUEST_BYTES + 40_000, 4 * MIB], ids=str
)
def test_a_query_string_over_the_limit_is_the_413_problem(live_server: str, length: int) -> None:
    """Just over the limit the app refuses it; far over, the server does, before reading it all;
    either way it is the documented 413 problem."""
    query_string = "query=" + "x" * (length - len("query="))
    answer = _exchange(live_server, _get(f"/sparql?{query_string}"))
    problem = _problem_of(answer, 413, "request-too-large")
    assert "1,048,576" in str(problem["detail"])


@pytest.mark.server
def test_a_malformed_request_is_a_400_problem(live_server: str) -> None:
    answer = _exchange(live_server, _get("/health", b"no colon here"))
    _problem_of(answer, 400, "malformed-request")


@pytest.mark.server
def test_head_over_real_http(live_server: str) -> None:
    for path in ("/", "/id/clasi", f"/sparql?query={quote(NETWORKS)}"):
        get = httpx.get(live_server + path)
        head = httpx.head(live_server + path)
        assert head.status_code == get.status_code == 200, path
        assert head.headers["content-length"] == get.headers["content-length"], path
        assert head.content == b"", path


# --- the header limit in the app -----------------------------------------------------------


def test_the_app_refuses_header_fields_over_the_limit(kg: KnowledgeGraph) -> None:
    small = TestClient(create_app(kg, get_settings(max_header_bytes=8192)))
    refused = small.get("/problems", headers={"X-Padding": "a" * 9000})
    assert refused.status_code == 431
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"] == "/problems#headers-too-large"
    assert small.get("/problems", headers={"X-Padding": "a" * 6000}).status_code == 200


# --- HEAD wherever GET ---------------------------------------------------------------------

HEAD_PATHS = [
    "/",
    "/id/clasi",
    "/id/clasi?format=ttl",
    "/source/doc-004",
    f"/sparql?query={quote(NETWORKS)}",
    "/sparql?format=ttl",
    "/api/entities/clasi",
    "/api/entities/nobody-by-this-name",
    "/explore/sparql",
    "/view/entity/clasi",
    "/export/nodes.csv",
    "/openapi.json",
    "/docs",
    "/problems",
    "/static/explorer.css",
]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_answers_as_get_without_the_body(client: TestClient, path: str) -> None:
    """Before: 405 on every route but the static files."""
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code
    assert head.status_code != 405
    assert head.content == b""
    for name in ("content-type", "content-length", "link", "vary", "content-disposition"):
        assert head.headers.get(name) == get.headers.get(name), name
    assert set(head.headers) == set(get.headers)


def test_a_405_lists_head_beside_get(client: TestClient) -> None:
    response = client.post("/api/entities/clasi")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


# --- format= on /sparql --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["\n", "   ", "\t", "json\n", "js\x00on"], ids=repr)
@pytest.mark.parametrize("name", ["format", "output"])
def test_a_blank_or_control_character_format_is_a_400(
    client: TestClient, name: str, value: str
) -> None:
    """Before: ``format=%0A`` was dropped and the query answered 200 (schemathesis ST201)."""
    for params in ({name: value}, {name: value, "query": NETWORKS}):
        response = client.get("/sparql", params=params)
        assert response.status_code == 400, (params, response.text)
        problem = response.json()
        assert problem["type"] == "/problems#invalid-parameters"
        assert problem["errors"][0]["location"] == f"query.{name}"


def test_a_blank_format_beside_a_known_one_is_still_a_400(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", NETWORKS), ("format", "json"),
                                             ("format", " ")])  # fmt: skip
    assert response.status_code == 400


def test_an_unknown_format_is_a_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": NETWORKS, "format": "yaml"})
    assert response.status_code == 406
    assert response.json()["type"] == "/problems#not-acceptable"


CONSTRUCT = "CONSTRUCT WHERE { id:clasi ?p ?o }"


@pytest.mark.parametrize(
    ("query", "params", "media_type"),
    [
        # What SPARQLWrapper sends: format, output and results, with an empty second value or a
        # comma-separated list of media types beside the name.
        (NETWORKS, [("format", "json"), ("output", "json"), ("results", "json")],
         "application/sparql-results+json"),
        (NETWORKS, [("format", "tsv"), ("format", "text/tab-separated-values"),
                    ("output", "tsv"), ("output", "text/tab-separated-values")],
         "text/tab-separated-values"),
        (NETWORKS, [("format", "")], "application/sparql-results+json"),
        (CONSTRUCT, [("format", "rdf+xml"), ("format", ""), ("output", "rdf+xml"),
                     ("output", "")], "application/rdf+xml"),
        (CONSTRUCT, [("format", "json-ld"), ("format", "application/ld+json,application/x-json+ld"),
                     ("output", "json-ld")], "application/ld+json"),
    ],
)  # fmt: skip
def test_what_sparqlwrapper_sends_still_works(
    client: TestClient, query: str, params: list[tuple[str, str]], media_type: str
) -> None:
    response = client.get("/sparql", params=[("query", query), *params])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


# --- a Content-Security-Policy on every page -----------------------------------------------

HTML_PAGES = [
    "/",
    "/explore/search?q=prison",
    "/explore/entity/clasi",
    "/explore/path?source=spain&target=ameripol",
    "/explore/members/el-paccto",
    f"/explore/sparql?query={quote(NETWORKS)}",
    "/id/clasi",
    "/source/doc-004",
    "/passage/doc-004/11-199",
    "/docs",
    "/redoc",
    "/problems",
    "/sparql",
    "/view/entity/clasi",
    "/view/entity/clasi/embed",
    "/view/graph",
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_page_has_a_content_security_policy(client: TestClient, path: str) -> None:
    """Before: /id, /source, /passage, /docs, /redoc, /problems and /sparql had none."""
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "*" not in directives["script-src"] and "http" not in directives["script-src"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_with_their_own_policy_keep_it(client: TestClient) -> None:
    explorer = client.get("/explore/sparql").headers["content-security-policy"]
    assert "frame-src 'self'" in explorer
    view = client.get("/view/entity/clasi").headers["content-security-policy"]
    assert "'nonce-" in view
    embed = client.get("/view/entity/clasi/embed").headers["content-security-policy"]
    assert "frame-ancestors" not in embed  # embedding elsewhere is what /embed is for


def test_the_documentation_loads_nothing_from_elsewhere(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path).text
        assert "http://" not in page and "https://" not in page, path
    bundle = client.get("/docs-assets/redoc.standalone.js")
    assert bundle.status_code == 200
    assert b"cdn.redoc.ly" not in bundle.content
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


# --- cross-origin reads --------------------------------------------------------------------

CORS_ALLOWED = [
    ("/sparql", {"query": NETWORKS}, "application/sparql-results+json"),
    ("/sparql", {}, "text/turtle"),
    ("/api/entities/clasi", {}, "application/json"),
    ("/id/clasi", {}, "text/turtle"),
    ("/export/nodes.csv", {}, "text/csv"),
    ("/openapi.json", {}, "application/json"),
    ("/api/entities/nobody-by-this-name", {}, "application/problem+json"),
]
CORS_REFUSED = [
    ("/", {}, BROWSER_ACCEPT),
    ("/explore/sparql", {"query": NETWORKS}, BROWSER_ACCEPT),
    ("/explore/entity/clasi", {}, BROWSER_ACCEPT),
    ("/view/entity/clasi", {}, BROWSER_ACCEPT),
    ("/docs", {}, BROWSER_ACCEPT),
    ("/problems", {}, BROWSER_ACCEPT),
    ("/static/explorer.js", {}, "*/*"),
]


@pytest.mark.parametrize(("path", "params", "accept"), CORS_ALLOWED)
def test_public_data_may_be_read_cross_origin(
    client: TestClient, path: str, params: dict[str, str], accept: str
) -> None:
    response = client.get(path, params=params, headers={"Origin": ORIGIN, "Accept": accept})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST" if path == "/sparql" else "GET",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("path", "params", "accept"), CORS_REFUSED)
def test_no_page_may_be_read_cross_origin(
    client: TestClient, path: str, params: dict[str, str], accept: str
) -> None:
    """Before: ``Access-Control-Allow-Origin: *`` on everything, /explore/sparql included."""
    response = client.get(path, params=params, headers={"Origin": ORIGIN, "Accept": accept})
    assert response.status_code == 200
    assert not any(name.startswith("access-control-") for name in response.headers), path
    preflight = client.options(
        path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert not any(name.startswith("access-control-") for name in preflight.headers), path


@pytest.mark.parametrize("path", ["/id/clasi", "/sparql", "/source/doc-004"])
def test_the_html_answer_of_a_public_path_may_not_be_read_cross_origin(
    client: TestClient, path: str
) -> None:
    """The same path's RDF may be read; its page may not (a preflight cannot tell them apart,
    the answer can)."""
    page = client.get(path, headers={"Origin": ORIGIN, "Accept": BROWSER_ACCEPT})
    assert page.headers["content-type"].startswith("text/html")
    assert not any(name.startswith("access-control-") for name in page.headers), path
    data = client.get(path, headers={"Origin": ORIGIN, "Accept": "text/turtle"})
    assert data.headers["access-control-allow-origin"] == "*"
