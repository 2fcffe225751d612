"""``/view/...`` over HTTP: every kind in every variant, the sharing links, and the errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

VIEWS = [
    "/view/entity/clasi",
    "/view/entity/clasi?depth=2&class=country",
    "/view/path?source=spain&target=ameripol&k=2",
    "/view/members/european-union",
    "/view/phase/2",
    "/view/graph?phase=1&relation=part%20of%20region",
]


def with_variant(url: str, variant: str) -> str:
    path, _, query = url.partition("?")
    return f"{path}/{variant}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("url", VIEWS)
def test_every_view_is_a_page_an_iframe_and_a_download(client: TestClient, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="network"' in page.text and 'class="view-header"' in page.text

    policy = page.headers["content-security-policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<script nonce="{nonce}">' in page.text
    assert "default-src 'none'" in policy and "http" not in policy

    embed = client.get(with_variant(url, "embed"))
    assert embed.status_code == 200
    assert "'nonce-" in embed.headers["content-security-policy"]
    assert 'id="network"' in embed.text and 'class="view-header"' not in embed.text
    assert '<script src="/assets/vis-network.min.js">' in embed.text

    download = client.get(with_variant(url, "download"))
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.html"')
    assert "/assets/" not in download.text  # self-contained: the library is inlined
    assert re.search(r"<script\b[^>]*\bsrc=", download.text) is None


@pytest.mark.parametrize("url", VIEWS[:4])
def test_every_view_is_an_svg_and_a_png_image(client: TestClient, url: str) -> None:
    svg = client.get(with_variant(url, "svg"))
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-disposition"].startswith('inline; filename="view-')
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    png = client.get(with_variant(url, "png"))
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_page_offers_the_iframe_snippet_the_download_and_the_images(
    client: TestClient,
) -> None:
    response = client.get("/view/entity/clasi?depth=2&class=country")
    html = response.text
    links = dict(re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a>', html))
    query = "?depth=2&amp;class=country"
    assert f"/view/entity/clasi/download{query}" in links
    assert f"/view/entity/clasi/svg{query}" in links
    assert f"/view/entity/clasi/png{query}" in links
    snippet = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', html, re.S)
    assert snippet
    # shown escaped, as text to copy; an absolute address, since it is pasted elsewhere
    assert snippet.group(1).startswith("&lt;iframe src=&#34;http://testserver/view/entity/")
    src = re.search(r"src=&#34;([^&]+(?:&amp;[^&]+)*)&#34;", snippet.group(1))
    assert src
    embedded = urlsplit(src.group(1).replace("&amp;amp;", "&").replace("&amp;", "&"))
    assert embedded.path == "/view/entity/clasi/embed"
    assert parse_qs(embedded.query) == {"depth": ["2"], "class": ["country"]}
    assert client.get(f"{embedded.path}?{embedded.query}").status_code == 200


def test_the_filter_form_keeps_the_other_parameters(client: TestClient) -> None:
    html = client.get("/view/path?source=spain&target=clasi").text
    form = re.search(
        r'<form class="filters" method="get" action="([^"]+)">(.*?)</form>', html, re.S
    )
    assert form and form.group(1) == "/view/path"
    assert '<input type="hidden" name="source" value="spain">' in form.group(2)
    assert '<input type="hidden" name="target" value="clasi">' in form.group(2)
    assert 'name="class"' not in form.group(2)  # a path view cannot hide classes
    assert '<option value="phase-2">EL PAcCTO phase 2</option>' in form.group(2)


def test_filters_change_the_drawing(client: TestClient) -> None:
    def count(url: str) -> int:
        match = re.search(r'data-nodes="(\d+)"', client.get(url).text)
        assert match
        return int(match.group(1))

    everything = count("/view/graph")
    assert count("/view/graph?class=country") < everything
    assert count("/view/graph?phase=2") < everything
    assert count("/view/graph?as_of=2018") < everything
    assert count("/view/entity/clasi?depth=2") > count("/view/entity/clasi")


def test_assets_are_served_with_a_long_cache(client: TestClient) -> None:
    script = client.get("/assets/vis-network.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "max-age=86400" in script.headers["cache-control"]
    assert client.get("/assets/vis-network.css").headers["content-type"].startswith("text/css")
    missing = client.get("/assets/..%2Fnetwork.py")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("url", "status", "kind", "words"),
    [
        ("/view/entity/no-such-thing", 404, "unknown-entity", "No entity is called"),
        ("/view/entity/clasi/pdf", 422, "invalid-parameters", "path.variant"),
        ("/view/entity/clasi?depth=4", 422, "invalid-parameters", "query.depth"),
        ("/view/graph?phase=9", 422, "invalid-parameters", "phases are 1 (EL PAcCTO phase 1)"),
        ("/view/graph?class=spaceship", 422, "invalid-parameters", "query.class"),
        ("/view/graph?relation=teleports", 422, "invalid-parameters", "query.relation"),
        ("/view/graph?as_of=yesterday", 422, "invalid-parameters", "query.as_of"),
        ("/view/path?source=spain", 422, "invalid-parameters", "query.target"),
        (
            "/view/path?source=spain&target=clasi&class=country",
            422,
            "invalid-parameters",
            "avoid_class",
        ),
        ("/view/path?source=spain&target=clasi&k=2&all=true", 422, "invalid-parameters", "query.k"),
        ("/view/phase/clasi", 400, "invalid-input", "not a programme phase"),
        ("/view/phase/2?phase=1", 422, "invalid-parameters", "already about one phase"),
    ],
)
def test_bad_requests_are_problems_naming_what_is_wrong(
    client: TestClient, url: str, status: int, kind: str, words: str
) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith(f"#{kind}")
    assert words in problem["detail"]
