"""The store every SPARQL query of a graph held here is answered from, by Oxigraph.

One engine answers every front end (``paccto sparql``, the library's ``run_query``, ``/sparql``
and its worker processes), so a query has one answer whichever way it is asked. Its dataset is
decided once, here: the named graphs as loaded (one per passage, plus the ontology, the entity
descriptions and the provenance records), and a default graph that is the RDF merge of all of
them, each triple once however many passages state it, as the SPARQL dataset definition and
Jena's union default graph have it. Oxigraph's own union of the named graphs keeps one copy of a
triple per graph, which made ``COUNT(*)`` and queries without ``DISTINCT`` answer differently
from rdflib; so the merge is written into the store's default graph instead.

An on-disk store keeps this query store beside its data, in the version's ``sparql`` folder,
written once by ``paccto load`` and opened read-only by every reader; a graph held in memory
gets one built in memory the first time it is queried.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from paccto.graph.model.knowledge_graph import KnowledgeGraph

__all__ = ["QUERY_STORE_FOLDER", "add_merged_default_graph", "load_query_store", "query_store"]

#: The query store's folder inside an on-disk store's version folder.
QUERY_STORE_FOLDER = "sparql"

_MERGE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def add_merged_default_graph(store: ox.Store) -> None:
    """Write the RDF merge of every named graph into ``store``'s default graph."""
    store.update(_MERGE)


def load_query_store(nquads: bytes, folder: Path | None = None) -> ox.Store:
    """A query store holding ``nquads`` (in memory, or written to ``folder``)."""
    store = ox.Store() if folder is None else ox.Store(str(folder))
    # From bytes: pyoxigraph's reader of a path holds at most 16 MiB for one token, so a valid
    # graph with one long literal would load elsewhere but not here.
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    add_merged_default_graph(store)
    if folder is not None:
        store.flush()
    return store


def query_store(kg: KnowledgeGraph) -> ox.Store:
    """The query store of a graph held here: the on-disk one its version holds, or one built
    in memory from its dataset the first time it is asked for."""
    if kg.query_store is None:
        if kg.store_path is not None:
            kg.query_store = ox.Store.read_only(str(kg.store_path / QUERY_STORE_FOLDER))
        else:
            nquads = kg.dataset.serialize(format="nquads", encoding="utf-8")
            kg.query_store = load_query_store(nquads)
    store: ox.Store = kg.query_store
    return store
