"""The interactive page: self-contained, offline, and inert whatever the labels say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from page_checks import data_block, external_references

from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.render.interactive import PageLinks, asset_file, legend, render_html, write_html
from paccto.graph.render.style import FAMILIES, family_of
from paccto.graph.render.views import GraphView, entity_view, graph_view, path_view
from paccto.graph.settings import Settings

HOSTILE = Path(__file__).resolve().parents[2] / "fixtures" / "views" / "hostile.ttl"
IMG_LABEL = "<img src=x onerror=alert(1)>"
HREF_LABEL = '<a href="javascript:alert(4)">href</a>'


@pytest.fixture(scope="module")
def hostile_kg() -> KnowledgeGraph:
    return load_knowledge_graph(Settings(require_provenance=False), [HOSTILE])


def test_a_standalone_page_fetches_nothing_at_all(kg: KnowledgeGraph) -> None:
    html = render_html(entity_view(kg, "clasi", depth=2))
    assert external_references(html) == []
    for host in ("cdnjs.cloudflare.com", "unpkg.com", "jsdelivr.net", "bootstrapcdn", "jquery"):
        assert host not in html  # what pyvis's own template loads, even in its "local" modes
    # vis-network and its stylesheet are inlined
    assert asset_file("vis-network.min.js").read_text(encoding="utf-8")[:2000] in html
    assert ".vis-network" in html


def test_a_served_page_loads_assets_only_from_the_address_given(kg: KnowledgeGraph) -> None:
    html = render_html(entity_view(kg, "clasi"), links=PageLinks(assets="/assets"))
    assert sorted(external_references(html)) == [
        "/assets/vis-network.css",
        "/assets/vis-network.min.js",
    ]
    assert len(html) < 100_000  # the library is not inlined as well


def test_the_page_hands_vis_network_every_entity_and_relationship(kg: KnowledgeGraph) -> None:
    view = entity_view(kg, "clasi", depth=2)
    html = render_html(view)
    nodes = data_block(html, "view-nodes")
    edges = data_block(html, "view-edges")
    assert {node["id"] for node in nodes} == {node.id for node in view.nodes}
    drawn = {(edge["from"], edge["to"]) for edge in edges}
    assert drawn == {(edge.source, edge.target) for edge in view.edges}
    relations = {r["relation"] for edge in edges for r in edge["info"]["relations"]}
    assert relations == {edge.relation for edge in view.edges}
    clasi = next(node for node in nodes if node["id"] == "clasi")
    assert clasi["info"]["label"] == "Latin American Committee for Internal Security"
    assert clasi["info"]["class"] == "Committee"
    assert clasi["info"]["documents"]  # the sources the details panel lists
    assert clasi["size"] > next(n for n in nodes if n["id"] != "clasi")["size"]  # the focus
    assert f'data-nodes="{len(view.nodes)}"' in html


def test_a_small_view_names_relations_on_the_arrows(kg: KnowledgeGraph) -> None:
    edges = data_block(render_html(path_view(kg, "spain", "clasi")), "view-edges")
    assert all(edge["label"] for edge in edges)


def test_physics_settles_and_stops_and_the_layout_is_precomputed(kg: KnowledgeGraph) -> None:
    html = render_html(graph_view(kg))
    settings = data_block(html, "view-settings")
    physics = settings["options"]["physics"]  # type: ignore[call-overload]
    assert physics["stabilization"]["iterations"] <= 200
    assert "setOptions({ physics: false })" in html
    nodes = data_block(html, "view-nodes")
    assert all("x" in node and "y" in node for node in nodes)


@pytest.mark.parametrize("centre", ["hostile-img", "hostile-href"])
def test_hostile_labels_reach_the_page_only_as_escaped_data(
    hostile_kg: KnowledgeGraph, centre: str
) -> None:
    view = entity_view(hostile_kg, centre)
    html = render_html(view, links=PageLinks(assets="/assets", share=[("a", "/x")]))
    for raw in (IMG_LABEL, HREF_LABEL, "<script>alert(3)</script>", "</script><script>"):
        assert raw not in html
    # one closing tag per script element: no label ends a script early
    assert html.count("</script>") == len(re.findall(r"<script\b", html))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html or "&lt;a href=" in html  # heading
    labels = {node["info"]["label"] for node in data_block(html, "view-nodes")}
    assert IMG_LABEL in labels and HREF_LABEL in labels  # the data itself is intact
    assert "innerHTML" not in html.rsplit("<script nonce=", 1)[-1]  # the page's own script
    # pyvis's template switches to HTML tooltips when a title contains "href"; ours never
    assert "htmlTitle" not in html


def test_scripts_carry_a_fresh_nonce_and_a_file_states_its_policy(kg: KnowledgeGraph) -> None:
    view = entity_view(kg, "clasi")
    served = render_html(view, links=PageLinks(assets="/assets", nonce="abc123"))
    assert served.count('<script nonce="abc123">') == 1
    assert 'http-equiv="Content-Security-Policy"' not in served  # the server sends the header
    first, second = render_html(view), render_html(view)
    nonces = [re.findall(r'<script nonce="([^"]+)">', page) for page in (first, second)]
    assert len(nonces[0]) == 2 and len(set(nonces[0])) == 1  # vis-network and the page script
    assert nonces[0][0] != nonces[1][0]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', first)
    assert policy and f"script-src 'nonce-{nonces[0][0]}'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1)


def test_embed_leaves_out_the_page_chrome(kg: KnowledgeGraph) -> None:
    links = PageLinks(assets="/assets", share=[("SVG", "/v/svg")], embed_snippet="<iframe>")
    page = render_html(entity_view(kg, "clasi"), links=links)
    embed = render_html(entity_view(kg, "clasi"), embed=True, links=links)
    assert 'class="view-header"' in page and 'id="share"' in page
    assert "&lt;iframe&gt;" in page  # the snippet is shown as text, to copy
    assert 'class="view-header"' not in embed and 'id="share"' not in embed
    assert 'id="network"' in embed and 'id="legend"' in embed


def test_legend_names_the_families_present(kg: KnowledgeGraph) -> None:
    view = path_view(kg, "spain", "ameripol", k=3)
    entries = legend(view)
    present = {family_of(node.cls).name for node in view.nodes}
    assert [entry["name"] for entry in entries] == [
        family.name for family in FAMILIES if family.name in present
    ]
    assert entries[0] == {
        "name": "Country or region",
        "colour": FAMILIES[0].colour,
        "symbol": "●",
        "classes": ["Country"],
    }


def test_write_html_writes_one_utf8_file(kg: KnowledgeGraph, tmp_path: Path) -> None:
    view: GraphView = entity_view(kg, "camoes")
    target = tmp_path / "camoes.html"
    write_html(view, target)
    text = target.read_text(encoding="utf-8")
    assert "Camões" in text
    assert external_references(text) == []
