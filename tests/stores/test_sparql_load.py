"""``paccto load --store sparql:URL`` against a real Virtuoso of the module's own: the server ends
up holding exactly the embedded graph, a later load replaces it whole, and bad input, missing
rights or a load killed half way leave the graph in use as it was.

Every test loads what it starts from, so the order they run in does not matter.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from virtuoso_server import VirtuosoServer, graph_sizes

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.export import export_graph
from paccto.graph.settings import DEFAULT_BASE_IRI, get_settings
from paccto.graph.store_registry import open_knowledge_graph
from paccto.graph.stores.sparql_client import SparqlClient
from paccto.graph.stores.sparql_load_lock import (
    LOCK_GRAPH,
    LockHolder,
    release_load_lock,
    take_load_lock,
)
from paccto.graph.stores.sparql_loader import MERGE_GRAPH_PREFIX, STAGING_PREFIX

pytestmark = pytest.mark.virtuoso

REPO_ROOT = Path(__file__).resolve().parents[2]
EX = "https://example.org/load-test#"
#: What the shapes ask of any entity: a class and an English label.
TOPIC = "a <https://w3id.org/paccto-graph/ontology#Topic> ; <http://www.w3.org/2000/01/rdf-schema#label>"


def _writer_env(server: VirtuosoServer, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PACCTO_") or key == "PACCTO_REQUIRE_VIRTUOSO"
    }
    environment.update(
        PACCTO_STORE_UPDATE_URL=server.auth_url,
        PACCTO_STORE_USER=server.user,
        PACCTO_STORE_PASSWORD=server.password,
        PACCTO_STORE_AUTH="digest",
    )
    environment.update(extra)
    return environment


def _paccto(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = shutil.which("paccto")
    assert command is not None, "the paccto command is not installed"
    return subprocess.run(
        [command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def _load(server: VirtuosoServer, *files: str, cwd: Path, options: tuple[str, ...] = ()) -> str:
    """Run ``paccto [OPTIONS] load --store sparql:URL [FILES]`` as the server's writer."""
    done = _paccto(
        *options, "load", "--store", f"sparql:{server.sparql_url}", *files,
        cwd=cwd, env=_writer_env(server),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def _ours(server: VirtuosoServer, prefix: str = DEFAULT_BASE_IRI) -> dict[str, int]:
    return {graph: n for graph, n in graph_sizes(server).items() if graph.startswith(prefix)}


def _embedded_sizes(kg: KnowledgeGraph) -> dict[str, int]:
    quads = ox.parse(export_graph(kg, "nq"), format=ox.RdfFormat.N_QUADS)
    return dict(Counter(quad.graph_name.value for quad in quads))


def _answer(server: VirtuosoServer, query: str) -> dict[str, Any]:
    response = httpx.post(
        server.sparql_url,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


def _ask(server: VirtuosoServer, query: str) -> bool:
    return bool(_answer(server, query)["boolean"])


def _synthetic(triples: int, folder: Path) -> Path:
    path = folder / f"synthetic-{triples}.trig"
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "synthetic.py"),
         "--triples", str(triples), "--seed", "3", "-o", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


def test_a_load_writes_the_embedded_graph_and_the_store_answers_from_it(
    empty_virtuoso: VirtuosoServer, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    expected = _embedded_sizes(kg)
    message = _load(empty_virtuoso, cwd=tmp_path)
    assert f"wrote {sum(expected.values())} quads in {len(expected)} graphs" in message
    assert _ours(empty_virtuoso) == expected
    assert _ours(empty_virtuoso, STAGING_PREFIX) == {}
    assert _ours(empty_virtuoso, LOCK_GRAPH) == {}  # given back
    # Virtuoso builds no xsd:duration from INSERT DATA; the loader's second spelling got it in.
    assert _ask(
        empty_virtuoso,
        f"ASK {{ GRAPH ?g {{ <{DEFAULT_BASE_IRI}id/phase-2> "
        "<https://w3id.org/paccto-graph/ontology#plannedDuration> ?d } }",
    )
    store = f"sparql:{empty_virtuoso.sparql_url}"
    for command in (
        ("path", "Spain", "AMERIPOL", "--json"),
        ("members", "el-paccto", "--transitive", "--json"),
    ):
        embedded = _paccto(*command, cwd=tmp_path)
        served = _paccto("--store", store, *command, cwd=tmp_path)
        assert embedded.returncode == served.returncode == 0, served.stderr
        assert json.loads(served.stdout) == json.loads(embedded.stdout)


def test_a_second_load_replaces_the_graph_whole(
    empty_virtuoso: VirtuosoServer, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    expected = _embedded_sizes(kg)
    _load(empty_virtuoso, cwd=tmp_path)
    synthetic = _synthetic(3000, tmp_path)
    message = _load(empty_virtuoso, str(synthetic), cwd=tmp_path, options=("--no-seeds",))
    assert f"(replacing {sum(expected.values())} quads)" in message
    after = _ours(empty_virtuoso)
    assert not set(expected) - {str(kg.ids.ontology_graph), str(kg.ids.entities_graph),
                                str(kg.ids.provenance_graph)} & set(after)  # fmt: skip
    assert sum(after.values()) > 2000
    _load(empty_virtuoso, cwd=tmp_path)
    assert _ours(empty_virtuoso) == expected


def test_bad_input_or_missing_rights_change_nothing_on_the_server(
    empty_virtuoso: VirtuosoServer, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    expected = _embedded_sizes(kg)
    _load(empty_virtuoso, cwd=tmp_path)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c ;;; ex:d .\n")
    elsewhere = tmp_path / "elsewhere.trig"
    elsewhere.write_text(
        f'<https://other.example/g> {{ <{EX}a> {TOPIC} "A"@en ; <{EX}p> "outside" . }}\n'
    )
    store = f"sparql:{empty_virtuoso.sparql_url}"
    attempts = [
        (("load", "--store", store, str(broken)), _writer_env(empty_virtuoso), "broken.ttl"),
        (
            ("--no-provenance-check", "load", "--store", store, str(elsewhere)),
            _writer_env(empty_virtuoso),
            "reads only named graphs under",
        ),
        (("load", "--store", store), None, "PACCTO_STORE_UPDATE_URL"),
        (
            ("load", "--store", store),
            _writer_env(empty_virtuoso, PACCTO_STORE_PASSWORD="wrong"),
            "credentials",
        ),
    ]
    for args, env, named in attempts:
        done = _paccto(*args, cwd=tmp_path, env=env)
        assert done.returncode == 1, (args, done.stderr)
        assert named in done.stderr
        assert "Traceback" not in done.stderr
        assert _ours(empty_virtuoso) == expected, args
        assert _ours(empty_virtuoso, STAGING_PREFIX) == {}


def test_blank_nodes_keep_their_links_across_requests(
    empty_virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    pairs = 700  # more quads than one request carries, so the pairs are spread over several
    lines = ["<graph/extra> {"]
    for n in range(pairs):
        lines.append(f'<id/x{n}> {TOPIC} "x{n}"@en ; <{EX}p> [ <{EX}q> "v{n}" ] .')
    lines.append("}")
    data = tmp_path / "blank.trig"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _load(empty_virtuoso, str(data), cwd=tmp_path, options=("--no-seeds", "--no-provenance-check"))
    answer = _answer(
        empty_virtuoso,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?x <{EX}p> ?b . ?b <{EX}q> ?v . "
        f'FILTER(STR(?v) = CONCAT("v", STRAFTER(STR(?x), "/id/x"))) }} '
        f'FILTER(!STRSTARTS(STR(?g), "{MERGE_GRAPH_PREFIX}")) }}',  # the load's merge graph
    )
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == pairs


@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_a_load_killed_half_way_leaves_the_graph_in_use(
    empty_virtuoso: VirtuosoServer, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    expected = _embedded_sizes(kg)
    _load(empty_virtuoso, cwd=tmp_path)
    synthetic = _synthetic(30_000, tmp_path)
    command = [sys.executable, "-m", "paccto.api.cli", "--no-seeds", "load",
               "--store", f"sparql:{empty_virtuoso.sparql_url}", str(synthetic)]  # fmt: skip
    staging = f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}"))'
    process = subprocess.Popen(
        command,
        env=_writer_env(empty_virtuoso),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180
    try:
        # Wait until the loader has staged some quads, then kill it while it stages the rest.
        while not _ask(empty_virtuoso, f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} {staging} }}"):
            assert process.poll() is None, process.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the load never started staging"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _ours(empty_virtuoso) == expected
    assert _ours(empty_virtuoso, STAGING_PREFIX)  # the killed load's leftovers, unseen
    assert _ours(empty_virtuoso, LOCK_GRAPH) == {LOCK_GRAPH: 1}  # and its lock
    reopened = open_knowledge_graph(get_settings(store=f"sparql:{empty_virtuoso.sparql_url}"))
    assert len(reopened) == len(kg)
    # the next load takes over the dead process's lock, and clears what it left
    _load(empty_virtuoso, cwd=tmp_path)
    assert _ours(empty_virtuoso) == expected
    assert _ours(empty_virtuoso, STAGING_PREFIX) == {}
    assert _ours(empty_virtuoso, LOCK_GRAPH) == {}


def _writer(server: VirtuosoServer) -> SparqlClient:
    settings = get_settings(
        store_update_url=server.auth_url,
        store_user=server.user,
        store_password=server.password,
        store_auth="digest",
    )
    return SparqlClient.from_settings(server.sparql_url, settings)


def test_a_load_waits_its_turn_while_another_holds_the_lock(
    empty_virtuoso: VirtuosoServer, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    expected = _embedded_sizes(kg)
    _load(empty_virtuoso, cwd=tmp_path)
    # A load in progress, as far as the server can tell: this test's own (live) process.
    client = _writer(empty_virtuoso)
    holder = take_load_lock(client)
    try:
        store = f"sparql:{empty_virtuoso.sparql_url}"
        refused = _paccto(
            "--no-seeds", "load", "--store", store, str(_synthetic(3000, tmp_path)),
            cwd=tmp_path, env=_writer_env(empty_virtuoso),
        )  # fmt: skip
        assert refused.returncode == 1, refused.stderr
        assert "another paccto load" in refused.stderr
        assert f"process {os.getpid()} on" in refused.stderr
        assert "--break-lock" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert _ours(empty_virtuoso) == expected
        assert _ours(empty_virtuoso, STAGING_PREFIX) == {}
        assert _ours(empty_virtuoso, LOCK_GRAPH) == {LOCK_GRAPH: 1}  # still the holder's
        # Asked to, a load removes a lock it cannot prove dead, and gives its own back after.
        done = _paccto(
            "load", "--store", store, "--break-lock", cwd=tmp_path, env=_writer_env(empty_virtuoso)
        )
        assert done.returncode == 0, done.stderr
        assert _ours(empty_virtuoso) == expected
        assert _ours(empty_virtuoso, LOCK_GRAPH) == {}
    finally:
        release_load_lock(client, holder)


def test_a_lock_already_held_is_respected_whatever_its_holder_sorts_as(
    empty_virtuoso: VirtuosoServer, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    """Virtuoso 7.2 inserts despite the lock's FILTER NOT EXISTS, so a load must see an existing
    holder before it writes; the tie-break between two new locks must not hand it the lock.
    A holder on another machine whose record sorts after any other makes that deterministic."""
    expected = _embedded_sizes(kg)
    _load(empty_virtuoso, cwd=tmp_path)
    client = _writer(empty_virtuoso)
    elsewhere = dataclasses.replace(LockHolder.for_this_process(), host="zz-another-machine")
    client.update(
        f"INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> <urn:x-paccto:heldBy> "
        f"{elsewhere.literal} }} }}"
    )
    try:
        refused = _paccto(
            "load", "--store", f"sparql:{empty_virtuoso.sparql_url}",
            cwd=tmp_path, env=_writer_env(empty_virtuoso),
        )  # fmt: skip
        assert refused.returncode == 1, refused.stderr
        assert "zz-another-machine" in refused.stderr
        assert _ours(empty_virtuoso) == expected
        assert _ours(empty_virtuoso, LOCK_GRAPH) == {LOCK_GRAPH: 1}  # only the holder's
    finally:
        release_load_lock(client, elsewhere)
