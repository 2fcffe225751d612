"""The name index and the projection of a stored graph, saved entity by entity, so that a command
reads only the entities it asks about.

The saved projection (:mod:`paccto.graph.stores.saved_projection`) spares a command the folding
of every quad, but not the reading of every node and edge: seconds at a million triples, and
then seconds more to build the name index over every entity, before a question that looks at
one entity and its neighbours can start. A store version never changes once written, so
``paccto load`` also writes, beside the projection, one SQLite file holding:

* the name index as :class:`paccto.graph.model.names.EntityIndex` builds it (one row per
  normalised name, strength and entity, from the same :func:`name_entries`), indexed by name:
  resolving a name is one lookup;
* each entity's node attributes and the edges at it, in the order its successors and
  predecessors have in the projection; the edges' attributes once each, and their source
  records once each, as the projection shares them;
* every entity's number of distinct neighbours, which the hub test compares.

From it :func:`grow_part` builds the part of the projection a question needs: the entities it
expands, with every edge at them, and their neighbours' attributes. That part *is* the
projection at those entities (the same attributes, edges and order, read rather than folded
again), which is all the questions read there (the ``Fetch`` protocol of
:mod:`paccto.graph.model.knowledge_graph`).

SQLite rather than JSON: a file that is read a few rows at a time must be indexed, and SQLite
is in the standard library and runs no code from the file (nor does msgspec's JSON, which the
attribute columns hold). The file is opened read-only and immutable, as the version is. Like the
saved projection, it records a fingerprint of the code that decides its content (the folding in
``projection.py``, the naming rules in ``names.py``, this layout): when one changes the file is
ignored, and the store answers from the whole projection as before.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import networkx as nx

from paccto.graph.model.gc import without_cyclic_gc
from paccto.graph.model.names import EntityIndex, name_entries
from paccto.graph.model.projection import Projection

__all__ = ["PARTS_FILE", "Part", "SavedEntityIndex", "SavedParts", "save_parts"]

PARTS_FILE = "paccto-parts.sqlite"
#: Bumped when the layout of the file changes.
_FORMAT = 1
#: Parameters per ``IN (...)``: below SQLite's oldest default limit of 999.
_BATCH = 500
_SCALARS = (str, int, float, bool, type(None))

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE entities (
    rank INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, attributes BLOB NOT NULL,
    links BLOB NOT NULL);
CREATE TABLE names (
    ordinal INTEGER PRIMARY KEY, key TEXT NOT NULL, strength INTEGER NOT NULL,
    rank INTEGER NOT NULL, shown TEXT NOT NULL);
CREATE TABLE edges (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE records (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""
#: Built after the rows are in: one sort instead of an index kept up row by row.
_NAME_INDEX = "CREATE INDEX names_by_key ON names (key)"


@cache
def _fingerprint() -> str:
    """What a saved file must have been written by: the folding, the naming and this module
    (its layout), each by its source."""
    from paccto.graph.model import names, projection

    digest = hashlib.sha256()
    for source in (projection.__file__, names.__file__, __file__):
        digest.update(Path(source or "").read_bytes())
    return f"{_FORMAT}:{digest.hexdigest()}"


# --- writing -----------------------------------------------------------------------------------


class _Records:
    """The distinct flat records (an edge's sources) of a file being written, each once."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, bytes]] = []
        self._by_value: dict[bytes, int] = {}
        # The projection shares one record per passage between the edges it states: most are
        # found by identity, without encoding them.
        self._by_identity: dict[int, int | None] = {}

    def ids(self, items: list[Any]) -> list[int] | None:
        """The id of every item, or None if one is not a flat record."""
        found = []
        for item in items:
            number = self._by_identity.get(id(item), -1)
            if number == -1:
                number = self._by_identity[id(item)] = self._id(item)
            if number is None:
                return None
            found.append(number)
        return found

    def _id(self, item: Any) -> int | None:
        if type(item) is not dict or not all(
            type(name) is str and isinstance(value, _SCALARS) for name, value in item.items()
        ):
            return None
        encoded = msgspec.json.encode(item)  # keeps 1, 1.0 and True apart
        number = self._by_value.get(encoded)
        if number is None:
            number = self._by_value[encoded] = len(self.rows)
            self.rows.append((number, encoded))
        return number


def _edge_row(data: dict[str, Any], records: _Records) -> bytes:
    """``[attributes, names]``: the attributes in their order, each list of flat records
    replaced by the records' ids, and the names of the attributes so replaced."""
    written = data
    replaced: list[str] = []
    for name, value in data.items():
        if type(value) is list and value:
            ids = records.ids(value)
            if ids is not None:
                if written is data:
                    written = dict(data)
                written[name] = ids
                replaced.append(name)
    return msgspec.json.encode([written, replaced])


@without_cyclic_gc
def save_parts(projection: Projection, folder: Path) -> Path:
    """Write the name index and ``projection`` entity by entity into ``folder`` (a store version
    being written), and sync the file. It is written under another name and renamed, so that a
    file under its own name is whole."""
    path = folder / PARTS_FILE
    partial = folder / f".{PARTS_FILE}.{os.getpid()}"
    partial.unlink(missing_ok=True)
    graph = projection.graph
    nodes = list(graph.nodes(data=True))
    rank = {iri: number for number, (iri, _data) in enumerate(nodes)}
    degrees = projection.simple().degree()
    records = _Records()
    edge_ids: dict[int, int] = {}  # id() of an edge's attributes → its row
    edge_rows: list[tuple[int, bytes]] = []

    def edge(data: dict[str, Any]) -> int:
        number = edge_ids.get(id(data))
        if number is None:
            number = edge_ids[id(data)] = len(edge_rows)
            edge_rows.append((number, _edge_row(data, records)))
        return number

    def entity_rows() -> Iterator[tuple[int, str, bytes, bytes]]:
        succ, pred = graph.succ, graph.pred
        for iri, data in nodes:
            links = {
                "out": [[rank[v], key, edge(kd[key])] for v, kd in succ[iri].items() for key in kd],
                "in": [[rank[u], key, edge(kd[key])] for u, kd in pred[iri].items() for key in kd],
            }
            yield rank[iri], iri, msgspec.json.encode(data), msgspec.json.encode(links)

    connection = sqlite3.connect(partial)
    try:
        connection.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192;"
        )
        connection.executescript(_SCHEMA)
        connection.executemany("INSERT INTO entities VALUES (?, ?, ?, ?)", entity_rows())
        connection.executemany("INSERT INTO edges VALUES (?, ?)", edge_rows)
        connection.executemany("INSERT INTO records VALUES (?, ?)", records.rows)
        connection.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?, ?)",
            (
                (ordinal, key, strength, rank[iri], shown)
                for ordinal, (key, strength, iri, shown) in enumerate(name_entries(nodes))
            ),
        )
        connection.execute(_NAME_INDEX)
        meta = {
            "fingerprint": _fingerprint(),
            "relation_labels": projection.relation_labels,
            "class_labels": projection.class_labels,
            "edges": len(edge_rows),
            # the hub test reads them all: one value reads faster than a row per entity
            "degrees": {iri: int(degrees[iri]) for iri in sorted(rank)},
        }
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            ((name, msgspec.json.encode(value)) for name, value in meta.items()),
        )
        connection.commit()
    finally:
        connection.close()
    with partial.open("rb+") as written:
        os.fsync(written.fileno())
    os.replace(partial, path)
    return path


# --- reading -----------------------------------------------------------------------------------


def _batches(items: Sequence[Any]) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


@dataclass
class Part:
    """The part of a projection read so far for one question (see :meth:`SavedParts.grow`).

    Its graph's adjacency is filled in directly, as the saved projection fills it, so that each
    expanded entity's successors and predecessors, and the keys of each pair, come in the order
    the whole projection has them: questions that list edges in that order answer alike.
    """

    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    #: Entities whose every edge is in ``graph``.
    expanded: set[str] = field(default_factory=set)
    #: Rank (the row of the file) → IRI, for every node of ``graph``.
    iris: dict[int, str] = field(default_factory=dict)
    #: The attributes of each edge read, by id: one object for both ends, as in a projection.
    edges: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: The key dictionary of each linked pair, shared by its two ends.
    pairs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def copy(self) -> Part:
        """The same part, with a graph of its own to grow (the attributes are shared: no
        question changes them)."""
        pairs = {pair: dict(keys) for pair, keys in self.pairs.items()}
        graph = nx.MultiDiGraph()
        graph._node.update(self.graph._node)
        for node, targets in self.graph._succ.items():
            graph._succ[node] = {v: pairs[(node, v)] for v in targets}
        for node, origins in self.graph._pred.items():
            graph._pred[node] = {u: pairs[(u, node)] for u in origins}
        return Part(
            graph, set(self.expanded), dict(self.iris), dict(self.edges), dict(self.records),
            pairs,
        )  # fmt: skip


class SavedParts:
    """A version's saved file, opened read-only: names, entities and edges looked up by row.

    One connection, shared by the threads of a server behind a lock: each lookup is short.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        meta = {
            name: msgspec.json.decode(value)
            for name, value in self._rows("meta", ())  # the degrees when the hub test asks
        }
        self.fingerprint: str = meta["fingerprint"]
        self.relation_labels: dict[str, str] = meta["relation_labels"]
        self.class_labels: dict[str, str] = meta["class_labels"]
        #: Edges of the whole projection.
        self.edge_count: int = meta["edges"]
        self._nodes: list[tuple[str, dict[str, Any]]] | None = None
        self._names: list[tuple[str, list[tuple[str, str]]]] | None = None

    @classmethod
    def open(cls, folder: Path) -> SavedParts | None:
        """The file saved in ``folder``, or None when there is none usable (none saved, an
        unreadable file, or one written by other code): the store then reads the whole
        projection, as it did before there was such a file."""
        path = folder / PARTS_FILE
        if not path.is_file():
            return None
        connection = None
        try:
            connection = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                check_same_thread=False,
            )  # fmt: skip
            # A file cut short (a disk that filled, a copy interrupted) would fail only when a
            # question reads a missing page: its header says how long it should be.
            (pages,) = connection.execute("PRAGMA page_count").fetchone()
            (page_size,) = connection.execute("PRAGMA page_size").fetchone()
            if pages * page_size != path.stat().st_size:
                connection.close()
                return None
            saved = cls(connection)
        except (OSError, sqlite3.Error, msgspec.DecodeError, KeyError, TypeError, ValueError):
            if connection is not None:
                connection.close()
            return None
        if saved.fingerprint != _fingerprint():
            saved.close()
            return None
        return saved

    def close(self) -> None:
        self._connection.close()

    _QUERIES: ClassVar[dict[str, str]] = {
        "meta": "SELECT name, value FROM meta WHERE name != 'degrees'",
        "entity": "SELECT 1 FROM entities WHERE iri = ?",
        "named": "SELECT strength, iri FROM names JOIN entities USING (rank) WHERE key = ?",
        "attributes": "SELECT attributes FROM entities WHERE iri = ?",
        "nodes": "SELECT iri, attributes FROM entities ORDER BY rank",
        "names": "SELECT rank, key, shown FROM names ORDER BY ordinal",
        "degrees": "SELECT value FROM meta WHERE name = 'degrees'",
    }

    def _rows(self, query: str, parameters: Sequence[Any]) -> list[Any]:
        with self._lock:
            return self._connection.execute(self._QUERIES[query], parameters).fetchall()

    def _rows_in(self, select: str, column: str, values: Sequence[Any]) -> list[Any]:
        """The rows of ``select`` whose ``column`` is one of ``values``, a batch at a time."""
        rows: list[Any] = []
        with self._lock:
            for batch in _batches(values):
                marks = ", ".join("?" * len(batch))
                text = f"{select} WHERE {column} IN ({marks})"
                rows.extend(self._connection.execute(text, batch).fetchall())
        return rows

    # -- the name index ---------------------------------------------------------------------------

    def is_entity(self, iri: str) -> bool:
        return bool(self._rows("entity", (iri,)))

    def named(self, key: str) -> dict[int, set[str]] | None:
        found: dict[int, set[str]] = {}
        for strength, iri in self._rows("named", (key,)):
            found.setdefault(strength, set()).add(iri)
        return found or None

    def attributes(self, iri: str) -> dict[str, Any]:
        """An entity's node attributes (KeyError if it is none, as networkx says)."""
        rows = self._rows("attributes", (iri,))
        if not rows:
            raise KeyError(iri)
        attributes: dict[str, Any] = msgspec.json.decode(rows[0][0])
        return attributes

    def every_node(self) -> list[tuple[str, dict[str, Any]]]:
        """Every entity with its attributes, in the projection's order (read once)."""
        if self._nodes is None:
            self._nodes = [
                (iri, msgspec.json.decode(data)) for iri, data in self._rows("nodes", ())
            ]
        return self._nodes

    def every_name(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Each entity with its ``(key, name as written)`` pairs, in the order
        :class:`EntityIndex` keeps them (read once: a search scans them all)."""
        if self._names is None:
            iris = [iri for iri, _data in self.every_node()]
            by_rank: dict[int, list[tuple[str, str]]] = {}
            for rank, key, shown in self._rows("names", ()):
                by_rank.setdefault(rank, []).append((key, shown))
            self._names = [(iris[rank], by_rank[rank]) for rank in sorted(by_rank)]
        return self._names

    def degrees(self) -> dict[str, int]:
        """Every entity's number of distinct neighbours, in IRI order as the projection's
        simple graph lists them."""
        (row,) = self._rows("degrees", ())
        degrees: dict[str, int] = msgspec.json.decode(row[0])
        return degrees

    # -- parts of the projection -----------------------------------------------------------------

    @without_cyclic_gc
    def grow(self, part: Part, iris: Iterable[str]) -> None:
        """Add to ``part`` the entities ``iris`` with every edge at them and their neighbours'
        attributes (an IRI that is no entity adds nothing)."""
        new = sorted(set(iris) - part.expanded)
        part.expanded.update(new)
        if not new:
            return
        expanded = self._rows_in("SELECT rank, iri, attributes, links FROM entities", "iri", new)
        links = [(rank, iri, msgspec.json.decode(data)) for rank, iri, _a, data in expanded]
        self._add_nodes(part, [(rank, iri, data) for rank, iri, data, _links in expanded])
        others = sorted(
            {
                other
                for _rank, _iri, found in links
                for side in ("out", "in")
                for other, _key, _edge in found[side]
            }
            - part.iris.keys()
        )
        if others:
            self._add_nodes(
                part, self._rows_in("SELECT rank, iri, attributes FROM entities", "rank", others)
            )
        edges = {
            edge
            for _rank, _iri, found in links
            for side in ("out", "in")
            for *_, edge in found[side]
        }
        self._read_edges(part, edges)
        succ, pred, names = part.graph._succ, part.graph._pred, part.iris
        for _rank, iri, found in links:
            for side, here, there in (("out", succ, pred), ("in", pred, succ)):
                ordered: dict[str, dict[str, Any]] = {}
                for other_rank, key, edge in found[side]:
                    other = names[other_rank]
                    pair = (iri, other) if side == "out" else (other, iri)
                    keys = part.pairs.get(pair)
                    if keys is None:
                        keys = part.pairs[pair] = {}
                    keys[key] = part.edges[edge]
                    ordered.setdefault(other, keys)
                here[iri] = ordered
                for other, keys in ordered.items():
                    there[other].setdefault(iri, keys)

    @staticmethod
    def _add_nodes(part: Part, rows: Iterable[tuple[int, str, bytes]]) -> None:
        graph = part.graph
        for rank, iri, data in sorted(rows):
            if rank not in part.iris:
                part.iris[rank] = iri
                graph._node[iri] = msgspec.json.decode(data)
                graph._succ[iri] = {}
                graph._pred[iri] = {}

    def _read_edges(self, part: Part, wanted: Set[int]) -> None:
        missing = sorted(wanted - part.edges.keys())
        rows = [
            (number, msgspec.json.decode(data))
            for number, data in self._rows_in("SELECT id, data FROM edges", "id", missing)
        ]
        records = sorted(
            {
                record
                for _number, (data, replaced) in rows
                for name in replaced
                for record in data[name]
            }
            - part.records.keys()
        )
        for number, data in self._rows_in("SELECT id, data FROM records", "id", records):
            part.records[number] = msgspec.json.decode(data)
        for number, (data, replaced) in rows:
            for name in replaced:
                data[name] = [part.records[record] for record in data[name]]
            part.edges[number] = data

    def part_size(self, part: Part) -> int:
        """Edges read into ``part``, which a store compares with :attr:`edge_count`."""
        return len(part.edges)


class SavedEntityIndex(EntityIndex):
    """:class:`EntityIndex` over a saved file: a name is one indexed lookup, an entity's
    attributes one row; only search, suggestions for an unknown name and the list of every
    entity read every name (once, then kept)."""

    def __init__(self, saved: SavedParts) -> None:  # no projection to read: hence no super()
        self._saved = saved
        self._every: dict[str, dict[str, Any]] | None = None

    def _is_entity(self, iri: str) -> bool:
        return self._saved.is_entity(iri)

    def _named(self, key: str) -> Mapping[int, Set[str]] | None:
        return self._saved.named(key)

    def _attributes(self, iri: str) -> dict[str, Any]:
        if self._every is not None:  # every entity read already: no query per entity
            return self._every[iri]
        return self._saved.attributes(iri)

    def _every_node(self) -> Iterable[tuple[str, dict[str, Any]]]:
        nodes = self._saved.every_node()
        if self._every is None:
            self._every = dict(nodes)
        return nodes

    def _every_name(self) -> Iterable[tuple[str, list[tuple[str, str]]]]:
        self._every_node()
        return self._saved.every_name()
