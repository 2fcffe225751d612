"""The SPARQL servers ``bench_http.py`` compares, each in a process of its own.

Run as a script, this module *is* one server: it builds the knowledge graph for ``--data`` and
serves it on ``--port`` until it is stopped.

* ``ours``: ``create_app(kg, settings)``, the app ``paccto serve`` runs (SPARQL in Oxigraph
  worker processes, the REST API beside it).
* ``rdflib-endpoint``: ``rdflib_endpoint.SparqlEndpoint`` over ``kg.dataset``, the same rdflib
  dataset with the union of all graphs as its default graph, so both answer from the same quads.
* ``oxigraph-server``: Oxigraph's own HTTP server (``oxigraph serve-read-only``, the binary of
  the ``oxigraph`` package on PyPI: ``pip install oxigraph``) over an on-disk store holding the
  quads our workers hold (the query store's dump, whose default graph is the RDF merge), so it
  answers the same queries with the same engine and no Python at all: the floor our HTTP layer
  is measured against. It answers SPARQL at ``/query``. Without the binary this kind is left
  out (:func:`oxigraph_binary` is ``None``).

The two Python servers run under uvicorn with the access log off (as ``paccto serve`` by
default); ours with the HTTP protocol ``paccto serve`` uses
(:func:`paccto.api.web.server.uvicorn_options`), rdflib-endpoint with uvicorn's default.

Imported, it starts such a server (:func:`start_server`), waits until it answers a query
(:func:`wait_ready`, which shows the tail of the server's output when it dies or never answers)
and stops it by its process id (:func:`stop_server`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paccto.graph.model.knowledge_graph import KnowledgeGraph

__all__ = [
    "KINDS",
    "OXIGRAPH_SERVER",
    "SPARQL_PATH",
    "SPARQL_PATHS",
    "ServerError",
    "ServerProcess",
    "build_kg",
    "cpu_seconds",
    "free_port",
    "oxigraph_binary",
    "paccto_serve",
    "start_server",
    "stop_server",
    "wait_ready",
]

OXIGRAPH_SERVER = "oxigraph-server"
KINDS = ("ours", "rdflib-endpoint", OXIGRAPH_SERVER)
SPARQL_PATH = "/sparql"
#: Where each kind answers SPARQL: Oxigraph's server at ``/query``, the others at ``/sparql``.
SPARQL_PATHS = {"ours": SPARQL_PATH, "rdflib-endpoint": SPARQL_PATH, OXIGRAPH_SERVER: "/query"}
#: How to get the ``oxigraph`` binary, for the message when it is missing.
OXIGRAPH_INSTALL = "pip install oxigraph"
#: A query every SPARQL server answers at once; a 200 to it means the server is ready.
PROBE = "ASK {}"
HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """A server died or never answered; the message ends with the tail of its output."""


def build_kg(data: str, *, validate: bool) -> KnowledgeGraph:
    """The knowledge graph for ``data``: ``"seeds"`` (the embedded graph) or one RDF file alone.

    With ``validate`` it goes through :func:`~paccto.graph.load.loading.load_knowledge_graph` (SHACL
    and the provenance rule, about a minute for 100 000 triples); without, it is built the way
    ``bench_queries.py`` builds it, from the same quads, skipping validation.
    """
    from paccto.graph.load.loading import build_dataset, load_knowledge_graph
    from paccto.graph.load.resources import ontology_file, seed_files
    from paccto.graph.model.identifiers import Identifiers
    from paccto.graph.model.knowledge_graph import KnowledgeGraph
    from paccto.graph.settings import DEFAULT_BASE_IRI, get_settings

    seeds = data == "seeds"
    extra = [] if seeds else [Path(data)]
    if validate:
        return load_knowledge_graph(get_settings(include_seeds=seeds, data=[]), extra)
    ids = Identifiers(DEFAULT_BASE_IRI)
    files = list(seed_files()) if seeds else extra
    dataset = build_dataset(files, ids, ontology=ontology_file())
    return KnowledgeGraph(dataset=dataset, ids=ids, files=files)


@contextmanager
def paccto_serve(
    *arguments: str, environment: Mapping[str, str] | None = None, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``paccto [ARGUMENTS] serve`` on a free loopback port, ready (``/health`` answered 200);
    its URL and process. Stopped (its whole session) on leaving."""
    import httpx

    port = free_port()
    command = [sys.executable, "-m", "paccto.api.cli", *arguments, "serve", "--host", HOST,
               "--port", str(port)]  # fmt: skip
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        command,
        env={**os.environ, **(environment or {})},
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServerError(f"paccto serve did not start (see {log or 'its output'})")
            time.sleep(0.2)
        yield url, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if log is not None:
            output.close()  # type: ignore[union-attr]


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command: beside this interpreter (a venv's ``bin``, where ``pip install
    oxigraph`` puts it) or on ``PATH``; ``None`` when neither has it."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def free_port() -> int:
    """A loopback port nobody listens on now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --- the server side -------------------------------------------------------------------------


def serve_oxigraph(kg: KnowledgeGraph, port: int, folder: Path, started: float) -> None:
    """Write ``kg``'s query store into an on-disk Oxigraph store in ``folder`` with Oxigraph's
    own loader, then become ``oxigraph serve-read-only`` over it (``exec``: the process the
    driver started is the server, so its CPU time and SIGTERM are the server's)."""
    import pyoxigraph as ox

    binary = oxigraph_binary()
    if binary is None:
        raise SystemExit(f"no oxigraph binary beside {sys.executable} or on PATH: "
                         f"{OXIGRAPH_INSTALL}")  # fmt: skip
    dump = folder / "oxigraph-server.nq"
    location = folder / "oxigraph-server-store"
    shutil.rmtree(location, ignore_errors=True)
    kg.query_store().dump(str(dump), format=ox.RdfFormat.N_QUADS)
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(dump)],
        check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    dump.unlink()
    print(
        f"{OXIGRAPH_SERVER}: {len(kg)} quads built and loaded in "
        f"{time.perf_counter() - started:.1f} s; serving",
        file=sys.stderr,
        flush=True,
    )
    # The store's default graph is already the merge: no --union-default-graph.
    os.execv(binary, [binary, "serve-read-only", "--location", str(location),
                      "--bind", f"{HOST}:{port}"])  # fmt: skip


def serve(
    kind: str,
    data: str,
    port: int,
    *,
    validate: bool,
    sparql_workers: int | None,
    folder: Path | None = None,
    http: str = "serve",
) -> None:
    """Build the graph, then serve it until stopped (SIGTERM or SIGINT); ``folder`` holds the
    on-disk store of ``oxigraph-server``; ``http`` is our app's HTTP protocol: ``serve`` (that
    of ``paccto serve``) or ``auto`` (uvicorn's choice, httptools where installed)."""
    import uvicorn

    from paccto.graph.settings import get_settings

    started = time.perf_counter()
    kg = build_kg(data, validate=validate)
    settings = get_settings(host=HOST, port=port, sparql_workers=sparql_workers)
    options: dict[str, object] = {
        # as `paccto serve`: a query sent by GET may be as long as the request-size limit allows
        "h11_max_incomplete_event_size": settings.max_request_bytes + 16_384,
    }
    if kind == OXIGRAPH_SERVER:
        serve_oxigraph(kg, port, folder or Path(tempfile.gettempdir()), started)
        return
    if kind == "ours":
        from paccto.api.web.app import create_app
        from paccto.api.web.server import uvicorn_options

        app = create_app(kg, settings)
        if http == "serve":
            # The HTTP protocol `paccto serve` runs (bounded request heads, problem refusals).
            options = {"http": uvicorn_options(settings)["http"]}
    else:
        from rdflib_endpoint import SparqlEndpoint

        app = SparqlEndpoint(
            graph=kg.dataset,
            path=SPARQL_PATH,
            title="PAcCTO Graph (rdflib-endpoint)",
            public_url=f"http://{HOST}:{port}{SPARQL_PATH}",
        )
    print(
        f"{kind}: {len(kg)} quads built in {time.perf_counter() - started:.1f} s; serving",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False, **options)


# --- the driver side -------------------------------------------------------------------------


@dataclass
class ServerProcess:
    """One server started by :func:`start_server`."""

    kind: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    started: float
    ready_s: float | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def sparql_path(self) -> str:
        return SPARQL_PATHS[self.kind]

    @property
    def sparql_url(self) -> str:
        return self.url + self.sparql_path

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no output)"
        return "\n".join(text.rstrip().splitlines()[-lines:]) or "(no output)"


def start_server(
    kind: str,
    data: str,
    log_dir: Path,
    *,
    validate: bool,
    sparql_workers: int | None = None,
    http: str = "serve",
) -> ServerProcess:
    """Start one server in its own process (and session, so a Ctrl-C reaches only the driver,
    which then stops the server in order); its output goes to a log file in ``log_dir``."""
    port = free_port()
    log = log_dir / f"{kind}.log"
    command = [
        sys.executable, str(Path(__file__).resolve()), kind, "--data", data, "--port", str(port),
        *(["--validate"] if validate else []),
        *(["--sparql-workers", str(sparql_workers)] if sparql_workers else []),
        "--folder", str(log_dir), "--http", http,
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ServerProcess(kind, port, process, log, time.perf_counter())


def wait_ready(server: ServerProcess, timeout: float, *, since: float | None = None) -> float:
    """Seconds from start (or from ``since``, a ``perf_counter`` time) until the server answered
    a query; :class:`ServerError` if it exits first or does not answer within ``timeout``
    seconds. Also how to wait for a server still busy with a query a client gave up on."""
    import httpx

    since = server.started if since is None else since
    deadline = since + timeout
    with httpx.Client(timeout=5) as client:
        while True:
            status = None
            try:
                response = client.get(
                    server.sparql_url,
                    params={"query": PROBE},
                    headers={"Accept": "application/sparql-results+json"},
                )
                status = response.status_code
            except httpx.HTTPError:
                pass
            if status == 200:
                waited = time.perf_counter() - since
                if server.ready_s is None:
                    server.ready_s = waited
                return waited
            code = server.process.poll()
            if code is not None:
                raise ServerError(
                    f"the {server.kind} server exited with status {code} before answering; "
                    f"the end of its output ({server.log}):\n{server.tail()}"
                )
            if time.perf_counter() > deadline:
                raise ServerError(
                    f"the {server.kind} server did not answer {server.sparql_url} within "
                    f"{timeout:.0f} s (last status: {status or 'no connection'}); the end of its "
                    f"output ({server.log}):\n{server.tail()}"
                )
            time.sleep(0.2)


def stop_server(server: ServerProcess, grace: float = 10.0) -> None:
    """SIGTERM (uvicorn then shuts down, and our app stops its workers), SIGKILL after
    ``grace`` seconds; only this process, by its id."""
    process = server.process
    if process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(child) for child in children.read().split()]
    except OSError:
        pass
    return found


def _own_cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of proc(5); fields[0] here is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds used so far by the process ``pid`` and by its live children (our app's
    SPARQL workers), read from /proc; zeros where /proc is not there."""
    return _own_cpu_seconds(pid), sum(_own_cpu_seconds(child) for child in _children(pid))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve one graph for bench_http.py.")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--data", default="seeds", help="'seeds' or an RDF file")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--validate", action="store_true", help="validate before serving")
    parser.add_argument("--sparql-workers", type=int, help="our app's SPARQL workers")
    parser.add_argument("--folder", type=Path, help="where oxigraph-server's store is written")
    parser.add_argument(
        "--http", choices=("serve", "auto"), default="serve",
        help="our app's HTTP protocol: that of `paccto serve` (default) or uvicorn's choice",
    )  # fmt: skip
    args = parser.parse_args(argv)
    serve(
        args.kind,
        args.data,
        args.port,
        validate=args.validate,
        sparql_workers=args.sparql_workers,
        folder=args.folder,
        http=args.http,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
