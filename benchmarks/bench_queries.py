"""Prints how PAcCTO Graph scales, from the seed graph to synthetic graphs of a million triples.

For each graph: load time by stage (pyoxigraph parse, rdflib dataset build, SHACL and provenance
validation), projection build (``build_projection``), entity index build (``EntityIndex``), path
query latency with explanation, membership query latency, and peak resident memory. Every graph
is measured in its own subprocess, so memory peaks do not mix. It prints figures and never
asserts; run it with

    python benchmarks/bench_queries.py                           # seeds + synthetic 100 k
    python benchmarks/bench_queries.py --sizes 100000 1000000    # seeds + 100 k + 1 M
    python benchmarks/bench_queries.py seeds /tmp/my-graph.trig  # given graphs

Synthetic files are written by ``benchmarks/synthetic.py`` into ``--dir`` when missing.
pySHACL validation grows much faster than the graph, so it is timed only up to
``--validate-up-to`` quads (and not at all with ``--skip-validation``); the table says so.

Path and membership latencies time the library's
``paccto.graph.questions.paths.shortest_path`` and
``paccto.graph.questions.membership.members_of``. When either is missing or its signature
differs, the script falls back to ``networkx.shortest_path`` on the undirected projection plus an
explanation built from the edges' relations and sources, and to a scan of ``in_edges`` for
memberships; the table says which one was timed.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import inspect
import json
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = Path("/tmp")

#: Targets from the issue, keyed by metric: (text shown, test on the measured value).
TARGETS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "projection_s": ("< 5 s", lambda v: v < 5),
    "path_median_ms": ("< 2 ms", lambda v: v < 2),
    "peak_graph_mib": ("< 2048 MiB", lambda v: v < 2048),
}

REFERENCE = (
    "reference, 1 M triples on this kind of machine: edges extracted with pyoxigraph 3.1 s, "
    "networkx built 0.8 s, networkx shortest path 0.13 ms median"
)

#: (metric key, row label, unit) in the order printed.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("quads", "quads parsed (files + ontology)", ""),
    ("parse_s", "parse, pyoxigraph -> rdflib terms", "s"),
    ("insert_s", "insert into rdflib Dataset", "s"),
    ("build_s", "build_dataset (parse + insert)", "s"),
    ("shacl_s", "SHACL validation (pySHACL)", "s"),
    ("provenance_s", "provenance rule (quads)", "s"),
    ("violations", "violations found", ""),
    ("load_s", "load total (build + validation)", "s"),
    ("rss_loaded_mib", "resident after load", "MiB"),
    ("nodes", "projection nodes (entities)", ""),
    ("edges", "projection edges", ""),
    ("memberships", "  of which member-of edges", ""),
    ("max_degree", "  largest degree (hub)", ""),
    ("projection_s", "build_projection", "s"),
    ("index_s", "EntityIndex", "s"),
    ("simple_s", "path search graph (Projection.simple)", "s"),
    ("rss_projected_mib", "resident after projection + index", "MiB"),
    ("path_impl", "path query timed", ""),
    ("path_first_ms", "  first call", "ms"),
    ("path_median_ms", "  median", "ms"),
    ("path_p99_ms", "  p99", "ms"),
    ("path_found", "  pairs timed (with a path / timed / drawn)", ""),
    ("path_mean_length", "  mean path length (steps)", ""),
    ("path_bare_median_ms", "  bare nx.shortest_path, no explanation: median", "ms"),
    ("membership_impl", "membership query timed", ""),
    ("membership_median_ms", "  median", "ms"),
    ("membership_p99_ms", "  p99", "ms"),
    ("membership_mean_members", "  mean members returned", ""),
    ("peak_graph_mib", "peak resident: load + projection + queries", "MiB"),
    ("peak_total_mib", "peak resident incl. validation", "MiB"),
    ("wall_s", "wall time of the whole measurement", "s"),
)


# --- measuring one graph (runs in a subprocess) --------------------------------------------------


def _rss_mib() -> float:
    """Current resident set size."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _seconds(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _latencies(
    function: Callable[[Any], Any], inputs: Sequence[Any], budget_s: float = float("inf")
) -> list[float]:
    """Milliseconds per call, one call per input, until ``budget_s`` seconds are spent."""
    times = []
    spent = 0.0
    for item in inputs:
        start = time.perf_counter()
        function(item)
        elapsed = time.perf_counter() - start
        times.append(elapsed * 1000)
        spent += elapsed
        if spent > budget_s:
            break
    return times


def _p99(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else 0.0


def _library(module: str, name: str, *probe: Any) -> Callable[..., Any] | None:
    """The library function, if it exists and accepts ``probe`` as positional arguments."""
    try:
        function = getattr(importlib.import_module(module), name)
        inspect.signature(function).bind(*probe)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    return function


def _nx_path_with_explanation(kg: Any, source: str, target: str) -> list[dict[str, Any]]:
    """Fallback: networkx shortest path, then each step's relations, directions and sources."""
    import networkx as nx

    graph = kg.projection.graph
    nodes = nx.shortest_path(kg.projection.undirected(), source, target)
    steps = []
    for here, there in pairwise(nodes):
        links = []
        for u, v, direction in ((here, there, "forward"), (there, here, "backward")):
            for key, data in (graph.get_edge_data(u, v) or {}).items():
                links.append(
                    {
                        "relation": data["relation"],
                        "key": key,
                        "direction": direction,
                        "documents": [s.get("document") for s in data.get("sources", [])],
                    }
                )
        steps.append(
            {
                "from": graph.nodes[here]["label"],
                "to": graph.nodes[there]["label"],
                "links": links,
            }
        )
    return steps


def _scan_members(kg: Any, organisation: str) -> list[tuple[str, dict[str, Any]]]:
    """Fallback: the member-of edges pointing at ``organisation``."""
    from paccto.graph.model.folding import MEMBER_OF

    graph = kg.projection.graph
    return [
        (member, data)
        for member, _, key, data in graph.in_edges(organisation, keys=True, data=True)
        if key.startswith(MEMBER_OF)
    ]


def measure(target: str, args: argparse.Namespace) -> Iterator[tuple[str, Any]]:
    """Yield ``(metric, value)`` for one graph as each figure becomes known."""
    wall = time.perf_counter()
    import networkx as nx

    from paccto.graph.load.loading import build_dataset
    from paccto.graph.load.parsing import parse_file
    from paccto.graph.load.resources import ontology_file, seed_files
    from paccto.graph.load.validation import provenance_violations, shacl_violations
    from paccto.graph.model.identifiers import Identifiers
    from paccto.graph.model.knowledge_graph import KnowledgeGraph
    from paccto.graph.model.names import EntityIndex
    from paccto.graph.model.projection import MEMBER_OF, build_projection
    from paccto.graph.settings import DEFAULT_BASE_IRI

    ids = Identifiers(DEFAULT_BASE_IRI)
    files = list(seed_files()) if target == "seeds" else [Path(target)]

    # --- load: parse alone, then build_dataset (which parses again and inserts) ---------------
    parse_s, quads = _seconds(
        lambda: sum(len(parse_file(f, base_iri=ids.base)) for f in [*files, ontology_file()])
    )
    yield "quads", quads
    yield "parse_s", parse_s
    gc.collect()
    build_s, dataset = _seconds(lambda: build_dataset(files, ids, ontology=ontology_file()))
    yield "build_s", build_s
    yield "insert_s", max(build_s - parse_s, 0.0)
    gc.collect()
    yield "rss_loaded_mib", _rss_mib()
    kg = KnowledgeGraph(dataset=dataset, ids=ids, files=files)

    # --- projection and index ---------------------------------------------------------------
    projection_s, projection = _seconds(lambda: build_projection(kg.dataset, kg.ids))
    kg.__dict__["projection"] = projection  # what the cached_property would have stored
    yield "projection_s", projection_s
    graph = projection.graph
    yield "nodes", graph.number_of_nodes()
    yield "edges", graph.number_of_edges()
    yield "memberships", sum(1 for *_, key in graph.edges(keys=True) if key.startswith(MEMBER_OF))
    yield "max_degree", max((d for _, d in graph.degree()), default=0)
    index_s, index = _seconds(lambda: EntityIndex(projection))
    kg.__dict__["index"] = index
    yield "index_s", index_s
    if hasattr(projection, "simple"):
        simple_s, _ = _seconds(projection.simple)
        yield "simple_s", simple_s
    else:
        yield "simple_s", "n/a"
    gc.collect()
    yield "rss_projected_mib", _rss_mib()

    # --- path queries between random pairs of one connected component -------------------------
    rng = random.Random(args.seed)
    component = sorted(max(nx.connected_components(projection.undirected()), key=len))
    pairs = []
    while len(pairs) < args.pairs and len(component) > 1:
        source, destination = rng.sample(component, 2)
        pairs.append((source, destination))

    library_path = _library("paccto.graph.questions.paths", "shortest_path", kg, "a", "b")
    found = 0
    lengths: list[int] = []
    errors: list[str] = []
    if library_path is not None:
        from paccto.graph.errors import PacctoError

        def path_query(pair: tuple[str, str]) -> None:
            nonlocal found
            try:
                path = library_path(kg, *pair)
            except PacctoError:
                return
            except Exception as error:  # a bug in code being written: count it, keep timing
                errors.append(f"{type(error).__name__}: {error}")
                return
            found += 1
            lengths.append(len(getattr(path, "steps", ())))

        implementation = "paccto.graph.questions.paths.shortest_path"
    else:

        def path_query(pair: tuple[str, str]) -> None:
            nonlocal found
            try:
                steps = _nx_path_with_explanation(kg, *pair)
            except nx.NetworkXNoPath:
                return
            found += 1
            lengths.append(len(steps))

        implementation = "fallback: nx.shortest_path + explanation"
    if pairs:
        first = _latencies(path_query, pairs[:1])[0]
        found, lengths = 0, []
        errors.clear()
        times = _latencies(path_query, pairs, args.query_budget)
        yield "path_impl", implementation + (f" ({len(errors)} errors)" if errors else "")
        yield "path_first_ms", first
        yield "path_median_ms", statistics.median(times)
        yield "path_p99_ms", _p99(times)
        yield "path_found", f"{found}/{len(times)}/{len(pairs)}"
        yield "path_mean_length", statistics.fmean(lengths) if lengths else 0.0
        if errors:
            print(f"path query errors, first: {errors[0]}", file=sys.stderr)
        # the floor: breadth-first search alone on a simple undirected graph
        simple = projection.simple() if hasattr(projection, "simple") else None
        simple = simple if simple is not None else nx.Graph(projection.undirected())
        times = _latencies(lambda pair: nx.shortest_path(simple, *pair), pairs)
        yield "path_bare_median_ms", statistics.median(times)

    # --- membership queries on random organisations that have members ------------------------
    organisations = sorted(
        {target for _, target, key in graph.edges(keys=True) if key.startswith(MEMBER_OF)}
    )
    if organisations:
        asked = [rng.choice(organisations) for _ in range(args.pairs)]
        library_members = _library("paccto.graph.questions.membership", "members_of", kg, "a")
        sizes: list[int] = []
        if library_members is not None:
            implementation = "paccto.graph.questions.membership.members_of"

            def member_query(organisation: str) -> None:
                sizes.append(len(library_members(kg, organisation)))
        else:
            implementation = "fallback: in_edges scan"

            def member_query(organisation: str) -> None:
                sizes.append(len(_scan_members(kg, organisation)))

        times = _latencies(member_query, asked, args.query_budget)
        yield "membership_impl", implementation
        yield "membership_median_ms", statistics.median(times)
        yield "membership_p99_ms", _p99(times)
        yield "membership_mean_members", statistics.fmean(sizes)
    yield "peak_graph_mib", _peak_mib()

    # --- validation last, so that its peak does not hide the graph's own -----------------------
    if args.skip_validation:
        reason = "skipped (--skip-validation)"
    elif quads > args.validate_up_to:
        reason = f"skipped (> {args.validate_up_to} quads)"
    else:
        reason = None
    if reason:
        yield "shacl_s", reason
        yield "provenance_s", reason
        yield "load_s", f"{build_s:.2f} s + validation not timed"
    else:
        shacl_s, shacl = _seconds(lambda: shacl_violations(dataset, ids))
        yield "shacl_s", shacl_s
        provenance_s, provenance = _seconds(lambda: provenance_violations(dataset, ids))
        yield "provenance_s", provenance_s
        yield "violations", len(shacl) + len(provenance)
        yield "load_s", build_s + shacl_s + provenance_s
    yield "peak_total_mib", _peak_mib()
    yield "wall_s", time.perf_counter() - wall


def worker(target: str, args: argparse.Namespace) -> None:
    """Print one JSON object per figure, flushed, so a killed worker still reports what it had."""
    for metric, value in measure(target, args):
        print(json.dumps({"metric": metric, "value": value}), flush=True)
        print(f"  [{Path(target).name}] {metric}: {_format(value, '')}", file=sys.stderr)


# --- the driver ---------------------------------------------------------------------------------


def _synthetic_module() -> Any:
    spec = importlib.util.spec_from_file_location("paccto_synthetic", HERE / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def synthetic_file(size: int, directory: Path, seed: int) -> Path:
    """The synthetic graph of ``size`` triples, generated unless already there."""
    path = directory / f"paccto-syn-{size}-seed{seed}.trig"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".part")
        with partial.open("w", encoding="utf-8", buffering=1 << 20) as out:
            _synthetic_module().generate(size, out, seed=seed)
        partial.rename(path)
        print(
            f"generated {path} in {time.perf_counter() - started:.1f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)",
            file=sys.stderr,
        )
    return path


def run_worker(target: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        target,
        "--pairs",
        str(args.pairs),
        "--seed",
        str(args.seed),
        "--validate-up-to",
        str(args.validate_up_to),
        "--query-budget",
        str(args.query_budget),
        *(["--skip-validation"] if args.skip_validation else []),
    ]
    print(f"measuring {target} ...", file=sys.stderr)
    results: dict[str, Any] = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        timer = threading.Timer(args.timeout, process.kill)  # only this worker, by its handle
        timer.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                record = json.loads(line)
                results[record["metric"]] = record["value"]
            process.wait()
        finally:
            timer.cancel()
    if process.returncode != 0:
        killed = process.returncode == -signal.SIGKILL
        results["wall_s"] = (
            f"killed (timeout {args.timeout:.0f} s or out of memory)"
            if killed
            else f"worker failed with status {process.returncode}"
        )
    return results


def _format(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if unit == "ms":
        return f"{value:.3f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    return f"{value:,}" if isinstance(value, int) else f"{value:.2f}"


#: What the short names in the "timed" rows stand for.
IMPLEMENTATIONS = {
    "paccto.graph.questions.paths.shortest_path": "library",
    "fallback: nx.shortest_path + explanation": "fallback",
    "paccto.graph.questions.membership.members_of": "library",
    "fallback: in_edges scan": "fallback",
}


def _short_implementation(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    for long, short in IMPLEMENTATIONS.items():
        value = value.replace(long, short)
    return value


def display_name(target: str) -> str:
    """``seeds``, ``syn-100k`` or ``syn-1M`` for the generated files, else the file's stem."""
    match = re.fullmatch(r"paccto-syn-(\d+)-seed(\d+)", Path(target).stem)
    if target == "seeds" or not match:
        return target if target == "seeds" else Path(target).stem
    size = int(match.group(1))
    for unit, scale in (("M", 1_000_000), ("k", 1000)):
        if size >= scale and size % scale == 0:
            return f"syn-{size // scale}{unit}" + (
                f"-s{match.group(2)}" if match.group(2) != "0" else ""
            )
    return f"syn-{size}"


def print_table(names: Sequence[str], results: Sequence[dict[str, Any]]) -> None:
    label_width = max(len(label) for _, label, _ in ROWS) + 2
    results = [
        {
            key: _short_implementation(value) if key.endswith("_impl") else value
            for key, value in result.items()
        }
        for result in results
    ]
    cells = [[_format(result.get(key), unit) for result in results] for key, _, unit in ROWS]
    widths = [max(len(name), *(len(row[i]) for row in cells)) + 2 for i, name in enumerate(names)]
    header = "".join(name.rjust(width) for name, width in zip(names, widths, strict=True))
    print(f"{'':<{label_width}}{header}  target")
    for (key, label, _), row in zip(ROWS, cells, strict=True):
        line = "".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        target = ""
        if key in TARGETS:
            text, met = TARGETS[key]
            verdicts = [
                ("met" if met(r[key]) else "MISSED") if isinstance(r.get(key), int | float) else "-"
                for r in results
            ]
            target = f"{text}  ({', '.join(verdicts)})"
        print(f"{label:<{label_width}}{line}  {target}".rstrip())
    print()
    print("timed: library = paccto.graph.questions.paths.shortest_path(kg, source, target) and")
    print("       paccto.graph.questions.membership.members_of(kg, organisation);")
    print("       fallback = networkx.shortest_path on kg.projection.undirected() plus an")
    print("       explanation of each step, and a scan of in_edges for member-of edges")
    print("peak resident memory is ru_maxrss of each graph's own worker process")
    print(REFERENCE)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "graphs",
        nargs="*",
        help="'seeds' or TriG/N-Quads files; default: seeds plus one synthetic file per --sizes",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[100_000],
        help="synthetic sizes in triples to generate and measure (default 100000)",
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where synthetic files go")
    parser.add_argument("--seed", type=int, default=0, help="seed of data, pairs and samples")
    parser.add_argument("--pairs", type=int, default=300, help="queries per latency figure")
    parser.add_argument("--skip-validation", action="store_true", help="do not time validation")
    parser.add_argument(
        "--validate-up-to",
        type=int,
        default=200_000,
        help="time validation only for graphs of at most this many quads (default 200000)",
    )
    parser.add_argument(
        "--query-budget",
        type=float,
        default=180,
        help="seconds at most spent on one latency figure; fewer queries are timed past it",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds allowed per graph before it is killed"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(args.worker, args)
        return 0

    targets = list(args.graphs) or [
        "seeds",
        *(str(synthetic_file(size, args.dir, args.seed)) for size in args.sizes),
    ]
    names = [display_name(target) for target in targets]
    results = [run_worker(target, args) for target in targets]
    print()
    print_table(names, results)
    if args.json:
        args.json.write_text(json.dumps(dict(zip(names, results, strict=True)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
