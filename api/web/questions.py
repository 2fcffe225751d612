"""HTTP parameters made from a question's one definition (:mod:`paccto.graph.questions.options`).

Each field becomes a query (or path) parameter with its name, description and bounds, so the
OpenAPI document lists exactly the options the command line offers; what a request carries is
read by the question itself, and a :class:`QuestionError` becomes one 422 problem naming every
parameter at fault. The explorer's forms read their query strings through the same question
(:class:`QuestionForm`), empty fields counting as not given, as browsers send them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Path, Query
from starlette.datastructures import QueryParams

from paccto.api.web.models import NameList
from paccto.api.web.problems import invalid_parameters
from paccto.graph.questions.options import OptionKind, OptionSpec, Question, QuestionError

__all__ = ["QuestionForm", "question_dependency", "question_parameters"]

Q = TypeVar("Q", bound=Question)

_EMPTY_DATE = "empty date: use YYYY, YYYY-MM or YYYY-MM-DD (for example 2022-05-31)"

#: The date forms every ``as_of`` accepts; the question reads the date itself.
_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


def _parameter(spec: OptionSpec) -> inspect.Parameter:
    description = spec.help
    if spec.option.in_path:
        annotation: Any = Annotated[str, Path(description=description)]
        default: Any = inspect.Parameter.empty
    elif spec.required:
        annotation = Annotated[
            str, Query(alias=spec.parameter, min_length=1, description=description)
        ]
        default = inspect.Parameter.empty
    else:
        kind = spec.kind
        default = spec.default if kind in (OptionKind.FLAG, OptionKind.NUMBER) else None
        query: Any
        if kind is OptionKind.NUMBER:
            query = Query(
                alias=spec.parameter, ge=spec.option.low, le=spec.option.high,
                description=description,
            )  # fmt: skip
            annotation = Annotated[int if default is not None else int | None, query]
        elif kind is OptionKind.FLAG:
            annotation = Annotated[bool, Query(alias=spec.parameter, description=description)]
        elif kind is OptionKind.TEXTS:
            annotation = Annotated[NameList, Query(alias=spec.parameter, description=description)]
        elif kind is OptionKind.DATE:
            # The pattern is documented, not enforced: the question reads the date and says
            # what is wrong with it in words.
            query = Query(
                alias=spec.parameter, description=description,
                examples=["2021", "2023-11", "2023-11-21"],
                json_schema_extra={"pattern": _DATE_PATTERN},
            )  # fmt: skip
            annotation = Annotated[str | None, query]
        else:
            query = Query(alias=spec.parameter, min_length=1, description=description)
            annotation = Annotated[str | None, query]
    # A path parameter is named as in the route's path; a query parameter by its field (its
    # name may be a Python keyword, as ``class`` is) with the parameter's name as an alias.
    name = spec.parameter if spec.option.in_path else spec.name
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def question_parameters(question: type[Question]) -> list[inspect.Parameter]:
    """The question's options as FastAPI parameters."""
    return [_parameter(spec) for spec in question.specs()]


def _read(question: type[Question], values: dict[str, Any]) -> Question:
    try:
        return question.read(values)
    except QuestionError as error:
        raise invalid_parameters(error) from None


def question_dependency(question: type[Q]) -> Callable[..., Q]:
    """A FastAPI dependency giving the question a request asks (422 naming what is wrong)."""

    in_path = {spec.parameter: spec.name for spec in question.specs() if spec.option.in_path}

    dates = [spec.name for spec in question.specs() if spec.kind is OptionKind.DATE]

    def read(**values: Any) -> Q:
        named = {in_path.get(key, key): value for key, value in values.items()}
        # An API client that sends ``as_of=`` meant a date; a form's empty field means none.
        empty: list[tuple[tuple[str, ...], str]] = [
            ((name,), _EMPTY_DATE) for name in dates if named.get(name) == ""
        ]
        if empty:
            raise invalid_parameters(QuestionError(question, empty))
        return _read(question, named)  # type: ignore[return-value]

    read.__signature__ = inspect.Signature(question_parameters(question))  # type: ignore[attr-defined]
    read.__name__ = f"read_{question.__name__}"
    return read


_TRUE = frozenset({"1", "true", "on", "yes"})


class QuestionForm(Generic[Q]):
    """An explorer form for a question: the fields as typed, to show again next to a mistake,
    and the question they ask once they are well-formed.

    A template reads a field by the question's field name (``form.k``, ``form.relations``):
    text as typed, a list for a repeatable field, a boolean for a flag.
    """

    def __init__(
        self, question: type[Q], values: dict[str, Any], fixed: dict[str, str] | None = None
    ) -> None:
        self.question = question
        self.values = values
        #: Fields that come from the page's address (``/explore/members/{name}``).
        self.fixed = fixed or {}

    @classmethod
    def read(
        cls, question: type[Q], params: QueryParams, fixed: dict[str, str] | None = None
    ) -> QuestionForm[Q]:
        values: dict[str, Any] = {}
        for spec in question.specs():
            found = [value.strip() for value in params.getlist(spec.parameter)]
            if spec.kind is OptionKind.TEXTS:
                values[spec.name] = [value for value in found if value]
            elif spec.kind is OptionKind.FLAG:
                # shown checked when it reads as true; anything else is reported by checked()
                values[spec.name] = bool(found) and found[-1].casefold() in _TRUE
                values[f"_{spec.name}"] = found[-1] if found else ""
            else:
                # a repeated single field counts by its last value, as FastAPI reads it
                values[spec.name] = found[-1] if found else ""
        return cls(question, values, fixed)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        question = self.__dict__.get("question")
        for spec in question.specs() if question is not None else ():
            if spec.name == name:  # a blank form
                return {OptionKind.TEXTS: [], OptionKind.FLAG: False}.get(spec.kind, "")
        raise AttributeError(name)

    def field(self, name: str) -> OptionSpec:
        """One option of the question, for a template to name its field and bounds."""
        return self.question.spec(name)

    def _given(self, spec: OptionSpec) -> bool:
        value = self.values.get(spec.name) or self.values.get(f"_{spec.name}")
        return bool(value) and spec.name not in self.fixed

    @property
    def asked(self) -> bool:
        """Whether the form was sent at all (a bare ``/explore/path`` only shows it)."""
        return any(self._given(spec) for spec in self.question.specs())

    @property
    def has_options(self) -> bool:
        """Whether anything beyond the required fields is set, so the page shows the options
        open."""
        return any(self._given(spec) for spec in self.question.specs() if not spec.required)

    def checked(self) -> Q:
        """The question the form asks; else the 422 problem listing every mistake."""
        values = {
            spec.name: self.values.get(f"_{spec.name}", self.values.get(spec.name))
            for spec in self.question.specs()
        }
        return _read(self.question, {**values, **self.fixed})  # type: ignore[return-value]

    def query_string(self, **replace: str) -> str:
        """The form as a query string of the API's parameter names, empty fields and the
        address's own left out; a value equal to a key of ``replace`` is replaced (to retry
        with a suggested name)."""
        pairs: list[tuple[str, str]] = []
        for spec in self.question.specs():
            if spec.name in self.fixed:
                continue
            value = self.values.get(spec.name)
            if spec.kind is OptionKind.FLAG:
                pairs.extend([(spec.parameter, "true")] if value else [])
            elif spec.kind is OptionKind.TEXTS:
                pairs.extend((spec.parameter, replace.get(item, item)) for item in value or [])
            elif value:
                pairs.append((spec.parameter, replace.get(value, value)))
        return urlencode(pairs)
