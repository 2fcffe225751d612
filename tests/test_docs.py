"""Docs that cannot rot: every command and every setting is documented in the README or docs/,
every example there runs, and every page is linked and every relative link lands on a file."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paccto.api.cli import app
from paccto.api.cli.render import render_app
from paccto.graph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
#: The pages under docs/, each of which the README must link.
DOC_PAGES = sorted((ROOT / "docs").glob("*.md"))
#: Everything the documentation says: the README followed by every page under docs/.
DOCS = "\n\n".join([README, *(page.read_text(encoding="utf-8") for page in DOC_PAGES)])


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(first_block) == 2
    assert "pip install" in first_block[0] and "paccto" in first_block[0]
    assert "pip install" in first_block[1] and "pytest" in first_block[1]


@pytest.mark.parametrize(
    "command", [c.name or c.callback.__name__ for c in app.registered_commands]
)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"paccto {command}" in DOCS or f"`{command}`" in DOCS


@pytest.mark.parametrize(
    "command", [c.name or c.callback.__name__ for c in render_app.registered_commands]
)
def test_every_kind_of_rendered_view_is_in_the_readme(command: str) -> None:
    assert f"paccto render {command} " in DOCS


#: The examples of the query and render commands in the README and docs/, which must keep working.
QUERY_EXAMPLES = re.findall(
    r"^\$ (paccto (?:show|search|path|members|memberships|common|neighbours) [^#\n]+?)\s*(?:#.*)?$",
    DOCS,
    re.M,
)
RENDER_EXAMPLES = re.findall(r"^\$ (paccto render [^#\n]+?)\s*(?:#.*)?$", DOCS, re.M)
#: An example shown in the README and again on a page runs once.
QUERY_EXAMPLES = list(dict.fromkeys(QUERY_EXAMPLES))
RENDER_EXAMPLES = list(dict.fromkeys(RENDER_EXAMPLES))


@pytest.mark.skipif(shutil.which("paccto") is None, reason="the paccto command is not installed")
@pytest.mark.parametrize("example", RENDER_EXAMPLES)
def test_every_render_example_in_the_readme_writes_its_file(tmp_path: Path, example: str) -> None:
    words = shlex.split(example)
    result = subprocess.run(words, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / words[words.index("-o") + 1]).stat().st_size > 1000


def test_the_readme_shows_render_examples() -> None:
    assert len(RENDER_EXAMPLES) >= 5
    assert len(QUERY_EXAMPLES) >= 10


@pytest.mark.skipif(shutil.which("paccto") is None, reason="the paccto command is not installed")
@pytest.mark.parametrize("example", QUERY_EXAMPLES)
def test_every_query_example_in_the_readme_answers(tmp_path: Path, example: str) -> None:
    result = subprocess.run(
        shlex.split(example), cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_has_its_environment_variable_in_the_readme(name: str) -> None:
    assert f"PACCTO_{name.upper()}" in DOCS


def test_every_stored_query_is_named_in_the_readme_or_a_test() -> None:
    assert re.search(r"queries/cq\d\d", DOCS)


README_URLS = list(dict.fromkeys(re.findall(r"curl\s+'?localhost:8000(/\S+?)'?\s", DOCS)))


def test_the_readme_shows_http_examples() -> None:
    assert len(README_URLS) >= 8


@pytest.mark.parametrize("url", README_URLS)
def test_every_http_example_in_the_readme_answers(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"


def test_the_readme_is_a_front_door() -> None:
    assert len(README.splitlines()) <= 160


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda page: page.name)
def test_every_docs_page_is_linked_from_the_readme(page: Path) -> None:
    assert f"](docs/{page.name})" in README or f"](docs/{page.name}#" in README


#: Markdown links and images: ``[text](target)`` and ``![alt](target)``.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _relative_links() -> list[tuple[str, str]]:
    links = []
    for document in [README_PATH, *DOC_PAGES]:
        text = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.S)
        for target in LINK.findall(text):
            if not re.match(r"[a-z][a-z0-9+.-]*:|#", target):
                links.append((str(document.relative_to(ROOT)), target))
    return links


RELATIVE_LINKS = _relative_links()


def test_the_docs_have_relative_links() -> None:
    assert len(RELATIVE_LINKS) >= len(DOC_PAGES)


@pytest.mark.parametrize(("document", "target"), RELATIVE_LINKS)
def test_every_relative_link_points_to_a_file(document: str, target: str) -> None:
    path = (ROOT / document).parent / target.split("#", 1)[0]
    assert path.resolve().is_file(), f"{document} links to {target}, which does not exist"
