"""Every exception PAcCTO Graph raises on purpose, in one place.

Each carries a message written for the person who supplied the input, so that front ends (the
command line, the HTTP API) can show ``str(error)`` as it is and never a traceback.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "VALIDATION_PROBLEMS_SHOWN",
    "AmbiguousEntityError",
    "ExpansionLimitError",
    "InputError",
    "InputLimitError",
    "NoPathError",
    "NotSupportedByStoreError",
    "PacctoError",
    "ProblemCount",
    "QueryError",
    "QueryFailedError",
    "QueryMemoryError",
    "QueryTimeoutError",
    "RDFSyntaxError",
    "RefusedQueryError",
    "ResultFormatError",
    "ResultTooLargeError",
    "ServiceBusyError",
    "SourceNotFoundError",
    "StoreLockedError",
    "StoreRequestFailedError",
    "StoreUnavailableError",
    "StoreVersionGoneError",
    "StoreWriteError",
    "UnknownEntityError",
    "UnknownSourceError",
    "UnsafeInputError",
    "UnsupportedFormatError",
    "UpdateRefusedError",
    "ValidationError",
    "Violation",
]


class PacctoError(Exception):
    """Root of the errors a user can cause; the message is meant to be shown as it is."""


class InputError(PacctoError):
    """A file or text given to the loader cannot be used."""


class SourceNotFoundError(InputError):
    """A named file does not exist or is not a readable file."""

    def __init__(self, path: Path | str, reason: str = "no such file") -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {reason}")


class UnsupportedFormatError(InputError):
    """The file's format cannot be told from its name, or is not one the loader reads."""

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {detail}")


def _file_position(path: str, line: int | None, column: int | None) -> str:
    """``file:line:column`` as compilers write it, with what is known of the position."""
    if line is None:
        return path
    return f"{path}:{line}" if column is None else f"{path}:{line}:{column}"


class RDFSyntaxError(InputError):
    """The file is not well-formed in its format; names the place of the first error."""

    def __init__(
        self, path: Path | str, line: int | None, column: int | None, message: str
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(f"{_file_position(self.path, line, column)}: syntax error: {message}")


class InputLimitError(InputError):
    """The file is well-formed as far as it was read, but goes past what the parser can hold.

    Not a syntax error, so that the user is not sent looking for a typo; the message says which
    limit was reached and how to stay under it.
    """

    def __init__(
        self, path: Path | str, line: int | None, reason: str, column: int | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{_file_position(self.path, line, column)}: {reason}")


class UnsafeInputError(InputError):
    """The file asks the parser to do something it must never do (fetch a URL, expand entities)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: refused: {reason}")


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which entity, which property, what is wrong, and how bad it is."""

    focus: str
    path: str | None
    message: str
    severity: str = "Violation"
    value: str | None = None
    shape: str | None = field(default=None, compare=False)
    #: The files at fault (the user's before the seeds), each with the first line that mentions
    #: the entity, or None where the file's format does not say.
    where: tuple[tuple[str, int | None], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = self.focus if self.path is None else f"{self.focus} {self.path}"
        value = "" if self.value is None else f" (value: {self.value})"
        return f"[{self.severity}] {where}: {self.message}{value}"


#: How many problems a message or a terminal shows before the counts take over: enough to see
#: what kind of mistake was made, few enough that 20,000 of them stay readable.
VALIDATION_PROBLEMS_SHOWN: Final = 20


@dataclass(frozen=True, slots=True)
class ProblemCount:
    """How many problems one shape found on one property, with the message of the first."""

    shape: str
    path: str | None
    count: int
    message: str


def _place(where: tuple[tuple[str, int | None], ...]) -> str:
    if not where:
        return ""
    path, line = where[0]
    return _file_position(path, line, None)


class ValidationError(PacctoError):
    """The data parsed but breaks the shapes or the provenance rules; nothing was loaded.

    ``violations`` holds every problem; the message shows the first
    :data:`VALIDATION_PROBLEMS_SHOWN` and counts the rest by shape and property, because a
    generated file can break one rule twenty thousand times and the message is shown as it is.
    """

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        count = len(violations)
        shown = VALIDATION_PROBLEMS_SHOWN
        lines = [f"{count} validation problem{'s' if count != 1 else ''}; nothing was loaded:"]
        for violation in violations[:shown]:
            place = _place(violation.where)
            lines.append(f"  {place}: {violation}" if place else f"  {violation}")
        if count > shown:
            lines.append(f"  ... and {count - shown} more")
            lines.append("Problems by shape and property:")
            lines.extend(
                f"  {group.count:>7}  {group.shape}  {group.path or '-'}: {group.message}"
                for group in self.counts()
            )
        super().__init__("\n".join(lines))

    def counts(self) -> list[ProblemCount]:
        """The problems grouped by shape (or rule) and property, the most frequent first."""
        tally: Counter[tuple[str, str | None]] = Counter()
        first: dict[tuple[str, str | None], str] = {}
        for violation in self.violations:
            key = (violation.shape or "?", violation.path)
            tally[key] += 1
            first.setdefault(key, violation.message)
        return [
            ProblemCount(shape=shape, path=path, count=count, message=first[shape, path])
            for (shape, path), count in sorted(
                tally.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or "")
            )
        ]


class UnknownEntityError(PacctoError):
    """No entity answers to the name; carries the closest names as suggestions."""

    def __init__(self, name: str, suggestions: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"No entity is called {name!r}.{hint}")


class UnknownSourceError(UnknownEntityError):
    """No registered source document has the identifier; carries the closest identifiers.

    A subclass of :class:`UnknownEntityError` so that a front end that knows only that error
    still answers "not found, did you mean".
    """

    def __init__(self, name: str, suggestions: list[str]) -> None:
        super().__init__(name, suggestions)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        self.args = (f"No source document is called {name!r}.{hint}",)


class AmbiguousEntityError(PacctoError):
    """Several entities answer to the name; carries them so the user can pick one."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.name = name
        self.candidates = candidates
        super().__init__(
            f"{name!r} names {len(candidates)} entities: {', '.join(candidates)}. "
            "Use one of their identifiers."
        )


class NoPathError(PacctoError):
    """The two entities are not connected under the options given; the message says which."""


class QueryError(PacctoError):
    """A SPARQL query is malformed, unsafe or too costly; the message says which."""


class RefusedQueryError(QueryError):
    """The query would reach outside the loaded graph (SERVICE, FROM an unloaded graph)."""


class UpdateRefusedError(RefusedQueryError):
    """The text is a SPARQL update; the graph is read-only."""


class ResultTooLargeError(QueryError):
    """The answer has more rows or triples than the configured cap; nothing is returned."""

    def __init__(self, cap: int, unit: str = "rows") -> None:
        self.cap = cap
        super().__init__(
            f"the query returns more than {cap:,} {unit}, the most this endpoint returns; "
            "add LIMIT (and OFFSET to page) to the query"
        )


class ResultFormatError(QueryError):
    """None of the formats asked for can carry this kind of result."""

    def __init__(self, kind: str, asked: list[str], acceptable: list[str]) -> None:
        self.kind = kind
        self.asked = asked
        self.acceptable = acceptable
        super().__init__(
            f"a {kind} result cannot be written as {', '.join(asked) or 'the format asked for'}; "
            f"it can be: {', '.join(acceptable)}"
        )


class QueryTimeoutError(PacctoError):
    """The query ran past the time limit and its evaluation was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"the query ran longer than the {seconds:g} s time limit and was stopped; "
            "simplify it or add LIMIT"
        )


class QueryMemoryError(PacctoError):
    """The query needed more memory than a query may use in a worker, and was stopped."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        super().__init__(
            f"the query needed more than the {limit_bytes / 2**20:,.0f} MiB of memory a query "
            "may use and was stopped; simplify it, add LIMIT, or avoid sorting a large join"
        )


class ServiceBusyError(PacctoError):
    """No query worker became free within the time limit."""


class StoreUnavailableError(PacctoError):
    """The SPARQL server holding the graph cannot be reached or failed; the message names it."""


class StoreRequestFailedError(StoreUnavailableError):
    """The server took the request and answered it with an error of its own (HTTP 500)."""


class StoreWriteError(PacctoError):
    """Writing the graph to a store failed; the store still holds what it held before."""


class StoreLockedError(StoreWriteError):
    """Another load is writing the store; the message names it (process, host, start time)."""


class StoreVersionGoneError(PacctoError):
    """The store version asked for was removed by a load's clean-up as it was being opened.

    Only a version no process had open can be removed, so the one to open is the current one.
    """


class NotSupportedByStoreError(PacctoError):
    """The question needs the whole graph in this process, which the store does not give."""


class ExpansionLimitError(PacctoError):
    """A search over a remote store would read more of the graph than it is allowed to."""


class QueryFailedError(PacctoError):
    """The query parsed but could not be evaluated (the engine failed or stopped)."""
