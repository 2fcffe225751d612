"""How the SPARQL service holds up under hostile use, measured on a real ``paccto serve``.

Prints:

1. **Fairness**: the latency of a simple query sent every 0.1 s while 0, 2 and 4 clients (each
   from its own loopback address) send runaway queries back to back; once with the quick lane
   (the default) and once without it (``PACCTO_SPARQL_QUICK_WORKERS=0``, the old behaviour).
2. **Memory**: the peak resident memory of the worker that evaluates the 90-byte ORDER BY query
   (the sum over all workers, sampled every 20 ms), with the default bound and without one.
3. **Concurrent loads** (``--load-rounds``): two ``paccto load --store oxigraph:PATH`` at once,
   round after round, and whether the store opens whole after each (``bench_store_writers.py``).

Run: ``python benchmarks/bench_hostile.py`` (about two minutes on two cores). Only loopback
addresses are used.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import paccto_serve

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEMORY_BOMB = "SELECT ?a WHERE {?a ?b ?c . ?d ?e ?f . ?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1"
SIMPLE = "SELECT ?n WHERE { ?n a paccto:Network } LIMIT 3"


def _client(address: str) -> httpx.Client:
    # Each client from its own loopback address, so the server tells them apart.
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60)


def fairness(
    runaways: int, seconds: float, *, quick_lane: bool, timeout: float
) -> dict[str, float]:
    environment = {
        "PACCTO_SPARQL_TIMEOUT": str(timeout),
        "PACCTO_SPARQL_QUICK_WORKERS": "1" if quick_lane else "0",
    }
    with paccto_serve(environment=environment) as (url, _):
        stop = threading.Event()

        def hammer(address: str) -> None:
            with _client(address) as client:
                while not stop.is_set():
                    client.get(f"{url}/sparql", params={"query": RUNAWAY})

        threads = [
            threading.Thread(target=hammer, args=(f"127.0.0.{10 + n}",), daemon=True)
            for n in range(runaways)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0 if runaways else 0)
        latencies: list[float] = []
        failures = 0
        finish = time.monotonic() + seconds
        with _client("127.0.0.2") as client:
            while time.monotonic() < finish:
                started = time.perf_counter()
                response = client.get(f"{url}/sparql", params={"query": SIMPLE})
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 200
                time.sleep(0.1)
        stop.set()
    latencies.sort()
    return {
        "requests": len(latencies),
        "failed": failures,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)] * 1000,
        "max_ms": latencies[-1] * 1000,
    }


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def worker_peak_memory(memory_mb: int, timeout: float) -> dict[str, object]:
    environment = {
        "PACCTO_SPARQL_QUERY_MEMORY_MB": str(memory_mb),
        "PACCTO_SPARQL_TIMEOUT": str(timeout),
    }
    with paccto_serve(environment=environment) as (url, process):
        workers = _children(process.pid)
        baseline = max(_rss(pid) for pid in workers)
        peak = 0
        done = threading.Event()
        outcome: dict[str, object] = {}

        def ask() -> None:
            started = time.perf_counter()
            response = httpx.get(f"{url}/sparql", params={"query": MEMORY_BOMB}, timeout=120)
            outcome["seconds"] = time.perf_counter() - started
            outcome["status"] = response.status_code
            outcome["type"] = response.json().get("type", "") if response.status_code else ""
            done.set()

        threading.Thread(target=ask, daemon=True).start()
        while not done.wait(0.02):
            peak = max([peak, *(_rss(pid) for pid in workers)])
    return {
        "bound_mb": memory_mb or "none",
        "worker_start_mb": baseline / 2**20,
        "worker_peak_mb": peak / 2**20,
        **outcome,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="per fairness run")
    parser.add_argument("--timeout", type=float, default=10.0, help="PACCTO_SPARQL_TIMEOUT")
    parser.add_argument("--runaways", type=int, nargs="+", default=[0, 2, 4])
    parser.add_argument("--load-rounds", type=int, default=20, help="0 skips the load rounds")
    args = parser.parse_args()

    print("## Simple query while clients send runaway queries")
    print(f"(a simple SELECT every 0.1 s for {args.seconds:g} s; time limit {args.timeout:g} s)")
    print("| runaway clients | quick lane | requests | failed | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for quick_lane in (True, False):
        for runaways in args.runaways:
            figures = fairness(runaways, args.seconds, quick_lane=quick_lane, timeout=args.timeout)
            print(
                f"| {runaways} | {'on' if quick_lane else 'off'} | {figures['requests']} | "
                f"{figures['failed']} | {figures['median_ms']:.1f} | {figures['p95_ms']:.1f} | "
                f"{figures['max_ms']:.1f} |",
                flush=True,
            )

    print("\n## Worker memory for the ORDER BY query")
    print("| bound MiB | worker at start MiB | worker peak MiB | answer | seconds |")
    print("|---|---|---|---|---|")
    for memory_mb in (512, 0):
        figures = worker_peak_memory(memory_mb, timeout=args.timeout)
        print(
            f"| {figures['bound_mb']} | {figures['worker_start_mb']:.0f} | "
            f"{figures['worker_peak_mb']:.0f} | {figures.get('status')} {figures.get('type')} | "
            f"{figures.get('seconds', 0):.1f} |",
            flush=True,
        )

    if args.load_rounds:
        print("\n## Two concurrent loads into one store (bench_store_writers.py)", flush=True)
        script = Path(__file__).resolve().parent / "bench_store_writers.py"
        subprocess.run([sys.executable, str(script), str(args.load_rounds)], check=True)


if __name__ == "__main__":
    main()
