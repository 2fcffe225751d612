"""Prints how long validating a pyoxigraph store takes, and which shapes and rules take it.

Not a test: run it with ``python benchmarks/bench_validation.py [FILE.trig ...]`` (by default
``/tmp/syn-100k.trig`` and ``/tmp/syn-1m.trig``; ``python benchmarks/synthetic.py --triples N -o
FILE`` writes more). For each file it builds an in-memory store as the loader lays it out (the
file's graphs, facts given outside any graph moved into ``<graph/unattributed>``, and the default
graph filled with their merge), timing the bulk load and the merge apart, then runs
:func:`store_violations` a few times and prints the median with the time per shape and rule.

With ``--broken`` it also copies the first file, adds a few invalid facts of kinds the shapes and
rules refuse, and prints what the validator finds in it, so that a fast answer is seen to be a
right one too.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from paccto.graph.load import store_validation
from paccto.graph.load.store_validation import store_violations
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.settings import DEFAULT_BASE_IRI

DEFAULT_FILES = (Path("/tmp/syn-100k.trig"), Path("/tmp/syn-1m.trig"))

#: Facts the shapes or the provenance rule refuse, each kind once, appended to a valid file.
BROKEN = """
<graph/entities> {
    id:bench-untitled a paccto:Agency .
    id:bench-spanish a paccto:Agency ; rdfs:label "Sólo en español"@es .
    id:bench-atlantis a paccto:Country ; rdfs:label "Atlantis"@en ; paccto:isoCode "ATL" .
    id:bench-cooperation paccto:cooperatesWith id:bench-misspelt .
}
<graph/provenance> {
    <passage/bench/5-900> a paccto:Passage ; rdfs:label "bench [5, 900)"@en ;
        prov:wasDerivedFrom src:bench-doc ; oa:start -5 ; oa:end 900 .
    src:bench-doc a paccto:SourceDocument ; rdfs:label "bench doc"@en ; dcterms:title "t" ;
        paccto:fileName "b.txt" ; paccto:characterCount 100 ;
        paccto:sha256 "00"^^xsd:hexBinary .
}
<passage/bench/5-900> {
    id:bench-spanish paccto:date "2020-13"^^xsd:gYearMonth , "2021"^^xsd:gYear .
}
<passage/bench/unregistered> { id:bench-spanish paccto:supports id:bench-atlantis . }
"""


def build_store(path: Path, ids: Identifiers) -> tuple[ox.Store, float, float]:
    """The store as the loader lays it out, with the seconds the load and the merge took."""
    store = ox.Store()
    start = time.perf_counter()
    store.bulk_load(
        path=path,
        format=ox.RdfFormat.TRIG,
        base_iri=ids.base,
        to_graph=ox.NamedNode(str(ids.unattributed_graph)),
    )
    loaded = time.perf_counter()
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store, loaded - start, time.perf_counter() - loaded


def by_shape(timings: dict[str, float]) -> dict[str, float]:
    """Seconds per shape or rule: the labels are ``shape:Name <path> kind`` or ``rule: part``."""
    totals: Counter[str] = Counter()
    for label, seconds in timings.items():
        name = label.split(":", 1)[0] if label.startswith(("facts", "provenance")) else label
        totals[name.split(" ", 1)[0] if name.startswith("shape:") else name] += seconds
    return dict(totals)


def bench(path: Path, ids: Identifiers, repeat: int) -> None:
    store, load_s, merge_s = build_store(path, ids)
    print(f"\n{path}: {len(store):,} quads (named graphs and their merge)")
    print(f"  build store: bulk_load {load_s:.2f} s, merge into the default graph {merge_s:.2f} s")
    times = []
    timings: dict[str, float] = {}
    found = []
    for attempt in range(repeat):
        timings_now: dict[str, float] = {}
        start = time.perf_counter()
        found = store_violations(store, ids, timings=timings_now)
        times.append(time.perf_counter() - start)
        if attempt == 0 or times[-1] <= min(times):
            timings = timings_now
    print(
        f"  store_violations: median {statistics.median(times):.2f} s over {repeat} runs "
        f"(min {min(times):.2f} s), {len(found)} violations"
    )
    print("  seconds per shape or rule in the fastest run (query time, threads run at once):")
    for name, seconds in sorted(by_shape(timings).items(), key=lambda item: -item[1]):
        print(f"    {name:<34}{seconds:>7.3f}")
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:8]
    print("  slowest queries:")
    for label, seconds in slowest:
        print(f"    {label:<70}{seconds:>7.3f}")


def broken(path: Path, ids: Identifiers) -> None:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "broken.trig"
        shutil.copyfile(path, copy)
        with copy.open("a", encoding="utf-8") as out:
            out.write(BROKEN)
        store, _, _ = build_store(copy, ids)
        start = time.perf_counter()
        found = store_violations(store, ids)
        seconds = time.perf_counter() - start
    print(f"\n{path} with invalid facts added: {len(found)} violations in {seconds:.2f} s")
    for violation in found:
        print(f"  {violation}  [{violation.shape}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--repeat", type=int, default=3, help="runs of store_violations per file")
    parser.add_argument("--broken", action="store_true", help="also validate a broken copy")
    parser.add_argument(
        "--threads", type=int, help="queries run at once (default: up to 4, one per core)"
    )
    arguments = parser.parse_args()
    if arguments.threads:
        # Module state, set for this process only: one thread shows each query's own cost.
        store_validation._THREADS = arguments.threads
    print(f"threads: {store_validation._THREADS}")
    ids = Identifiers(DEFAULT_BASE_IRI)
    for path in arguments.files:
        bench(path, ids, arguments.repeat)
    if arguments.broken and arguments.files:
        broken(arguments.files[0], ids)


if __name__ == "__main__":
    main()
