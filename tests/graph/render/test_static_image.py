"""Static images of views: SVG that parses with its labels as text, PNG that decodes at the size
asked for, the same bytes every time, and hostile labels drawn as the text they are."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
import pytest
from PIL import Image  # a dependency of matplotlib, so always present beside it

from paccto.graph.errors import PacctoError
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.render.static_image import IMAGE_FORMATS, render_image, render_png, render_svg
from paccto.graph.render.style import family_of
from paccto.graph.render.views import (
    GraphView,
    ViewEdge,
    ViewFilter,
    ViewNode,
    entity_view,
    graph_view,
    members_view,
    path_view,
    phase_view,
)
from paccto.graph.settings import get_settings

SVG = "{http://www.w3.org/2000/svg}"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

BUILDERS: dict[str, Callable[[KnowledgeGraph], GraphView]] = {
    "entity": lambda kg: entity_view(kg, "clasi"),
    "path": lambda kg: path_view(kg, "spain", "clasi"),
    "members": lambda kg: members_view(kg, "european-union"),
    "phase": lambda kg: phase_view(kg, "2"),
    "graph": graph_view,
}
SMALL = ["path", "members", "phase"]


@pytest.fixture(scope="module")
def views(kg: KnowledgeGraph) -> dict[str, GraphView]:
    return {kind: build(kg) for kind, build in BUILDERS.items()}


@pytest.fixture(scope="module")
def svgs(views: dict[str, GraphView]) -> dict[str, bytes]:
    """Each view drawn once for the module: the whole graph takes seconds."""
    return {kind: render_svg(view) for kind, view in views.items()}


def _flat(text: str) -> str:
    """Text without its white space, so a wrapped label compares with the original."""
    return "".join(text.split())


def _texts(root: ET.Element) -> list[str]:
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def _groups(root: ET.Element) -> dict[str, str]:
    """The text of each drawn text by the id of its group, its lines joined with spaces."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        lines = [text.text or "" for text in group.findall(f"{SVG}text")]
        if lines and group.get("id"):
            found[group.get("id", "")] = " ".join(lines)
    return found


def _drawn(label: str, drawn: str) -> bool:
    """Whether ``drawn`` is ``label`` as wrapped: whole, or cut short with an ellipsis."""
    if drawn.endswith("…"):
        return _flat(label).startswith(_flat(drawn[:-1]))
    return _flat(drawn) == _flat(label)


def _node(node_id: str, label: str, *, focus: bool = False) -> ViewNode:
    return ViewNode(
        id=node_id,
        iri=f"https://example.org/id/{node_id}",
        label=label,
        cls="paccto:Country",
        class_label="Country",
        start=None,
        end=None,
        documents=(),
        focus=focus,
    )


def _hand_made(first: str, second: str, relation: str = "cooperates with") -> GraphView:
    return GraphView(
        kind="entity",
        title="Hand-made",
        caption="",
        filters=ViewFilter(),
        nodes=(_node("a", first, focus=True), _node("b", second)),
        edges=(ViewEdge("a", "b", relation, "k", None, None, ("src:doc-x",), ()),),
        focus=("a",),
    )


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_svg_parses_with_labels_title_and_legend_as_text(
    kind: str, views: dict[str, GraphView], svgs: dict[str, bytes]
) -> None:
    view = views[kind]
    root = ET.fromstring(svgs[kind])
    assert root.tag == f"{SVG}svg"
    texts = _texts(root)
    groups = _groups(root)
    for node in view.nodes:
        assert _drawn(node.label, groups[f"label-{node.id}"]), node.label
        if len(node.label) <= 22:
            assert node.label in texts
    assert _flat(groups["title"]) == _flat(view.title)
    for cls, _label in view.classes():
        name = family_of(cls).name
        assert any(text.startswith(f"{name}: ") for text in texts), name
    for document in {document for edge in view.edges for document in edge.documents}:
        assert document in groups["sources"]


@pytest.mark.parametrize(
    ("kind", "relation"),
    [("entity", "cooperates with"), ("members", "member of (member state)")],
)
def test_small_view_names_relations(kind: str, relation: str, svgs: dict[str, bytes]) -> None:
    assert relation in _texts(ET.fromstring(svgs[kind]))


def test_large_view_leaves_relation_names_out(views: dict[str, GraphView], svgs: dict[str, bytes]):
    texts = set(_texts(ET.fromstring(svgs["graph"])))
    assert len(views["graph"].edges) > 120
    assert not texts & {edge.relation for edge in views["graph"].edges}


def test_svg_keeps_labels_as_text_not_glyph_paths(svgs: dict[str, bytes]) -> None:
    """svg.fonttype "none": no glyph definitions, so a report's text can be searched."""
    assert b'id="DejaVuSans' not in svgs["entity"]
    assert b'<use xlink:href="#DejaVu' not in svgs["entity"]


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_png_decodes_at_the_size_of_the_svg(
    kind: str, views: dict[str, GraphView], svgs: dict[str, bytes]
) -> None:
    dpi = 40  # small, to keep the whole graph quick; the size scales with it
    png = render_png(views[kind], dpi=dpi)
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        size = image.size
    root = ET.fromstring(svgs[kind])
    points = [float(root.get(side, "").removesuffix("pt")) for side in ("width", "height")]
    expected = [points_ / 72 * dpi for points_ in points]
    assert abs(size[0] - expected[0]) <= 1
    assert abs(size[1] - expected[1]) <= 1


def test_png_size_follows_dpi(views: dict[str, GraphView]) -> None:
    sizes = {}
    for dpi in (50, 150):
        with Image.open(io.BytesIO(render_png(views["path"], dpi=dpi))) as image:
            sizes[dpi] = image.size
    assert abs(sizes[150][0] - 3 * sizes[50][0]) <= 3
    assert abs(sizes[150][1] - 3 * sizes[50][1]) <= 3
    assert sizes[150][0] >= 8 * 150  # never narrower than 8 inches


def test_the_whole_graph_gets_a_larger_page(svgs: dict[str, bytes]) -> None:
    def width(svg: bytes) -> float:
        return float(ET.fromstring(svg).get("width", "").removesuffix("pt"))

    assert width(svgs["path"]) == 8 * 72
    assert 8 * 72 < width(svgs["graph"]) <= 30 * 72


@pytest.mark.parametrize("kind", ["entity", "graph"])
def test_same_view_same_bytes(kind: str, views: dict[str, GraphView], svgs: dict[str, bytes]):
    assert render_svg(views[kind]) == svgs[kind]
    if kind == "entity":  # PNG of the whole graph too would add seconds and test nothing new
        assert render_png(views[kind]) == render_png(views[kind])


def test_svg_has_no_date(svgs: dict[str, bytes]) -> None:
    assert b"<dc:date>" not in svgs["entity"]


def test_threads_draw_the_same_images(views: dict[str, GraphView]) -> None:
    """The API draws from worker threads: no shared pyplot figure, no leaked rcParams."""
    expected = {kind: (render_svg(views[kind]), render_png(views[kind], dpi=40)) for kind in SMALL}
    fonttype = matplotlib.rcParams["svg.fonttype"]

    def draw(kind: str) -> tuple[str, bytes, bytes]:
        return kind, render_svg(views[kind]), render_png(views[kind], dpi=40)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(draw, SMALL * 2))
    for kind, svg, png in results:
        assert (svg, png) == expected[kind], kind
    assert matplotlib.rcParams["svg.fonttype"] == fonttype


def test_pyplot_is_never_imported() -> None:
    code = (
        "import sys\n"
        "from paccto.graph.render.static_image import render_png, render_svg\n"
        "from paccto.graph.render.views import GraphView, ViewFilter\n"
        "view = GraphView('graph', 't', '', ViewFilter(), (), ())\n"
        "render_svg(view); render_png(view, dpi=20)\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.fixture(scope="module")
def hostile_kg() -> KnowledgeGraph:
    settings = get_settings(require_provenance=False)
    return load_knowledge_graph(settings, [FIXTURES / "views" / "hostile.ttl"])


def test_hostile_label_is_text_not_markup(hostile_kg: KnowledgeGraph) -> None:
    view = entity_view(hostile_kg, "hostile-img")
    svg = render_svg(view)
    root = ET.fromstring(svg)
    local_names = {element.tag.rsplit("}", 1)[-1].casefold() for element in root.iter()}
    assert not local_names & {"img", "script", "a", "foreignobject"}
    assert b"<img" not in svg
    assert b"<script" not in svg
    groups = _groups(root)
    assert groups["label-hostile-img"] == "<img src=x onerror=alert(1)>"
    assert _drawn('<a href="javascript:alert(4)">href</a>', groups["label-hostile-href"])
    assert render_png(view, dpi=40).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    "label",
    [
        "$x$ costs $5",
        r"C:\path_to\file",
        r"$\frac{$",  # broken mathtext: drawing it as a formula would raise
        r"\alpha_1 & <b>",
    ],
)
def test_math_and_backslashes_are_drawn_literally(label: str) -> None:
    view = _hand_made(label, "Second", relation=r"$rel$ \n")
    root = ET.fromstring(render_svg(view))
    groups = _groups(root)
    assert groups["label-a"] == label
    assert r"$rel$ \n" in _texts(root)
    assert render_png(view, dpi=40).startswith(PNG_SIGNATURE)


def test_long_labels_are_wrapped_and_cut() -> None:
    view = _hand_made("word " * 30, "x" * 70)
    groups = _groups(ET.fromstring(render_svg(view)))
    for node_id in ("a", "b"):
        lines = groups[f"label-{node_id}"]
        assert lines.endswith("…")
    root = ET.fromstring(render_svg(view))
    label_lines = [
        [text.text or "" for text in group.findall(f"{SVG}text")]
        for group in root.iter(f"{SVG}g")
        if (group.get("id") or "").startswith("label-")
    ]
    assert all(len(lines) == 3 and max(map(len, lines)) <= 22 for lines in label_lines)


def test_empty_view_says_so() -> None:
    view = GraphView("graph", "Nothing matches", "classes Unicorn", ViewFilter(), (), ())
    texts = _texts(ET.fromstring(render_svg(view)))
    assert "Nothing matches" in texts
    assert any("no entities" in text for text in texts)
    assert render_png(view, dpi=40).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_render_image_by_format(fmt: str) -> None:
    view = _hand_made("One", "Two")
    data = render_image(view, fmt.upper())
    assert data.startswith(PNG_SIGNATURE if fmt == "png" else b"<?xml")


@pytest.mark.parametrize("fmt", ["jpeg", "pdf", ""])
def test_unknown_format_is_named(fmt: str) -> None:
    with pytest.raises(PacctoError) as caught:
        render_image(_hand_made("One", "Two"), fmt)
    assert repr(fmt) in str(caught.value)
    assert "svg, png" in str(caught.value)


@pytest.mark.parametrize("dpi", [0, -5, 601])
def test_dpi_out_of_range(dpi: int) -> None:
    with pytest.raises(PacctoError, match="dpi"):
        render_png(_hand_made("One", "Two"), dpi=dpi)
