"""The networkx projection of a stored graph, saved beside it so that opening the store is fast.

Building the projection reads every quad of the store: many seconds at a million triples, paid
by every ``paccto serve`` and every command run on the store. A store version never changes
once written, so ``paccto load`` builds the projection once, from the version it has just
written (the same quads in the same order an open would read, so the answers are those of a
projection built on opening), and saves it in the version's folder.

Reading the file must never run code, whoever wrote it (so no pickle). It is JSON, written and
read by msgspec, which parses it several times faster than the standard library, checks its
shape while parsing, and keeps integers of any size exact (orjson reads a large one as a
float). The old reading (3 s at a million triples) went half into parsing and half into
networkx adding 333 000 edges one call at a time, so the file now holds the graph as networkx
keeps it: for each node, the nodes it links to and the key dictionaries of those links, which
the parser makes as they are; for each node, its predecessors in their own order, which the
built projection has (the order of neighbours decides paths and drawings); and each source
record once, shared by the edges that cite it as in the built projection. Reading fills the
graph's dictionaries directly, a few operations per node. The nodes stay ``[iri, attributes]``
pairs, readable and editable by hand.

The file records a fingerprint of the code that built it (``projection.py``) and of this
layout: when either changes, a saved projection may no longer be what the code would build, so
it is not used, and the projection is built from the quads as before.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Hashable
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

import msgspec
import networkx as nx

from paccto.graph.model.gc import without_cyclic_gc
from paccto.graph.model.projection import Projection

__all__ = ["PROJECTION_FILE", "read_projection", "save_projection"]

PROJECTION_FILE = "paccto-projection.json"
#: Bumped when the layout of the file changes. 2: the adjacency as networkx keeps it.
_FORMAT = 2

_SCALARS = (str, int, float, bool, type(None))


@cache
def _fingerprint() -> str:
    """What a saved projection must have been built by: this file format and projection.py."""
    from paccto.graph.model import projection

    source = Path(projection.__file__).read_bytes()
    return f"{_FORMAT}:{hashlib.sha256(source).hexdigest()}"


@without_cyclic_gc
def save_projection(projection: Projection, folder: Path) -> Path:
    """Write ``projection`` into ``folder`` (a store version being written) and sync it.

    Writing makes millions of small objects while the graph and its store are held: with the
    cyclic collector running, its passes over all of them took most of the time (11 s instead
    of 2 s at a million triples)."""
    path = folder / PROJECTION_FILE
    data = msgspec.json.encode(_document(projection))
    with path.open("wb") as output:
        output.write(data)
        output.flush()
        os.fsync(output.fileno())
    return path


@without_cyclic_gc
def read_projection(folder: Path) -> Projection | None:
    """The projection saved in ``folder``, or None when there is none usable (none saved, an
    unreadable file, or one built by other code): the caller then builds it from the quads."""
    try:
        saved = _DECODER.decode((folder / PROJECTION_FILE).read_bytes())
        if saved.fingerprint != _fingerprint():
            return None
        return Projection(
            graph=_graph(saved),
            relation_labels=saved.relation_labels,
            class_labels=saved.class_labels,
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


class _Records:
    """The distinct flat records (a source: passage, document, file, span) of a file being
    written, each written once however many edges cite it."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._by_value: dict[Hashable, int] = {}
        # The built projection shares one record per passage between the edges it states:
        # most records are found by identity, without reading them.
        self._by_identity: dict[int, int | None] = {}

    def indexes(self, items: list[Any]) -> list[int] | None:
        """The index of every item, or None if one is not a flat record."""
        found = []
        for item in items:
            index = self._by_identity.get(id(item), -1)
            if index == -1:
                index = self._by_identity[id(item)] = self._index(item)
            if index is None:
                return None
            found.append(index)
        return found

    def _index(self, item: Any) -> int | None:
        if type(item) is not dict or not all(
            type(name) is str and isinstance(value, _SCALARS) for name, value in item.items()
        ):
            return None
        # with the types: 1, 1.0 and True are equal in Python but not once read back
        key = tuple((name, type(value), value) for name, value in item.items())
        index = self._by_value.get(key)
        if index is None:
            index = self._by_value[key] = len(self.records)
            self.records.append(item)
        return index


def _document(projection: Projection) -> dict[str, Any]:
    graph = projection.graph
    if type(graph) is not nx.MultiDiGraph:  # the layout read back is that class's own
        raise TypeError(f"a projection is a MultiDiGraph, not a {type(graph).__name__}")
    nodes = list(graph.nodes(data=True))
    if not all(type(node) is str for node, _data in nodes):  # IRIs, and so read back
        raise TypeError("a projection's nodes are IRIs")
    position = {node: index for index, (node, _data) in enumerate(nodes)}
    records = _Records()
    # Attributes written as lists of record indexes (an edge's sources), and those found with
    # another value somewhere: written as they are everywhere.
    listed: set[str] = set()
    unlisted: set[str] = set()
    written: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (as written, as in the graph)

    def keyed(keys: dict[Any, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out = {}
        for key, data in keys.items():
            if type(key) is not str:  # a JSON object's names are text
                raise TypeError(f"edge key {key!r} is not text")
            out[key] = shown = dict(data)
            written.append((shown, data))
            for name, value in data.items():
                if type(value) is list and name not in unlisted:
                    indexes = records.indexes(value)
                    if indexes is not None:
                        shown[name] = indexes
                        listed.add(name)
                        continue
                unlisted.add(name)
        return out

    successors = []
    # Pairs of linked nodes are numbered in the order of the successors written; a node's
    # predecessors are written as the numbers of the pairs that end at it, in their order.
    numbers: dict[Any, dict[Any, int]] = {}
    count = 0
    for node, _data in nodes:
        targets = graph._succ[node]
        successors.append(
            [[position[v] for v in targets], [keyed(keys) for keys in targets.values()]]
        )
        numbers[node] = dict(zip(targets, range(count, count + len(targets)), strict=True))
        count += len(targets)
    predecessors = [[numbers[u][node] for u in graph._pred[node]] for node, _data in nodes]
    if listed & unlisted:  # written as indexes in some edges before another value was found
        for shown, data in written:
            for name in listed & unlisted:
                if name in data:
                    shown[name] = data[name]
    return {
        "fingerprint": _fingerprint(),
        "relation_labels": projection.relation_labels,
        "class_labels": projection.class_labels,
        "nodes": nodes,
        "records": records.records,
        "record_lists": sorted(listed - unlisted),
        "successors": successors,
        "predecessors": predecessors,
    }


class _Saved(msgspec.Struct):
    """The file, as the parser checks it: any other shape is refused while parsing."""

    fingerprint: str
    relation_labels: dict[str, str]
    class_labels: dict[str, str]
    #: Every node with its attributes, in the graph's order.
    nodes: list[tuple[str, dict[str, Any]]]
    #: The distinct flat records that edge attributes list (sources).
    records: list[dict[str, Any]]
    #: The edge attributes written as lists of indexes into ``records``.
    record_lists: list[str]
    #: For each node: the nodes it links to (indexes), and each link's key dictionary.
    successors: list[tuple[list[int], list[dict[str, dict[str, Any]]]]]
    #: For each node: the numbers of the links ending at it, links numbered in the order of
    #: ``successors``.
    predecessors: list[list[int]]


_DECODER = msgspec.json.Decoder(_Saved)


def _graph(saved: _Saved) -> nx.MultiDiGraph:
    """The saved graph, its adjacency filled in as ``add_edge`` would have filled it.

    A ``MultiDiGraph`` keeps a dictionary of nodes, one of successors and one of predecessors,
    each in node order; a node's successors and its predecessors are dictionaries of neighbour
    to the same key dictionary (key to attributes), in the order the neighbours were linked.
    The file holds them as such: each node's successors with their key dictionaries, which the
    parser makes, and the order of its predecessors. Filling them directly takes a few
    dictionary operations per node, where ``add_edge`` checks and copies for each edge (most of
    the reading time at a million triples, once parsing was fast).
    """
    graph = nx.MultiDiGraph()
    nodes, successors, predecessors = graph._node, graph._succ, graph._pred
    names: list[str] = []
    for node, data in saved.nodes:
        nodes[node] = data
        names.append(node)
    name_of = names.__getitem__
    # every link by number: the node it starts from, and its key dictionary
    origin: list[str] = []
    keyed: list[dict[str, dict[str, Any]]] = []
    for node, (targets, key_dictionaries) in zip(names, saved.successors, strict=True):
        successors[node] = dict(zip(map(name_of, targets), key_dictionaries, strict=True))
        origin.extend(repeat(node, len(targets)))
        keyed.extend(key_dictionaries)
    records = saved.records
    for name in saved.record_lists:  # records shared by edges, in lists of their own
        for keys in keyed:
            for data in keys.values():
                indexes = data.get(name)
                if indexes is not None:
                    data[name] = (
                        [records[indexes[0]]]
                        if len(indexes) == 1
                        else [records[index] for index in indexes]
                    )
    listed = 0
    for node, numbers in zip(names, saved.predecessors, strict=True):
        linked = predecessors[node] = dict(
            zip(map(origin.__getitem__, numbers), map(keyed.__getitem__, numbers), strict=True)
        )
        if len(linked) != len(numbers):
            raise ValueError(f"a link to {node!r} is listed twice")
        listed += len(numbers)
    if listed != len(keyed):
        raise ValueError("the predecessors do not list every link")
    return graph
