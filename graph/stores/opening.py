"""Opening the graph the ``store`` setting names, whichever kind of store holds it.

The memory store loads the files (with :mod:`paccto.graph.load.loading`); an ``oxigraph:``
folder and a ``sparql:`` server are opened as they are. Front ends open a graph through
:func:`open_knowledge_graph` without knowing the kinds, and loading knows nothing of stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from paccto.graph.errors import InputError
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings, get_settings
from paccto.graph.store_address import parse_store

__all__ = ["open_knowledge_graph"]


def open_knowledge_graph(
    settings: Settings | None = None, extra_files: Sequence[Path | str] = ()
) -> KnowledgeGraph:
    """The graph the settings' ``store`` names: loaded from files into memory, or opened.

    Raises
    ------
    PacctoError
        As :func:`load_knowledge_graph` for the memory store; for an on-disk store, there is
        none at the path, or extra files were given (they go in with ``paccto load``); the
        ``sparql:`` server cannot be reached or does not hold the graph.
    """
    settings = settings or get_settings()
    spec = parse_store(settings.store)
    if spec.kind == "memory":
        return load_knowledge_graph(settings, extra_files)
    extra = [*settings.data, *extra_files]
    if extra:
        names = ", ".join(str(path) for path in extra)
        raise InputError(
            f"the {spec} store is read as it is; to add {names}, write a new version of it "
            f"with `paccto load --store {spec} FILES`"
        )
    if spec.kind == "oxigraph":
        from paccto.graph.stores.oxigraph_store import open_oxigraph_store

        return open_oxigraph_store(spec.path, settings.base_iri)
    from paccto.graph.stores.sparql_store import open_sparql_store

    return open_sparql_store(spec, settings)
