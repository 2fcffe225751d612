"""The Oxigraph store a graph's SPARQL queries are answered from.

One engine answers every front end (``paccto sparql``, the library's ``run_query``, ``/sparql``
and its worker processes), so a query has one answer whichever way it is asked. A graph loaded
here (in memory or on disk) is held in an Oxigraph store already, laid out so that its default
graph is the RDF merge (:mod:`paccto.graph.model.oxigraph_dataset`): queries go to it as they are.
A part of a graph fetched from a SPARQL server is an rdflib dataset; it gets a store in the same
layout the first time it is queried (:meth:`KnowledgeGraph.query_store`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from paccto.graph.model.knowledge_graph import KnowledgeGraph

__all__ = ["STORE_FOLDER", "dumped_store", "query_store"]

#: The Oxigraph database inside an on-disk store's version folder, which the SPARQL workers
#: open read-only (and ``oxigraph serve-read-only --location`` can serve as it is).
STORE_FOLDER = "oxigraph"


def dumped_store(nquads: bytes) -> ox.Store:
    """An in-memory store holding what a query store's ``dump`` wrote: the layout as is.

    From bytes: pyoxigraph's reader of a path holds at most 16 MiB for one token, so a valid
    graph with one long literal would load elsewhere but not here.
    """
    store = ox.Store()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    return store


def query_store(kg: KnowledgeGraph) -> ox.Store:
    """``kg.query_store()``: the store holding ``kg``, or one built from a fetched part."""
    store: ox.Store = kg.query_store()
    return store
