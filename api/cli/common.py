"""What every command shares: the consoles, the handling of errors and invalid data, loading
the graph from the settings, JSON output, and the options several commands declare alike."""

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
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from paccto.graph.errors import VALIDATION_PROBLEMS_SHOWN, PacctoError, ValidationError, Violation
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.export import CSV_TABLES, EXPORT_FORMATS
from paccto.graph.questions.options import Question, QuestionError
from paccto.graph.settings import Settings
from paccto.graph.store_registry import STORE_KINDS, Capability

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


#: The formats ``paccto export`` offers: every entry of the export table, none by hand.
ExportFormat = StrEnum("ExportFormat", {name: name for name in EXPORT_FORMATS})  # type: ignore[misc]


ExportTable = StrEnum("ExportTable", {name: name for name in CSV_TABLES})  # type: ignore[misc]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into a message and exit status 1, never a traceback."""
    try:
        yield
    except ValidationError as error:
        print_violations(error)
        raise typer.Exit(1) from None
    except QuestionError as error:
        said = "; ".join(
            f"{_option_names(error.question, fields)}: {message}"
            for fields, message in error.problems
        )
        err.print(f"[bold red]error:[/] {escape(said)}", markup=True, highlight=False)
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


def _option_names(question: type[Question], fields: tuple[str, ...]) -> str:
    """Options as the command line spells them: ``SOURCE``, ``-k and --all``."""
    specs = {spec.name: spec for spec in question.specs()}
    return " and ".join(
        spec.name.upper() if spec.required else spec.flags[0]
        for spec in (specs[name] for name in fields)
    )


def print_violations(error: ValidationError, limit: int | None = VALIDATION_PROBLEMS_SHOWN) -> None:
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


def violations_report(error: ValidationError) -> dict[str, object]:
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


def error_report(error: PacctoError) -> dict[str, object]:
    """An input error for programs: the message, and the file and position where it has them."""
    report: dict[str, object] = {"valid": False, "error": str(error)}
    for key in ("path", "line", "column"):
        value = getattr(error, key, None)
        if value is not None:
            report["file" if key == "path" else key] = value
    return report


def settings_of(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def load_graph(ctx: typer.Context, extra: list[Path] | None = None) -> KnowledgeGraph:
    """The graph the settings name: the files in memory, or an on-disk store opened."""
    from paccto.graph.store_registry import open_knowledge_graph

    return open_knowledge_graph(settings_of(ctx), extra or [])


def print_json(value: object) -> None:
    """Dataclasses and lists of them as JSON for programs."""
    sys.stdout.write(json.dumps(plain(value), ensure_ascii=False, indent=2, default=str) + "\n")


def plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: plain(item) for key, item in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def sources_text(documents: list[dict[str, object]]) -> str:
    return ", ".join(
        f"{d.get('document')}[{d.get('start')}:{d.get('end')}]"
        for d in documents
        if d.get("document")
    )


def period_text(start: object, end: object) -> str:
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


def store_choices(capability: Capability | None = None) -> str:
    """The kinds of store (that can do ``capability``), each with what it is, for help texts."""
    kinds = [kind for kind in STORE_KINDS.values() if capability is None or kind.can(capability)]
    return "; ".join(f"{kind.address}: {kind.summary}" for kind in kinds)
