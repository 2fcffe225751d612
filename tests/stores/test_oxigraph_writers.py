"""Writers and readers of one on-disk store at once, as real processes: loads that race, a load
under a running server, loads killed at any point, and a lock left by a dead load.

Each test checks the store after every step the way a user would meet it: it opens, and the
quads its files hold are exactly those its manifest counts, of the old graph or of the new one.
"""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_servers import paccto_serve
from synthetic_data import synthetic_file

from paccto.graph.load.loading import named_quad_count
from paccto.graph.stores.oxigraph_store import CURRENT, open_oxigraph_store
from paccto.graph.stores.query_store import STORE_FOLDER

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX processes and signals")

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCK_FILE = "paccto-load.lock"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _load_command(folder: Path, data: Path | None = None) -> list[str]:
    """``paccto load`` of the seeds alone, or of ``data`` alone (a different graph)."""
    options = [] if data is None else ["--no-seeds"]
    files = [] if data is None else [str(data)]
    return [sys.executable, "-m", "paccto.api.cli", *options, "load",
            "--store", f"oxigraph:{folder}", *files]  # fmt: skip


def _load(folder: Path, data: Path | None = None) -> int:
    """Run a load to its end; the quads it wrote."""
    done = subprocess.run(_load_command(folder, data), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return _written(done.stderr.decode())


def _written(stderr: str) -> int:
    found = re.search(r"wrote (\d+) quads", stderr)
    assert found, stderr[-2000:]
    return int(found[1])


def _stored_quads(folder: Path) -> int:
    """Open the store as a command does and count the quads its files hold.

    The count comes from the database files (a scan), the manifest's from the load: equal only
    if the version is whole. The graph is dropped afterwards, so this process holds no lease.
    """
    kg = open_oxigraph_store(folder)
    assert kg.store_path is not None
    counted = named_quad_count(ox.Store.read_only(str(kg.store_path / STORE_FOLDER)))
    manifest = len(kg)
    del kg
    gc.collect()
    assert counted == manifest, f"the current version holds {counted} of {manifest} quads"
    return counted


def _versions(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("v-"))


def _partial_versions(folder: Path) -> list[str]:
    """Versions no load finished: no manifest, and not the one in use."""
    current = (folder / CURRENT).resolve().name
    return [
        name
        for name in _versions(folder)
        if name != current and not (folder / name / "paccto-store.json").is_file()
    ]


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if process.poll() is not None:
            return  # it ended first: the caller checks how
        assert time.monotonic() < deadline, f"the load never reached {what}"
        time.sleep(0.002)


# --- two writers -----------------------------------------------------------------------------


def test_two_loads_at_once_leave_one_whole_graph_and_the_loser_is_told_who_holds_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "store"
    synthetic = synthetic_file(2000, tmp_path)
    graphs = [_load_command(folder), _load_command(folder, synthetic)]
    refused = 0
    for round_number in range(5):
        commands = graphs if round_number % 2 == 0 else graphs[::-1]
        processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for command in commands
        ]
        errors = [process.communicate(timeout=120)[1].decode() for process in processes]
        written = []
        for index, (process, stderr) in enumerate(zip(processes, errors, strict=True)):
            if process.returncode == 0:
                written.append(_written(stderr))
                continue
            refused += 1
            other = processes[1 - index]
            assert process.returncode == 1, stderr[-2000:]
            assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
            assert f"process {other.pid} on {socket.gethostname()}" in stderr, stderr
        assert written, f"round {round_number}: neither load wrote the store: {errors}"
        assert _stored_quads(folder) in written, f"round {round_number}: {errors}"
        assert _versions(folder) == [(folder / CURRENT).resolve().name]
    # Started together, the two meet in (nearly) every round; never once is no lock at all.
    assert refused >= 1, "the second load of a round was never refused"


# --- a writer under a running server ---------------------------------------------------------


def _ask_count(url: str) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})


def _count_answer(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.text.splitlines()[1])


@pytest.mark.server
def test_a_load_under_a_running_server_keeps_its_version_until_it_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "store"
    synthetic = synthetic_file(2000, tmp_path)
    old_quads = _load(folder)
    old_version = (folder / CURRENT).resolve()
    # A short time limit, so that a query can make the server replace a worker after the load.
    monkeypatch.setenv("PACCTO_SPARQL_TIMEOUT", "1")
    monkeypatch.setenv("PACCTO_SPARQL_QUICK_WORKERS", "0")
    store_option = ["--store", f"oxigraph:{folder}"]
    answers: list[httpx.Response] = []
    with paccto_serve(tmp_path, before=store_option) as url:
        stop = threading.Event()

        def ask() -> None:
            with httpx.Client(base_url=url, timeout=30, headers={"Accept": "text/csv"}) as web:
                while not stop.is_set():
                    answers.append(web.get("/sparql", params={"query": COUNT}))

        asking = threading.Thread(target=ask)
        asking.start()
        try:
            new_quads = _load(folder, synthetic)
            assert (folder / CURRENT).resolve() != old_version
            asked = len(answers)
            time.sleep(0.5)
        finally:
            stop.set()
            asking.join(timeout=60)
        assert len(answers) > asked > 0
        counts = {_count_answer(response) for response in answers}
        assert counts == {old_quads}, "the server changed graph under its clients"
        assert old_version.is_dir(), "the load removed the version the server reads"
        # A query past the time limit: its worker is killed, and its successor must open the
        # version the server reads again.
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        assert httpx.get(f"{url}/sparql", params={"query": slow}, timeout=30).status_code == 503
        deadline = time.monotonic() + 20
        while True:
            health = httpx.get(f"{url}/health", timeout=10).json()
            assert health["problem"] is None, health
            if health["sparql_worker_restarts"] >= 1 and health["sparql_workers_idle"] == 2:
                break
            assert time.monotonic() < deadline, health
            time.sleep(0.1)
        assert _count_answer(_ask_count(url)) == old_quads
        # /health says which version it serves and that a restart would serve a newer one.
        assert health["store_version"] == old_version.name
        assert health["newer_store_version"] == (folder / CURRENT).resolve().name
    with paccto_serve(tmp_path, before=store_option) as url:
        assert _count_answer(_ask_count(url)) == new_quads
        assert httpx.get(f"{url}/health", timeout=10).json()["newer_store_version"] is None
    # No server reads the old versions any more: the next load removes them.
    _load(folder)
    assert not old_version.exists()
    assert _versions(folder) == [(folder / CURRENT).resolve().name]


# --- killed writers --------------------------------------------------------------------------


def test_loads_killed_at_any_point_leave_a_whole_graph_and_the_next_load_clears_them(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "store"
    synthetic = synthetic_file(6000, tmp_path)
    old_quads = _load(folder)

    def killed_load(point: str, reached: Callable[[int], bool]) -> int | None:
        process = subprocess.Popen(
            _load_command(folder, synthetic), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            _wait_for(lambda: reached(process.pid), process, point)
            process.send_signal(signal.SIGKILL)
        finally:
            stderr = process.communicate(timeout=60)[1].decode()
        assert process.returncode in (-signal.SIGKILL, 0), stderr[-2000:]
        return process.returncode

    def lock_names(pid: int) -> bool:
        lock = folder / LOCK_FILE
        return lock.is_file() and f'"pid": {pid}' in lock.read_text(encoding="utf-8")

    def writes_a_version(known: set[str]) -> Callable[[int], bool]:
        return lambda _pid: bool(set(_versions(folder)) - known)

    old_version = (folder / CURRENT).resolve().name
    for point in ("during the bulk load", "during the bulk load again", "early"):
        reached = lock_names if point == "early" else writes_a_version(set(_versions(folder)))
        assert killed_load(point, reached) == -signal.SIGKILL, point
        assert (folder / CURRENT).resolve().name == old_version, point
        assert _stored_quads(folder) == old_quads, point
        # Each load, killed or not, first clears what the loads killed before it left.
        assert len(_partial_versions(folder)) <= 1, (point, _versions(folder))

    killed_load("the switch", lambda _pid: (folder / CURRENT).resolve().name != old_version)
    assert (folder / CURRENT).resolve().name != old_version
    assert _partial_versions(folder) == []
    new_quads = _stored_quads(folder)
    assert new_quads != old_quads
    assert json.loads((folder / CURRENT / "paccto-store.json").read_text())["files"] == [
        str(synthetic)
    ]

    assert _load(folder) == old_quads
    assert _versions(folder) == [(folder / CURRENT).resolve().name]
    leftovers = [path.name for path in folder.iterdir() if path.name.startswith(".")]
    assert leftovers == []


# --- a lock left behind ----------------------------------------------------------------------


_HOLD_LOCK = """
import sys, time
from pathlib import Path
from paccto.graph.stores.store_lease import writer_lock
with writer_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_lock_left_by_a_dead_load_is_taken_over_and_a_live_one_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(gone.stdout)
    (folder / LOCK_FILE).write_text(
        json.dumps({"pid": dead_pid, "host": socket.gethostname(), "since": "2026-01-01T00:00Z"})
    )
    done = subprocess.run(_load_command(folder), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"took over the lock of process {dead_pid} on {socket.gethostname()}" in done.stderr
    assert (folder / LOCK_FILE).read_text() == ""  # released by the load that took it
    quads = _stored_quads(folder)

    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(folder)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = subprocess.run(_load_command(folder), capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert refused.returncode == 1, refused.stderr[-2000:]
    assert "Traceback" not in refused.stderr
    assert f"process {holder.pid} on {socket.gethostname()}" in refused.stderr
    assert _stored_quads(folder) == quads
