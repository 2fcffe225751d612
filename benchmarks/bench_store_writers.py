"""Races ``paccto load`` against itself (and against a running server) on one on-disk store and
counts how often the store survives. Not a test: run it with
``python benchmarks/bench_store_writers.py [ROUNDS] [--under-server]``.

Each round starts two loads of different graphs (the seeds alone, a synthetic graph alone) at
the same moment, waits for both, then opens the store as a command does: the round survives if
it opens and its files hold exactly the quads its manifest counts, of a graph one of the two
loads wrote (or, if neither wrote, the graph before). A load either writes the store, is
refused because the other holds the store's lock (exit status 1, "another load is writing"), or
fails otherwise (anything else: the defect this measures).

With ``--under-server``, a ``paccto serve`` on the store answers a count query in a loop for the
whole run: every answer must be the count of the graph it opened, whatever is loaded meanwhile.
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
from _servers import paccto_serve  # sibling scripts: their folder is on sys.path
from synthetic import generate

from paccto.graph.stores.oxigraph_store import open_oxigraph_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Tally:
    rounds: int = 0
    survived: int = 0
    succeeded: int = 0
    refused: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)


def load_command(folder: Path, data: Path | None) -> list[str]:
    options = [] if data is None else ["--no-seeds"]
    files = [] if data is None else [str(data)]
    return [sys.executable, "-m", "paccto.api.cli", *options, "load",
            "--store", f"oxigraph:{folder}", *files]  # fmt: skip


def stored_quads(folder: Path) -> int:
    """The quads the current version's files hold, if they are all its manifest counts."""
    kg = open_oxigraph_store(folder)
    assert kg.store_path is not None
    counted, manifest = len(ox.Store.read_only(str(kg.store_path))), len(kg)
    del kg
    gc.collect()  # let go of the lease, which would keep this version through the next round
    if counted != manifest:
        raise RuntimeError(f"the current version holds {counted} of {manifest} quads")
    return counted


def race(folder: Path, commands: list[list[str]], before: int | None, tally: Tally) -> None:
    processes = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for command in commands
    ]
    written: list[int] = []
    for process in processes:
        stderr = process.communicate()[1].decode()
        if process.returncode == 0:
            tally.succeeded += 1
            written.append(int(re.findall(r"wrote (\d+) quads", stderr)[-1]))
        elif process.returncode == 1 and "another load is writing" in stderr:
            tally.refused += 1
        else:
            tally.failed += 1
            tally.failures.append(f"round {tally.rounds}: exit {process.returncode}: {stderr}")
    tally.rounds += 1
    try:
        quads = stored_quads(folder)
    except Exception as error:  # the store is gone or broken
        tally.failures.append(f"round {tally.rounds}: store: {type(error).__name__}: {error}")
        return
    if quads in (written or [before]):
        tally.survived += 1
    else:
        tally.failures.append(f"round {tally.rounds}: {quads} quads, loads wrote {written}")


class Server:
    """``paccto serve`` on the store, asked a count query in a loop by a thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._ask, daemon=True)
        self._thread.start()

    def count(self) -> str:
        response = httpx.get(
            f"{self.url}/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}
        )
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        return response.text.splitlines()[1]

    def _ask(self) -> None:
        while not self._stop.is_set():
            try:
                answer = self.count()
            except httpx.HTTPError as error:
                answer = type(error).__name__
            self.answers[answer] = self.answers.get(answer, 0) + 1
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=20)
    parser.add_argument("--under-server", action="store_true", help="with a live server too")
    parser.add_argument("--triples", type=int, default=2000, help="size of the synthetic graph")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="paccto-writers-"))
    folder = work / "store"
    synthetic = work / "synthetic.trig"
    with synthetic.open("w", encoding="utf-8") as out:
        generate(args.triples, out, seed=1)
    graphs = [load_command(folder, None), load_command(folder, synthetic)]
    tally = Tally()
    started = time.perf_counter()
    subprocess.run(graphs[0], check=True, capture_output=True)
    served = stored_quads(folder)
    before: int | None = served
    with ExitStack() as stack:
        server = None
        if args.under_server:
            url, _ = stack.enter_context(
                paccto_serve("--store", f"oxigraph:{folder}", log=work / "serve.log")
            )
            server = Server(url)
            stack.callback(server.stop)
        for number in range(args.rounds):
            race(folder, graphs if number % 2 == 0 else graphs[::-1], before, tally)
            try:
                before = stored_quads(folder)
            except Exception:
                before = None
        final = server.count() if server is not None else ""
    elapsed = time.perf_counter() - started

    print(f"rounds survived: {tally.survived}/{tally.rounds} (opened, one graph whole)")
    print(f"loads succeeded: {tally.succeeded}")
    print(f"loads refused:   {tally.refused} (the other load held the lock)")
    print(f"loads failed:    {tally.failed}")
    if server is not None:
        answers = ", ".join(f"{answer}: {n}" for answer, n in sorted(server.answers.items()))
        print(f"server answers:  {answers} (it opened {served} quads; last answer {final})")
    versions = sorted(path.name for path in folder.iterdir() if path.name.startswith("v-"))
    print(f"versions left:   {len(versions)}")
    print(f"elapsed:         {elapsed:.1f} s ({elapsed / max(tally.rounds, 1):.2f} s a round)")
    for failure in tally.failures[:10]:
        print(f"  {failure.strip()[:400]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
