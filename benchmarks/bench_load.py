"""Prints how long loading the embedded default takes, stage by stage, and how fast the
competency queries run. Not a test: run it with ``python benchmarks/bench_load.py``."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

from paccto.graph.load.loading import build_dataset, load_knowledge_graph
from paccto.graph.load.parsing import parse_file
from paccto.graph.load.resources import ontology_file, query_files, seed_files
from paccto.graph.load.validation import provenance_violations, shacl_violations
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.settings import DEFAULT_BASE_IRI
from paccto.graph.sparql.query import run_query


def timed(function: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """Median wall time in milliseconds over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    ids = Identifiers(DEFAULT_BASE_IRI)
    files = seed_files()
    parse_ms, quads = timed(lambda: [q for f in files for q in parse_file(f, base_iri=ids.base)])
    build_ms, dataset = timed(lambda: build_dataset(files, ids, ontology=ontology_file()))
    shacl_ms, _ = timed(lambda: shacl_violations(dataset, ids), repeat=3)
    provenance_ms, _ = timed(lambda: provenance_violations(dataset, ids))
    load_ms, kg = timed(load_knowledge_graph, repeat=3)

    print(f"seed files: {len(files)}, quads parsed: {len(quads)}, quads loaded: {len(kg)}")
    print(f"{'stage':<34}{'median ms':>10}")
    for name, value in (
        ("parse seeds (pyoxigraph)", parse_ms),
        ("parse + build rdflib dataset", build_ms),
        ("SHACL validation (pySHACL)", shacl_ms),
        ("provenance rule (quads)", provenance_ms),
        ("load_knowledge_graph, end to end", load_ms),
    ):
        print(f"{name:<34}{value:>10.1f}")
    print()
    print(f"{'query':<34}{'rows':>6}{'median ms':>10}")
    for path in query_files():
        text = path.read_text(encoding="utf-8")
        query_ms, result = timed(lambda text=text: run_query(kg, text), repeat=7)
        print(f"{path.stem:<34}{len(result.rows):>6}{query_ms:>10.1f}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
