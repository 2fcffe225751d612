"""The part of a graph a question reads, for graphs that are not held whole in this process.

A question over a ``sparql:URL`` store is answered by the same code as over the graph in
memory, on a local graph exact at every entity the question looks at. Deciding which entities
those are is part of the question (a neighbourhood reads everything within its depth, a
membership question walks down sub-organisations, a path search walks from both ends), so it
lives here and in the question modules; a store only reads what it is told to
(:class:`paccto.graph.model.knowledge_graph.Fetch`).
"""

from __future__ import annotations

from collections.abc import Iterable

from paccto.graph.model.folding import SUB_ORGANISATION_OF
from paccto.graph.model.knowledge_graph import KnowledgeGraph

__all__ = ["around", "for_members"]


def around(kg: KnowledgeGraph, iris: Iterable[str], depth: int = 0) -> KnowledgeGraph:
    """A graph exact at ``iris`` and at everything within ``depth`` steps of them."""
    level = set(iris)
    fetch = kg.fetch()
    if fetch is None or (depth == 0 and level <= fetch.expanded):
        return kg
    local = fetch.expand(sorted(level - fetch.expanded))
    for _step in range(depth):
        graph = local.projection.graph
        level = {
            neighbour
            for iri in level
            if iri in graph
            for neighbour in (*graph.successors(iri), *graph.predecessors(iri))
        }
        wanted = sorted(level - fetch.expanded)
        if not wanted:
            break
        local = fetch.expand(wanted)
    return local


def for_members(kg: KnowledgeGraph, root: str, *, transitive: bool) -> KnowledgeGraph:
    """A graph exact at ``root`` and, when ``transitive``, at every organisation below it."""
    if not transitive:
        return around(kg, [root])
    scope = ("members below", root)
    fetch = None if kg.answers(scope) else kg.fetch(fresh=True)
    if fetch is None:
        return kg
    local = fetch.expand([root])
    seen = {root}
    frontier = [root]
    while frontier:
        graph = local.projection.graph
        frontier = sorted(
            {
                member
                for organisation in frontier
                for member, _o, key in graph.in_edges(organisation, keys=True)
                if key == SUB_ORGANISATION_OF and member not in seen
            }
        )
        seen.update(frontier)
        if frontier:
            local = fetch.expand(frontier)
    return fetch.done(scope)
