"""The explorer's forms: what a person typed, kept as typed, and read into the API's options.

A browser sends every field of a form, empty or not (``k=&as_of=``), and a page must show a
mistake next to the form still filled in, not answer with a JSON problem. So the explorer reads
its query strings here rather than through FastAPI's typed parameters: empty fields count as not
given, the bounds and date rules are those of ``/api/paths`` and ``/api/entities/{name}/members``,
and every mistake is collected so that one 422 page lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from paccto.api.web.problems import ProblemError
from paccto.graph.errors import PacctoError
from paccto.graph.model.dates import parse_as_of
from paccto.graph.questions.paths import MAX_LENGTH, MAX_PATHS

__all__ = ["MembersForm", "PathForm", "SearchForm", "invalid_form"]

_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"", "0", "false", "off", "no"})
#: The longest search text /api/entities accepts.
MAX_QUERY_LENGTH = 200


def invalid_form(errors: Iterable[tuple[str, str]]) -> ProblemError:
    """The 422 problem ``/api/...`` gives for the same mistakes, naming each parameter."""
    found = [{"location": f"query.{name}", "message": message} for name, message in errors]
    detail = "; ".join(f"{item['location']}: {item['message']}" for item in found)
    return ProblemError(422, "invalid-parameters", detail, errors=found)


class _Reader:
    """Reads fields from a query string, noting each mistake instead of stopping at the first."""

    def __init__(self, params: QueryParams) -> None:
        self.params = params
        self.errors: list[tuple[str, str]] = []

    def text(self, name: str) -> str:
        # A repeated single field counts by its last value, as FastAPI reads it for the API.
        values = self.params.getlist(name)
        return values[-1].strip() if values else ""

    def texts(self, name: str) -> list[str]:
        return [value.strip() for value in self.params.getlist(name) if value.strip()]

    def flag(self, name: str) -> bool:
        value = self.text(name).casefold()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.errors.append((name, f"give true or false, not {value!r}"))
        return False

    def number(self, name: str, low: int, high: int) -> int | None:
        value = self.text(name)
        if not value:
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            self.errors.append((name, f"give a whole number from {low} to {high}"))
            return None
        return int(value)

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return parse_as_of(value)
        except PacctoError as error:
            self.errors.append((name, str(error)))
            return None


def _query_string(pairs: Iterable[tuple[str, Any]]) -> str:
    return urlencode([(name, value) for name, value in pairs if value not in ("", None, False)])


@dataclass(frozen=True)
class SearchForm:
    """The search page: words to look for and, optionally, the classes to look in."""

    q: str = ""
    classes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, params: QueryParams) -> SearchForm:
        reader = _Reader(params)
        q = reader.text("q")
        if len(q) > MAX_QUERY_LENGTH:
            reader.errors.append(("q", f"give at most {MAX_QUERY_LENGTH} characters"))
        return cls(q=q, classes=reader.texts("class"), errors=reader.errors)


@dataclass(frozen=True)
class PathForm:
    """The path form, with the parameter names and meanings of ``/api/paths``."""

    source: str = ""
    target: str = ""
    k: str = ""
    all_shortest: bool = False
    relations: list[str] = field(default_factory=list)
    avoid_relations: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    avoid_classes: list[str] = field(default_factory=list)
    avoid_hubs: bool = False
    max_length: str = ""
    as_of: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    _k: int | None = None
    _max_length: int | None = None
    _as_of: date | None = None

    @classmethod
    def read(cls, params: QueryParams) -> PathForm:
        reader = _Reader(params)
        return cls(
            source=reader.text("source"),
            target=reader.text("target"),
            k=reader.text("k"),
            all_shortest=reader.flag("all"),
            relations=reader.texts("relation"),
            avoid_relations=reader.texts("avoid_relation"),
            avoid=reader.texts("avoid"),
            avoid_classes=reader.texts("avoid_class"),
            avoid_hubs=reader.flag("avoid_hubs"),
            max_length=reader.text("max_length"),
            as_of=reader.text("as_of"),
            errors=reader.errors,
            _k=reader.number("k", 1, MAX_PATHS),
            _max_length=reader.number("max_length", 1, MAX_LENGTH),
            _as_of=reader.day("as_of"),
        )

    @property
    def asked(self) -> bool:
        """Whether the form was sent at all (a bare ``/explore/path`` only shows it)."""
        return bool(self.source or self.target or self.errors or self.query_string())

    @property
    def has_options(self) -> bool:
        """Whether anything beyond the two ends is set, so the page shows the options open."""
        return bool(
            self.k or self.all_shortest or self.relations or self.avoid_relations or self.avoid
            or self.avoid_classes or self.avoid_hubs or self.max_length or self.as_of
        )  # fmt: skip

    def checked(self) -> PathForm:
        """This form, once both ends are given and every field is well-formed; else a 422."""
        missing = [
            (name, message)
            for name, value, message in (
                ("source", self.source, "give the entity the path starts from"),
                ("target", self.target, "give the entity the path ends at"),
            )
            if not value
        ]
        errors = missing + self.errors
        if errors:
            raise invalid_form(errors)
        return self

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for :func:`paccto.api.web.paths.get_paths`."""
        return {
            "source": self.source,
            "target": self.target,
            "k": self._k,
            "all_shortest": self.all_shortest,
            "relations": self.relations or None,
            "avoid_relations": self.avoid_relations or None,
            "avoid": self.avoid or None,
            "avoid_classes": self.avoid_classes or None,
            "avoid_hubs": self.avoid_hubs,
            "max_length": self._max_length,
            "as_of": self._as_of,
        }

    def query_string(self, **replace: str) -> str:
        """The form as a query string of ``/api/paths`` names, empty fields left out; a value
        equal to a key of ``replace`` is replaced (to retry with a suggested name)."""

        def swap(value: str) -> str:
            return replace.get(value, value)

        return _query_string(
            [
                ("source", swap(self.source)),
                ("target", swap(self.target)),
                ("k", self.k),
                ("all", "true" if self.all_shortest else ""),
                *(("relation", value) for value in self.relations),
                *(("avoid_relation", value) for value in self.avoid_relations),
                *(("avoid", swap(value)) for value in self.avoid),
                *(("avoid_class", value) for value in self.avoid_classes),
                ("avoid_hubs", "true" if self.avoid_hubs else ""),
                ("max_length", self.max_length),
                ("as_of", self.as_of),
            ]
        )


@dataclass(frozen=True)
class MembersForm:
    """The members page's options, as ``/api/entities/{name}/members`` takes them."""

    transitive: bool = False
    role: str = ""
    as_of: str = ""
    by_phase: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)
    _as_of: date | None = None

    @classmethod
    def read(cls, params: QueryParams) -> MembersForm:
        reader = _Reader(params)
        return cls(
            transitive=reader.flag("transitive"),
            role=reader.text("role"),
            as_of=reader.text("as_of"),
            by_phase=reader.flag("by_phase"),
            errors=reader.errors,
            _as_of=reader.day("as_of"),
        )

    def checked(self) -> MembersForm:
        if self.errors:
            raise invalid_form(self.errors)
        return self

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for :func:`paccto.api.web.entities.get_members` besides the name."""
        return {
            "transitive": self.transitive,
            "role": self.role or None,
            "by_phase": self.by_phase,
            "as_of": self._as_of,
        }

    def query_string(self) -> str:
        return _query_string(
            [
                ("transitive", "true" if self.transitive else ""),
                ("role", self.role),
                ("as_of", self.as_of),
                ("by_phase", "true" if self.by_phase else ""),
            ]
        )
