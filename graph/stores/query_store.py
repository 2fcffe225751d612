"""Where the SPARQL workers find the store they answer from.

One engine answers every front end (``paccto sparql``, the library's ``run_query``, ``/sparql``
and its worker processes), so a query has one answer whichever way it is asked: the Oxigraph
store holding the graph, laid out so that its default graph is the RDF merge
(:mod:`paccto.graph.model.oxigraph_dataset`; :meth:`KnowledgeGraph.query_store` gives it). A
worker opens an on-disk store's database in place, or loads the dump of a store held in memory.
"""

from __future__ import annotations

import pyoxigraph as ox

__all__ = ["STORE_FOLDER", "dumped_store"]

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
