"""Static images of a view, SVG and PNG, for reports: a PDF, a word-processor file, a printout.

Drawn with matplotlib because it installs from wheels with no system package, renders offline
and writes SVG whose labels stay text (searchable and selectable in the report, and sharp at
any zoom). The image takes its positions from :func:`~paccto.graph.render.layout.layout` and its
colours and shapes from :mod:`~paccto.graph.render.style`, so a figure in a report looks like the
interactive page a reader opens next to it.

Two rules come from where this runs. The HTTP API renders from worker threads, so only the
object-oriented API is used (a :class:`~matplotlib.figure.Figure` per image and its own canvas):
pyplot's current-figure state is global and not thread-safe. And every string comes from the
data, which a user may have written to break things, so every text is drawn with mathtext and
TeX turned off (``$x$`` stays ``$x$``) and the SVG writer escapes it for XML.

The same view gives byte-identical files (no dates, fixed SVG ids), so a report built twice
does not change and an image can be cached by the view it shows.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paccto.graph.errors import PacctoError
from paccto.graph.render.layout import layout
from paccto.graph.render.style import FAMILIES, OTHER, Family, family_of
from paccto.graph.render.views import GraphView, ViewNode

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.text import Text

__all__ = ["IMAGE_FORMATS", "render_image", "render_png", "render_svg"]

#: The formats :func:`render_image` writes, in the order the front ends offer them.
IMAGE_FORMATS = ("svg", "png")

#: ``rc_context`` changes matplotlib's global rcParams and restores them on exit; two threads
#: inside it at once would restore each other's values, so SVG writing is taken one at a time.
_RC_LOCK = threading.Lock()

#: Paper per layout unit: neighbouring entities (``spacing`` 120) come out about 1.6 inches
#: apart, the width of a label wrapped at :data:`_LABEL_WIDTH` characters.
_INCHES_PER_UNIT = 1.6 / 120
#: Page width bounds: below 8 inches the title and legend do not fit; past 30 a word processor
#: scales the figure down until nothing is legible anyway.
_MIN_WIDTH, _MAX_WIDTH = 8.0, 30.0
_MIN_PLOT_HEIGHT, _MAX_PLOT_HEIGHT = 2.5, 24.0
_MARGIN = 0.35
_GAP = 0.15

_LABEL_WIDTH = 22
_LABEL_LINES = 3
#: Past this many relationships their names on the arrows only hide each other and the entities.
_EDGE_LABEL_LIMIT = 120
#: A PNG past this many pixels costs hundreds of megabytes to draw; ask for a lower dpi instead.
_MAX_PIXELS = 60_000_000
_MAX_DPI = 600

#: Markers of the same nominal size do not look the same size: a star or a triangle fills far
#: less of its box than a square, so they are drawn larger to look alike.
_MARKER_AREA = {"*": 1.9, "^": 1.3, "v": 1.3, "h": 1.1, "D": 0.75, "s": 0.85}

_TEXT = "#222222"
_MUTED = "#666666"
_FADED_TEXT = "#8c8c8c"
_EDGE = "#b0b0b0"
_FOCUS_OUTLINE = "#1a1a1a"
_FADED_ALPHA = 0.35


@dataclass(frozen=True)
class _Sizes:
    """Type and marker sizes: a bit smaller as a view grows, so labels still fit between nodes.

    Font sizes are points; marker sizes are matplotlib scatter areas (points squared).
    """

    label: float
    edge_label: float
    marker: float
    focus_marker: float

    def area(self, node: ViewNode) -> float:
        base = self.focus_marker if node.focus else self.marker
        return base * _MARKER_AREA.get(family_of(node.cls).marker, 1.0)

    def radius(self, node: ViewNode) -> float:
        """Half a marker's width in points, where arrows stop and labels start."""
        return math.sqrt(self.area(node)) / 2


def _sizes(count: int) -> _Sizes:
    if count <= 40:
        return _Sizes(label=8.5, edge_label=6.5, marker=230, focus_marker=460)
    if count <= 120:
        return _Sizes(label=7.5, edge_label=6.0, marker=170, focus_marker=360)
    return _Sizes(label=6.5, edge_label=5.5, marker=120, focus_marker=280)


def _wrap(text: str, width: int, lines: int | None = None) -> str:
    """Lines of at most ``width`` characters; past ``lines`` lines, the last one ends in an
    ellipsis. Hyphens do not break lines, so a wrapped label joined with spaces reads as the
    original; a word longer than a line (a URL) is cut."""
    wrapped = textwrap.wrap(" ".join(text.split()), width=width, break_on_hyphens=False)
    if lines is not None and len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], wrapped[lines - 1][: width - 1].rstrip() + "…"]
    return "\n".join(wrapped)


def _line_height(points: float, lines: int) -> float:
    """Inches taken by ``lines`` lines of text (matplotlib's line spacing is 1.2)."""
    return lines * points * 1.2 / 72 if lines else 0.0


def _literal(text: Text) -> Text:
    """Draw the string as it is: mathtext reads ``$...$`` as a formula and TeX anything."""
    text.set_parse_math(False)
    text.set_usetex(False)
    return text


def _families(view: GraphView) -> list[tuple[Family, list[str]]]:
    """The families present, in the palette's order, each with the class labels present in
    it: the same legend as the interactive page's."""
    present: dict[str, set[str]] = {}
    for cls, label in view.classes():
        present.setdefault(family_of(cls).name, set()).add(label)
    return [
        (family, sorted(present[family.name], key=str.casefold))
        for family in (*FAMILIES, OTHER)
        if family.name in present
    ]


def _sources(view: GraphView) -> list[str]:
    """The documents the drawn relationships cite: what a figure's caption must credit."""
    return sorted({document for edge in view.edges for document in edge.documents})


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in data units and how large the page is, in inches."""

    width: float
    plot_height: float
    scale: float  # inches per layout unit
    xlim: tuple[float, float]
    ylim: tuple[float, float]


def _frame(positions: dict[str, tuple[float, float]], sizes: _Sizes) -> _Frame:
    """Size the page to the layout, so spacing on paper stays about the same for any view,
    with padding round the extreme entities so their labels are not cut off."""
    pad_x = _LABEL_WIDTH * sizes.label * 0.62 / 72 / 2 + 0.1
    pad_top = math.sqrt(sizes.focus_marker) / 2 / 72 + 0.2
    pad_bottom = (
        math.sqrt(sizes.focus_marker) / 2 / 72 + _line_height(sizes.label, _LABEL_LINES) + 0.15
    )
    xs = [x for x, _y in positions.values()] or [0.0]
    ys = [y for _x, y in positions.values()] or [0.0]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    scale = _INCHES_PER_UNIT
    room_x = _MAX_WIDTH - 2 * _MARGIN - 2 * pad_x
    room_y = _MAX_PLOT_HEIGHT - pad_top - pad_bottom
    if span_x * scale > room_x:
        scale = room_x / span_x
    if span_y * scale > room_y:
        scale = room_y / span_y
    width = min(max(span_x * scale + 2 * pad_x + 2 * _MARGIN, _MIN_WIDTH), _MAX_WIDTH)
    plot_height = max(span_y * scale + pad_top + pad_bottom, _MIN_PLOT_HEIGHT)
    # Whatever room the minimum sizes add is shared out evenly, keeping the drawing centred.
    half_x = (width - 2 * _MARGIN) / 2 / scale
    middle_x = (min(xs) + max(xs)) / 2
    extra_y = (plot_height - span_y * scale - pad_top - pad_bottom) / 2 / scale
    ylim = (min(ys) - pad_bottom / scale - extra_y, max(ys) + pad_top / scale + extra_y)
    return _Frame(
        width=round(width, 2),
        plot_height=plot_height,
        scale=scale,
        xlim=(middle_x - half_x, middle_x + half_x),
        ylim=ylim,
    )


def _trimmed(
    start: tuple[float, float], end: tuple[float, float], cut_start: float, cut_end: float
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The segment from ``start`` to ``end`` less ``cut_start`` and ``cut_end`` at its ends;
    None when the two markers touch and there is no line left to draw."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length <= cut_start + cut_end:
        return None
    ux, uy = dx / length, dy / length
    return (
        (start[0] + ux * cut_start, start[1] + uy * cut_start),
        (end[0] - ux * cut_end, end[1] - uy * cut_end),
    )


def _draw_edges(
    axes: Axes,
    view: GraphView,
    positions: dict[str, tuple[float, float]],
    sizes: _Sizes,
    scale: float,
) -> None:
    """One arrow per direction between two entities, all their relation names on it; when
    both directions are stated the two arrows bend apart so neither hides the other.

    Arrows are cut to the markers' edges here, in data units (``scale`` inches per unit),
    rather than with matplotlib's ``shrinkA``/``shrinkB``, which split each Bézier path at
    every draw and took most of the drawing time of a large view.
    """
    from matplotlib.patches import FancyArrowPatch

    per_point = 1 / 72 / scale
    nodes = {node.id: node for node in view.nodes}
    pairs: dict[tuple[str, str], list[str]] = {}
    for edge in view.edges:
        if edge.source == edge.target or not {edge.source, edge.target} <= positions.keys():
            continue  # a loop has no direction to show; an edge off the view has no ends
        names = pairs.setdefault((edge.source, edge.target), [])
        if edge.relation not in names:
            names.append(edge.relation)
    labelled = len(view.edges) <= _EDGE_LABEL_LIMIT
    for (source, target), names in pairs.items():
        bend = 0.2 if (target, source) in pairs else 0.0
        ends = _trimmed(
            positions[source],
            positions[target],
            (sizes.radius(nodes[source]) + 1) * per_point,
            (sizes.radius(nodes[target]) + 2) * per_point,
        )
        if ends is None:
            continue
        (x1, y1), (x2, y2) = ends
        faded = nodes[source].context or nodes[target].context
        # add_artist, not add_patch: the limits are set by hand, and add_patch would compute
        # every arrow's extent for autoscaling.
        axes.add_artist(
            FancyArrowPatch(
                (x1, y1),
                (x2, y2),
                arrowstyle="-|>,head_length=0.5,head_width=0.22",
                mutation_scale=10,
                connectionstyle=f"arc3,rad={bend}",
                shrinkA=0,
                shrinkB=0,
                color=_EDGE,
                alpha=0.6 if faded else 1.0,
                linewidth=0.8 if labelled else 0.6,
                zorder=1,
            )
        )
        if not labelled:
            continue
        # A point on arc3's quadratic curve, whose control point lies ``bend`` times the
        # chord's length to the right of the chord's middle. Of two opposite arrows, each names
        # its relation nearer its own source, so the two labels do not sit on each other.
        t = 0.35 if bend else 0.5
        cx = (x1 + x2) / 2 + bend * (y2 - y1)
        cy = (y1 + y2) / 2 - bend * (x2 - x1)
        x = (1 - t) ** 2 * x1 + 2 * t * (1 - t) * cx + t**2 * x2
        y = (1 - t) ** 2 * y1 + 2 * t * (1 - t) * cy + t**2 * y2
        shown = [_wrap(name, 30, 2) for name in names[:3]]
        if len(names) > 3:
            shown.append(f"+{len(names) - 3} more")
        _literal(
            axes.text(
                x,
                y,
                "\n".join(shown),
                fontsize=sizes.edge_label,
                color=_MUTED,
                ha="center",
                va="center",
                linespacing=1.1,
                zorder=2,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.75},
            )
        )


def _draw_nodes(
    axes: Axes,
    view: GraphView,
    positions: dict[str, tuple[float, float]],
    sizes: _Sizes,
) -> None:
    """Markers by family (one scatter per family, as a marker is per call), focus larger and
    outlined, context faded; a wrapped label under each."""
    from matplotlib.colors import to_rgba

    by_family: dict[Family, list[ViewNode]] = {}
    for node in view.nodes:
        by_family.setdefault(family_of(node.cls), []).append(node)
    for family, members in by_family.items():
        axes.scatter(
            [positions[node.id][0] for node in members],
            [positions[node.id][1] for node in members],
            s=[sizes.area(node) for node in members],
            marker=family.marker,
            c=[to_rgba(family.colour, _FADED_ALPHA if node.context else 1.0) for node in members],
            edgecolors=[
                _FOCUS_OUTLINE if node.focus else to_rgba("white", 0.9) for node in members
            ],
            linewidths=[2.0 if node.focus else 0.7 for node in members],
            zorder=3,
        )
    for node in view.nodes:
        label = _literal(
            axes.annotate(
                _wrap(node.label or node.id, _LABEL_WIDTH, _LABEL_LINES),
                xy=positions[node.id],
                xytext=(0, -(sizes.radius(node) + 2)),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=sizes.label + (0.5 if node.focus else 0.0),
                fontweight="bold" if node.focus else "normal",
                color=_FADED_TEXT if node.context else _TEXT,
                linespacing=1.1,
                zorder=4,
                annotation_clip=False,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
            )
        )
        # The SVG group of the label takes this id, so a report tool can find an entity.
        label.set_gid(f"label-{node.id}")


def _legend_handles(view: GraphView) -> tuple[list[Any], list[str]]:
    """A marker and a line of text per family present, then what outlines and fading mean."""
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    texts: list[str] = []

    def entry(text: str, **style: Any) -> None:
        size = 9 * math.sqrt(_MARKER_AREA.get(style["marker"], 1.0))
        handles.append(Line2D([], [], linestyle="none", markersize=size, **style))
        texts.append(_wrap(text, 60))

    for family, classes in _families(view):
        entry(
            f"{family.name}: {', '.join(classes)}",
            marker=family.marker,
            markerfacecolor=family.colour,
            markeredgecolor="white",
        )
    if any(node.focus for node in view.nodes):
        entry(
            "Larger, outlined: what the view is about",
            marker="o",
            markerfacecolor="white",
            markeredgecolor=_FOCUS_OUTLINE,
            markeredgewidth=2.0,
        )
    if any(node.context for node in view.nodes):
        entry(
            "Faded: shown only to link the others to the focus",
            marker="o",
            markerfacecolor=to_rgba(OTHER.colour, _FADED_ALPHA),
            markeredgecolor="white",
        )
    return handles, texts


def _legend(figure: Figure, view: GraphView, text_width: float) -> tuple[Legend | None, float]:
    """The legend in as many columns (up to four) as fit the page's width, and its height in
    inches, measured, since it depends on the font's widths."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    handles, texts = _legend_handles(view)
    if not handles:
        return None, 0.0
    # Measuring needs a renderer; the figure's canvas is replaced by whichever writes the file.
    renderer = FigureCanvasAgg(figure).get_renderer()
    legend = None
    for columns in range(min(len(handles), 4), 0, -1):
        if legend is not None:
            legend.remove()
        legend = figure.legend(
            handles,
            texts,
            loc="upper center",
            ncols=columns,
            fontsize=8.5,
            frameon=False,
            handletextpad=0.4,
            columnspacing=1.6,
            borderaxespad=0.0,
        )
        for text in legend.get_texts():
            _literal(text)  # before measuring: mathtext would fail on a stray "$"
            text.set_color(_TEXT)
        if legend.get_window_extent(renderer).width / figure.dpi <= text_width:
            break
    assert legend is not None
    legend.set_gid("legend")
    return legend, legend.get_window_extent(renderer).height / figure.dpi


def _figure(view: GraphView) -> Figure:
    """The whole page: title and caption on top, the drawing, then the legend and sources.

    The page is laid out by hand in inches rather than by matplotlib's layout engines, so its
    size follows from the view alone; only the legend, whose text widths depend on the font, is
    measured before the height is settled. It is built at 72 dpi, the SVG's resolution, and a
    PNG sets its own dpi afterwards: measured at the PNG's dpi, the hinted text would come out
    a few points taller or shorter, and the SVG and PNG of a view would differ in size.
    """
    from matplotlib.figure import Figure

    positions = {
        # vis-network's y axis points down and matplotlib's up; flipping keeps the two alike.
        node_id: (x, -y)
        for node_id, (x, y) in layout(view).items()
    }
    sizes = _sizes(len(view.nodes))
    frame = _frame(positions, sizes)
    width = frame.width
    text_width = width - 2 * _MARGIN
    figure = Figure(figsize=(width, 4.0), dpi=72, facecolor="white")

    title_size, caption_size, footer_size = 15.0, 10.5, 8.0
    title = _wrap(view.title, max(20, int(text_width * 72 / (title_size * 0.6))))
    caption = _wrap(view.caption, max(30, int(text_width * 72 / (caption_size * 0.55))))
    sources = _sources(view)
    footer = (
        _wrap("Sources: " + ", ".join(sources), int(text_width * 72 / (footer_size * 0.55)))
        if sources
        else ""
    )

    legend, legend_height = _legend(figure, view, text_width)

    top = _MARGIN + _line_height(title_size, title.count("\n") + 1)
    if caption:
        top += 0.05 + _line_height(caption_size, caption.count("\n") + 1)
    top += _GAP
    bottom = _MARGIN
    if footer:
        bottom += _line_height(footer_size, footer.count("\n") + 1) + _GAP
    if legend is not None:
        bottom += legend_height + _GAP
    height = round(top + frame.plot_height + bottom, 2)
    figure.set_size_inches(width, height)

    def at(x: float, y_from_top: float) -> tuple[float, float]:
        return x / width, 1 - y_from_top / height

    _literal(
        figure.text(
            *at(_MARGIN, _MARGIN),
            title,
            fontsize=title_size,
            fontweight="bold",
            color=_TEXT,
            va="top",
            gid="title",
        )
    )
    if caption:
        _literal(
            figure.text(
                *at(_MARGIN, _MARGIN + _line_height(title_size, title.count("\n") + 1) + 0.05),
                caption,
                fontsize=caption_size,
                color=_MUTED,
                va="top",
                gid="caption",
            )
        )
    if footer:
        _literal(
            figure.text(
                _MARGIN / width,
                _MARGIN / height,
                footer,
                fontsize=footer_size,
                color=_MUTED,
                va="bottom",
                gid="sources",
            )
        )
    if legend is not None:
        legend_top = height - top - frame.plot_height - _GAP
        legend.set_bbox_to_anchor((0.5, legend_top / height), transform=figure.transFigure)

    axes = figure.add_axes(
        (
            _MARGIN / width,
            (height - top - frame.plot_height) / height,
            text_width / width,
            frame.plot_height / height,
        )
    )
    axes.set_axis_off()
    if view.nodes:
        _draw_edges(axes, view, positions, sizes, frame.scale)
        _draw_nodes(axes, view, positions, sizes)
    else:
        _literal(
            axes.text(
                0.5,
                0.5,
                "This view has no entities to draw.",
                transform=axes.transAxes,
                ha="center",
                va="center",
                fontsize=12,
                color=_MUTED,
            )
        )
    # Limits set last and by hand: autoscaling would ignore the labels and cut them off.
    axes.set_xlim(*frame.xlim)
    axes.set_ylim(*frame.ylim)
    return figure


def render_svg(view: GraphView) -> bytes:
    """The view as an SVG document (UTF-8), its labels as text.

    Parameters
    ----------
    view : GraphView
        Any view, an empty one included (the image then says there is nothing to draw).

    Returns
    -------
    bytes
        The same bytes for the same view: no date, and ids from a fixed salt.
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    figure = _figure(view)
    buffer = io.BytesIO()
    # rcParams the SVG writer reads while it writes, with no per-call argument: labels as text,
    # and a fixed salt so the ids it derives (clip paths, glyphs) do not change between runs.
    with _RC_LOCK, rc_context({"svg.fonttype": "none", "svg.hashsalt": "paccto-graph"}):
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue()


def render_png(view: GraphView, *, dpi: int = 150) -> bytes:
    """The view as a PNG image at ``dpi`` pixels per inch (150 suits a screen or a draft;
    300 suits print).

    Raises
    ------
    PacctoError
        ``dpi`` is not between 1 and 600, or the image would be too large to draw at it.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not 1 <= dpi <= _MAX_DPI:
        raise PacctoError(f"dpi must be between 1 and {_MAX_DPI}, not {dpi}")
    figure = _figure(view)
    figure.set_dpi(dpi)
    width, height = figure.get_size_inches()
    if width * height * dpi * dpi > _MAX_PIXELS:
        largest = int(math.sqrt(_MAX_PIXELS / (width * height)))
        raise PacctoError(
            f"a {width:g} by {height:g} inch image at {dpi} dpi is too large to draw; "
            f"use at most {largest} dpi for this view, or SVG"
        )
    buffer = io.BytesIO()
    # Agg's PNG carries no creation time, only the software's name, so it is reproducible.
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def render_image(view: GraphView, fmt: str, *, dpi: int = 150) -> bytes:
    """The view in one of :data:`IMAGE_FORMATS` (any case); ``dpi`` is for PNG only.

    Raises
    ------
    PacctoError
        The format is not one of :data:`IMAGE_FORMATS`.
    """
    wanted = fmt.strip().lower()
    if wanted == "svg":
        return render_svg(view)
    if wanted == "png":
        return render_png(view, dpi=dpi)
    raise PacctoError(
        f"cannot draw a view as {fmt!r}; the image formats are {', '.join(IMAGE_FORMATS)}"
    )
