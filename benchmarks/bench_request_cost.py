"""The fixed cost of one request to ``paccto serve``: what a tiny answer costs end to end.

One client on a keep-alive connection asks, one after another, for ``/health`` (no work at all)
and for ``ASK {}`` at ``/sparql`` (the smallest query: the check, the worker round trip and the
answer), against ``paccto serve`` with its access log off (the default) and on. It prints the
median and 99th percentile in milliseconds per request, so the share of each fixed cost shows.

    python benchmarks/bench_request_cost.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

import _servers
import httpx


def _timings(client: httpx.Client, url: str, params: dict[str, str], count: int) -> list[float]:
    for _ in range(50):  # warm up: connections, worker pages, caches
        client.get(url, params=params)
    found = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url, params=params)
        found.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="Requests per measurement.")
    args = parser.parse_args(argv)
    print(f"{'access log':<11} {'request':<14} {'median ms':>10} {'p99 ms':>8}")
    for log in ("off", "on"):
        environment = {"PACCTO_ACCESS_LOG": "true" if log == "on" else "false"}
        with _servers.paccto_serve(environment=environment) as (url, _process):
            client = httpx.Client(timeout=30)
            for name, path, params in (
                ("/health", "/health", {}),
                ("/sparql ASK {}", "/sparql", {"query": "ASK {}"}),
            ):
                found = sorted(_timings(client, url + path, params, args.requests))
                p99 = found[int(len(found) * 0.99) - 1]
                print(f"{log:<11} {name:<14} {statistics.median(found):>10.2f} {p99:>8.2f}")
            client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
