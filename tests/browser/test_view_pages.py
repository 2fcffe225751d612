"""The views in a real Chromium: drawn, clickable, inert with hostile labels, and offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.render.views import ViewFilter, entity_view, graph_view, path_view
from paccto.graph.settings import Settings

if TYPE_CHECKING:
    from conftest import PageRecords
    from playwright.sync_api import Page

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "views" / "hostile.ttl"
IMG_LABEL = "<img src=x onerror=alert(1)>"
HREF_LABEL = '<a href="javascript:alert(4)">href</a>'


@pytest.fixture(scope="module")
def served_kg() -> KnowledgeGraph:
    """The same data the browser server serves, to know what each view must contain."""
    return load_knowledge_graph(Settings(require_provenance=False), [HOSTILE])


def open_view(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)


def drawn_nodes(page: Page) -> int:
    return int(page.evaluate("Object.keys(network.getPositions()).length"))


def painted_pixels(page: Page) -> int:
    """Pixels of the canvas that are not background: zero for a blank drawing."""
    return int(
        page.evaluate(
            """() => {
              const canvas = document.querySelector('#network canvas');
              const data = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
              let painted = 0;
              for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200))
                  painted++;
              }
              return painted;
            }"""
        )
    )


def click_node(page: Page, node_id: str) -> None:
    """Click where vis-network drew the node, as a person would."""
    point: dict[str, Any] = page.evaluate(
        "(id) => network.canvasToDOM(network.getPositions([id])[id])", node_id
    )
    box = page.locator("#network canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/view/entity/clasi?depth=2", lambda kg: entity_view(kg, "clasi", depth=2)),
        ("/view/path/embed?source=spain&target=ameripol&k=3",
         lambda kg: path_view(kg, "spain", "ameripol", k=3)),
        ("/view/graph?phase=2", lambda kg: graph_view(kg, view_filter=ViewFilter.of(phase="2"))),
    ],
)  # fmt: skip
def test_the_canvas_draws_every_entity_of_the_view(
    page: Page,
    browser_server: str,
    served_kg: KnowledgeGraph,
    screenshot: Callable[[str], Path],
    url: str,
    expected: Callable[[KnowledgeGraph], Any],
) -> None:
    open_view(page, browser_server + url)
    view = expected(served_kg)
    assert drawn_nodes(page) == len(view.nodes) > 2
    assert page.evaluate("network.body.data.edges.length") == len(
        {(edge.source, edge.target) for edge in view.edges}
    )
    assert painted_pixels(page) > 2_000
    # the physics settled and was switched off, so the drawing stays still
    assert page.evaluate("network.physics.options.enabled") is False
    screenshot("view")


def test_clicking_a_node_shows_its_details_and_sources(
    page: Page, browser_server: str, screenshot: Callable[[str], Path]
) -> None:
    open_view(page, browser_server + "/view/path?source=spain&target=clasi")
    details = page.locator("#details")
    assert details.is_hidden()
    click_node(page, "spain")
    details.wait_for(state="visible")
    assert details.locator("h2").text_content() == "Spain"
    assert "Country" in (details.locator(".class").text_content() or "")
    sources = details.locator("li a")
    assert sources.count() >= 1
    assert all(href.startswith("/source/doc-") for href in sources.evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    ))  # fmt: skip
    assert details.get_by_role("link", name="Open its page").get_attribute("href") == (
        "/explore/entity/spain"
    )
    screenshot("details")
    page.locator("#details button.close").click()
    assert details.is_hidden()


def test_find_in_view_selects_and_describes_an_entity(page: Page, browser_server: str) -> None:
    open_view(page, browser_server + "/view/entity/clasi")
    page.fill("#find", "European Union")
    page.dispatch_event("#find", "change")
    page.locator("#details").wait_for(state="visible")
    assert page.locator("#details h2").text_content() == "European Union"
    assert page.evaluate("network.getSelectedNodes()") == ["european-union"]


@pytest.mark.parametrize(
    "url", ["/view/entity/hostile-img", "/view/entity/hostile-href/embed", "/view/graph"]
)
def test_hostile_labels_are_shown_as_text_and_run_nothing(
    page: Page,
    page_records: PageRecords,
    browser_server: str,
    screenshot: Callable[[str], Path],
    url: str,
) -> None:
    open_view(page, browser_server + url)
    for node_id, label in (("hostile-img", IMG_LABEL), ("hostile-href", HREF_LABEL)):
        page.evaluate("(id) => network.focus(id, {scale: 1.5})", node_id)
        click_node(page, node_id)
        page.locator("#details").wait_for(state="visible")
        assert page.locator("#details h2").text_content() == label
        # hovering shows vis-network's tooltip: the same text, as text
        click_node(page, node_id)
        page.mouse.move(1, 1)
        point = page.evaluate(
            "(id) => network.canvasToDOM(network.getPositions([id])[id])", node_id
        )
        box = page.locator("#network canvas").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
        tooltip = page.locator(".vis-tooltip")
        tooltip.wait_for(state="visible", timeout=5_000)
        assert (tooltip.text_content() or "").startswith(label)
    assert page.locator("img").count() == 0  # no element was made from a label
    assert page.locator("a[href^='javascript']").count() == 0
    screenshot("hostile")
    assert page_records.dialogs == []


def test_the_downloaded_file_works_with_no_network_at_all(
    page: Page, browser_server: str, served_kg: KnowledgeGraph
) -> None:
    html = httpx.get(
        browser_server + "/view/entity/clasi/download", params={"depth": 2}, timeout=30
    ).text
    attempted: list[str] = []
    page.route("**/*", lambda route: (attempted.append(route.request.url), route.abort()))
    page.set_content(html)
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    assert drawn_nodes(page) == len(entity_view(served_kg, "clasi", depth=2).nodes)
    click_node(page, "clasi")
    assert page.locator("#details h2").text_content() == (
        "Latin American Committee for Internal Security"
    )
    assert attempted == []
