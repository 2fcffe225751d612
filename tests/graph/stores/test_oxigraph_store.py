"""The on-disk Oxigraph store: written whole or not at all, versions kept while in use, the
projection saved with the data. Its answers to every question are in
``tests/stores/test_every_store.py``."""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from synthetic_data import synthetic_file

from paccto.graph.errors import InputError, PacctoError, StoreUnavailableError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings
from paccto.graph.store_address import parse_store
from paccto.graph.store_registry import open_knowledge_graph
from paccto.graph.stores import oxigraph_store
from paccto.graph.stores.oxigraph_store import CURRENT, open_oxigraph_store, write_oxigraph_store
from paccto.graph.stores.saved_projection import PROJECTION_FILE

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def store_folder(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "paccto"
    write_oxigraph_store(kg, folder)
    return folder


@pytest.fixture(scope="module")
def stored(store_folder: Path) -> KnowledgeGraph:
    return open_oxigraph_store(store_folder)


def test_the_stored_graph_holds_every_quad_and_projects_the_same(
    kg: KnowledgeGraph, stored: KnowledgeGraph
) -> None:
    assert len(stored) == len(kg) == sum(1 for _ in kg.dataset.quads())
    assert stored.data_graph_names() == kg.data_graph_names()
    memory, disk = kg.projection.graph, stored.projection.graph
    assert sorted(disk.nodes) == sorted(memory.nodes)
    assert sorted(disk.edges(keys=True)) == sorted(memory.edges(keys=True))
    for u, v, key, data in memory.edges(keys=True, data=True):
        assert disk.edges[u, v, key] == data  # dates, sources in the same order


def test_a_failed_load_leaves_the_previous_version_in_use(
    kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "store"
    first = write_oxigraph_store(kg, folder)
    before = (folder / CURRENT).resolve()

    def broken(self: ox.Store, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ox.Store, "bulk_load", broken)
    with pytest.raises(OSError, match="disk full"):
        write_oxigraph_store(kg, folder)
    assert (folder / CURRENT).resolve() == before
    assert [path.name for path in folder.iterdir() if path.name.startswith("v-")] == [before.name]
    assert len(open_oxigraph_store(folder)) == first.quads


@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_a_load_killed_half_way_leaves_the_store_as_it_was(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    folder = tmp_path / "store"
    old = write_oxigraph_store(kg, folder)
    data = synthetic_file(60_000, tmp_path)
    command = [sys.executable, "-m", "paccto.api.cli", "--no-seeds", "load",
               "--store", f"oxigraph:{folder}", str(data)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    current = (folder / CURRENT).resolve()
    deadline = time.monotonic() + 120
    try:
        # Wait for the new version to be started, then kill the loader while it writes it.
        while not [p for p in folder.iterdir() if p.name.startswith("v-") and p != current]:
            assert process.poll() is None, process.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the load never started writing"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert (folder / CURRENT).resolve() == current
    reopened = open_oxigraph_store(folder)
    assert len(reopened) == old.quads
    assert reopened.index.resolve("clasi")
    del reopened  # its lease would keep the old version
    gc.collect()
    # the next load succeeds and clears what the killed one left
    write_oxigraph_store(kg, folder)
    assert len([p for p in folder.iterdir() if p.name.startswith("v-")]) == 1


def test_store_settings_and_folders_are_checked(kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(PacctoError, match="is not one of: memory, oxigraph:PATH"):
        parse_store("mongodb://localhost")
    with pytest.raises(PacctoError, match="must be an http"):
        parse_store("sparql:ftp://example.org/")
    assert parse_store("sparql:http://127.0.0.1:8890/sparql").kind == "sparql"
    with pytest.raises(PacctoError, match="create one with `paccto load --store oxigraph:"):
        open_oxigraph_store(tmp_path / "nothing-here")
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(PacctoError, match="is not empty and is not a PAcCTO Graph store"):
        write_oxigraph_store(kg, foreign)
    folder = tmp_path / "store"
    write_oxigraph_store(kg, folder)
    with pytest.raises(PacctoError, match="written with base IRI"):
        open_oxigraph_store(folder, "https://example.org/other/")
    settings = Settings(store=f"oxigraph:{folder}")
    with pytest.raises(InputError, match="paccto load --store"):
        open_knowledge_graph(settings, [REPO_ROOT / "tests" / "fixtures" / "good" / "tiny.ttl"])
    with pytest.raises(StoreUnavailableError, match="cannot be reached"):
        open_knowledge_graph(Settings(store="sparql:http://127.0.0.1:9/sparql"))
    assert oxigraph_store.read_manifest(folder).quads == len(kg)


def test_a_folder_left_by_an_interrupted_first_load_is_reused(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    folder = tmp_path / "store"
    (folder / "v-20260101T000000000000-1").mkdir(parents=True)  # no manifest, no link
    with pytest.raises(PacctoError, match="no PAcCTO Graph store"):
        open_oxigraph_store(folder)
    write_oxigraph_store(kg, folder)
    assert len(open_oxigraph_store(folder)) == len(kg)
    assert len([path for path in folder.iterdir() if path.name.startswith("v-")]) == 1


# --- the projection saved with each version -------------------------------------------------------


def _projection_contents(kg: KnowledgeGraph) -> tuple[Any, ...]:
    projection = kg.projection
    return (
        list(projection.graph.nodes(data=True)),
        list(projection.graph.edges(keys=True, data=True)),  # in order: it decides link order
        projection.relation_labels,
        projection.class_labels,
    )


def _rewrite_projection(folder: Path, change: Any) -> None:
    path = folder / CURRENT / PROJECTION_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.fixture
def store_copy(store_folder: Path, tmp_path: Path) -> Path:
    """A store of the test's own, whose saved projection it may spoil."""
    copy = tmp_path / "store"
    shutil.copytree(store_folder, copy, symlinks=True)
    return copy


def test_a_store_opens_with_the_projection_it_saved_when_written(
    kg: KnowledgeGraph, stored: KnowledgeGraph
) -> None:
    """The saved projection is the one the graph had in memory when it was written, edge order
    included (it decides the order links are listed in), so both stores answer alike."""
    assert stored.store_path is not None
    assert (stored.store_path / PROJECTION_FILE).is_file()
    assert _projection_contents(stored) == _projection_contents(kg)
    rebuilt = KnowledgeGraph(dataset=stored.dataset, ids=stored.ids, store=stored.store)
    contents, rebuilt_contents = _projection_contents(stored), _projection_contents(rebuilt)
    # Rebuilt from the database (a saved file from other code is not used): the same graph,
    # though Oxigraph's disk store lists a graph's triples in another order than its memory one.
    assert sorted(map(repr, contents[0])) == sorted(map(repr, rebuilt_contents[0]))
    assert sorted(map(repr, contents[1])) == sorted(map(repr, rebuilt_contents[1]))


def test_the_saved_projection_is_what_an_open_reads(store_copy: Path) -> None:
    # A label changed in the file, fingerprint kept: the open uses the file, not the quads.
    clasi = "https://w3id.org/paccto-graph/id/clasi"

    def relabel(document: dict[str, Any]) -> None:
        for node, data in document["nodes"]:
            if node == clasi:
                data["label"] = "relabelled in the saved file"

    _rewrite_projection(store_copy, relabel)
    assert open_oxigraph_store(store_copy).projection.graph.nodes[clasi]["label"] == (
        "relabelled in the saved file"
    )


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda path: path.write_text("{not json", encoding="utf-8"), id="unreadable"),
        pytest.param(lambda path: path.unlink(), id="missing"),
        pytest.param(
            lambda path: path.write_text(
                json.dumps({**json.loads(path.read_text()), "fingerprint": "1:other-code"})
            ),
            id="built by other code",
        ),
        pytest.param(lambda path: path.write_text('{"nodes": 3}'), id="wrong shape"),
    ],
)
def test_an_unusable_saved_projection_is_built_from_the_quads_instead(
    stored: KnowledgeGraph, store_copy: Path, spoil: Any
) -> None:
    _rewrite_projection(store_copy, lambda document: document["nodes"].clear())
    spoil(store_copy / CURRENT / PROJECTION_FILE)
    assert _projection_contents(open_oxigraph_store(store_copy)) == _projection_contents(stored)


# --- leases and the writer lock, within one process -----------------------------------------------


def test_an_open_graph_keeps_its_version_through_loads_until_it_is_dropped(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    from paccto.graph.stores.oxigraph_store import newer_version_available

    folder = tmp_path / "store"
    write_oxigraph_store(kg, folder)
    reader = open_oxigraph_store(folder)
    assert reader.store_path is not None
    opened = reader.store_path
    assert newer_version_available(reader) is None
    write_oxigraph_store(kg, folder)
    newer = (folder / CURRENT).resolve().name
    assert opened.is_dir() and newer != opened.name
    assert newer_version_available(reader) == newer
    assert len(reader) == len(kg) and reader.index.resolve("clasi")  # still reads it
    del reader
    gc.collect()
    write_oxigraph_store(kg, folder)
    assert not opened.exists()
    assert [path.name for path in folder.iterdir() if path.name.startswith("v-")] == [
        (folder / CURRENT).resolve().name
    ]
    assert newer_version_available(kg) is None  # a graph in memory has no store


def test_the_writer_lock_is_one_threads_at_a_time(kg: KnowledgeGraph, tmp_path: Path) -> None:
    import threading

    from paccto.graph.errors import StoreLockedError
    from paccto.graph.stores.oxigraph_store import store_writer

    folder = tmp_path / "store"
    refused: list[BaseException] = []

    def second_writer() -> None:
        try:
            write_oxigraph_store(kg, folder)
        except StoreLockedError as error:
            refused.append(error)

    with store_writer(folder):
        write_oxigraph_store(kg, folder)  # the same lock, taken again by its holder
        other = threading.Thread(target=second_writer)
        other.start()
        other.join()
    assert len(refused) == 1
    assert f"process {os.getpid()} on " in str(refused[0])
    assert (folder / "paccto-load.lock").read_text() == ""
    write_oxigraph_store(kg, folder)  # released


def test_a_leased_version_is_kept_and_one_removed_cannot_be_leased(tmp_path: Path) -> None:
    from paccto.graph.errors import StoreVersionGoneError
    from paccto.graph.stores.store_lease import lease_version, remove_unless_leased

    version, trash = tmp_path / "v-1", tmp_path / ".removing-v-1"
    version.mkdir()
    lease = lease_version(version)
    assert lease.held
    assert not remove_unless_leased(version, trash)
    assert version.is_dir()
    lease.release()
    assert remove_unless_leased(version, trash)
    assert not version.exists() and not trash.exists()
    with pytest.raises(StoreVersionGoneError, match="is gone"):
        lease_version(version)
