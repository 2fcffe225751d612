"""``paccto render``: files for reports, written by the installed command as a user runs it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from page_checks import data_block, external_references
from test_cli import PACCTO, run

pytestmark = pytest.mark.skipif(PACCTO is None, reason="the paccto command is not installed")

SVG = "{http://www.w3.org/2000/svg}"


def svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return " ".join(" ".join(element.itertext()) for element in root.iter(f"{SVG}text"))


@pytest.mark.parametrize(
    "command",
    [
        ["entity", "CLASI", "--depth", "2"],
        ["graph", "--class", "Country", "--class", "Region"],
    ],
)
def test_render_html_writes_one_self_contained_page(tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "view.html"
    result = run("render", *command, "-o", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    html = target.read_text(encoding="utf-8")
    assert external_references(html) == []
    assert re.search(r"https?://[^\"'\s]*\.(?:js|css)\b", html) is None
    nodes = data_block(html, "view-nodes")
    count = re.search(r"\((\d+) entities, (\d+) relationships\)", result.stderr)
    assert count and int(count.group(1)) == len(nodes) > 1
    assert f"wrote {target}" in result.stderr


def test_render_svg_names_the_entities_and_png_is_an_image(tmp_path: Path) -> None:
    svg, png = tmp_path / "path.svg", tmp_path / "path.png"
    for target in (svg, png):
        result = run("render", "path", "spain", "clasi", "-o", str(target), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    text = svg_text(svg)
    for name in ("Spain", "Latin American", "Committee for", "Internal Security"):
        assert name in text
    assert "From Spain to" in text
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_render_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    result = run("render", "entity", "clasi", "-o", str(tmp_path / "view.pdf"), cwd=tmp_path)
    assert result.returncode == 1
    assert "end the file name in .html, .svg or .png" in result.stderr
    missing = tmp_path / "no" / "such" / "folder" / "view.html"
    result = run("render", "entity", "clasi", "-o", str(missing), cwd=tmp_path)
    assert result.returncode == 1 and "does not exist" in result.stderr
    result = run("render", "entity", "nowhere-land", "-o", str(tmp_path / "v.svg"), cwd=tmp_path)
    assert result.returncode == 1 and "No entity is called 'nowhere-land'" in result.stderr
    result = run("render", "graph", "--phase", "7", "-o", str(tmp_path / "g.html"), cwd=tmp_path)
    assert result.returncode == 1 and "phases are 1" in result.stderr
    assert not list(tmp_path.glob("*.*"))  # nothing half-written
    for outcome in (result,):
        assert "Traceback" not in outcome.stderr + outcome.stdout


def test_render_hostile_labels_to_svg_as_text(tmp_path: Path) -> None:
    hostile = Path(__file__).resolve().parents[2] / "fixtures" / "views" / "hostile.ttl"
    target = tmp_path / "hostile.svg"
    result = run(
        "--no-provenance-check", "--data", str(hostile),
        "render", "entity", "hostile-img", "-o", str(target), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    root = ET.parse(target).getroot()
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}image"))
    assert "onerror=alert(1)" in svg_text(target)
