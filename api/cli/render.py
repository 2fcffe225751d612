"""``paccto render``: a view of the graph written to a file for a report.

``-o FILE.html`` writes one self-contained interactive page (vis-network inlined, no network
needed), which can be mailed or attached; ``-o FILE.svg`` and ``-o FILE.png`` write a static
image for PDF and word-processor documents. The suffix chooses, so a script cannot end up with
an HTML file called ``figure.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paccto.api.cli.common import (
    AllShortest,
    AsOf,
    AvoidClasses,
    AvoidEntities,
    AvoidHubs,
    AvoidRelations,
    MaxLength,
    PathCount,
    err,
    load_graph,
    user_errors,
)
from paccto.graph.errors import PacctoError

if TYPE_CHECKING:
    from paccto.graph.model.knowledge_graph import KnowledgeGraph
    from paccto.graph.render.views import GraphView, ViewFilter

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
Classes = Annotated[
    list[str] | None, typer.Option("--class", help="Only entities of this class (repeatable).")
]
Relations = Annotated[
    list[str] | None, typer.Option("--relation", help="Only this relation (repeatable).")
]
Phase = Annotated[
    str | None, typer.Option("--phase", help="Only what holds during this phase (1, 2, …).")
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


def _render(ctx: typer.Context, output: Path, build: Callable[[KnowledgeGraph], GraphView]) -> None:
    """Check where the file goes before loading anything, then build the view and write it."""
    with user_errors():
        fmt = _format(output)
        _write(build(load_graph(ctx)), output, fmt)


def _filter(
    classes: list[str] | None, relations: list[str] | None, phase: str | None, as_of: str | None
) -> ViewFilter:
    from paccto.graph.render.views import ViewFilter

    return ViewFilter.of(classes=classes, relations=relations, phase=phase, as_of=as_of)


@render_app.command()
def entity(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The entity at the centre (any of its names).")],
    output: Output,
    depth: Annotated[int, typer.Option(min=1, max=3, help="How many steps out (1 to 3).")] = 1,
    classes: Classes = None,
    relations: Relations = None,
    phase: Phase = None,
    as_of: AsOf = None,
) -> None:
    """The network around NAME, DEPTH steps out."""
    from paccto.graph.render.views import entity_view

    _render(
        ctx,
        output,
        lambda kg: entity_view(
            kg, name, depth=depth, view_filter=_filter(classes, relations, phase, as_of)
        ),
    )


@render_app.command()
def path(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Where the path starts.")],
    target: Annotated[str, typer.Argument(help="Where it ends.")],
    output: Output,
    k: PathCount = None,
    all_shortest: AllShortest = False,
    relations: Relations = None,
    avoid_relations: AvoidRelations = None,
    avoid: AvoidEntities = None,
    avoid_classes: AvoidClasses = None,
    avoid_hubs: AvoidHubs = False,
    max_length: MaxLength = None,
    phase: Phase = None,
    as_of: AsOf = None,
) -> None:
    """How SOURCE is connected to TARGET; the options are those of paccto path."""
    from paccto.graph.questions.paths import PathOptions
    from paccto.graph.render.views import path_view

    with user_errors():
        if k is not None and all_shortest:
            raise PacctoError("use either -k or --all, not both")
        view_filter = _filter(None, relations, phase, as_of)

    def build(kg: KnowledgeGraph) -> GraphView:
        options = PathOptions.checked(
            kg.catalogue, avoid_relations=avoid_relations or (), avoid=avoid or (),
            avoid_classes=avoid_classes or (), avoid_hubs=avoid_hubs, max_length=max_length,
        )  # fmt: skip
        return path_view(
            kg, source, target, options=options, k=k, all_shortest=all_shortest,
            view_filter=view_filter,
        )  # fmt: skip

    _render(ctx, output, build)


@render_app.command()
def members(
    ctx: typer.Context,
    organisation: Annotated[str, typer.Argument(help="A network, body, bloc or phase.")],
    output: Output,
    transitive: Annotated[
        bool, typer.Option("--transitive", help="Include members of its sub-organisations.")
    ] = False,
    role: Annotated[str | None, typer.Option("--role", help="Only members in this role.")] = None,
    classes: Classes = None,
    relations: Relations = None,
    phase: Phase = None,
    as_of: AsOf = None,
) -> None:
    """The members of ORGANISATION and their membership relationships."""
    from paccto.graph.render.views import members_view

    _render(
        ctx,
        output,
        lambda kg: members_view(
            kg,
            organisation,
            transitive=transitive,
            role=role,
            view_filter=_filter(classes, relations, phase, as_of),
        ),
    )


@render_app.command()
def phase(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The phase: 1, 2, its id or its name.")],
    output: Output,
    classes: Classes = None,
    relations: Relations = None,
    as_of: AsOf = None,
) -> None:
    """A programme phase, who takes part in it and their relationships during it."""
    from paccto.graph.render.views import phase_view

    _render(
        ctx,
        output,
        lambda kg: phase_view(kg, name, view_filter=_filter(classes, relations, None, as_of)),
    )


@render_app.command()
def graph(
    ctx: typer.Context,
    output: Output,
    classes: Classes = None,
    relations: Relations = None,
    phase: Phase = None,
    as_of: AsOf = None,
) -> None:
    """The whole cooperation network, or what the filters keep."""
    from paccto.graph.render.views import graph_view

    _render(
        ctx,
        output,
        lambda kg: graph_view(kg, view_filter=_filter(classes, relations, phase, as_of)),
    )
