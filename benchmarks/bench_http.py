"""Prints how fast PAcCTO Graph answers over HTTP, next to rdflib-endpoint and Oxigraph's server.

Three servers are started, each in its own process on a free loopback port, with the same data
(see ``benchmarks/_servers.py``): our app (``create_app(kg, settings)``, as ``paccto serve``
runs it), rdflib-endpoint's ``SparqlEndpoint`` over the same rdflib dataset, whose default graph
is the union of all graphs, and Oxigraph's own server (``oxigraph serve-read-only``) over the
quads our SPARQL workers hold, the same engine with no Python in front of it. The last needs
the ``oxigraph`` binary (``pip install oxigraph``); without it that column is left out and the
script says how to get it. Then, in order:

1. **Same answers**: every query of the workload goes to each server once; the number of
   result rows must agree (a row says so when it does not).
2. **SPARQL under load**: for each ``--concurrency`` (8 and 32 clients by default), that many
   clients (httpx, asyncio) send the workload round robin for ``--duration`` seconds (or
   ``--requests`` requests) to each server in turn; median and p99 latency, throughput, CPU
   used by the server (and our SPARQL workers) and by this client, and the throughput ratios
   ours / rdflib-endpoint (target: at least 10x at 8 clients) and ours / oxigraph-server
   (target: at least 0.8x), and our p99 at 32 clients (target: under 50 ms). The load
   generator shares the machine's cores with the server; httpx costs about as much CPU per
   request as our server does, so ``--client raw`` (a minimal asyncio HTTP/1.1 client) shows
   how much more the server does when it has the cores to itself.
3. **HTTP overhead**: one client, one query at a time, through ``/sparql`` against the same
   query evaluated in this process by the same engine (a ``pyoxigraph.Store`` holding the same
   quads, ``store.query(...)`` then ``serialize(JSON)``); overhead in percent (target: at most
   50 %). The worker's own code (``query_worker.answer``, the project's result writer) is timed
   in process too, to tell writing from transport.
4. **Paths under load**: ``GET /api/paths`` for a few pairs, the first ``--concurrency``.

The workload is the stored competency queries (``queries/cq*.rq``) on the seeds; on synthetic
graphs (``--triples N``, written by ``benchmarks/synthetic.py`` into ``--dir`` when missing)
the same questions asked of synthetic entities, plus the membership query that
``bench_queries.py`` times (members of an organisation), the entities chosen as the busiest of
their kind. It prints figures and never asserts; run it with

    python benchmarks/bench_http.py                      # seeds, 8 then 32 clients, 10 s each
    python benchmarks/bench_http.py --client raw         # leave the server more of the cores
    python benchmarks/bench_http.py --triples 100000     # synthetic graph of 100 000 triples
    python benchmarks/bench_http.py --duration 1 --concurrency 2 --json /tmp/http.json

The seeds are validated as ``load_knowledge_graph`` does; synthetic graphs are not (pySHACL
takes about a minute for 100 000 triples) unless ``--validate`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

import _servers
from rich import box
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = Path("/tmp")
OURS, THEIRS, OXIGRAPH = _servers.KINDS
RESULTS_JSON = "application/sparql-results+json"
#: Targets from the issue: throughput against rdflib-endpoint (at 8 clients) and against
#: Oxigraph's server, and our p99 at 32 clients.
RATIO_TARGET = 10.0
OXIGRAPH_RATIO_TARGET = 0.8
P99_TARGET_MS = 50.0
P99_TARGET_CLIENTS = 32
OVERHEAD_TARGET_PERCENT = 50.0
#: Pairs for the path endpoint on the seeds (names from tests/graph/questions/test_paths.py and
#: the home page); synthetic pairs are chosen from the data.
SEED_PAIRS = (
    ("Costa Rica", "Panamá"),
    ("Spain", "phase 2"),
    ("Spain", "Argentina"),
    ("spain", "ameripol"),
)
PACKAGES = (
    "paccto-graph", "rdflib", "pyoxigraph", "fastapi", "starlette", "uvicorn", "h11",
    "httptools", "uvloop", "pydantic", "httpx", "rdflib-endpoint",
)  # fmt: skip

out = Console(width=None if sys.stdout.isatty() else 140, highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


# --- figures ----------------------------------------------------------------------------------


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _p99(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _ms(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


@dataclass
class Call:
    """One HTTP request of a workload."""

    label: str
    method: str
    path: str
    params: dict[str, str] | None = None
    data: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadResult:
    """What one load test measured."""

    elapsed_s: float
    latencies_ms: list[float]
    by_label: dict[str, list[float]]
    statuses: Counter[str]
    client_cpu_s: float
    server_cpu_s: float
    workers_cpu_s: float

    @property
    def ok(self) -> int:
        return self.statuses.get("200", 0)

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies_ms),
            "ok": self.ok,
            "statuses": dict(self.statuses),
            "elapsed_s": self.elapsed_s,
            "median_ms": _median(self.latencies_ms),
            "p99_ms": _p99(self.latencies_ms),
            "throughput_rps": self.throughput,
            "median_ms_by_request": {k: _median(v) for k, v in self.by_label.items()},
            "client_cpu_percent": 100 * self.client_cpu_s / self.elapsed_s,
            "server_cpu_percent": 100 * self.server_cpu_s / self.elapsed_s,
            "workers_cpu_percent": 100 * self.workers_cpu_s / self.elapsed_s,
        }


class RawConnection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams, for ``--client raw``.

    httpx spends about 2.4 ms of CPU per request on this kind of machine, as much as our
    server does, and the load generator shares the cores with the server; this client spends a
    small fraction of that, so the figures say more about the server. It reads what the two
    servers send (Content-Length or chunked bodies) and nothing more.
    """

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, call: Call) -> str:
        try:
            return await asyncio.wait_for(self._exchange(call), self.timeout)
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as error:
            await self.close()
            return type(error).__name__

    async def _exchange(self, call: Call) -> str:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        target = call.path + (f"?{urlencode(call.params)}" if call.params else "")
        body = urlencode(call.data).encode() if call.data else b""
        lines = [f"{call.method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in call.headers.items()]
        if call.data is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded"]
        lines += [f"Content-Length: {len(body)}", "", ""]
        self.writer.write("\r\n".join(lines).encode() + body)
        status = (await self.reader.readline()).split()[1].decode()
        length, chunked, close = None, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value
            elif name == b"connection":
                close = b"close" in value
        if chunked:
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            while await self.reader.readline() not in (b"\r\n", b""):
                pass
        elif length is not None:
            await self.reader.readexactly(length)
        else:
            await self.reader.read()
            close = True
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def load_test(
    server: _servers.ServerProcess,
    calls: Sequence[Call],
    *,
    concurrency: int,
    duration: float | None,
    limit: int | None,
    timeout: float,
    client: str = "httpx",
) -> LoadResult:
    """``concurrency`` clients send ``calls`` round robin (each starting elsewhere in the list)
    until ``duration`` seconds have passed or ``limit`` requests were sent; ``client`` is
    "httpx" (one ``AsyncClient`` with a connection per client) or "raw" (:class:`RawConnection`)."""
    import httpx

    calls = [_at(server, call) for call in calls]
    latencies: list[float] = []
    by_label: dict[str, list[float]] = {call.label: [] for call in calls}
    statuses: Counter[str] = Counter()
    issued = 0

    async def drive() -> float:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(
            base_url=server.url, limits=limits, timeout=httpx.Timeout(timeout)
        ) as shared:

            async def with_httpx(call: Call) -> str:
                try:
                    response = await shared.request(
                        call.method, call.path, params=call.params, data=call.data,
                        headers=call.headers,
                    )  # fmt: skip
                except httpx.HTTPError as error:
                    return type(error).__name__
                return str(response.status_code)

            deadline = None if duration is None else time.perf_counter() + duration

            async def user(position: int) -> None:
                nonlocal issued
                raw = RawConnection(_servers.HOST, server.port, timeout)
                send = raw.request if client == "raw" else with_httpx
                try:
                    while (limit is None or issued < limit) and (
                        deadline is None or time.perf_counter() < deadline
                    ):
                        issued += 1
                        call = calls[position % len(calls)]
                        position += 1
                        started = time.perf_counter()
                        status = await send(call)
                        elapsed = (time.perf_counter() - started) * 1000
                        latencies.append(elapsed)
                        by_label[call.label].append(elapsed)
                        statuses[status] += 1
                finally:
                    await raw.close()

            started = time.perf_counter()
            spread = max(1, len(calls) // concurrency)
            await asyncio.gather(*(user(i * spread) for i in range(concurrency)))
            return time.perf_counter() - started

    pid = server.process.pid
    server_before, workers_before = _servers.cpu_seconds(pid)
    client_before = time.process_time()
    elapsed = asyncio.run(drive())
    client_cpu = time.process_time() - client_before
    server_after, workers_after = _servers.cpu_seconds(pid)
    return LoadResult(
        elapsed_s=elapsed,
        latencies_ms=latencies,
        by_label=by_label,
        statuses=statuses,
        client_cpu_s=client_cpu,
        server_cpu_s=server_after - server_before,
        # a worker replaced during the test takes its seconds with it: a floor, then
        workers_cpu_s=max(0.0, workers_after - workers_before),
    )


def _at(server: _servers.ServerProcess, call: Call) -> Call:
    """``call`` as ``server`` takes it: a SPARQL request goes to that server's SPARQL path
    (Oxigraph's server answers at ``/query``)."""
    if call.path != _servers.SPARQL_PATH or server.sparql_path == call.path:
        return call
    return Call(call.label, call.method, server.sparql_path, call.params, call.data,
                call.headers)  # fmt: skip


def sequential_ms(
    function: Callable[[], Any], *, budget_s: float, most: int, warm_up: int = 2
) -> list[float]:
    """Milliseconds per call, one call after another, until ``budget_s`` seconds or ``most``
    calls (at least five)."""
    for _ in range(warm_up):
        function()
    times: list[float] = []
    spent = 0.0
    while len(times) < most and (spent < budget_s or len(times) < 5):
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
        times.append(elapsed * 1000)
        spent += elapsed
    return times


# --- the machine and the data -----------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "unknown"
    memory = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": model,
        "memory_gib": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "load_average_at_start": os.getloadavg(),
    }


def synthetic_file(size: int, directory: Path, seed: int) -> Path:
    """The synthetic graph of ``size`` triples (the file ``bench_queries.py`` writes too),
    generated by ``benchmarks/synthetic.py`` unless already there."""
    path = directory / f"paccto-syn-{size}-seed{seed}.trig"
    if not path.exists():
        partial = path.with_suffix(".part.trig")
        err.print(f"generating {path} ...")
        subprocess.run(
            [sys.executable, str(HERE / "synthetic.py"), "--triples", str(size),
             "--seed", str(seed), "-o", str(partial)],
            check=True,
        )  # fmt: skip
        partial.rename(path)
    return path


@dataclass
class LocalEngine:
    """The same quads in a pyoxigraph store in this process, loaded the way the app's workers
    load them (the rdflib dataset written as N-Quads)."""

    store: Any
    prefixes: dict[str, str]
    base: str
    quads: int

    @classmethod
    def for_data(cls, data: str, folder: Path) -> LocalEngine:
        import pyoxigraph as ox

        kg = _servers.build_kg(data, validate=False)
        dump = folder / "graph.nq"
        kg.dataset.serialize(destination=str(dump), format="nquads", encoding="utf-8")
        store = ox.Store()
        store.load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        dump.unlink()
        prefixes = {prefix: str(iri) for prefix, iri in kg.ids.prefixes().items()}
        return cls(store, prefixes, kg.ids.base, len(kg))

    def query(self, text: str) -> Any:
        return self.store.query(
            text, use_default_graph_as_union=True, prefixes=self.prefixes, base_iri=self.base
        )

    def json_answer(self, text: str) -> bytes:
        import pyoxigraph as ox

        body: bytes = self.query(text).serialize(format=ox.QueryResultsFormat.JSON)
        return body

    def worker_answer(self, text: str, max_rows: int) -> bytes:
        from paccto.graph.sparql.query_worker import QueryRequest, answer

        reply = answer(
            self.store, QueryRequest(text, ("json",), max_rows), self.prefixes, self.base
        )
        body: bytes = reply.body
        return body


# --- workloads --------------------------------------------------------------------------------

_PREFIXES = """\
PREFIX paccto: <https://w3id.org/paccto-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
#: Finders of the busiest entity of a kind, for the synthetic questions: (name, query).
_BUSIEST = {
    "organisation": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?m org:organization ?x }",
    "member": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?m org:member ?x }",
    "cooperator": "SELECT ?x (COUNT(*) AS ?n) WHERE "
    "{ { ?x paccto:cooperatesWith ?y } UNION { ?y paccto:cooperatesWith ?x } }",
    "creator": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x paccto:helpedCreate ?y }",
    "focused": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x paccto:focusesOn ?y }",
}
#: The two countries that most entities point at together (cq07 asks what links two).
_COUNTRY_PAIR = """\
SELECT ?x ?y (COUNT(DISTINCT ?link) AS ?n) WHERE {
  ?link ?p1 ?x ; ?p2 ?y . ?x a paccto:Country . ?y a paccto:Country . FILTER(STR(?x) < STR(?y))
} GROUP BY ?x ?y ORDER BY DESC(?n) ?x ?y LIMIT 1"""
#: The synthetic questions; {organisation}, {member} ... are the busiest entities' IRIs.
_SYNTHETIC_QUERIES = {
    # cq01/cq03: countries with their codes
    "syn-countries": """
SELECT DISTINCT ?country ?name ?iso WHERE {
  ?country a paccto:Country ; rdfs:label ?name ; paccto:isoCode ?iso .
  FILTER(lang(?name) = "en")
} ORDER BY ?name""",
    # bench_queries.py's membership query (members_of), with roles and periods
    "syn-members-of": """
SELECT DISTINCT ?member ?name ?role ?start ?end WHERE {
  ?membership org:organization <{organisation}> ; org:member ?member ; org:role ?roleNode .
  ?member rdfs:label ?name .
  ?roleNode rdfs:label ?role .
  OPTIONAL { ?membership org:memberDuring ?period .
             OPTIONAL { ?period paccto:startDate ?start }
             OPTIONAL { ?period paccto:endDate ?end } }
  FILTER(lang(?name) = "en" && lang(?role) = "en")
} ORDER BY ?name ?role""",
    # the other way round (memberships_of)
    "syn-memberships-of": """
SELECT DISTINCT ?organisation ?name ?role WHERE {
  ?membership org:member <{member}> ; org:organization ?organisation ; org:role ?roleNode .
  ?organisation rdfs:label ?name .
  ?roleNode rdfs:label ?role .
  FILTER(lang(?name) = "en" && lang(?role) = "en")
} ORDER BY ?name ?role""",
    # cq04: phases with their dates and budgets
    "syn-phase-dates-budgets": """
SELECT DISTINCT ?phase ?name ?start ?end ?budgetEUR WHERE {
  ?phase a paccto:ProgrammePhase ; paccto:phaseOf ?programme ; rdfs:label ?name .
  FILTER(lang(?name) = "en")
  OPTIONAL { ?phase dcterms:temporal ?period .
             OPTIONAL { ?period paccto:startDate ?start }
             OPTIONAL { ?period paccto:endDate ?end } }
  OPTIONAL { ?phase paccto:budgetEUR ?budgetEUR }
} ORDER BY ?start ?phase""",
    # cq06: partners of one actor, either direction (a VALUES list of the five cooperation
    # properties instead takes rdflib 140 s at 100 000 triples, so the shape is cq06's own)
    "syn-cooperation-partners": """
SELECT DISTINCT ?partner ?name WHERE {
  { <{cooperator}> paccto:cooperatesWith ?partner }
  UNION { ?partner paccto:cooperatesWith <{cooperator}> }
  ?partner rdfs:label ?name .
  FILTER(lang(?name) = "en")
} ORDER BY ?name""",
    # cq07: what links two countries
    "syn-links-two-countries": """
SELECT DISTINCT ?link ?name ?relationToFirst ?relationToSecond WHERE {
  ?link ?p1 <{country}> ; ?p2 <{country2}> ; rdfs:label ?name .
  ?p1 rdfs:label ?relationToFirst .
  ?p2 rdfs:label ?relationToSecond .
  FILTER(lang(?name) = "en" && lang(?relationToFirst) = "en" && lang(?relationToSecond) = "en")
}""",
    # cq08: crime areas of one actor
    "syn-crime-areas": """
SELECT DISTINCT ?area ?name WHERE {
  <{focused}> paccto:focusesOn ?area .
  ?area a paccto:CrimeArea ; rdfs:label ?name .
  FILTER(lang(?name) = "en")
} ORDER BY ?name""",
    # cq09: who is quoted, for which institution
    "syn-quoted-people": """
SELECT DISTINCT ?person ?name ?institution WHERE {
  ?quotation a paccto:Quotation ; paccto:speaker ?person ; paccto:speaksFor ?institutionNode .
  ?person rdfs:label ?name .
  ?institutionNode rdfs:label ?institution .
  FILTER(lang(?name) = "en" && lang(?institution) = "en")
} ORDER BY ?name ?institution""",
    # cq10: what one supporter helped create
    "syn-helped-create": """
SELECT DISTINCT ?outcome ?name ?kind WHERE {
  <{creator}> paccto:helpedCreate ?outcome .
  ?outcome rdfs:label ?name ; a ?class .
  ?class rdfs:label ?kind .
  FILTER(lang(?name) = "en" && lang(?kind) = "en")
} ORDER BY ?name""",
}


def _ranked(engine: LocalEngine, finder: str) -> list[str]:
    text = f"{_PREFIXES}{finder} GROUP BY ?x ORDER BY DESC(?n) ?x"
    return [row[0].value for row in engine.query(text)]


def synthetic_workload(engine: LocalEngine) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The synthetic questions about the busiest entities, and pairs for the path endpoint:
    cooperators of high, middle and low rank, and the busiest member with the busiest
    organisation."""
    chosen: dict[str, str] = {}
    cooperators: list[str] = []
    for kind, finder in _BUSIEST.items():
        ranked = _ranked(engine, finder)
        if not ranked:
            raise SystemExit(f"the synthetic graph has no {kind}: is it a PAcCTO graph?")
        chosen[kind] = ranked[0]
        if kind == "cooperator":
            cooperators = ranked
    pair = next(iter(engine.query(_PREFIXES + _COUNTRY_PAIR)), None)
    if pair is None:  # a tiny graph: two countries, nothing links them
        countries = "SELECT ?x WHERE { ?x a paccto:Country } ORDER BY ?x LIMIT 2"
        pair = [row[0] for row in engine.query(_PREFIXES + countries)] * 2
    chosen["country"], chosen["country2"] = pair[0].value, pair[1].value
    queries = {name: _PREFIXES + _fill(text, chosen) for name, text in _SYNTHETIC_QUERIES.items()}
    local = engine.base + "id/"
    n = len(cooperators)
    picks = [
        (cooperators[0], cooperators[1 % n]),
        (cooperators[2 % n], cooperators[n // 4]),
        (cooperators[n // 8], cooperators[n // 2]),
        (chosen["member"], chosen["organisation"]),
    ]
    pairs = [(a.removeprefix(local), b.removeprefix(local)) for a, b in picks if a != b]
    return queries, list(dict.fromkeys(pairs))


def _fill(text: str, chosen: dict[str, str]) -> str:
    for name, iri in chosen.items():
        text = text.replace(f"<{{{name}}}>", f"<{iri}>")
    return text.strip() + "\n"


def seed_workload(extra: Sequence[Path]) -> dict[str, str]:
    from paccto.graph.load.resources import query_files

    files = list(extra) or [path for path in query_files() if path.name.startswith("cq")]
    return {path.stem: path.read_text(encoding="utf-8") for path in files}


def sparql_call(name: str, text: str, method: str) -> Call:
    headers = {"Accept": RESULTS_JSON}
    if method == "get":
        return Call(name, "GET", _servers.SPARQL_PATH, params={"query": text}, headers=headers)
    return Call(name, "POST", _servers.SPARQL_PATH, data={"query": text}, headers=headers)


def _rows(body: bytes) -> int:
    answer = json.loads(body)
    if "boolean" in answer:
        return 1
    return len(answer["results"]["bindings"])


# --- the sections -----------------------------------------------------------------------------


def check_answers(
    servers: dict[str, _servers.ServerProcess], calls: Sequence[Call], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Each query once to each server: rows returned, or the error status, or a time-out
    (after which the server is waited for, since neither can stop a query it has begun)."""
    import httpx

    checked = []
    with httpx.Client(timeout=args.request_timeout) as client:
        for call in calls:
            record: dict[str, Any] = {"query": call.label, "timed_out": False}
            for kind, server in servers.items():
                started = time.perf_counter()
                sent = _at(server, call)
                try:
                    response = client.request(
                        sent.method, server.url + sent.path, params=sent.params,
                        data=sent.data, headers=sent.headers,
                    )  # fmt: skip
                except httpx.TimeoutException:
                    record[kind] = f"no answer in {args.request_timeout:g} s"
                    record["timed_out"] = True
                    err.print(f"{kind} did not answer {call.label}; waiting until it is free ...")
                    _servers.wait_ready(server, args.start_timeout, since=time.perf_counter())
                    continue
                finally:
                    record[f"{kind}_first_ms"] = (time.perf_counter() - started) * 1000
                if response.status_code == 200:
                    record[kind] = _rows(response.content)
                else:
                    record[kind] = f"HTTP {response.status_code}: {response.text[:120]}"
            record["same"] = isinstance(record[OURS], int) and all(
                record[kind] == record[OURS] for kind in servers
            )
            checked.append(record)
    table = Table(title="1. Same answers: result rows per query", box=box.SIMPLE_HEAD)
    columns = ["query", *(f"rows {kind}" for kind in servers),
               *(f"first ms {kind}" for kind in servers)]  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "query" else "right")
    table.add_column("check")
    for record in checked:
        table.add_row(
            record["query"],
            *(str(record[kind]) for kind in servers),
            *(_ms(record[f"{kind}_first_ms"], 1) for kind in servers),
            _verdict(record),
        )
    out.print(table)
    dropped = [record["query"] for record in checked if record["timed_out"]]
    if dropped:
        out.print(
            f"[bold red]WARNING:[/] left out of the load tests, a server did not answer them "
            f"within --request-timeout {args.request_timeout:g} s: {', '.join(dropped)}"
        )
    return checked


def _verdict(record: dict[str, Any]) -> str:
    if record["same"]:
        return "same"
    if record["timed_out"]:
        return "[bold red]WARNING: no answer, left out[/]"
    return "[bold red]WARNING: rows differ[/]"


def _load_row(
    table: Table, name: str, result: LoadResult, *, workers: bool, clients: int | None = None
) -> None:
    errors = sum(count for status, count in result.statuses.items() if status != "200")
    table.add_row(
        name,
        *([] if clients is None else [str(clients)]),
        f"{len(result.latencies_ms):,}",
        f"{errors:,}" + (f" ({_statuses(result.statuses)})" if errors else ""),
        _ms(_median(result.latencies_ms)),
        _ms(_p99(result.latencies_ms)),
        f"{result.throughput:,.1f}",
        f"{100 * result.server_cpu_s / result.elapsed_s:.0f}"
        + (f" + {100 * result.workers_cpu_s / result.elapsed_s:.0f}" if workers else ""),
        f"{100 * result.client_cpu_s / result.elapsed_s:.0f}",
    )


def _statuses(statuses: Counter[str]) -> str:
    return ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))


def _load_table(title: str, *, clients: bool = False) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("server")
    if clients:
        table.add_column("clients", justify="right")
    for column in ("requests", "errors", "median ms", "p99 ms", "requests/s",
                   "server CPU %", "client CPU %"):  # fmt: skip
        table.add_column(column, justify="right")
    return table


def sparql_load(
    servers: dict[str, _servers.ServerProcess], calls: Sequence[Call], args: argparse.Namespace
) -> dict[str, Any]:
    """Each server under each ``--concurrency`` in turn, one table, and the issue's targets.

    The figures at the first concurrency are also kept under each server's name, as before
    there were several."""
    runs: dict[int, dict[str, LoadResult]] = {}
    for concurrency in args.concurrency:
        runs[concurrency] = {}
        for kind, server in servers.items():
            err.print(f"SPARQL load on {kind}, {concurrency} clients: {_how_long(args)} ...")
            runs[concurrency][kind] = load_test(
                server, calls, concurrency=concurrency, duration=args.duration,
                limit=args.requests, timeout=args.request_timeout, client=args.client,
            )  # fmt: skip
    table = _load_table(
        f"2. SPARQL under load: {args.client} clients, {len(calls)} queries round robin, "
        f"{args.method.upper()} with Accept {RESULTS_JSON}",
        clients=True,
    )
    for concurrency, results in runs.items():
        for kind, result in results.items():
            _load_row(table, kind, result, workers=kind == OURS, clients=concurrency)
    out.print(table)
    targets = []
    for concurrency, results in runs.items():
        ours = results[OURS]
        for other, target in ((THEIRS, RATIO_TARGET), (OXIGRAPH, OXIGRAPH_RATIO_TARGET)):
            if other not in results:
                continue
            theirs = results[other].throughput
            ratio = ours.throughput / theirs if theirs else float("inf")
            met = "met" if ratio >= target else "MISSED"
            out.print(
                f"throughput ratio ours / {other}: {ratio:,.2f}x at {concurrency} clients "
                f"(target >= {target:g}x: {met})"
            )
            targets.append({"clients": concurrency, "against": other, "ratio": ratio,
                            "target": target, "met": ratio >= target})  # fmt: skip
        p99 = _p99(ours.latencies_ms)
        if concurrency == P99_TARGET_CLIENTS and p99 is not None:
            met = "met" if p99 < P99_TARGET_MS else "MISSED"
            out.print(
                f"our p99 at {concurrency} clients: {p99:,.1f} ms (target < {P99_TARGET_MS:g} "
                f"ms: {met})"
            )
            targets.append({"clients": concurrency, "p99_ms": p99, "target_ms": P99_TARGET_MS,
                            "met": p99 < P99_TARGET_MS})  # fmt: skip
    if OXIGRAPH not in servers:
        out.print(
            f"{OXIGRAPH}: not measured, no oxigraph binary beside {sys.executable} or on PATH "
            f"({_servers.OXIGRAPH_INSTALL} installs it)"
        )
    out.print(
        "server CPU %: of one core, by the server process, + by our SPARQL worker processes; "
        "client CPU %: this load generator, on the same machine"
    )

    first = runs[args.concurrency[0]]
    per_query = Table(
        title=f"median ms under load, per query ({', '.join(map(str, runs))} clients)",
        box=box.SIMPLE_HEAD,
    )
    per_query.add_column("query")
    for concurrency, results in runs.items():
        for kind in results:
            per_query.add_column(f"{kind} @{concurrency}", justify="right")
    for call in calls:
        per_query.add_row(
            call.label,
            *(
                _ms(_median(result.by_label[call.label]))
                for results in runs.values()
                for result in results.values()
            ),
        )
    out.print(per_query)
    rdflib_ratio = next((t["ratio"] for t in targets if t.get("against") == THEIRS), float("nan"))
    return {
        "concurrency": args.concurrency[0],
        "client": args.client,
        **{kind: result.as_dict() for kind, result in first.items()},
        "by_clients": {
            str(concurrency): {kind: result.as_dict() for kind, result in results.items()}
            for concurrency, results in runs.items()
        },
        "targets": targets,
        "throughput_ratio": rdflib_ratio,
        "ratio_target": RATIO_TARGET,
        "ratio_met": rdflib_ratio >= RATIO_TARGET,
    }


def http_overhead(
    server: _servers.ServerProcess,
    engine: LocalEngine,
    workload: dict[str, str],
    answers: list[dict[str, Any]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """One client, one request at a time, against the same query run in this process."""
    from paccto.graph.settings import get_settings

    max_rows = get_settings().sparql_max_rows
    rows = {record["query"]: record[OURS] for record in answers}
    small = {
        name: text
        for name, text in workload.items()
        if isinstance(rows.get(name), int) and rows[name] <= args.small_rows
    }
    err.print(f"HTTP overhead: {len(small)} queries, one at a time ...")
    records = []
    # http.client rather than httpx here: httpx's own work per request (about 2 ms on a slow
    # 2-core machine, against 0.7 ms for http.client to a bare ASGI app) would be counted as the
    # server's overhead.
    connection = http.client.HTTPConnection(_servers.HOST, server.port, timeout=120)
    try:
        budget = args.overhead_budget
        most = args.overhead_samples
        for name, text in [*small.items(), ("ASK {} (fixed cost)", _servers.PROBE)]:
            local = sequential_ms(partial(engine.json_answer, text), budget_s=budget, most=most)
            worker = sequential_ms(
                partial(engine.worker_answer, text, max_rows), budget_s=budget, most=most
            )
            remote = sequential_ms(
                partial(_send, connection, text, args.method), budget_s=budget, most=most
            )
            local_ms, remote_ms = statistics.median(local), statistics.median(remote)
            records.append(
                {
                    "query": name,
                    "rows": rows.get(name, 1),
                    "in_process_ms": local_ms,
                    "worker_code_ms": statistics.median(worker),
                    "http_ms": remote_ms,
                    "http_samples": len(remote),
                    "overhead_ms": remote_ms - local_ms,
                    "overhead_percent": 100 * (remote_ms - local_ms) / local_ms,
                    "reference": name.startswith("ASK {}"),
                }
            )
    finally:
        connection.close()
    table = Table(
        title=f"3. HTTP overhead: one client through /sparql vs the same query in process "
        f"(pyoxigraph {_version('pyoxigraph')}), medians, queries with <= {args.small_rows} rows",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("query")
    for column in ("rows", "in process ms", "worker code ms", "/sparql ms", "overhead ms",
                   "overhead %"):  # fmt: skip
        table.add_column(column, justify="right")
    table.add_column(f"<= {OVERHEAD_TARGET_PERCENT:g} %")
    for record in records:
        table.add_row(
            record["query"],
            str(record["rows"]),
            _ms(record["in_process_ms"], 3),
            _ms(record["worker_code_ms"], 3),
            _ms(record["http_ms"], 3),
            _ms(record["overhead_ms"], 3),
            f"{record['overhead_percent']:,.0f}",
            "-"
            if record["reference"]
            else ("met" if record["overhead_percent"] <= OVERHEAD_TARGET_PERCENT else "MISSED"),
        )
    out.print(table)
    measured = [r["overhead_percent"] for r in records if not r["reference"]]
    met = sum(1 for value in measured if value <= OVERHEAD_TARGET_PERCENT)
    summary = {
        "queries": records,
        "median_overhead_percent": _median(measured),
        "target_percent": OVERHEAD_TARGET_PERCENT,
        "queries_meeting_target": met,
    }
    if measured:
        median = summary["median_overhead_percent"]
        out.print(
            f"median overhead over {len(measured)} queries: {median:,.0f} % "
            f"(target <= {OVERHEAD_TARGET_PERCENT:g} %: met by {met} of {len(measured)})"
        )
    out.print(
        "client: http.client, one kept-alive connection; in process: store.query(..., "
        "use_default_graph_as_union=True) + serialize(JSON); worker code: "
        "paccto.graph.sparql.query_worker.answer (the project's result writer) in process"
    )
    return summary


def _send(connection: http.client.HTTPConnection, text: str, method: str) -> bytes:
    """One query over a kept-alive connection; the body of a 200, else an error."""
    headers = {"Accept": RESULTS_JSON}
    if method == "get":
        connection.request("GET", f"{_servers.SPARQL_PATH}?{urlencode({'query': text})}",
                           headers=headers)  # fmt: skip
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode({"query": text}).encode()  # one send() with the headers: no Nagle wait
        connection.request("POST", _servers.SPARQL_PATH, body=body, headers=headers)
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200:
        raise RuntimeError(f"/sparql answered {response.status}: {answer[:200]!r}")
    return answer


def _has_path_route(server: _servers.ServerProcess) -> bool:
    import httpx

    response = httpx.get(server.url + "/openapi.json", timeout=120)
    return response.status_code == 200 and "/api/paths" in response.json().get("paths", {})


def path_load(
    server: _servers.ServerProcess, pairs: Sequence[tuple[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    import httpx

    title = (
        f"4. Paths under load: GET /api/paths, {args.concurrency[0]} {args.client} clients, "
        f"{len(pairs)} pairs"
    )
    if not _has_path_route(server):
        out.print(f"{title}: [bold]not measured[/], the app has no /api/paths route yet")
        return {"available": False}
    headers = {"Accept": "application/json"}
    calls = [
        Call(f"{source} -> {target}", "GET", "/api/paths", {"source": source, "target": target},
             headers=headers)
        for source, target in pairs
    ]  # fmt: skip
    first = []
    with httpx.Client(base_url=server.url, timeout=600) as client:
        for call in calls:  # the first one also builds the projection and the name index
            started = time.perf_counter()
            response = client.get(call.path, params=call.params, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            length = None
            if response.status_code == 200:
                found = response.json().get("paths") or [{}]
                length = len(found[0].get("steps", []))
            first.append((call.label, response.status_code, length, elapsed))
    err.print(f"path load: {_how_long(args)} ...")
    result = load_test(
        server, calls, concurrency=args.concurrency[0], duration=args.duration,
        limit=args.requests, timeout=args.request_timeout, client=args.client,
    )  # fmt: skip
    pairs_table = Table(title=title, box=box.SIMPLE_HEAD)
    pairs_table.add_column("pair")
    for column in ("status", "steps", "first request ms", "median ms under load"):
        pairs_table.add_column(column, justify="right")
    for label, status, length, elapsed in first:
        pairs_table.add_row(
            label,
            str(status),
            "-" if length is None else str(length),
            _ms(elapsed, 1),
            _ms(_median(result.by_label[label])),
        )
    out.print(pairs_table)
    out.print(
        "first request: one at a time before the load; the very first also builds the "
        "projection and the name index, which the app does on first use"
    )
    table = _load_table("paths under load, all pairs")
    _load_row(table, OURS, result, workers=False)
    out.print(table)
    return {
        "available": True,
        "pairs": [
            {"pair": label, "status": status, "steps": length, "first_ms": elapsed}
            for label, status, length, elapsed in first
        ],
        **result.as_dict(),
    }


# --- the driver ---------------------------------------------------------------------------------


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _load_average(values: Sequence[float]) -> str:
    return " / ".join(f"{value:.2f}" for value in values) + " (1 / 5 / 15 min)"


def _how_long(args: argparse.Namespace) -> str:
    if args.requests is not None:
        return f"{args.requests} requests"
    return f"{args.duration:g} s"


def print_machine(info: dict[str, Any], data: dict[str, Any]) -> None:
    table = Table(title="Machine and data", box=box.SIMPLE_HEAD, show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("cores", f"{info['cores']} ({info['cores_usable']} usable)")
    table.add_row("cpu", info["cpu"])
    table.add_row("memory", f"{info['memory_gib']} GiB")
    table.add_row("python", f"{info['python']} on {info['platform']}")
    table.add_row("load average", _load_average(info["load_average_at_start"]) + " (at start)")
    table.add_row(
        "packages", ", ".join(f"{name} {version}" for name, version in info["packages"].items())
    )
    table.add_row("data", f"{data['name']}: {data['quads']:,} quads ({data['validated']})")
    for kind, ready in data["ready_s"].items():
        table.add_row(f"{kind} ready after", f"{ready:.1f} s")
    table.add_row("our SPARQL workers", str(data["sparql_workers"]))
    out.print(table)


@contextmanager
def running(
    data: str, args: argparse.Namespace, folder: Path
) -> Iterator[dict[str, _servers.ServerProcess]]:
    """Every server, started together; stopped whatever happens. Oxigraph's server only where
    its binary is installed (and not with ``--no-oxigraph``)."""
    servers: dict[str, _servers.ServerProcess] = {}
    kinds = list(_servers.KINDS)
    if args.no_oxigraph or _servers.oxigraph_binary() is None:
        kinds.remove(OXIGRAPH)
        if not args.no_oxigraph:
            err.print(
                f"no oxigraph binary beside {sys.executable} or on PATH: {OXIGRAPH} is left out "
                f"({_servers.OXIGRAPH_INSTALL} installs it)"
            )
    try:
        for kind in kinds:
            servers[kind] = _servers.start_server(
                kind, data, folder, validate=args.validate_data, sparql_workers=args.workers,
                http=args.ours_http,
            )  # fmt: skip
        yield servers
    finally:
        for server in servers.values():
            _servers.stop_server(server)


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Every section in order; servers' logs and scratch files go to ``folder``."""
    if args.triples:
        data = str(synthetic_file(args.triples, args.dir, args.seed))
        name = f"synthetic {args.triples:,} triples (seed {args.seed})"
    else:
        data = args.data
        name = "seeds" if data == "seeds" else data
    args.validate_data = args.validate or (data == "seeds" and not args.no_validate)
    figures: dict[str, Any] = {"machine": machine()}
    err.print(f"starting the servers on {name} ...")
    with running(data, args, folder) as servers:
        engine = LocalEngine.for_data(data, folder)  # while the servers load
        ready = {
            kind: _servers.wait_ready(server, args.start_timeout)
            for kind, server in servers.items()
        }
        pairs: Sequence[tuple[str, str]] = SEED_PAIRS
        if data == "seeds":
            workload = seed_workload(args.query)
        else:
            workload, pairs = synthetic_workload(engine)
            workload = seed_workload(args.query) if args.query else workload
        from paccto.graph.settings import get_settings

        figures["data"] = {
            "name": name,
            "file": data,
            "quads": engine.quads,
            "validated": "validated" if args.validate_data else "not validated",
            "ready_s": ready,
            "sparql_workers": args.workers or get_settings().sparql_workers,
        }
        print_machine(figures["machine"], figures["data"])
        calls = [sparql_call(query, text, args.method) for query, text in workload.items()]
        figures["answers"] = check_answers(servers, calls, args)
        answered = {r["query"] for r in figures["answers"] if not r["timed_out"]}
        calls = [call for call in calls if call.label in answered]
        workload = {query: text for query, text in workload.items() if query in answered}
        if not calls:
            raise _servers.ServerError("no query of the workload was answered by every server")
        figures["sparql_load"] = sparql_load(servers, calls, args)
        figures["http_overhead"] = http_overhead(
            servers[OURS], engine, workload, figures["answers"], args
        )
        figures["paths"] = path_load(servers[OURS], pairs, args)
        figures["workload"] = workload
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", default="seeds", help="'seeds' (default) or an RDF file served without the seeds"
    )
    parser.add_argument(
        "--triples", type=int, help="serve a synthetic graph of about this many triples instead"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic graph")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where synthetic files go")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[8, P99_TARGET_CLIENTS],
        help="clients at once, one SPARQL load test per value (8 32); paths use the first",
    )  # fmt: skip
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds of load per server (10)"
    )
    parser.add_argument("--requests", type=int, help="requests per server instead of a duration")
    parser.add_argument(
        "--client", choices=("httpx", "raw"), default="httpx",
        help="load-test client: httpx (default) or a minimal asyncio HTTP/1.1 client that "
        "leaves more of the cores to the server",
    )  # fmt: skip
    parser.add_argument(
        "--method", choices=("post", "get"), default="post", help="POST a form (default) or GET"
    )
    parser.add_argument(
        "--query", type=Path, action="append", default=[],
        help="a .rq file to use instead of the default workload (repeatable)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, help="our SPARQL worker processes (settings: 2)")
    parser.add_argument(
        "--ours-http", choices=("serve", "auto"), default="serve",
        help="our app's HTTP protocol: that of `paccto serve` (default) or uvicorn's own choice "
        "(httptools where installed)",
    )  # fmt: skip
    parser.add_argument("--no-oxigraph", action="store_true", help="leave Oxigraph's server out")
    parser.add_argument(
        "--validate", action="store_true", help="validate synthetic data before serving too"
    )
    parser.add_argument(
        "--no-validate", action="store_true", help="do not validate the seeds either"
    )
    parser.add_argument(
        "--small-rows", type=int, default=100,
        help="queries with at most this many rows count as small for the overhead (100)",
    )  # fmt: skip
    parser.add_argument(
        "--overhead-budget", type=float, default=0.4,
        help="seconds per query and per side for the overhead medians (0.4)",
    )  # fmt: skip
    parser.add_argument(
        "--overhead-samples", type=int, default=400, help="most samples per overhead median"
    )
    parser.add_argument(
        "--start-timeout", type=float, default=600, help="seconds a server may take to start"
    )
    parser.add_argument(
        "--request-timeout", type=float, default=120,
        help="seconds a client waits for one answer (120); a query one server cannot answer "
        "in time is left out of the load tests",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.requests is not None:
        args.duration = None
    if min(args.concurrency) < 1 or (args.requests is not None and args.requests < 1):
        parser.error("--concurrency and --requests must be at least 1")

    if args.data != "seeds" and not args.triples and not Path(args.data).is_file():
        parser.error(f"--data {args.data}: no such file")

    signal.signal(signal.SIGTERM, _interrupted)
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="paccto-bench-"))
    try:
        figures = run(args, folder)
    except _servers.ServerError as error:
        err.print("[bold red]error:[/]", end=" ")
        err.print(f"{error}\n(the servers' logs are kept in {folder})", markup=False)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted; the servers were stopped")
        shutil.rmtree(folder, ignore_errors=True)
        return 130
    shutil.rmtree(folder, ignore_errors=True)
    figures["wall_s"] = time.perf_counter() - started
    figures["machine"]["load_average_at_end"] = os.getloadavg()
    out.print(
        f"wall time {figures['wall_s']:.0f} s; load average at the end "
        f"{_load_average(os.getloadavg())}: anything above the figures' own use means other "
        "processes shared the cores"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
        err.print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
