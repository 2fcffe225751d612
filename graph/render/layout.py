"""Where each entity of a view sits, computed once in Python so every drawing agrees.

The static image and the interactive page start from the same positions, so a figure in a
report and the page a reader opens look alike; the browser then only relaxes the layout for a
moment instead of untangling it from random positions, which is what keeps a few hundred nodes
responsive. Positions are seeded, so the same view always comes out the same.
"""

from __future__ import annotations

import math
import random
import threading
from functools import lru_cache

import networkx as nx

from paccto.graph.render.views import GraphView

__all__ = ["layout"]

#: Kamada-Kawai reads best for small views but costs O(n²) memory and time; past this many
#: entities igraph's Fruchterman-Reingold (C) is used instead. networkx's own force layout
#: switches to a per-node Python loop above 500 nodes, an order of magnitude slower than
#: igraph on the largest views (docs/performance.md).
_KAMADA_KAWAI_LIMIT = 250

#: igraph draws its random numbers from one process-wide generator; a fixed one per call makes
#: the layout repeatable, and the lock keeps two threads from swapping it under each other.
_IGRAPH_RNG_LOCK = threading.Lock()


def _force_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    import igraph

    nodes = list(graph.nodes)
    index = {node: position for position, node in enumerate(nodes)}
    network = igraph.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in graph.edges])
    with _IGRAPH_RNG_LOCK:
        igraph.set_random_number_generator(random.Random(7))
        try:
            coords = network.layout_fruchterman_reingold(niter=300, grid="nogrid").coords
        finally:
            igraph.set_random_number_generator(random)
    xs = [x for x, _y in coords]
    ys = [y for _x, y in coords]
    middle = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = math.sqrt(len(nodes)) / span
    return {
        str(node): ((x - middle[0]) * scale, (y - middle[1]) * scale)
        for node, (x, y) in zip(nodes, coords, strict=True)
    }


def _component_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """One connected piece laid out in a box about ``sqrt(n)`` units wide, centred on (0, 0)."""
    count = graph.number_of_nodes()
    if count == 1:
        return {str(next(iter(graph.nodes))): (0.0, 0.0)}
    scale = math.sqrt(count) / 2
    if count > _KAMADA_KAWAI_LIMIT:
        return _force_layout(graph)
    positions = nx.kamada_kawai_layout(graph, scale=scale)
    return {str(node): (float(x), float(y)) for node, (x, y) in positions.items()}


@lru_cache(maxsize=32)
def layout(view: GraphView, *, spacing: float = 120.0) -> dict[str, tuple[float, float]]:
    """Positions by entity id, about ``spacing`` units between neighbouring entities.

    Each connected piece is laid out on its own and the pieces are shelved in rows, largest
    first: laying out a disconnected graph in one go pushes the pieces apart until each is a
    dot (Kamada-Kawai asks unconnected entities to be infinitely far apart). Remembered for
    the last few views, since a page and its images are usually asked for one after the other;
    callers must not change the answer.
    """
    graph = nx.Graph()
    graph.add_nodes_from(sorted(node.id for node in view.nodes))
    graph.add_edges_from(sorted((edge.source, edge.target) for edge in view.edges))
    pieces = sorted(
        (sorted(piece) for piece in nx.connected_components(graph)),
        key=lambda piece: (-len(piece), piece[0]),
    )
    if not pieces:
        return {}
    total_width = max(math.sqrt(graph.number_of_nodes()) * 1.5, math.sqrt(len(pieces[0])) + 1)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for piece in pieces:
        placed = _component_layout(graph.subgraph(piece))
        size = math.sqrt(len(piece)) + 1  # the box a piece takes, with a margin
        if x > 0 and x + size > total_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (px, py) in placed.items():
            positions[node] = ((x + size / 2 + px) * spacing, (y + size / 2 + py) * spacing)
        x += size
        row_height = max(row_height, size)
    xs = [px for px, _py in positions.values()]
    ys = [py for _px, py in positions.values()]
    middle = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return {node: (px - middle[0], py - middle[1]) for node, (px, py) in positions.items()}
