"""The graph of an ``oxigraph:PATH`` store, read a part at a time while no question needs it whole.

Every quad of a stored graph is at hand (its Oxigraph database, opened read-only in
milliseconds), but its projection and name index are not: reading the saved projection and
indexing the names of every entity took most of the 9 s a command such as ``paccto members``
spent on a million-triple store, for an answer about one entity. So a store graph answers as a
graph held elsewhere does (:class:`paccto.graph.model.knowledge_graph.Fetch`): a question names
the entities it reads, and gets a graph exact at them, read from the entity-by-entity copy of
the projection each version saves (:mod:`paccto.graph.stores.saved_parts`); names are resolved
with the saved index, and the hub test reads the saved degrees.

Why not the ``sparql:URL`` store's fetching, over the local database: it rebuilds the projection
of each part from its quads, and the closure of a hub (its neighbours' descriptions and the
provenance of all of it) is tens of thousands of quads, which took longer than reading the whole
projection (``benchmarks/bench_whole_commands.py``). The parts saved here are the projection
itself, so they cannot fold differently either.

The whole projection is still what statistics, analytics, exports and the whole-graph view read
(``projection``, as before: there is no copy bound, everything is local). Once it has been read,
or if the saved parts cannot be used (none saved, or saved by other code), every question uses
it, as on the memory store: a server reads it before it listens (:meth:`warm_up`), so that its
answers come from memory.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import EntityIndex
from paccto.graph.model.projection import Projection
from paccto.graph.stores.saved_parts import Part, SavedEntityIndex, SavedParts

__all__ = ["LocalPart", "LocalStoreGraph"]

#: A part that has read more than this share of the projection's edges, and more than
#: ``_WHOLE_FLOOR`` edges, is replaced by the whole projection: reading the rest at once then
#: costs less than going on entity by entity (a small graph's is read in no time either way).
_WHOLE_SHARE = 0.2
_WHOLE_FLOOR = 20_000


class _DeferredProjection(Projection):
    """The whole projection, read when first looked into.

    The catalogue (what class and relation names are checked against) is handed to every
    question and part, and looked into only by those that name classes or relations: a command
    that does not must not read the projection for it. Only attribute reads are deferred;
    the dataclass fields with plain defaults (``hubs``, ``catalogue``, ...) read as the whole
    projection's own before a question sets them.
    """

    def __init__(self, read: Callable[[], Projection]) -> None:  # a proxy: no dataclass init
        self.__dict__["_read"] = read

    def __getattr__(self, name: str) -> Any:
        if name == "_read":  # not set: a copy being made; nothing to defer to
            raise AttributeError(name)
        return getattr(self._read(), name)


@dataclass
class LocalStoreGraph(KnowledgeGraph):
    """A graph opened from an on-disk store: whole when read whole, else read part by part."""

    #: Opens the version's saved parts; None (or None from it) when it has none usable.
    saved_parts: Callable[[], SavedParts | None] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def _parts(self) -> SavedParts | None:
        return self.saved_parts() if self.saved_parts is not None else None

    @property
    def parts(self) -> SavedParts | None:
        """The saved parts, while the whole projection has not been read (then it answers)."""
        return None if "projection" in self.__dict__ else self._parts

    @cached_property
    def index(self) -> EntityIndex:
        parts = self.parts
        return SavedEntityIndex(parts) if parts is not None else EntityIndex(self.projection)

    @property
    def catalogue(self) -> Projection:
        if self.parts is None:
            return self.projection
        return self._deferred_projection

    @cached_property
    def _deferred_projection(self) -> Projection:
        return _DeferredProjection(lambda: self.projection)

    def neighbour_counts(self) -> Mapping[str, int]:
        parts = self.parts
        return parts.degrees() if parts is not None else super().neighbour_counts()

    def warm_up(self) -> None:
        """A server answers many questions: it reads the projection once, and every answer
        comes from memory."""
        self.projection  # noqa: B018
        super().warm_up()

    def fetch(self, *, fresh: bool = False) -> _LocalFetch | None:
        if self.parts is None:
            return None
        return _LocalFetch(self, Part())

    def answers(self, scope: Hashable) -> bool:
        return self.parts is None

    def _grow(self, part: Part, iris: Sequence[str]) -> KnowledgeGraph:
        """``part`` grown by ``iris``, or this whole graph once the part nears its size."""
        parts = self.parts
        if parts is None:
            return self
        parts.grow(part, iris)
        if parts.part_size(part) > max(_WHOLE_FLOOR, _WHOLE_SHARE * parts.edge_count):
            return self
        return LocalPart(
            dataset=self.dataset, ids=self.ids, files=self.files, store_kind=self.store_kind,
            quad_count=self.quad_count, store_path=self.store_path, store=self.store,
            origin=self, part=part,
        )  # fmt: skip


class _LocalFetch:
    """A part of a store's projection that one question grows (see
    :class:`paccto.graph.model.knowledge_graph.Fetch`)."""

    def __init__(self, origin: LocalStoreGraph, part: Part) -> None:
        self.origin = origin
        self.part = part
        self._local: KnowledgeGraph | None = None

    @property
    def expanded(self) -> set[str]:
        return self.part.expanded

    def expand(self, iris: Sequence[str], *, attributes_only: bool = False) -> KnowledgeGraph:
        # Every part has its neighbours' attributes and no more: what a search that reads only
        # expanded entities' edges needs, and all that any question reads of a neighbour.
        self._local = self.origin._grow(self.part, iris)
        return self._local

    def done(self, scope: Hashable) -> KnowledgeGraph:
        local = self._local or self.expand([])
        if isinstance(local, LocalPart):
            local.scopes.add(scope)
        return local


@dataclass
class LocalPart(KnowledgeGraph):
    """Part of a stored graph's projection, exact at its expanded entities, over the whole
    dataset and store (which are all at hand); asking it about more entities reads them too."""

    origin: LocalStoreGraph | None = None
    part: Part = field(default_factory=Part)
    #: The questions this part was read for, which it answers without reading again.
    scopes: set[Hashable] = field(default_factory=set)

    @cached_property
    def projection(self) -> Projection:
        origin = self.origin
        parts = origin._parts if origin is not None else None
        if origin is None or parts is None:  # never made so: a part is made from saved parts
            raise AttributeError("a part of a stored graph needs the graph it is part of")
        return Projection(
            graph=self.part.graph,
            relation_labels=parts.relation_labels,
            class_labels=parts.class_labels,
            catalogue=origin.catalogue,
        )

    @cached_property
    def index(self) -> EntityIndex:
        return self.origin.index if self.origin is not None else super().index

    def neighbour_counts(self) -> Mapping[str, int]:
        return self.origin.neighbour_counts() if self.origin is not None else {}

    def fetch(self, *, fresh: bool = False) -> _LocalFetch | None:
        """More of the store's graph (the whole of it once that has been read)."""
        if self.origin is None:
            return None
        return _LocalFetch(self.origin, Part() if fresh else self.part.copy())

    def answers(self, scope: Hashable) -> bool:
        return scope in self.scopes
