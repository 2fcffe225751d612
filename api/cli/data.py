"""Commands over the data as a whole: check it (``validate``), write it to a store (``load``),
export it, and serve it over HTTP (``serve``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from paccto.api.cli.application import app
from paccto.api.cli.common import (
    ExportFormat,
    ExportTable,
    err,
    error_report,
    load_graph,
    out,
    print_json,
    print_violations,
    settings_of,
    store_choices,
    user_errors,
    violations_report,
)
from paccto.graph.errors import VALIDATION_PROBLEMS_SHOWN, PacctoError, ValidationError
from paccto.graph.store_address import parse_store
from paccto.graph.store_registry import Capability, write_store
from paccto.graph.stores.write_options import WriteOptions

#: What ``paccto export`` writes unless asked otherwise: TriG keeps one named graph per passage.
_DEFAULT_EXPORT_FORMAT = ExportFormat("trig")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(envvar="PACCTO_HOST", help="Address to listen on.")
    ] = None,
    port: Annotated[
        int | None, typer.Option(envvar="PACCTO_PORT", help="Port to listen on (8000).")
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Extra RDF file to serve with the seeds (repeatable)."),
    ] = None,
    sparql_timeout: Annotated[
        float | None,
        typer.Option(envvar="PACCTO_SPARQL_TIMEOUT", help="Seconds a SPARQL query may run (10)."),
    ] = None,
    sparql_max_rows: Annotated[
        int | None,
        typer.Option(envvar="PACCTO_SPARQL_MAX_ROWS", help="Most rows a query may return."),
    ] = None,
    sparql_workers: Annotated[
        int | None,
        typer.Option(envvar="PACCTO_SPARQL_WORKERS", help="SPARQL worker processes (2)."),
    ] = None,
    max_request_bytes: Annotated[
        int | None,
        typer.Option(envvar="PACCTO_MAX_REQUEST_BYTES", help="Largest request accepted."),
    ] = None,
    max_header_bytes: Annotated[
        int | None,
        typer.Option(
            envvar="PACCTO_MAX_HEADER_BYTES", help="Largest total of request header fields."
        ),
    ] = None,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            envvar="PACCTO_ACCESS_LOG",
            help="Write one line per request (off by default).",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help=f"Serve this store: {store_choices()}.",
        ),
    ] = None,
) -> None:
    """Serve the explorer, the JSON API, the SPARQL endpoint and linked data over HTTP."""
    import uvicorn

    from paccto.api.web.app import create_app
    from paccto.api.web.server import uvicorn_options
    from paccto.graph.store_registry import open_knowledge_graph

    with user_errors():
        try:
            settings = settings_of(ctx).model_copy(
                update={
                    key: value
                    for key, value in {
                        "host": host, "port": port, "sparql_timeout": sparql_timeout,
                        "sparql_max_rows": sparql_max_rows, "sparql_workers": sparql_workers,
                        "max_request_bytes": max_request_bytes,
                        "max_header_bytes": max_header_bytes, "store": store,
                        "access_log": access_log,
                    }.items()
                    if value is not None
                }
            )  # fmt: skip
            settings = type(settings).model_validate(settings.model_dump())
        except ValueError as error:
            raise PacctoError(f"invalid setting: {error}") from None
        kg = open_knowledge_graph(settings, data or [])
        # The name index reads the store's catalogue and the hub test its degrees: a server that
        # fails them is reported here, as an error, rather than as a traceback from the app's
        # start-up.
        kg.warm_up()
        err.print(
            f"serving {len(kg)} quads at http://{settings.host}:{settings.port}/ "
            f"(SPARQL at /sparql, API documentation at /docs)",
            highlight=False,
        )
        uvicorn.run(create_app(kg, settings), **uvicorn_options(settings))


@app.command()
def load(
    ctx: typer.Context,
    store: Annotated[
        str,
        typer.Option("--store", help=f"The store to write: {store_choices(Capability.WRITE)}."),
    ],
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files to load with the ontology and the seeds."),
    ] = None,
    update_url: Annotated[
        str | None,
        typer.Option(
            "--update-url",
            envvar="PACCTO_STORE_UPDATE_URL",
            help="sparql:URL only: the server's SPARQL Update endpoint, if not URL itself "
            "(credentials: PACCTO_STORE_USER, PACCTO_STORE_PASSWORD, PACCTO_STORE_AUTH).",
        ),
    ] = None,
    break_lock: Annotated[
        bool,
        typer.Option(
            "--break-lock",
            help="sparql:URL only: remove the lock of an earlier load known to be gone (one "
            "killed on another machine) before taking it.",
        ),
    ] = False,
) -> None:
    """Validate the seeds and FILES together and write them to a store, all or nothing.

    An on-disk store keeps its previous version until the new one is complete; on a SPARQL
    server the graphs are staged first and swapped in by one update. Either way a failed or
    interrupted load leaves the store as it was.
    """
    import time

    from rich.progress import Progress

    with user_errors():
        spec = parse_store(store)
        started = time.perf_counter()
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("writing quads", total=None, visible=False)

            def written_so_far(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, visible=True)

            options = WriteOptions(update_url, break_lock, written_so_far)
            written = write_store(spec, settings_of(ctx), files or [], options)
        err.print(
            f"wrote {written} to {spec} in {time.perf_counter() - started:.1f} s",
            highlight=False,
        )


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files to check together with the ontology and the seeds."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=0,
            help="Problems to list before the counts per shape and property.",
        ),
    ] = VALIDATION_PROBLEMS_SHOWN,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every problem, however many, one per line.")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a report for programs: every problem (shape, entity, property, message, "
            "file and line) and the counts.",
        ),
    ] = False,
) -> None:
    """Check the seeds and FILES: exit 0 when valid, 1 with the problems and their counts."""
    with user_errors():
        try:
            kg = load_graph(ctx, files)
        except ValidationError as error:
            if as_json:
                print_json(violations_report(error))
            else:
                print_violations(error, None if show_all else limit)
            raise typer.Exit(1) from None
        except PacctoError as error:
            if as_json:
                print_json(error_report(error))
            raise  # and the message, as for every command
        graphs = len(kg.data_graph_names())
        if as_json:
            print_json(
                {"valid": True, "quads": len(kg), "data_graphs": graphs, "files": len(kg.files)}
            )
            return
        out.print(
            f"[green]valid:[/] {len(kg)} quads in {graphs} data graphs from "
            f"{len(kg.files)} file(s) plus the ontology",
            markup=True,
            highlight=False,
        )


@app.command()
def export(
    ctx: typer.Context,
    export_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="ttl, nt, trig, nq, jsonld (RDF); graphml, gexf (the entity network); csv "
            "(nodes.csv and edges.csv in a zip: needs -o, or --table).",
        ),
    ] = _DEFAULT_EXPORT_FORMAT,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of to stdout.")
    ] = None,
    table: Annotated[
        ExportTable | None,
        typer.Option("--table", help="With --format csv: write only this table (nodes, edges)."),
    ] = None,
) -> None:
    """Write the whole graph; TriG, N-Quads and JSON-LD keep one named graph per passage;
    GraphML, GEXF and CSV hold the entity network (one node per entity, one edge per
    relationship, with its dates and source documents)."""
    from paccto.graph.publish.export import export_graph, export_table

    with user_errors():
        if table is not None and export_format is not ExportFormat("csv"):
            raise PacctoError("--table goes with --format csv")
        if export_format is ExportFormat("csv") and table is None and output is None:
            # a zip archive is not for a terminal; one table is plain text and may go there
            raise PacctoError("--format csv writes a zip archive: give -o FILE, or --table")
        kg = load_graph(ctx)
        if table is not None:
            data = export_table(kg, table.value)
        else:
            data = export_graph(kg, export_format.value)
        if output is None:
            sys.stdout.buffer.write(data)
            return
        try:
            output.write_bytes(data)
        except OSError as error:
            raise PacctoError(f"{output}: cannot write: {error.strerror}") from None
        err.print(f"wrote {len(data)} bytes to {output}", highlight=False)
