"""The projection built from an Oxigraph store, and the projection saved with a store version:
time and size on synthetic graphs; prints a table.

    python benchmarks/bench_projection.py                  # /tmp/syn-100k.trig, /tmp/syn-1m.trig
    python benchmarks/bench_projection.py --files big.trig --no-disk --rdflib

Each file (written by ``benchmarks/synthetic.py``) is loaded by pyoxigraph into a store laid out
as ``paccto load`` lays one out: the named graphs as given, the ontology in its graph, facts
given outside any graph in ``graph/unattributed``, the default graph the merge of them all. That
is timed on its own (``store``). Then:

* ``memory`` / ``disk``: :func:`build_projection_from_store` on that store, and on a copy of it
  written to disk and opened read-only, as an open that finds no saved projection builds it;
* ``rdflib`` (with ``--rdflib``): :func:`build_projection` over rdflib's view of the same store
  (oxrdflib), the way a store was read before, for comparison;
* ``save`` / ``read``: the saved projection (:mod:`paccto.graph.stores.saved_projection`),
  written and read back (the best of ``--reads``), and its size; beside them the same for the
  previous format (the standard library's JSON, nodes and edges added through networkx), of
  which a copy is kept here.

A read is checked to give back the projection saved, edges and their order included.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import pyoxigraph as ox

from paccto.graph.load.resources import ontology_file
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.model.projection import (
    Projection,
    build_projection,
    build_projection_from_store,
)
from paccto.graph.stores.saved_projection import PROJECTION_FILE, read_projection, save_projection

__all__ = ["layout_store", "main", "measure"]

BASE_IRI = "https://w3id.org/paccto-graph/"
FILES = (Path("/tmp/syn-100k.trig"), Path("/tmp/syn-1m.trig"))
MERGE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"

T = TypeVar("T")


def _timed(call: Callable[..., T], *arguments: Any) -> tuple[float, float, T]:
    """Wall-clock and process CPU seconds of ``call(*arguments)``, and its result: the two
    differ when other processes share the machine's cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call(*arguments)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def layout_store(data: Path, ids: Identifiers, store: ox.Store | None = None) -> ox.Store:
    """``data`` and the ontology in a store (a new one in memory unless given), laid out as a
    load lays one out."""
    store = ox.Store() if store is None else store
    store.bulk_load(path=data, format=ox.RdfFormat.TRIG, base_iri=ids.base)
    store.bulk_load(
        path=ontology_file(), format=ox.RdfFormat.TURTLE, base_iri=ids.base,
        to_graph=ox.NamedNode(str(ids.ontology_graph)),
    )  # fmt: skip
    unattributed = ox.NamedNode(str(ids.unattributed_graph))
    given = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for quad in given:
        store.remove(quad)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, unattributed) for q in given)
    store.update(MERGE)
    return store


# --- the previous format, kept here to compare with ----------------------------------------------


def _old_save(projection: Projection, path: Path) -> None:
    graph = projection.graph
    document = {
        "fingerprint": "old",
        "relation_labels": projection.relation_labels,
        "class_labels": projection.class_labels,
        "nodes": list(graph.nodes(data=True)),
        "edges": list(graph.edges(keys=True, data=True)),
    }
    with path.open("w", encoding="utf-8") as output:
        json.dump(document, output, ensure_ascii=False, separators=(",", ":"))
        output.flush()
        os.fsync(output.fileno())


def _old_read(path: Path) -> nx.MultiDiGraph:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open(encoding="utf-8") as source:
            document = json.load(source)
        graph = nx.MultiDiGraph()
        graph.add_nodes_from((node, data) for node, data in document["nodes"])
        graph.add_edges_from((u, v, key, data) for u, v, key, data in document["edges"])
        return graph
    finally:
        if was_enabled:
            gc.enable()


# --- measuring -----------------------------------------------------------------------------------


def _contents(graph: nx.MultiDiGraph) -> tuple[Any, ...]:
    return (
        list(graph.nodes(data=True)),
        list(graph.edges(keys=True, data=True)),
        [list(graph.pred[node]) for node in graph],
    )


def _best_read(read: Callable[[Path], T], path: Path, times: int) -> tuple[float, float, T]:
    best_wall, best_cpu, result = _timed(read, path)
    for _ in range(times - 1):
        del result
        gc.collect()
        wall, cpu, result = _timed(read, path)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu, result


def _unordered(graph: nx.MultiDiGraph) -> tuple[Any, ...]:
    return (
        dict(graph.nodes(data=True)),
        {(u, v, key): data for u, v, key, data in graph.edges(keys=True, data=True)},
    )


def measure(data: Path, *, disk: bool, rdflib: bool, reads: int) -> dict[str, Any]:
    ids = Identifiers(BASE_IRI)
    row: dict[str, Any] = {"file": data.name}
    row["store_s"], _cpu, store = _timed(layout_store, data, ids)
    row["quads"] = len(store)
    row["memory_s"], row["memory_cpu"], projection = _timed(build_projection_from_store, store, ids)
    graph = projection.graph
    row["nodes"], row["edges"] = graph.number_of_nodes(), graph.number_of_edges()
    with tempfile.TemporaryDirectory(prefix="bench-projection-") as scratch:
        folder = Path(scratch)
        if disk:
            written = ox.Store(str(folder / "oxigraph"))
            written.bulk_load(store.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)
            written.flush()
            del written
            on_disk = ox.Store.read_only(str(folder / "oxigraph"))
            row["disk_s"], row["disk_cpu"], built = _timed(
                build_projection_from_store, on_disk, ids
            )
            # A store on disk lists a graph's quads in another order than one in memory.
            row["disk_same"] = _unordered(built.graph) == _unordered(graph)
            del built, on_disk
        if rdflib:
            from paccto.graph.model.oxigraph_dataset import dataset_over  # rdflib's view

            row["rdflib_s"], _cpu, built = _timed(build_projection, dataset_over(store, ids), ids)
            row["rdflib_same"] = _contents(built.graph) == _contents(graph)
            del built
        del store
        gc.collect()

        row["save_s"], _cpu, path = _timed(save_projection, projection, folder)
        row["size_mb"] = path.stat().st_size / 1e6
        row["read_s"], row["read_cpu"], read = _best_read(read_projection, folder, reads)
        row["read_same"] = read is not None and _contents(read.graph) == _contents(graph)
        del read
        gc.collect()

        old = folder / ("old-" + PROJECTION_FILE)
        row["old_save_s"], _cpu, _none = _timed(_old_save, projection, old)
        row["old_size_mb"] = old.stat().st_size / 1e6
        row["old_read_s"], row["old_read_cpu"], old_graph = _best_read(_old_read, old, reads)
        del old_graph
    return row


COLUMNS = (
    ("file", "file", "s"), ("quads", "quads", "d"), ("nodes", "nodes", "d"),
    ("edges", "edges", "d"), ("store_s", "store s", ".1f"), ("memory_s", "memory s", ".2f"),
    ("memory_cpu", "(cpu)", ".2f"), ("disk_s", "disk s", ".2f"), ("disk_cpu", "(cpu)", ".2f"),
    ("rdflib_s", "rdflib s", ".2f"), ("save_s", "save s", ".2f"), ("size_mb", "MB", ".1f"),
    ("read_s", "read s", ".2f"), ("read_cpu", "(cpu)", ".2f"), ("old_save_s", "old save s", ".2f"),
    ("old_size_mb", "old MB", ".1f"), ("old_read_s", "old read s", ".2f"),
    ("old_read_cpu", "(cpu)", ".2f"),
)  # fmt: skip


def _print(rows: Sequence[dict[str, Any]]) -> None:
    shown = [(key, title, spec) for key, title, spec in COLUMNS if any(key in r for r in rows)]
    cells = [[title for _key, title, _spec in shown]]
    for row in rows:
        cells.append([format(row[key], spec) if key in row else "-" for key, _t, spec in shown])
    widths = [max(len(line[i]) for line in cells) for i in range(len(shown))]
    for line in cells:
        print("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
    for row in rows:
        checks = {key: row[key] for key in ("disk_same", "rdflib_same", "read_same") if key in row}
        print(f"{row['file']}: same projection: {checks}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", nargs="+", type=Path, default=list(FILES))
    parser.add_argument("--no-disk", dest="disk", action="store_false",
                        help="skip the projection from a store on disk")  # fmt: skip
    parser.add_argument("--rdflib", action="store_true",
                        help="also build_projection over oxrdflib (~40 s at 1 M)")  # fmt: skip
    parser.add_argument("--reads", type=int, default=3, help="reads of each file; the best")
    arguments = parser.parse_args(argv)
    rows = []
    for data in arguments.files:
        row = measure(data, disk=arguments.disk, rdflib=arguments.rdflib, reads=arguments.reads)
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
    _print(rows)
    return 0 if all(row.get("read_same") for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
