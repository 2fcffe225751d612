"""The explorer's search form: what a person typed, kept as typed, with every mistake listed.

A browser sends every field of a form, empty or not, and a page must show a mistake next to the
form still filled in, not answer with a JSON problem. The path and members forms are read by
their questions (:class:`paccto.api.web.questions.QuestionForm`); the search box is no question
of the graph's, so it is read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from paccto.api.web.problems import ProblemError

__all__ = ["SearchForm", "invalid_form"]

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
