"""The ``paccto`` command line: a thin front end over :mod:`paccto.graph`.

Each command parses its options, calls one graph/ function and shapes the answer for a terminal
(aligned tables) or for a program (``--json``, CSV). Errors a user can cause are printed as one
clear message with exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rdflib import URIRef
from rich.console import Console
from rich.table import Table

from paccto.graph.errors import PacctoError, ValidationError
from paccto.graph.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings, get_settings

__all__ = ["app"]

app = typer.Typer(
    name="paccto",
    help="PAcCTO Graph: who cooperates with whom against transnational organised crime "
    "between Europe, Latin America and the Caribbean.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class QueryOutput(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    nt = "nt"


class ExportFormat(StrEnum):
    ttl = "ttl"
    nt = "nt"
    trig = "trig"
    nq = "nq"
    jsonld = "jsonld"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into a message and exit status 1, never a traceback."""
    try:
        yield
    except ValidationError as error:
        _print_violations(error)
        raise typer.Exit(1) from None
    except PacctoError as error:
        err.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    except typer.Exit:
        raise
    except Exception as error:
        if os.environ.get("PACCTO_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error:[/] {type(error).__name__}: {error}\n"
            "Run again with PACCTO_DEBUG=1 to see the traceback, and please report it.",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(3) from None


def _print_violations(error: ValidationError) -> None:
    table = Table(title=f"{len(error.violations)} validation problem(s); nothing was loaded")
    for column in ("severity", "entity", "property", "message", "value"):
        table.add_column(column, overflow="fold")
    for violation in error.violations:
        table.add_row(
            violation.severity,
            violation.focus,
            violation.path or "",
            violation.message,
            violation.value or "",
        )
    err.print(table)


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _load(ctx: typer.Context, extra: list[Path] | None = None) -> KnowledgeGraph:
    from paccto.graph.loading import load_knowledge_graph

    return load_knowledge_graph(_settings(ctx), extra or [])


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
) -> None:
    """Options shared by every command; each also has a PACCTO_* environment variable."""
    with _user_errors():
        try:
            ctx.obj = get_settings(
                base_iri=base_iri,
                data=data or None,
                include_seeds=False if no_seeds else None,
                require_provenance=False if no_provenance_check else None,
                documents_dir=documents_dir,
            )
        except ValueError as error:
            raise PacctoError(f"invalid setting: {error}") from None


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files to check together with the ontology and the seeds."),
    ] = None,
) -> None:
    """Check the seeds and FILES: exit 0 when valid, 1 with a report of every problem."""
    with _user_errors():
        kg = _load(ctx, files)
        graphs = len(kg.data_graph_names())
        out.print(
            f"[green]valid:[/] {len(kg)} quads in {graphs} data graphs from "
            f"{len(kg.files)} file(s) plus the ontology",
            markup=True,
            highlight=False,
        )


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs.")] = False,
) -> None:
    """Entities per class, relationships per property and facts per source document."""
    from paccto.graph.statistics import graph_statistics

    with _user_errors():
        figures = graph_statistics(_load(ctx))
        if as_json:
            out.print_json(json.dumps(figures.as_dict()))
            return
        totals = Table(title="PAcCTO Graph", show_header=False)
        for name in (
            "entities",
            "relationships",
            "sources",
            "passages",
            "distinct_triples",
            "quads",
        ):
            totals.add_row(name.replace("_", " "), str(getattr(figures, name)))
        out.print(totals)
        for title, column, counts in (
            ("Entities per class", "class", figures.entities_per_class),
            ("Relationships per property", "property", figures.relationships_per_property),
            ("Facts per source document", "source", figures.facts_per_source),
        ):
            table = Table(title=title)
            table.add_column(column)
            table.add_column("count", justify="right")
            for key, count in counts.items():
                table.add_row(key, str(count))
            out.print(table)


def _read_query(query: str | None, file: Path | None) -> str:
    if (query is None) == (file is None):
        raise PacctoError("give a query as an argument or with --file, not both and not neither")
    if file is not None:
        if not file.is_file():
            raise PacctoError(f"{file}: no such query file")
        return file.read_text(encoding="utf-8")
    return str(query)


def _term(value: object) -> str:
    return "" if value is None else str(value)


@app.command()
def sparql(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="The SPARQL query text.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from this file.")
    ] = None,
    output_format: Annotated[
        QueryOutput,
        typer.Option("--format", help="table, json, csv, tsv, xml; turtle or nt for graphs."),
    ] = QueryOutput.table,
) -> None:
    """Run a read-only SPARQL query over the loaded graph (prefixes id:, paccto:, org: ... are
    predeclared)."""
    from paccto.graph.sparql import run_query

    with _user_errors():
        text = _read_query(query, file)
        kg = _load(ctx)
        result = run_query(kg, text)
        if result.kind in ("CONSTRUCT", "DESCRIBE"):
            assert result.graph is not None
            graph_format = "nt" if output_format is QueryOutput.nt else "turtle"
            sys.stdout.write(result.graph.serialize(format=graph_format))
            return
        if output_format is QueryOutput.table:
            if result.kind == "ASK":
                out.print("true" if result.boolean else "false")
                return
            table = Table(caption=f"{len(result.rows)} row(s)")
            for variable in result.variables:
                table.add_column(variable, overflow="fold")

            def compact(value: object) -> str:
                if isinstance(value, URIRef):
                    return kg.ids.compact(str(value))
                return _term(value)

            for row in result.rows:
                table.add_row(*(compact(value) for value in row))
            out.print(table)
            return
        if output_format in (QueryOutput.turtle, QueryOutput.nt):
            raise PacctoError(f"--format {output_format} is for CONSTRUCT and DESCRIBE queries")
        data = result.raw.serialize(format=output_format.value)
        sys.stdout.write(data.decode("utf-8") if isinstance(data, bytes) else data)
        if output_format is QueryOutput.json:
            sys.stdout.write("\n")


@app.command()
def export(
    ctx: typer.Context,
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="ttl, nt, trig, nq or jsonld.")
    ] = ExportFormat.trig,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of to stdout.")
    ] = None,
) -> None:
    """Write the whole graph; TriG, N-Quads and JSON-LD keep one named graph per passage."""
    from paccto.graph.export import export_graph

    with _user_errors():
        data = export_graph(_load(ctx), export_format.value)
        if output is None:
            sys.stdout.buffer.write(data)
            return
        try:
            output.write_bytes(data)
        except OSError as error:
            raise PacctoError(f"{output}: cannot write: {error.strerror}") from None
        err.print(f"wrote {len(data)} bytes to {output}", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
