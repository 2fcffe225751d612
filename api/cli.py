"""The ``paccto`` command line: a thin front end over :mod:`paccto.graph`.

Each command parses its options, calls one graph/ function and shapes the answer for a terminal
(aligned tables) or for a program (``--json``, CSV). Errors a user can cause are printed as one
clear message with exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import dataclasses
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
from rich.markup import escape
from rich.table import Table

from paccto.graph.errors import VALIDATION_PROBLEMS_SHOWN, PacctoError, ValidationError, Violation
from paccto.graph.model.knowledge_graph import KnowledgeGraph
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
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


class ExportTable(StrEnum):
    nodes = "nodes"
    edges = "edges"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into a message and exit status 1, never a traceback."""
    try:
        yield
    except ValidationError as error:
        _print_violations(error)
        raise typer.Exit(1) from None
    except PacctoError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    except typer.Exit:
        raise
    except Exception as error:
        if os.environ.get("PACCTO_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))}\n"
            "Run again with PACCTO_DEBUG=1 to see the traceback, and please report it.",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(3) from None


def _print_violations(
    error: ValidationError, limit: int | None = VALIDATION_PROBLEMS_SHOWN
) -> None:
    """The first `limit` problems as a table, or every one as a line for None; then the counts.

    Every command that loads data ends here when the data is invalid. A generated file can break
    one rule twenty thousand times: the counts say how big the problem is, a few rows show what
    it looks like, and ``paccto validate --all`` or ``--json`` give the rest.
    """
    total = len(error.violations)
    title = f"{total:,} validation problem(s); nothing was loaded"
    if limit is None:
        # One line each: rich takes half a minute over a table of 40,000 rows, and a line per
        # problem can be searched with grep.
        err.print(title, highlight=False)
        sys.stderr.write("".join(f"{_line(violation)}\n" for violation in error.violations))
        sys.stderr.flush()
        if total > VALIDATION_PROBLEMS_SHOWN:
            _print_counts(error)
        return
    shown = error.violations[:limit]
    if not shown:
        err.print(title, highlight=False)
    else:
        if len(shown) < total:
            title += f"; the first {len(shown):,}"
        rows = [
            {
                "entity": violation.focus,
                "property": violation.path or "",
                "message": violation.message,
                "value": violation.value or "",
                "where": _where(violation),
            }
            for violation in shown
        ]
        # A column empty in every row (no values, no known places) only narrows the others.
        columns = [name for name in rows[0] if any(row[name] for row in rows)]
        table = Table(title=title)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(escape(row[column]) for column in columns))
        err.print(table)
    if len(shown) < total:
        _print_counts(error)
        err.print(
            f"{total - len(shown):,} more not shown: run `paccto validate` with the same files "
            "and --all to list every problem, or --json for a report programs can read.",
            highlight=False,
        )


def _print_counts(error: ValidationError) -> None:
    counts = Table(title="Problems by shape and property")
    for column in ("shape", "property", "problems", "message"):
        counts.add_column(
            column, overflow="fold", justify="right" if column == "problems" else "left"
        )
    for group in error.counts():
        counts.add_row(
            escape(group.shape), escape(group.path or ""), f"{group.count:,}", escape(group.message)
        )
    err.print(counts)


def _line(violation: Violation) -> str:
    """``file:line: [Violation] entity property: message``, as compilers write a problem."""
    where = _where(violation)
    return f"{where}: {violation}" if where else str(violation)


def _where(violation: Violation) -> str:
    """The first file and line that mention the entity (the user's files come first)."""
    if not violation.where:
        return ""
    path, line = violation.where[0]
    others = len(violation.where) - 1
    place = path if line is None else f"{path}:{line}"
    return place + (f" (+{others} file{'s' if others > 1 else ''})" if others else "")


def _violations_report(error: ValidationError) -> dict[str, object]:
    """Every problem and the counts, for programs: what ``paccto validate --json`` prints."""
    return {
        "valid": False,
        "problems": len(error.violations),
        "counts": [
            {"shape": group.shape, "property": group.path, "problems": group.count,
             "message": group.message}
            for group in error.counts()
        ],
        "violations": [
            {
                "shape": violation.shape, "focus": violation.focus, "property": violation.path,
                "message": violation.message, "value": violation.value,
                "severity": violation.severity,
                "where": [{"file": path, "line": line} for path, line in violation.where],
            }
            for violation in error.violations
        ],
    }  # fmt: skip


def _error_report(error: PacctoError) -> dict[str, object]:
    """An input error for programs: the message, and the file and position where it has them."""
    report: dict[str, object] = {"valid": False, "error": str(error)}
    for key in ("path", "line", "column"):
        value = getattr(error, key, None)
        if value is not None:
            report["file" if key == "path" else key] = value
    return report


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _load(ctx: typer.Context, extra: list[Path] | None = None) -> KnowledgeGraph:
    """The graph the settings name: the files in memory, or an on-disk store opened."""
    from paccto.graph.load.loading import open_knowledge_graph

    return open_knowledge_graph(_settings(ctx), extra or [])


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
            help="Where the graph lives: memory (default), oxigraph:PATH or sparql:URL.",
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
                store=store,
            )
        except ValueError as error:
            raise PacctoError(f"invalid setting: {error}") from None


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
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Serve this store: oxigraph:PATH opens it from disk, sparql:URL reads a server.",
        ),
    ] = None,
) -> None:
    """Serve the explorer, the JSON API, the SPARQL endpoint and linked data over HTTP."""
    import uvicorn

    from paccto.api.app import create_app
    from paccto.api.server import uvicorn_options
    from paccto.graph.load.loading import open_knowledge_graph

    with _user_errors():
        try:
            settings = _settings(ctx).model_copy(
                update={
                    key: value
                    for key, value in {
                        "host": host, "port": port, "sparql_timeout": sparql_timeout,
                        "sparql_max_rows": sparql_max_rows, "sparql_workers": sparql_workers,
                        "max_request_bytes": max_request_bytes,
                        "max_header_bytes": max_header_bytes, "store": store,
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
        typer.Option(
            "--store",
            help="The store to write: oxigraph:PATH (a folder) or sparql:URL (a server).",
        ),
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

    from paccto.graph.load.loading import load_knowledge_graph
    from paccto.graph.stores.registry import parse_store

    with _user_errors():
        spec = parse_store(store)
        if spec.kind == "memory":
            raise PacctoError(
                "paccto load writes a store that outlives it: oxigraph:PATH or sparql:URL; "
                "the memory store is loaded from the files by every command"
            )
        started = time.perf_counter()
        settings = _settings(ctx).model_copy(update={"store": "memory"})
        if spec.kind == "oxigraph":
            from paccto.graph.stores.oxigraph_store import store_writer, write_oxigraph_store

            if break_lock:
                raise PacctoError(
                    "--break-lock is for sparql:URL stores; the lock of an oxigraph: store is "
                    "released by the system when its load ends, however it ends"
                )
            # Held from before the parse, so that a second load is refused at once.
            with store_writer(spec.path):
                kg = load_knowledge_graph(settings, files or [])
                manifest = write_oxigraph_store(kg, spec.path)
            written = f"{manifest.quads} quads in {manifest.graphs} graphs"
        else:
            written = _load_sparql_store(
                spec.location or "", settings, files or [], update_url, break_lock=break_lock
            )
        err.print(
            f"wrote {written} to {spec} in {time.perf_counter() - started:.1f} s",
            highlight=False,
        )


def _load_sparql_store(
    url: str, settings: Settings, files: list[Path], update_url: str | None, *, break_lock: bool
) -> str:
    """Check the server answers before the (long) parse and validation, then write."""
    from rich.progress import Progress

    from paccto.graph.load.loading import load_knowledge_graph
    from paccto.graph.stores.sparql_client import SparqlClient
    from paccto.graph.stores.sparql_loader import write_sparql_store

    if update_url is not None:
        settings = Settings.model_validate(
            {**settings.model_dump(), "store_update_url": update_url}
        )
    client = SparqlClient.from_settings(url, settings)
    client.ask("ASK {}")
    kg = load_knowledge_graph(settings, files)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("staging quads on the server", total=None)

        def staged(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = write_sparql_store(kg, client, progress=staged, break_lock=break_lock)
    return (
        f"{report.quads} quads in {report.graphs} graphs (replacing {report.replaced_quads} quads)"
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
    with _user_errors():
        try:
            kg = _load(ctx, files)
        except ValidationError as error:
            if as_json:
                _print_json(_violations_report(error))
            else:
                _print_violations(error, None if show_all else limit)
            raise typer.Exit(1) from None
        except PacctoError as error:
            if as_json:
                _print_json(_error_report(error))
            raise  # and the message, as for every command
        graphs = len(kg.data_graph_names())
        if as_json:
            _print_json(
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
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs.")] = False,
) -> None:
    """Entities per class, relationships per property and facts per source document."""
    from paccto.graph.questions.statistics import graph_statistics

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
    from paccto.graph.sparql.query import run_query

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
        ExportFormat,
        typer.Option(
            "--format",
            help="ttl, nt, trig, nq, jsonld (RDF); graphml, gexf (the entity network); csv "
            "(nodes.csv and edges.csv in a zip: needs -o, or --table).",
        ),
    ] = ExportFormat.trig,
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

    with _user_errors():
        if table is not None and export_format is not ExportFormat.csv:
            raise PacctoError("--table goes with --format csv")
        if export_format is ExportFormat.csv and table is None and output is None:
            # a zip archive is not for a terminal; one table is plain text and may go there
            raise PacctoError("--format csv writes a zip archive: give -o FILE, or --table")
        kg = _load(ctx)
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


def _print_json(value: object) -> None:
    """Dataclasses and lists of them as JSON for programs."""
    sys.stdout.write(json.dumps(_plain(value), ensure_ascii=False, indent=2, default=str) + "\n")


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: _plain(item) for key, item in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _sources(documents: list[dict[str, object]]) -> str:
    return ", ".join(
        f"{d.get('document')}[{d.get('start')}:{d.get('end')}]"
        for d in documents
        if d.get("document")
    )


def _dates(start: object, end: object) -> str:
    if start is None and end is None:
        return ""
    if start == end:
        return str(start)
    return f"{start or '?'} to {end or '?'}"


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Keep only what holds on this date (YYYY, YYYY-MM or YYYY-MM-DD)."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for programs.")]
ClassFilter = Annotated[
    list[str] | None, typer.Option("--class", help="Only this class (repeatable).")
]
# The options of a path search, shared by `paccto path` and `paccto render path`.
PathCount = Annotated[
    int | None, typer.Option("-k", min=1, max=50, help="Up to K alternative simple paths.")
]
AllShortest = Annotated[bool, typer.Option("--all", help="Every path of the shortest length.")]
AvoidRelations = Annotated[
    list[str] | None, typer.Option("--avoid-relation", help="Never use this relation.")
]
AvoidEntities = Annotated[
    list[str] | None, typer.Option("--avoid", help="Entity to route around (repeatable).")
]
AvoidClasses = Annotated[
    list[str] | None, typer.Option("--avoid-class", help="Class to route around.")
]
AvoidHubs = Annotated[
    bool,
    typer.Option("--avoid-hubs", help="Route around hubs (the programme, its phases, the EU)."),
]
MaxLength = Annotated[
    int | None, typer.Option("--max-length", min=1, max=12, help="At most this many steps.")
]


@app.command()
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="An id, IRI, label or acronym, in any language.")],
    as_json: AsJson = False,
) -> None:
    """Everything the graph says about one entity, with the source of each fact."""
    from paccto.graph.questions.description import describe_entity

    with _user_errors():
        entity = describe_entity(_load(ctx), name)
        if as_json:
            _print_json(entity)
            return
        out.print(f"[bold]{entity.label}[/] ({entity.class_label}) id:{entity.id}", highlight=False)
        out.print(entity.iri, highlight=False)
        other = [f"{text} @{lang}" for lang, text in entity.labels.items() if text != entity.label]
        if other or entity.aliases:
            out.print("also: " + "; ".join(other + entity.aliases), highlight=False)
        if entity.description:
            out.print(entity.description, highlight=False)
        for key, value in entity.attributes.items():
            out.print(f"{key.replace('_', ' ')}: {value}", highlight=False)
        if entity.indicators:
            table = Table(title="Figures")
            for column in ("measure", "value", "as of", "sources"):
                table.add_column(column)
            for item in entity.indicators:
                table.add_row(
                    str(item["measure"]), str(item["value"]), str(item.get("date") or ""),
                    _sources(item["sources"]),
                )  # fmt: skip
            out.print(table)
        table = Table(title=f"{len(entity.facts)} relationships")
        for column in ("relation", "", "entity", "class", "dates", "sources"):
            table.add_column(column, overflow="fold")
        for fact in entity.facts:
            arrow = "→" if fact.direction == "out" else "←"
            table.add_row(
                fact.relation, arrow, f"{fact.other_label} ({fact.other})", fact.other_class,
                _dates(fact.start, fact.end), _sources(fact.documents),
            )  # fmt: skip
        out.print(table)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to look for in names, aliases and acronyms.")],
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many matches to show.")] = 20,
    classes: ClassFilter = None,
    as_json: AsJson = False,
) -> None:
    """Entities whose names match TEXT, best first, with their class."""
    with _user_errors():
        from paccto.graph.questions.neighbourhood import matching_classes

        kg = _load(ctx)
        wanted = set(matching_classes(kg.catalogue, classes)) if classes else None
        hits = kg.index.search(text, limit=limit, classes=wanted)
        if as_json:
            _print_json(hits)
            return
        table = Table(caption=f"{len(hits)} match(es)")
        for column in ("id", "label", "class", "matched", "score"):
            table.add_column(column, overflow="fold")
        for hit in hits:
            table.add_row(hit.id, hit.label, hit.class_label, hit.matched, str(hit.score))
        out.print(table)


@app.command()
def path(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Where the path starts (any entity name).")],
    target: Annotated[str, typer.Argument(help="Where it ends.")],
    k: PathCount = None,
    all_shortest: AllShortest = False,
    relations: Annotated[
        list[str] | None,
        typer.Option("--relations", help="Use only this relation (repeatable; key or label)."),
    ] = None,
    avoid_relations: AvoidRelations = None,
    avoid: AvoidEntities = None,
    avoid_classes: AvoidClasses = None,
    avoid_hubs: AvoidHubs = False,
    max_length: MaxLength = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """How SOURCE is connected to TARGET, step by step, with the documents behind each step."""
    from paccto.graph.model.dates import parse_as_of
    from paccto.graph.questions.paths import PathOptions, all_shortest_paths, k_shortest_paths

    with _user_errors():
        if k is not None and all_shortest:
            raise PacctoError("use either -k or --all, not both")
        kg = _load(ctx)
        options = PathOptions.checked(
            kg.catalogue, relations=relations or (), avoid_relations=avoid_relations or (),
            avoid=avoid or (), avoid_classes=avoid_classes or (), avoid_hubs=avoid_hubs,
            as_of=parse_as_of(as_of), max_length=max_length,
        )  # fmt: skip
        if k is not None:
            paths = k_shortest_paths(kg, source, target, k, options)
        else:
            paths = all_shortest_paths(kg, source, target, options, limit=50 if all_shortest else 1)
        if as_json:
            _print_json([{**_plain(p), "length": p.length} for p in paths])  # type: ignore[dict-item]
            return
        for number, found in enumerate(paths, 1):
            note = f"; through hub(s) {', '.join(found.hubs)}" if found.hubs else ""
            table = Table(
                title=f"Path {number}: {found.length} step(s){note}", title_justify="left"
            )
            for column in ("from", "relation", "to", "dates", "sources"):
                table.add_column(column, overflow="fold")
            for step in found.steps:
                for link_number, link in enumerate(step.links):
                    forward = link.direction == "forward"
                    relation = f"{link.relation} →" if forward else f"← {link.relation}"
                    table.add_row(
                        step.source_label if link_number == 0 else "", relation,
                        step.target_label if link_number == 0 else "",
                        _dates(link.start, link.end), _sources(link.documents),
                    )  # fmt: skip
            out.print(table)
        if any(found.hubs for found in paths) and not avoid_hubs:
            err.print("hint: --avoid-hubs finds paths that do not go through hubs", highlight=False)


def _print_memberships(records: list, title: str, as_json: bool) -> None:  # type: ignore[type-arg]
    if as_json:
        _print_json(records)
        return
    table = Table(title=title, caption=f"{len(records)} row(s)")
    for column in ("member", "of", "kind", "role", "dates", "via", "sources"):
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(
            f"{record.member_label} ({record.member})",
            f"{record.organisation_label} ({record.organisation})",
            record.kind, record.role or "", _dates(record.start, record.end),
            " > ".join(record.via), _sources(record.documents),
        )  # fmt: skip
    out.print(table)


@app.command()
def members(
    ctx: typer.Context,
    organisation: Annotated[str, typer.Argument(help="A network, body, bloc, programme or phase.")],
    transitive: Annotated[
        bool, typer.Option("--transitive", help="Include members of its sub-organisations.")
    ] = False,
    role: Annotated[str | None, typer.Option("--role", help="Only members in this role.")] = None,
    by_phase: Annotated[
        bool, typer.Option("--by-phase", help="For a programme: the members of each phase.")
    ] = False,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Who belongs to ORGANISATION, in which role and since when."""
    from paccto.graph.model.dates import parse_as_of
    from paccto.graph.questions.membership import members_by_phase, members_of

    with _user_errors():
        kg = _load(ctx)
        when = parse_as_of(as_of)
        if by_phase:
            phases = members_by_phase(kg, organisation, as_of=when)
            if as_json:
                _print_json(phases)
                return
            for phase, records in phases.items():
                _print_memberships(records, f"Members of {phase}", False)
            return
        records = members_of(kg, organisation, transitive=transitive, as_of=when, role=role)
        _print_memberships(records, f"Members of {organisation}", as_json)


@app.command()
def memberships(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="A country, institution or person.")],
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """What MEMBER belongs to, is part of, or took part in."""
    from paccto.graph.model.dates import parse_as_of
    from paccto.graph.questions.membership import memberships_of

    with _user_errors():
        records = memberships_of(_load(ctx), member, as_of=parse_as_of(as_of))
        _print_memberships(records, f"Memberships of {member}", as_json)


@app.command()
def common(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="One entity.")],
    second: Annotated[str, typer.Argument(help="The other.")],
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """What FIRST and SECOND both belong to or took part in."""
    from paccto.graph.model.dates import parse_as_of
    from paccto.graph.questions.membership import common_memberships

    with _user_errors():
        shared = common_memberships(_load(ctx), first, second, as_of=parse_as_of(as_of))
        if as_json:
            _print_json(shared)
            return
        table = Table(caption=f"{len(shared)} in common")
        for column in ("organisation", f"{first} as", f"{second} as", "dates"):
            table.add_column(column, overflow="fold")
        for item in shared:
            table.add_row(
                f"{item.organisation_label} ({item.organisation})",
                item.first.role or item.first.kind, item.second.role or item.second.kind,
                _dates(item.first.start, item.first.end),
            )  # fmt: skip
        out.print(table)


@app.command()
def neighbours(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The entity at the centre.")],
    depth: Annotated[int, typer.Option(min=1, max=3, help="How many steps out (1 to 3).")] = 1,
    classes: ClassFilter = None,
    relations: Annotated[
        list[str] | None, typer.Option("--relation", help="Follow only this relation.")
    ] = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """The ego network: entities within DEPTH steps of NAME, and the links among them."""
    from paccto.graph.model.dates import parse_as_of
    from paccto.graph.questions.neighbourhood import neighbourhood_of

    with _user_errors():
        kg = _load(ctx)
        found = neighbourhood_of(
            kg, name, depth=depth, classes=classes or None,
            relations=relations or None, as_of=parse_as_of(as_of),
        )  # fmt: skip
        if as_json:
            _print_json(found)
            return
        table = Table(
            title=f"Within {depth} step(s) of {name}",
            caption=f"{len(found.nodes)} entities, {len(found.edges)} links",
        )
        for column in ("distance", "id", "label", "class"):
            table.add_column(column, overflow="fold")
        for node in found.nodes:
            table.add_row(str(node.distance), node.id, node.label, node.class_label)
        out.print(table)


class RankBy(StrEnum):
    degree = "degree"
    betweenness = "betweenness"
    brokerage = "brokerage"


@app.command()
def rank(
    ctx: typer.Context,
    by: Annotated[
        RankBy,
        typer.Option(
            help="degree, betweenness, or brokerage (betweenness between the EU and LAC sides)."
        ),
    ] = RankBy.degree,
    top: Annotated[int, typer.Option(min=1, max=1000, help="How many to list.")] = 20,
    classes: ClassFilter = None,
    as_json: AsJson = False,
) -> None:
    """Who is most connected, who lies on most paths, who brokers between the two regions."""
    from paccto.graph.questions.analytics import brokers, rank_entities

    with _user_errors():
        kg = _load(ctx)
        if by is RankBy.brokerage:
            if classes:
                raise PacctoError("--class does not apply to --by brokerage")
            ranking = brokers(kg.projection, top=top)
        else:
            ranking = rank_entities(kg.projection, by=by.value, top=top, classes=classes or None)
        if as_json:
            _print_json(ranking)
            return
        table = Table(title=f"Ranked by {by.value}")
        for column in ("rank", "id", "label", "class", "side", by.value):
            table.add_column(column, overflow="fold")
        for item in ranking:
            table.add_row(
                str(item.rank), item.id, item.label, item.class_label, item.side or "",
                f"{item.score:g}",
            )  # fmt: skip
        out.print(table)


@app.command()
def communities(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the Louvain method, for stable answers.")] = 42,
    as_json: AsJson = False,
) -> None:
    """Groups of entities more linked among themselves than with the rest (Louvain)."""
    from paccto.graph.questions.analytics import communities as find_communities

    with _user_errors():
        found = find_communities(_load(ctx).projection, seed=seed)
        if as_json:
            _print_json(found)
            return
        table = Table(caption=f"{len(found)} communities")
        for column in ("community", "size", "members"):
            table.add_column(column, overflow="fold")
        for community in found:
            names = ", ".join(member.label for member in community.members[:12])
            more = f" … and {community.size - 12} more" if community.size > 12 else ""
            table.add_row(community.name, str(community.size), names + more)
        out.print(table)


@app.command()
def bridges(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Links between the European and the Latin American and Caribbean side, and the entities
    with neighbours on both sides."""
    from paccto.graph.questions.analytics import bridging_entities, bridging_links

    with _user_errors():
        kg = _load(ctx)
        links = bridging_links(kg.projection)
        between = bridging_entities(kg.projection)
        if as_json:
            _print_json({"links": links, "entities": between})
            return
        table = Table(title="Direct links between the two sides")
        for column in ("EU side", "relation", "LAC side", "sources"):
            table.add_column(column, overflow="fold")
        for link in links:
            eu_first = link.source_side == "EU"
            relation = f"{link.relation} →" if eu_first else f"← {link.relation}"
            table.add_row(
                link.source_label if eu_first else link.target_label, relation,
                link.target_label if eu_first else link.source_label, ", ".join(link.documents),
            )  # fmt: skip
        out.print(table)
        table = Table(title="Entities with neighbours on both sides")
        for column in ("id", "label", "class", "side", "EU neighbours", "LAC neighbours"):
            table.add_column(column, overflow="fold")
        for item in between:
            table.add_row(
                item.id, item.label, item.class_label, item.side or "",
                str(item.eu_neighbours), str(item.lac_neighbours),
            )  # fmt: skip
        out.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()


# Registered last: the render commands reuse this module's loading and error handling.
from paccto.api.cli_render import render_app  # noqa: E402

app.add_typer(render_app, name="render")
