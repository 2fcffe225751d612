"""A throwaway Virtuoso (Debian's ``virtuoso-opensource`` 7.2) for tests against a real SPARQL 1.1
server: its own database in a temporary folder, loopback ports, stopped by its process id.

The packaged ``/etc/virtuoso-opensource-7/virtuoso.ini`` points at system folders and fixed ports
and would share one database between test runs, so :func:`running_virtuoso` writes a minimal ini
of its own. Loading goes through ``isql-vt`` and Virtuoso's bulk loader (:func:`load_nquads`),
which keeps each quad's named graph; SPARQL Update over HTTP would need digest authentication and
one request per graph for the same result.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
from live_servers import free_port

__all__ = [
    "VIRTUOSO_SYSTEM_GRAPHS",
    "VirtuosoError",
    "VirtuosoServer",
    "VirtuosoTuning",
    "graph_sizes",
    "load_nquads",
    "run_isql",
    "running_virtuoso",
]

#: Graphs a fresh Virtuoso 7.2 database holds before anything is loaded. They are part of its
#: union default graph, so a query without FROM / GRAPH sees their triples too.
VIRTUOSO_SYSTEM_GRAPHS = frozenset(
    {
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
    }
)

#: Where N-Quads lines without a graph term go: Virtuoso has no graph-less triples.
DEFAULT_LOAD_GRAPH = "urn:x-paccto:default-graph"

_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 30.0
_ISQL_TIMEOUT = 120.0


class VirtuosoError(RuntimeError):
    """Virtuoso did not start, or ``isql-vt`` or the bulk loader reported a problem."""


@dataclass(frozen=True, slots=True)
class VirtuosoServer:
    """A running Virtuoso: its SPARQL endpoints, its SQL port and the administrator's account.

    ``auth_url`` is the endpoint that accepts SPARQL Update, with HTTP digest authentication as
    ``user``/``password``; ``sparql_url`` answers queries anonymously and refuses updates.
    ``pid`` is the server process's, for measuring it.
    """

    folder: Path
    sparql_url: str
    auth_url: str
    isql_port: int
    pid: int
    user: str = "dba"
    password: str = "dba"


@dataclass(frozen=True, slots=True)
class VirtuosoTuning:
    """The ini settings that depend on the data's size. The defaults suit the tests: a few
    thousand quads on a two-core machine. Virtuoso's guide asks for about 8 KiB of buffer per
    quad held in memory (``number_of_buffers``), ``result_set_max_rows`` must exceed the
    quads one update copies, since Virtuoso applies that cap to updates too, and so must the
    transaction log's limit (50 MB by default; a million-quad switch goes over it)."""

    number_of_buffers: int = 10_000
    max_dirty_buffers: int = 6_000
    result_set_max_rows: int = 1_000_000
    max_query_seconds: int = 60
    #: Bytes one transaction may log; a load's switch copies the whole graph in one.
    transaction_after_image_limit: int = 50_000_000


def _ini(folder: Path, isql_port: int, http_port: int, tuning: VirtuosoTuning) -> str:
    # An ini of our own keeps the database, its logs and its lock file inside ``folder``.
    return f"""\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 8
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = {tuning.number_of_buffers}
MaxDirtyBuffers = {tuning.max_dirty_buffers}
MaxQueryMem = 200M
TransactionAfterImageLimit = {tuning.transaction_after_image_limit}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
; Virtuoso cuts result sets at this many rows without saying so; keep it far above our data.
ResultSetMaxRows = {tuning.result_set_max_rows}
MaxQueryExecutionTime = {tuning.max_query_seconds}
"""


def _die_with_parent() -> None:
    # Runs in the child before exec: if pytest itself is killed (SIGKILL, or SIGTERM, which skips
    # ``finally`` blocks), Linux sends Virtuoso SIGTERM instead of leaving it running.
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _log_end(folder: Path) -> str:
    parts = []
    for name in ("virtuoso.log", "virtuoso.out"):
        path = folder / name
        if path.exists():
            parts.append(f"--- {name} ---\n{path.read_text(errors='replace')[-3000:]}")
    return "\n".join(parts) or "(no log written)"


def _answers_ask(url: str) -> bool:
    try:
        response = httpx.get(
            url,
            params={"query": "ASK {}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=2,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: Virtuoso shuts down cleanly
    try:
        process.wait(timeout=_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def running_virtuoso(
    folder: Path, tuning: VirtuosoTuning | None = None
) -> Iterator[VirtuosoServer]:
    """Start ``virtuoso-t`` on a new database in ``folder``; stop it however the block ends.

    Raises
    ------
    VirtuosoError
        ``virtuoso-t`` is not installed, or its endpoint did not answer an ASK within a minute
        (the message ends with its log).
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise VirtuosoError(
            "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)"
        )
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    isql_port = free_port()
    http_port = free_port()
    while http_port == isql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_ini(folder, isql_port, http_port, tuning or VirtuosoTuning()), encoding="utf-8")
    base = f"http://127.0.0.1:{http_port}"
    with (folder / "virtuoso.out").open("wb") as output:
        process = subprocess.Popen(
            [binary, "+configfile", str(ini), "+foreground"],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    server = VirtuosoServer(
        folder=folder,
        sparql_url=f"{base}/sparql",
        auth_url=f"{base}/sparql-auth",
        isql_port=isql_port,
        pid=process.pid,
    )
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not _answers_ask(server.sparql_url):
            if process.poll() is not None:
                raise VirtuosoError(
                    f"virtuoso-t exited with status {process.returncode} while starting:\n"
                    + _log_end(folder)
                )
            if time.monotonic() > deadline:
                raise VirtuosoError(
                    f"Virtuoso did not answer at {server.sparql_url} within "
                    f"{_START_TIMEOUT:.0f} s:\n{_log_end(folder)}"
                )
            time.sleep(0.25)
        yield server
    finally:
        _stop(process)


def run_isql(server: VirtuosoServer, script: str) -> str:
    """Run SQL statements (each ending in ``;``) through ``isql-vt``; returns what it printed.

    ``isql-vt`` exits with status 0 even when a statement fails, so its output is searched for
    the ``*** Error`` lines it prints instead.

    Raises
    ------
    VirtuosoError
        ``isql-vt`` is missing, could not log in, or a statement failed; the message holds its
        output.
    """
    isql = shutil.which("isql-vt")
    if isql is None:
        raise VirtuosoError(
            "isql-vt is not installed (Debian: apt-get install virtuoso-opensource)"
        )
    command = [
        isql,
        f"127.0.0.1:{server.isql_port}",
        server.user,
        server.password,
        "VERBOSE=OFF",
        "BANNER=OFF",
        "PROMPT=OFF",
        "ERRORS=STDOUT",
    ]
    completed = subprocess.run(
        command,
        input=script,
        capture_output=True,
        text=True,
        timeout=_ISQL_TIMEOUT,
        check=False,
    )
    output = completed.stdout + completed.stderr
    if completed.returncode != 0 or "*** Error" in output:
        raise VirtuosoError(f"isql-vt failed (status {completed.returncode}):\n{script}\n{output}")
    return output


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def graph_sizes(server: VirtuosoServer) -> dict[str, int]:
    """How many quads each graph holds, read through the SPARQL endpoint (system graphs too)."""
    response = httpx.post(
        server.sparql_url,
        data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    response.raise_for_status()
    return {
        row["g"]["value"]: int(row["n"]["value"]) for row in response.json()["results"]["bindings"]
    }


def _expected_sizes(path: Path, default_graph: str) -> Counter[str]:
    # A set first: a quad written twice is stored once, by Virtuoso as by any RDF store.
    quads = set(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    return Counter(
        default_graph if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        for quad in quads
    )


def load_nquads(
    server: VirtuosoServer, path: Path, *, default_graph: str = DEFAULT_LOAD_GRAPH
) -> dict[str, int]:
    """Bulk-load an N-Quads file, each quad into its own named graph; returns quads per graph.

    Virtuoso's loader reads only files under ``DirsAllowed``, so the file is copied into the
    server's folder first. Its parser is lenient (it reads a bare word where an IRI belongs as
    a relative IRI and reports nothing), so success is judged by what arrived: every graph named
    in the file must hold exactly the quads the file gives it, as pyoxigraph parses them. Lines
    without a graph term go into ``default_graph``. Loading again the quads a graph already holds
    changes nothing and passes; adding other quads to a graph that is not empty fails the check.

    Raises
    ------
    VirtuosoError
        ``isql-vt`` or the loader reported an error, or a graph's quad count differs from the
        file's.
    """
    expected = _expected_sizes(path, default_graph)
    staging = Path(tempfile.mkdtemp(prefix="load-", dir=server.folder))
    staged = staging / path.name
    shutil.copyfile(path, staged)
    name = _sql_string(str(staged))
    # rdf_loader_run() loads with the transaction log off; the checkpoint makes the load durable.
    # The final SELECT prints a marker for a file the loader gave up on or never reached.
    output = run_isql(
        server,
        f"DB.DBA.LD_ADD({name}, {_sql_string(default_graph)});\n"
        "rdf_loader_run();\n"
        "checkpoint;\n"
        "SELECT 'LOAD-FAILED', ll_state, ll_error FROM DB.DBA.LOAD_LIST\n"
        f"  WHERE ll_file = {name} AND (ll_state <> 2 OR ll_error IS NOT NULL);\n",
    )
    if "LOAD-FAILED" in output:
        raise VirtuosoError(f"Virtuoso's bulk loader could not load {path}:\n{output}")
    actual = graph_sizes(server)
    wrong = {
        graph: (count, actual.get(graph, 0))
        for graph, count in expected.items()
        if actual.get(graph, 0) != count
    }
    if wrong:
        listing = "\n".join(
            f"  <{graph}>: file {want}, Virtuoso {got}" for graph, (want, got) in wrong.items()
        )
        raise VirtuosoError(f"quad counts differ after loading {path}:\n{listing}")
    return dict(expected)
