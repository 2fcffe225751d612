"""The fixed cost of one request to ``paccto serve``: what a tiny answer costs end to end.

One client on a keep-alive connection asks, one after another, for ``/health`` (no work at all)
and for ``ASK {}`` at ``/sparql`` (the smallest query: the check, the worker round trip and the
answer), against ``paccto serve`` with its access log off (the default) and on. It prints the
median and 99th percentile in milliseconds per request, so the share of each fixed cost shows.

The client is ``http.client`` by default: httpx spends about a millisecond of CPU per request
on a small machine, more than the server does, which would hide the server's share;
``--client httpx`` measures with it anyway. ``--cpu`` also prints the server's CPU time per
request (its process and its SPARQL workers, from /proc), which machine load hardly changes.

    python benchmarks/bench_request_cost.py [--requests 2000] [--client httpx] [--cpu]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlencode, urlsplit

import _servers
import httpx

#: Sends one GET and returns its status.
Get = Callable[[str, dict[str, str]], int]


def _httpx_get(url: str) -> tuple[Get, Callable[[], None]]:
    client = httpx.Client(base_url=url, timeout=30)

    def get(path: str, params: dict[str, str]) -> int:
        return client.get(path, params=params).status_code

    return get, client.close


def _http_client_get(url: str) -> tuple[Get, Callable[[], None]]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)

    def get(path: str, params: dict[str, str]) -> int:
        connection.request("GET", f"{path}?{urlencode(params)}" if params else path)
        response = connection.getresponse()
        response.read()
        return response.status

    return get, connection.close


def _timings(get: Get, path: str, params: dict[str, str], count: int) -> list[float]:
    for _ in range(50):  # warm up: connections, worker pages, caches
        get(path, params)
    found = []
    for _ in range(count):
        started = time.perf_counter()
        status = get(path, params)
        found.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="Requests per measurement.")
    parser.add_argument(
        "--client", choices=("http.client", "httpx"), default="http.client",
        help="the client that sends the requests (default: http.client)",
    )  # fmt: skip
    parser.add_argument(
        "--cpu", action="store_true", help="also the server's CPU ms per request (from /proc)"
    )
    args = parser.parse_args(argv)
    connect = _http_client_get if args.client == "http.client" else _httpx_get
    cpu_column = f" {'server CPU ms':>14}" if args.cpu else ""
    print(f"{'access log':<11} {'request':<14} {'median ms':>10} {'p99 ms':>8}{cpu_column}"
          f"   ({args.client})")  # fmt: skip
    for log in ("off", "on"):
        environment = {"PACCTO_ACCESS_LOG": "true" if log == "on" else "false"}
        with _servers.paccto_serve(environment=environment) as (url, process):
            get, close = connect(url)
            for name, path, params in (
                ("/health", "/health", {}),
                ("/sparql ASK {}", "/sparql", {"query": "ASK {}"}),
            ):
                before = sum(_servers.cpu_seconds(process.pid))
                found = sorted(_timings(get, path, params, args.requests))
                used = sum(_servers.cpu_seconds(process.pid)) - before
                p99 = found[int(len(found) * 0.99) - 1]
                cpu = f" {1000 * used / (args.requests + 50):>14.3f}" if args.cpu else ""
                print(f"{log:<11} {name:<14} {statistics.median(found):>10.2f} {p99:>8.2f}{cpu}")
            close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
