"""Per store (memory, oxigraph:PATH, sparql:URL): load time, serve start-up, peak memory, SPARQL
and path latency, on synthetic graphs; prints a table.

    python benchmarks/bench_stores.py                        # synthetic 100 k, every store
    python benchmarks/bench_stores.py --sizes 100000 1000000 --stores sparql

Everything runs as the user runs it, in processes of its own, so peak memory is the process's
own high-water mark (``VmHWM``; for ``serve``, the server plus its SPARQL workers):

* ``load``: for the memory store, ``paccto validate`` of the file (parse, build, SHACL and the
  provenance rule: what every memory start pays); for the Oxigraph store, ``paccto load
  --store oxigraph:DIR`` (the same validation, then the write). Beside them, pyoxigraph's own
  ``bulk_load`` of the same file into a fresh store, in the same run, and the ratio.
* ``serve``: seconds from starting ``paccto serve`` to its first 200 on ``/health``.
* latency: ``--requests`` sequential requests per query through HTTP, median and p99: the
  members of the largest network over ``/sparql`` and ``/api/paths`` between random pairs.

The ``sparql:URL`` store runs against a throwaway Virtuoso (Debian's ``virtuoso-opensource``,
started by the tests' ``virtuoso_server.py`` with buffers sized for the graph). Its load is
``paccto load --store sparql:URL`` through the server's update endpoint (validation, staging,
the switch); its memory figures are ``paccto``'s, and the Virtuoso process's own high-water mark
is printed beside them. A path the store refuses as too broad (HTTP 422: it would read more than
``PACCTO_STORE_MAX_ENTITIES`` entities) counts as answered, and the refusals are counted.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import _servers  # sibling scripts: their folder is on sys.path when this one runs
import bench_queries
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from virtuoso_server import VirtuosoServer, VirtuosoTuning, running_virtuoso

PACCTO = shutil.which("paccto") or "paccto"
STORES = ("memory", "oxigraph", "sparql")

MEMBERS_QUERY = """
SELECT ?member WHERE {
  ?m a org:Membership ; org:organization ?org ; org:member ?member .
  { SELECT ?org WHERE { ?x a org:Membership ; org:organization ?org }
    GROUP BY ?org ORDER BY DESC(COUNT(?x)) LIMIT 1 }
}"""


def _peak_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _run_measured(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds and peak MiB of a command, polled from /proc while it runs."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_mib(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, peak


def _raw_bulk_load(data: Path, folder: Path) -> tuple[float, float]:
    script = (
        "import sys, pyoxigraph as ox\n"
        "store = ox.Store(sys.argv[2])\n"
        "store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.TRIG, base_iri=sys.argv[3])\n"
        "store.flush()\n"
    )
    from paccto.graph.settings import DEFAULT_BASE_IRI

    return _run_measured([sys.executable, "-c", script, str(data), str(folder), DEFAULT_BASE_IRI])


def _latencies(call: Any, count: int, refusals: list[int] | None = None) -> tuple[float, float]:
    """Median and p99 ms; a 422 counts as an answer only when ``refusals`` is there to count it."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code == 422 and refusals is not None:
            refusals.append(1)
        elif response.status_code >= 500 or response.status_code in (400, 422):
            raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def _serve(
    store_args: Sequence[str], requests: int, pairs: list[tuple[str, str]]
) -> dict[str, Any]:
    port = _servers.free_port()
    command = [PACCTO, "--no-seeds", "--no-provenance-check", *store_args[:2], "serve",
               "--port", str(port), "--sparql-workers", "1", *store_args[2:]]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    refused: list[int] = []
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        startup = time.perf_counter() - started
        with httpx.Client(base_url=url, timeout=60) as client:
            sparql = _latencies(
                lambda: client.post("/sparql", data={"query": MEMBERS_QUERY},
                                    headers={"Accept": "application/sparql-results+json"}),
                requests,
            )  # fmt: skip
            chosen = iter(pairs * (requests // max(len(pairs), 1) + 1))

            def path() -> httpx.Response:
                source, target = next(chosen)
                # a 404 (no path between the two) is an answer too, and costs a full search
                return client.get("/api/paths", params={"source": source, "target": target})

            paths = _latencies(path, requests, refused)
        peak = _peak_mib(process.pid) + sum(_peak_mib(child) for child in _children(process.pid))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {"serve_s": startup, "serve_mib": peak, "sparql": sparql, "path": paths,
            "refused": len(refused)}  # fmt: skip


def _pairs(data: Path, count: int) -> list[tuple[str, str]]:
    """Entity ids of the synthetic file, paired at random (fixed seed)."""
    entity = re.compile(r"^\s*id:([A-Za-z0-9_-]+) a paccto:")
    ids = sorted(
        {match[1] for line in data.open(encoding="utf-8") if (match := entity.match(line))}
    )
    chooser = random.Random(7)
    return [tuple(chooser.sample(ids, 2)) for _ in range(count)] if len(ids) > 1 else []  # type: ignore[misc]


def measure(data: Path, requests: int, stores: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    pairs = _pairs(data, 50)
    with tempfile.TemporaryDirectory(prefix="paccto-bench-stores-") as scratch:
        raw_s, raw_mib = _raw_bulk_load(data, Path(scratch) / "raw")
        if "memory" in stores:
            memory_s, memory_mib = _run_measured(
                [PACCTO, "--no-seeds", "--no-provenance-check", "validate", str(data)]
            )
            rows.append({"store": "memory", "load_s": memory_s, "load_mib": memory_mib,
                         **_serve(["--data", str(data)], requests, pairs)})  # fmt: skip
        if "oxigraph" in stores:
            folder = Path(scratch) / "store"
            store_s, store_mib = _run_measured(
                [PACCTO, "--no-seeds", "--no-provenance-check", "load",
                 "--store", f"oxigraph:{folder}", str(data)]
            )  # fmt: skip
            rows.append({"store": "oxigraph", "load_s": store_s, "load_mib": store_mib,
                         **_serve(["--store", f"oxigraph:{folder}"], requests, pairs)})  # fmt: skip
        if "sparql" in stores:
            rows.append(_measure_sparql(data, Path(scratch) / "virtuoso", requests, pairs))
    for row in rows:
        row.update(raw_s=raw_s, raw_mib=raw_mib, ratio=row["load_s"] / raw_s)
    return rows


def _measure_sparql(
    data: Path, folder: Path, requests: int, pairs: list[tuple[str, str]]
) -> dict[str, Any]:
    """Load through ``paccto load --store sparql:URL`` into a fresh Virtuoso, then serve from it."""
    quads = sum(1 for _ in data.open(encoding="utf-8"))  # an upper bound, for the buffers
    tuning = VirtuosoTuning(
        number_of_buffers=max(10_000, quads // 5),
        max_dirty_buffers=max(6_000, quads // 7),
        result_set_max_rows=max(1_000_000, 4 * quads),
        max_query_seconds=600,
        transaction_after_image_limit=2_000_000_000,
    )
    with running_virtuoso(folder, tuning) as server:
        store = f"sparql:{server.sparql_url}"
        load_s, load_mib = _run_measured(
            [PACCTO, "--no-seeds", "--no-provenance-check", "load", "--store", store, str(data)],
            env=_writer_env(server),
        )
        row = {"store": "sparql", "load_s": load_s, "load_mib": load_mib,
               **_serve(["--store", store], requests, pairs)}  # fmt: skip
        row["server_mib"] = _peak_mib(server.pid)
    return row


def _writer_env(server: VirtuosoServer) -> dict[str, str]:
    return {
        **os.environ,
        "PACCTO_STORE_UPDATE_URL": server.auth_url,
        "PACCTO_STORE_USER": server.user,
        "PACCTO_STORE_PASSWORD": server.password,
        "PACCTO_STORE_AUTH": "digest",
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--requests", type=int, default=50, help="requests per latency figure")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--stores", nargs="*", choices=STORES, default=list(STORES))
    args = parser.parse_args(argv)
    print(
        "| triples | store | load s (MiB) | pyoxigraph bulk_load s (MiB) | ratio | serve start s "
        "| serve MiB | SPARQL median/p99 ms | path median/p99 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        data = bench_queries.synthetic_file(size, args.data_dir, 0)
        for row in measure(data, args.requests, args.stores):
            print(
                f"| {size:,} | {row['store']} | {row['load_s']:.1f} ({row['load_mib']:,.0f}) "
                f"| {row['raw_s']:.1f} ({row['raw_mib']:,.0f}) | {row['ratio']:.1f}x "
                f"| {row['serve_s']:.1f} | {row['serve_mib']:,.0f} "
                f"| {row['sparql'][0]:.1f} / {row['sparql'][1]:.1f} "
                f"| {row['path'][0]:.1f} / {row['path'][1]:.1f} |",
                flush=True,
            )
            if row["store"] == "sparql":
                print(
                    f"  sparql store: Virtuoso itself peaked at {row['server_mib']:,.0f} MiB; "
                    f"{row['refused']} of {args.requests} paths refused as too broad (422)",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
