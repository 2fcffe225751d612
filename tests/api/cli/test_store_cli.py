"""``paccto load`` and ``--store oxigraph:PATH`` as a user runs them, and a server on the store."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from live_servers import paccto_serve
from test_cli import PACCTO, run

pytestmark = pytest.mark.skipif(PACCTO is None, reason="the paccto command is not installed")

BAD = Path(__file__).resolve().parents[2] / "fixtures" / "bad"
CQ01 = Path(__file__).resolve().parents[3] / "queries" / "cq01-phase-1-countries.rq"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "graph"
    result = run("load", "--store", f"oxigraph:{folder}", cwd=folder.parent)
    assert result.returncode == 0, result.stderr
    assert "wrote " in result.stderr and f"oxigraph:{folder}" in result.stderr
    return folder


def test_commands_answer_the_same_from_the_store_as_from_memory(
    store: Path, tmp_path: Path
) -> None:
    for command in (["path", "spain", "clasi", "--json"], ["stats", "--json"],
                    ["members", "phase-2", "--json"]):  # fmt: skip
        memory = run(*command, cwd=tmp_path)
        stored = run("--store", f"oxigraph:{store}", *command, cwd=tmp_path)
        assert stored.returncode == 0, stored.stderr
        assert json.loads(stored.stdout) == json.loads(memory.stdout)
    environment = {**os.environ, "PACCTO_STORE": f"oxigraph:{store}"}
    by_variable = subprocess.run(
        [str(PACCTO), "sparql", "--file", str(CQ01), "--format", "csv"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert by_variable.returncode == 0, by_variable.stderr
    assert by_variable.stdout == run("sparql", "--file", str(CQ01), "--format", "csv",
                                     cwd=tmp_path).stdout  # fmt: skip


def test_a_load_that_fails_leaves_the_store_as_it_was(store: Path, tmp_path: Path) -> None:
    before = (store / "current").resolve()
    broken = next(BAD.glob("*.ttl"))
    result = run("load", "--store", f"oxigraph:{store}", str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert str(broken) in result.stderr and "Traceback" not in result.stderr
    assert (store / "current").resolve() == before


def test_wrong_stores_are_refused_with_what_to_do(store: Path, tmp_path: Path) -> None:
    result = run("load", "--store", "memory", cwd=tmp_path)
    assert result.returncode == 1 and "oxigraph:PATH or sparql:URL" in result.stderr
    # the server is asked before the seeds are parsed and validated
    result = run("load", "--store", "sparql:http://127.0.0.1:9/sparql", cwd=tmp_path)
    assert result.returncode == 1 and "127.0.0.1:9/sparql cannot be reached" in result.stderr
    result = run("--store", "mongodb:x", "stats", cwd=tmp_path)
    assert result.returncode == 1 and "is not one of: memory, oxigraph:PATH" in result.stderr
    result = run("--store", f"oxigraph:{tmp_path / 'none'}", "stats", cwd=tmp_path)
    assert result.returncode == 1 and "create one with `paccto load" in result.stderr


def test_serve_from_the_store_answers_like_memory(
    store: Path, tmp_path: Path, client: TestClient
) -> None:
    with paccto_serve(tmp_path, options=["--store", f"oxigraph:{store}",
                                         "--sparql-workers", "1"]) as url:  # fmt: skip
        path = httpx.get(f"{url}/api/paths", params={"source": "spain", "target": "ameripol",
                                                     "k": 3}, timeout=30)  # fmt: skip
        assert path.status_code == 200
        assert (
            path.json()
            == client.get(
                "/api/paths", params={"source": "spain", "target": "ameripol", "k": 3}
            ).json()
        )
        query = CQ01.read_text(encoding="utf-8")
        served = httpx.post(f"{url}/sparql", data={"query": query},
                            headers={"Accept": "text/csv"}, timeout=30)  # fmt: skip
        assert served.status_code == 200
        memory = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
        assert sorted(served.text.splitlines()) == sorted(memory.text.splitlines())
        assert len(served.text.splitlines()) == 19  # header and the 18 countries
        health = httpx.get(f"{url}/health", timeout=10).json()
        assert health["status"] == "ok" and health["quads"] == len(client.app.state.kg)
