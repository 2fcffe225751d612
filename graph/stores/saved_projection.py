"""The networkx projection of a stored graph, saved beside it so that opening the store is fast.

Building the projection reads every quad through oxrdflib, one rdflib term at a time: about
40 s for a million triples, paid by every ``paccto serve`` and every command run on the store.
A store version never changes once written, so ``paccto load`` builds the projection once, from
the version it has just written (the same quads in the same order an open would read, so the
answers are those of a projection built on opening), and saves it as JSON in the version's
folder. JSON rather than pickle: reading a file must never run code, whoever wrote it.

The file records a fingerprint of the code that built it (``projection.py``): when that code
changes, a saved projection may no longer be what the code would build, so it is not used, and
the projection is built from the quads as before.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx

from paccto.graph.model.gc import without_cyclic_gc
from paccto.graph.model.projection import Projection

__all__ = ["PROJECTION_FILE", "read_projection", "save_projection"]

PROJECTION_FILE = "paccto-projection.json"
#: Bumped when the layout of the file changes.
_FORMAT = 1


@cache
def _fingerprint() -> str:
    """What a saved projection must have been built by: this file format and projection.py."""
    from paccto.graph.model import projection

    source = Path(projection.__file__).read_bytes()
    return f"{_FORMAT}:{hashlib.sha256(source).hexdigest()}"


def save_projection(projection: Projection, folder: Path) -> Path:
    """Write ``projection`` into ``folder`` (a store version being written) and sync it."""
    graph = projection.graph
    document = {
        "fingerprint": _fingerprint(),
        "relation_labels": projection.relation_labels,
        "class_labels": projection.class_labels,
        "nodes": list(graph.nodes(data=True)),
        "edges": list(graph.edges(keys=True, data=True)),
    }
    path = folder / PROJECTION_FILE
    with path.open("w", encoding="utf-8") as output:
        json.dump(document, output, ensure_ascii=False, separators=(",", ":"))
        output.flush()
        os.fsync(output.fileno())
    return path


@without_cyclic_gc
def read_projection(folder: Path) -> Projection | None:
    """The projection saved in ``folder``, or None when there is none usable (none saved, an
    unreadable file, or one built by other code): the caller then builds it from the quads."""
    path = folder / PROJECTION_FILE
    try:
        with path.open(encoding="utf-8") as source:
            document: dict[str, Any] = json.load(source)
        if document.get("fingerprint") != _fingerprint():
            return None
        graph = nx.MultiDiGraph()
        graph.add_nodes_from((node, data) for node, data in document["nodes"])
        graph.add_edges_from((u, v, key, data) for u, v, key, data in document["edges"])
        return Projection(
            graph=graph,
            relation_labels=document["relation_labels"],
            class_labels=document["class_labels"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
