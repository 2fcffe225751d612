"""Docs that cannot rot: every command and every setting is documented in the README."""

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

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(first_block) == 2
    assert "pip install" in first_block[0] and "paccto" in first_block[0]
    assert "pip install" in first_block[1] and "pytest" in first_block[1]


@pytest.mark.parametrize(
    "command", [c.name or c.callback.__name__ for c in app.registered_commands]
)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"paccto {command}" in README or f"`{command}`" in README


@pytest.mark.parametrize(
    "command", [c.name or c.callback.__name__ for c in render_app.registered_commands]
)
def test_every_kind_of_rendered_view_is_in_the_readme(command: str) -> None:
    assert f"paccto render {command} " in README


#: The README's examples of the query and render commands, which must keep working as shown.
QUERY_EXAMPLES = re.findall(
    r"^\$ (paccto (?:show|search|path|members|memberships|common|neighbours) [^#\n]+?)\s*(?:#.*)?$",
    README,
    re.M,
)
RENDER_EXAMPLES = re.findall(r"^\$ (paccto render [^#\n]+?)\s*(?:#.*)?$", README, re.M)


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
    assert f"PACCTO_{name.upper()}" in README


def test_every_stored_query_is_named_in_the_readme_or_a_test() -> None:
    assert re.search(r"queries/cq\d\d", README)


README_URLS = re.findall(r"curl\s+'?localhost:8000(/\S+?)'?\s", README)


def test_the_readme_shows_http_examples() -> None:
    assert len(README_URLS) >= 8


@pytest.mark.parametrize("url", README_URLS)
def test_every_http_example_in_the_readme_answers(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
