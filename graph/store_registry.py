"""Every kind of store, with what it can do: one table that the front ends read.

A front end never branches on the kind of store: it opens the graph, writes it, and picks the
SPARQL service through the entry for the kind the ``store`` setting names, and its help texts
and refusals list the kinds from here. Adding a store is one entry below, its module under
``graph/stores/``, and its address form in :mod:`paccto.graph.store_address`.

The module sits above the stores and the SPARQL services, which it ties together.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paccto.graph.errors import InputError, PacctoError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings, get_settings
from paccto.graph.store_address import StoreSpec, parse_store
from paccto.graph.stores.write_options import WriteOptions

if TYPE_CHECKING:
    from paccto.graph.sparql.service import QueryService

# Each kind's code is imported when that kind is used: every command reads this table (for its
# help texts at least), and importing every store and SPARQL service cost a command about a
# tenth of a second of start-up before it did anything.

__all__ = [
    "STORE_KINDS",
    "Capability",
    "StoreKind",
    "kinds_that_can",
    "open_knowledge_graph",
    "query_service_for",
    "store_kind",
    "write_store",
]


class Capability(enum.StrEnum):
    """What a kind of store can do, declared rather than discovered by calling and failing."""

    #: ``paccto load`` writes a version of the graph that outlives the command.
    WRITE = "write"
    #: Every quad is held in this process (in memory, or in an on-disk store opened here).
    HOLD_WHOLE_GRAPH = "hold the whole graph"
    #: Questions fetch the part of the graph they read from elsewhere (a SPARQL server).
    FETCH_PARTS = "fetch the part a question needs"
    #: SPARQL queries are evaluated in sandboxed worker processes on this machine.
    SPARQL_IN_WORKERS = "answer SPARQL in worker processes"
    #: SPARQL queries are checked here and evaluated by the store's server.
    SPARQL_ON_SERVER = "answer SPARQL on its server"


#: Opens the graph a store holds (``extra`` files go with the seeds where the kind loads files).
Opener = Callable[[StoreSpec, Settings, Sequence[Path]], KnowledgeGraph]
#: Validates the seeds and ``files`` together and writes them; a one-line report of what it wrote.
Writer = Callable[[StoreSpec, Settings, Sequence[Path], WriteOptions], str]


@dataclass(frozen=True)
class StoreKind:
    """One kind of store: how it is named, what it can do, and the code that does it."""

    name: str
    #: The setting's form, as the help texts show it.
    address: str
    #: One line for ``--help`` and the docs.
    summary: str
    capabilities: frozenset[Capability]
    open: Opener
    query_service: Callable[[KnowledgeGraph, Settings], QueryService]
    write: Writer | None = field(default=None)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


def _open_memory(spec: StoreSpec, settings: Settings, extra: Sequence[Path]) -> KnowledgeGraph:
    from paccto.graph.load.loading import load_knowledge_graph

    return load_knowledge_graph(settings, extra)


def _open_oxigraph(spec: StoreSpec, settings: Settings, extra: Sequence[Path]) -> KnowledgeGraph:
    from paccto.graph.stores.oxigraph_store import open_oxigraph_store

    _refuse_extra_files(spec, settings, extra)
    return open_oxigraph_store(spec.path, settings.base_iri)


def _write_oxigraph(
    spec: StoreSpec, settings: Settings, files: Sequence[Path], options: WriteOptions
) -> str:
    from paccto.graph.stores.oxigraph_store import write_to_oxigraph_store

    return write_to_oxigraph_store(spec, settings, files, options)


def _open_sparql(spec: StoreSpec, settings: Settings, extra: Sequence[Path]) -> KnowledgeGraph:
    from paccto.graph.stores.sparql_store import open_sparql_store

    _refuse_extra_files(spec, settings, extra)
    return open_sparql_store(spec, settings)


def _write_sparql(
    spec: StoreSpec, settings: Settings, files: Sequence[Path], options: WriteOptions
) -> str:
    from paccto.graph.stores.sparql_loader import write_to_sparql_store

    return write_to_sparql_store(spec, settings, files, options)


def _worker_queries(kg: KnowledgeGraph, settings: Settings) -> QueryService:
    from paccto.graph.sparql.query_pool import QueryWorkerPool

    return QueryWorkerPool.for_graph(kg, settings)


def _refuse_extra_files(spec: StoreSpec, settings: Settings, extra: Sequence[Path]) -> None:
    files = [*settings.data, *extra]
    if files:
        names = ", ".join(str(path) for path in files)
        raise InputError(
            f"the {spec} store is read as it is; to add {names}, write a new version of it "
            f"with `paccto load --store {spec} FILES`"
        )


def _server_queries(kg: KnowledgeGraph, settings: Settings) -> QueryService:
    from paccto.graph.sparql.remote_queries import RemoteQueryService
    from paccto.graph.stores.sparql_client import SparqlClient
    from paccto.graph.stores.sparql_store import RemoteKnowledgeGraph

    if (  # a graph says its own kind: never happens
        not isinstance(kg, RemoteKnowledgeGraph)
        or not isinstance(kg.client, SparqlClient)
        or not isinstance(kg.query_client, SparqlClient)
    ):
        raise PacctoError(f"the graph of a {kg.store_kind} store has no SPARQL server")
    return RemoteQueryService.for_graph(kg, kg.client, settings, kg.query_client)


_HELD = frozenset({Capability.HOLD_WHOLE_GRAPH, Capability.SPARQL_IN_WORKERS})

#: Every kind of store, by the name its address starts with.
STORE_KINDS: dict[str, StoreKind] = {
    kind.name: kind
    for kind in (
        StoreKind(
            name="memory",
            address="memory",
            summary="the files are loaded, validated and held in memory by every command",
            capabilities=_HELD,
            open=_open_memory,
            query_service=_worker_queries,
        ),
        StoreKind(
            name="oxigraph",
            address="oxigraph:PATH",
            summary="an on-disk Oxigraph store in the folder PATH, written by `paccto load`",
            capabilities=_HELD | {Capability.WRITE},
            open=_open_oxigraph,
            query_service=_worker_queries,
            write=_write_oxigraph,
        ),
        StoreKind(
            name="sparql",
            address="sparql:URL",
            summary="a SPARQL 1.1 server at URL; questions fetch only what they read",
            capabilities=frozenset(
                {Capability.WRITE, Capability.FETCH_PARTS, Capability.SPARQL_ON_SERVER}
            ),
            open=_open_sparql,
            query_service=_server_queries,
            write=_write_sparql,
        ),
    )
}


def store_kind(spec: StoreSpec) -> StoreKind:
    """The entry for the kind ``spec`` names (parsing has checked the name already)."""
    return STORE_KINDS[spec.kind]


def kinds_that_can(capability: Capability) -> list[StoreKind]:
    return [kind for kind in STORE_KINDS.values() if kind.can(capability)]


def open_knowledge_graph(
    settings: Settings | None = None, extra_files: Sequence[Path | str] = ()
) -> KnowledgeGraph:
    """The graph the settings' ``store`` names: loaded from files into memory, or opened.

    Raises
    ------
    PacctoError
        As :func:`load_knowledge_graph` for the memory store; for a store that is read as it
        is, extra files were given (they go in with ``paccto load``), or the store cannot be
        opened (no store at the path, a server that cannot be reached or holds no graph).
    """
    settings = settings or get_settings()
    spec = parse_store(settings.store)
    kind = store_kind(spec)
    kg = kind.open(spec, settings, [Path(path) for path in extra_files])
    kg.store_kind = kind.name
    return kg


def write_store(
    spec: StoreSpec, settings: Settings, files: Sequence[Path], options: WriteOptions
) -> str:
    """Validate the seeds and ``files`` together and write them to the store ``spec`` names,
    all or nothing; a one-line report of what was written.

    Raises
    ------
    PacctoError
        The kind of store is not one that is written (the message names those that are), or
        as the kind's writer says.
    """
    kind = store_kind(spec)
    if kind.write is None:
        addresses = [k.address for k in kinds_that_can(Capability.WRITE)]
        writable = " or ".join(
            [", ".join(addresses[:-1]), addresses[-1]] if addresses[:-1] else addresses
        )
        raise PacctoError(
            f"paccto load writes a store that outlives it ({writable}); the {kind.name} store: "
            f"{kind.summary}"
        )
    return kind.write(spec, settings, files, options)


def query_service_for(kg: KnowledgeGraph, settings: Settings) -> QueryService:
    """The SPARQL service for ``kg``, as the kind of store it was opened from answers SPARQL."""
    return STORE_KINDS[kg.store_kind].query_service(kg, settings)
