"""Interactive drawings of a view with pyvis: a page, an embeddable frame, a standalone file.

pyvis builds the nodes and edges; the page around them is our own template
(``templates/view.html``), for two reasons measured on pyvis 0.3.2. Its template does not
escape (the heading goes in raw, and once any tooltip contains the text ``href`` it renders every
tooltip as HTML), so a hostile label in a user's data would run as script; ours declares
autoescaping and hands data to the script only as HTML-safe JSON, and builds the details panel
with ``textContent``. And its "local" and "in_line" modes still load Bootstrap and vis-network
from CDNs; ours either inlines vis-network (a file that opens offline and can be mailed) or
points at a URL the caller serves. Nothing in here knows about HTTP: the caller says where the
assets and the entity pages are.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyvis
from pyvis.network import Network

from paccto.graph.render.layout import layout
from paccto.graph.render.style import FAMILIES, OTHER, Family, family_of
from paccto.graph.render.views import GraphView, ViewEdge, ViewNode

__all__ = [
    "ASSET_TYPES",
    "PageLinks",
    "asset_file",
    "legend",
    "render_html",
    "write_html",
]

#: vis-network as pyvis ships it, so the drawing library and pyvis's node options always match.
_ASSETS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
#: The files a page needs, with their media types, by the name a caller serves them under.
ASSET_TYPES = {"vis-network.min.js": "text/javascript", "vis-network.css": "text/css"}
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "view.html"

#: Past this many entities the browser skips the physics and keeps the computed layout, which
#: is what keeps a large view responsive.
_PHYSICS_LIMIT = 400

#: Past this many relationships their names on the arrows only hide each other; they stay in
#: the tooltip and the details panel.
_EDGE_LABEL_LIMIT = 80

_SHAPE_SYMBOLS = {
    "dot": "●",
    "square": "■",
    "triangle": "▲",
    "triangleDown": "▼",
    "diamond": "◆",
    "star": "★",
    "hexagon": "⬢",
}


@dataclass(frozen=True)
class PageLinks:
    """Where a served page points; a standalone file has none of these and links nowhere.

    ``entity`` and ``source`` are templates with ``{id}`` (``/explore/entity/{id}``); the
    rest are ready-made (label, address) pairs and form settings from the caller.
    """

    assets: str | None = None
    entity: str | None = None
    source: str | None = None
    share: Sequence[tuple[str, str]] = ()
    embed_snippet: str | None = None
    filter_form: Mapping[str, Any] | None = None
    #: Marks the page's own scripts for a Content-Security-Policy that allows no other inline
    #: script, so that even a template mistake could not run injected code.
    nonce: str | None = None


def asset_file(name: str) -> Path:
    """The file of a vis-network asset by its served name; KeyError for any other name."""
    if name not in ASSET_TYPES:
        raise KeyError(name)
    return _ASSETS_DIR / name


def legend(view: GraphView) -> list[dict[str, Any]]:
    """The families present in a view, in the palette's order, with the classes of each."""
    present: dict[str, list[str]] = {}
    for cls, label in view.classes():
        present.setdefault(family_of(cls).name, []).append(label)
    entries = []
    for family in (*FAMILIES, OTHER):
        if family.name in present:
            entries.append(
                {
                    "name": family.name,
                    "colour": family.colour,
                    "symbol": _SHAPE_SYMBOLS.get(family.shape, "●"),
                    "classes": sorted(set(present[family.name]), key=str.casefold),
                }
            )
    return entries


def _dates(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    return f"until {end}" if end else ""


def _tooltip(node: ViewNode) -> str:
    """Plain text: vis-network shows a string title with ``innerText``, never as HTML."""
    lines = [node.label, node.class_label]
    if dates := _dates(node.start, node.end):
        lines.append(dates)
    if node.documents:
        lines.append("Sources: " + ", ".join(node.documents))
    return "\n".join(lines)


def _node_options(node: ViewNode, family: Family, position: tuple[float, float]) -> dict[str, Any]:
    size = 26 if node.focus else 16
    return {
        "label": node.label,
        "title": _tooltip(node),
        "shape": family.shape,
        "size": size,
        "color": {
            "background": family.colour,
            "border": "#222222" if node.focus else "#555555",
            "highlight": {"background": family.colour, "border": "#000000"},
        },
        "borderWidth": 3 if node.focus else 1,
        "opacity": 0.45 if node.context else 1.0,
        "font": {"size": 15 if node.focus else 13, "strokeWidth": 3, "strokeColor": "#ffffff"},
        "widthConstraint": {"maximum": 180},
        "x": round(position[0], 1),
        "y": round(position[1], 1),
        "info": {
            "id": node.id,
            "iri": node.iri,
            "label": node.label,
            "class": node.class_label,
            "family": family.name,
            "dates": _dates(node.start, node.end),
            "description": node.description or "",
            "documents": list(node.documents),
            "focus": node.focus,
            "context": node.context,
        },
    }


def _edge_groups(edges: Sequence[ViewEdge]) -> dict[tuple[str, str], list[ViewEdge]]:
    """Relationships stated in the same direction between the same two entities, drawn as one
    arrow: vis-network draws parallel edges on top of each other, hiding all but one label."""
    groups: dict[tuple[str, str], list[ViewEdge]] = {}
    for edge in edges:
        groups.setdefault((edge.source, edge.target), []).append(edge)
    return groups


def _network(view: GraphView) -> Network:
    """The pyvis network of a view, with positions from :func:`layout` and the data the
    details panel shows under each node's and edge's ``info``."""
    network = Network(height="100%", width="100%", directed=True, cdn_resources="remote")
    network.heading = view.title
    positions = layout(view)
    labelled = len(view.edges) <= _EDGE_LABEL_LIMIT
    for node in view.nodes:
        network.add_node(node.id, **_node_options(node, family_of(node.cls), positions[node.id]))
    for (source, target), group in sorted(_edge_groups(view.edges).items()):
        relations = [
            {
                "relation": edge.relation,
                "dates": _dates(edge.start, edge.end),
                "documents": list(edge.documents),
                "passages": list(edge.passages),
            }
            for edge in group
        ]
        names = ", ".join(dict.fromkeys(edge.relation for edge in group))
        network.add_edge(
            source,
            target,
            id=f"{source}>{target}",
            label=names if labelled else None,
            title=names,
            info={"source": source, "target": target, "relations": relations},
        )
    network.options = _options(len(view.nodes))
    return network


def _options(count: int) -> dict[str, Any]:
    """vis-network options: a short relaxation from the computed layout, then still."""
    physics = count <= _PHYSICS_LIMIT
    return {
        "autoResize": True,
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -2500,
                "springLength": 110,
                "springConstant": 0.03,
                "damping": 0.4,
                "avoidOverlap": 0.3,
            },
            "stabilization": {"enabled": physics, "iterations": 120, "fit": True},
            "minVelocity": 1.0,
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 200,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "multiselect": False,
        },
        "nodes": {"shapeProperties": {"interpolation": False}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#9a9a9a", "highlight": "#222222", "hover": "#555555"},
            "font": {"size": 10, "color": "#444444", "strokeWidth": 3, "align": "middle"},
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.2},
            "selectionWidth": 2,
        },
    }


def _inline_assets() -> dict[str, str]:
    return {
        "script": asset_file("vis-network.min.js").read_text(encoding="utf-8"),
        "style": asset_file("vis-network.css").read_text(encoding="utf-8"),
    }


def render_html(view: GraphView, *, embed: bool = False, links: PageLinks | None = None) -> str:
    """The HTML page of a view.

    Without ``links.assets`` vis-network and its stylesheet are inlined, so the page needs no
    network at all; with it, the page loads ``{assets}/vis-network.min.js`` and
    ``{assets}/vis-network.css``. ``embed`` leaves out the page chrome (header, filters,
    sharing) for an iframe in a report or another site. The page's scripts carry a fresh
    nonce; a standalone page also states its Content-Security-Policy in a ``<meta>`` element,
    so a browser refuses any other script and any fetch even when the file is opened from disk.
    """
    links = links or PageLinks()
    network = _network(view)
    network.set_template(str(_TEMPLATE))
    # pyvis renders its template with a fixed set of variables; ours reads the rest from here.
    network.templateEnv.globals["paccto"] = {
        "view": view,
        "embed": embed,
        "legend": legend(view),
        "links": links,
        "inline": None if links.assets else _inline_assets(),
        "nonce": links.nonce or secrets.token_urlsafe(16),
        "settings": {
            "options": network.options,
            "entityHref": links.entity,
            "sourceHref": links.source,
            "count": len(view.nodes),
        },
    }
    return network.generate_html()


def write_html(view: GraphView, path: Path) -> None:
    """Write a standalone page: one file that opens offline and can be mailed or attached.

    pyvis's own ``write_html`` opens the file in the locale's encoding, which fails on the
    accented names of the sources under a C locale; this writes UTF-8 whatever the locale.
    """
    path.write_text(render_html(view), encoding="utf-8")
