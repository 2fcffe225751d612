"""The ``paccto`` application itself and the options every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from paccto.api.cli.common import store_choices, user_errors
from paccto.graph.errors import PacctoError
from paccto.graph.settings import get_settings

app = typer.Typer(
    name="paccto",
    help="PAcCTO Graph: who cooperates with whom against transnational organised crime "
    "between Europe, Latin America and the Caribbean.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    base_iri: Annotated[
        str | None,
        typer.Option(envvar="PACCTO_BASE_IRI", help="Base IRI of every identifier."),
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            help="Extra RDF file to load after the seeds (repeatable); PACCTO_DATA takes a "
            "JSON list.",
        ),
    ] = None,
    no_seeds: Annotated[
        bool, typer.Option("--no-seeds", help="Do not load the curated seed facts.")
    ] = False,
    no_provenance_check: Annotated[
        bool,
        typer.Option(
            "--no-provenance-check",
            help="Accept facts that no registered source passage supports.",
        ),
    ] = False,
    documents_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="PACCTO_DOCUMENTS_DIR", help="Folder with the source documents' texts."
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            envvar="PACCTO_STORE",
            help=f"Where the graph lives: {store_choices()} (default: memory).",
        ),
    ] = None,
) -> None:
    """Options shared by every command; each also has a PACCTO_* environment variable."""
    with user_errors():
        try:
            ctx.obj = get_settings(
                base_iri=base_iri,
                data=data or None,
                include_seeds=False if no_seeds else None,
                require_provenance=False if no_provenance_check else None,
                documents_dir=documents_dir,
                store=store,
            )
        except ValueError as error:
            raise PacctoError(f"invalid setting: {error}") from None
