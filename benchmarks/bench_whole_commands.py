"""Whole commands on a large ``oxigraph:`` store: ``members``, ``memberships``, ``show`` and
``path`` as processes of their own, start-up included, as a user runs them.

    python benchmarks/bench_whole_commands.py                      # builds /tmp/bench-whole-1m
    python benchmarks/bench_whole_commands.py --store DIR          # reuses the store in DIR

The store is ``paccto load --store oxigraph:DIR`` of the synthetic graph (``--data``, by default
``/tmp/syn-1m.trig``, written by ``benchmarks/synthetic.py`` if missing). The entities asked about
are read from the store: the network with the most memberships (``members``), the institution
with the most statements (``memberships`` and ``show``), and two institutions of middling
degree (``path``).

Each command runs ``--repeat`` times (median seconds, and the peak resident memory of the
process, from ``wait4``), twice over:

* ``whole``: the version seen without its saved parts (a folder of links to the same files, the
  ``paccto-parts.sqlite`` left out), which is how every store version was read before saved
  parts: the whole saved projection, then the name index over every entity;
* ``parts``: the version as written, read a part at a time (:mod:`paccto.graph.stores.
  local_store`).

Each is timed with the table a user reads and with ``--json`` (rich draws a table of a few
thousand rows in seconds: that is the terminal's part, not the question's). Beside them, the
same question as one SPARQL query to pyoxigraph in this process, for reference (no names
resolved, nothing folded: a floor, not an equivalent answer), and ``paccto --help``, the start-up
every command pays.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PACCTO = shutil.which("paccto") or "paccto"
HERE = Path(__file__).resolve().parent
ID = "https://w3id.org/paccto-graph/id/"
PARTS_FILE = "paccto-parts.sqlite"

_PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX paccto: <https://w3id.org/paccto-graph/ontology#>
"""
LARGEST_NETWORK = (
    _PREFIXES
    + f"""
SELECT ?org (COUNT(?m) AS ?n) WHERE {{
  ?m a org:Membership ; org:organization ?org
  FILTER(STRSTARTS(STR(?org), "{ID}syn-network-"))
}} GROUP BY ?org ORDER BY DESC(?n) ?org LIMIT 1"""
)
INSTITUTIONS_BY_DEGREE = f"""
SELECT ?x (COUNT(*) AS ?n) WHERE {{
  {{ ?x ?p ?o }} UNION {{ ?o ?p ?x }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{ID}syn-inst-"))
}} GROUP BY ?x ORDER BY DESC(?n) ?x"""

#: The same questions as one SPARQL query each (``{a}``, ``{b}``: the entities' IRIs).
REFERENCE = {
    "members": _PREFIXES
    + """
SELECT ?member ?role ?start ?end WHERE {
  ?m a org:Membership ; org:organization <{a}> ; org:member ?member .
  OPTIONAL { ?m org:role ?role }
  OPTIONAL { ?m org:memberDuring ?d . OPTIONAL { ?d paccto:startDate ?start }
             OPTIONAL { ?d paccto:endDate ?end } }
}""",
    "memberships": _PREFIXES
    + """
SELECT ?organisation ?role WHERE {
  { ?m a org:Membership ; org:member <{a}> ; org:organization ?organisation .
    OPTIONAL { ?m org:role ?role } }
  UNION { <{a}> org:subOrganizationOf ?organisation }
}""",
    "show": """
SELECT ?p ?o ?g WHERE { { GRAPH ?g { <{a}> ?p ?o } } UNION { GRAPH ?g { ?o ?p <{a}> } } }""",
    "path": """
SELECT ?x ?y WHERE {
  { <{a}> ?p ?x } UNION { ?x ?p <{a}> } FILTER(isIRI(?x))
  { ?x ?q ?y } UNION { ?y ?q ?x } FILTER(isIRI(?y))
  { ?y ?r <{b}> } UNION { <{b}> ?r ?y }
} LIMIT 1""",
}


def _run(command: Sequence[str]) -> tuple[float, float]:
    """Seconds and peak resident MiB of one process (its own, from ``wait4``)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{error.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def _median_run(command: Sequence[str], repeat: int) -> tuple[float, float]:
    runs = [_run(command) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def _ensure_store(folder: Path, data: Path) -> None:
    if (folder / "current").is_symlink():
        return
    if not data.is_file():
        print(f"writing {data} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "synthetic.py"), "--triples", "1000000", "-o", str(data)],
            check=True,
        )
    print(f"loading {data} into oxigraph:{folder} (a few minutes) ...", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run([PACCTO, "load", "--store", f"oxigraph:{folder}", str(data)], check=True)
    print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _without_parts(folder: Path, into: Path) -> Path:
    """A store folder whose current version links to ``folder``'s files, saved parts left out:
    the same version read as before there were saved parts."""
    version = (folder / "current").resolve()
    copy = into / "whole"
    mirrored = copy / version.name
    mirrored.mkdir(parents=True)
    for path in version.iterdir():
        if path.name != PARTS_FILE and not path.name.endswith(".lease"):
            (mirrored / path.name).symlink_to(path)
    (copy / "current").symlink_to(version.name, target_is_directory=True)
    return copy


def _entities(folder: Path) -> dict[str, tuple[str, ...]]:
    """What each command asks about, read from the store."""
    from paccto.graph.stores.oxigraph_store import open_oxigraph_store

    store = open_oxigraph_store(folder).store
    (network,) = [row["org"].value for row in store.query(LARGEST_NETWORK)]
    ranked = [row["x"].value for row in store.query(INSTITUTIONS_BY_DEGREE)]
    institution = ranked[0]
    middling = (ranked[min(100, len(ranked) - 1)], ranked[min(1000, len(ranked) - 1)])

    def short(iri: str) -> str:
        return iri.removeprefix(ID)

    return {
        "members": (short(network),),
        "memberships": (short(institution),),
        "show": (short(institution),),
        "path": (short(middling[0]), short(middling[1])),
    }


def _reference(folder: Path, question: str, names: tuple[str, ...], repeat: int) -> float:
    """Median seconds of the question as one SPARQL query, in this process."""
    from paccto.graph.stores.oxigraph_store import open_oxigraph_store

    store = open_oxigraph_store(folder).store
    text = REFERENCE[question].replace("{a}", ID + names[0]).replace("{b}", ID + names[-1])
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(list(store.query(text)))
        times.append(time.perf_counter() - started)
    del rows
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/bench-whole-1m"))
    parser.add_argument("--data", type=Path, default=Path("/tmp/syn-1m.trig"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--modes", nargs="+", choices=["whole", "parts"], default=["whole", "parts"]
    )
    arguments = parser.parse_args(argv)
    folder: Path = arguments.store.resolve()
    _ensure_store(folder, arguments.data)
    if not ((folder / "current").resolve() / PARTS_FILE).is_file():
        print(f"no {PARTS_FILE} in the current version: load the store again", file=sys.stderr)
    entities = _entities(folder)
    help_seconds, help_mib = _median_run([PACCTO, "--help"], arguments.repeat)
    print(f"paccto --help: {help_seconds:.2f} s, {help_mib:.0f} MiB (start-up alone)")
    print(f"store: oxigraph:{folder}; median of {arguments.repeat} runs; peak RSS per process\n")
    header = f"{'mode':<6} {'command':<44} {'table s':>8} {'json s':>7} {'MiB':>5} {'SPARQL s':>9}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench-whole-") as scratch:
        stores = {"parts": folder, "whole": _without_parts(folder, Path(scratch))}
        for mode in arguments.modes:
            for question, names in entities.items():
                command = [PACCTO, "--store", f"oxigraph:{stores[mode]}", question, *names]
                table, table_mib = _median_run(command, arguments.repeat)
                as_json, json_mib = _median_run([*command, "--json"], arguments.repeat)
                sparql = _reference(folder, question, names, arguments.repeat)
                shown = f"{question} {' '.join(names)}"
                print(
                    f"{mode:<6} {shown:<44} {table:>8.2f} {as_json:>7.2f} "
                    f"{max(table_mib, json_mib):>5.0f} {sparql:>9.3f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
