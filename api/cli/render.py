"""``paccto render``: a view of the graph written to a file for a report.

``-o FILE.html`` writes one self-contained interactive page (vis-network inlined, no network
needed), which can be mailed or attached; ``-o FILE.svg`` and ``-o FILE.png`` write a static
image for PDF and word-processor documents. The suffix chooses, so a script cannot end up with
an HTML file called ``figure.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from paccto.api.cli.common import err, load_graph, user_errors
from paccto.api.cli.questions import question_command
from paccto.graph.errors import PacctoError
from paccto.graph.render.views import VIEW_KINDS, GraphView, ViewFilter, ViewKind

__all__ = ["render_app"]

render_app = typer.Typer(
    help="Draw a view (an entity's network, a path, a membership, a phase or the whole graph) "
    "to an HTML page, an SVG or a PNG file.",
    no_args_is_help=True,
)

_SUFFIXES = {".html": "html", ".htm": "html", ".svg": "svg", ".png": "png"}

Output = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        help="File to write: .html (interactive, self-contained), .svg or .png (static).",
    ),
]


def _format(output: Path) -> str:
    suffix = output.suffix.casefold()
    if suffix not in _SUFFIXES:
        raise PacctoError(
            f"cannot tell what to write from {output.name!r}: "
            "end the file name in .html, .svg or .png"
        )
    if not output.parent.is_dir():
        raise PacctoError(f"folder {str(output.parent)!r} does not exist")
    return _SUFFIXES[suffix]


def _write(view: GraphView, output: Path, fmt: str) -> None:
    from paccto.graph.render.interactive import write_html
    from paccto.graph.render.static_image import render_image

    if fmt == "html":
        write_html(view, output)
    else:
        output.write_bytes(render_image(view, fmt))
    err.print(
        f"wrote {output} ({len(view.nodes)} entities, {len(view.edges)} relationships)",
        highlight=False,
    )


def _drawer(kind: ViewKind) -> Callable[..., None]:
    def draw(ctx: typer.Context, question: ViewFilter, *, output: Output) -> None:
        """Check where the file goes before loading anything, then draw the view and write it."""
        with user_errors():
            fmt = _format(output)
            _write(kind.draw(load_graph(ctx), question), output, fmt)

    return draw


for _kind in VIEW_KINDS.values():
    question_command(
        render_app,
        _kind.question,
        _drawer(_kind),
        name=_kind.name,
        help=f"{_kind.summary}. {_kind.description}".replace("`", ""),
    )
