"""One definition of each question's options, which every front end reads.

A question (a path, the members of an organisation, a neighbourhood, a view) is a frozen
dataclass whose fields are its options. Each field carries an :class:`Option`: its help text,
its command-line flags, its HTTP parameter name, its bounds, and whether it names relations or
classes that must exist in the graph. The command line and the HTTP API build their parameters
from these fields (``api/cli/questions.py``, ``api/web/questions.py``), and every front end hands
what it read to :meth:`Question.read`, which applies the same bounds and rules everywhere; so an
option cannot exist in one front end and not in another, nor be checked differently.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Self

from paccto.graph.errors import PacctoError
from paccto.graph.model.dates import parse_as_of
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import matching_classes, matching_relations

__all__ = [
    "Conflict",
    "Names",
    "Option",
    "OptionKind",
    "OptionSpec",
    "Question",
    "QuestionError",
    "as_of_option",
    "classes_option",
    "option",
    "relations_option",
]


class OptionKind(enum.StrEnum):
    """What an option holds, which decides how each front end reads it."""

    TEXT = "text"
    TEXTS = "texts"
    FLAG = "flag"
    NUMBER = "number"
    DATE = "date"


class Names(enum.StrEnum):
    """What the names an option holds must designate in the graph."""

    RELATIONS = "relations"
    CLASSES = "classes"


@dataclass(frozen=True)
class Option:
    """How one option is asked for and checked."""

    help: str
    #: Command-line spellings, the first shown first; default ``--field-name``.
    flags: tuple[str, ...] = ()
    #: Name of the HTTP parameter; default the field's name.
    parameter: str | None = None
    #: A command-line argument rather than a flag; required.
    positional: bool = False
    #: Over HTTP, a part of the path (``/view/entity/{name}``) rather than a query parameter.
    in_path: bool = False
    low: int | None = None
    high: int | None = None
    names: Names | None = None


def option(help: str, default: Any = None, **how: Any) -> Any:
    """A question field with its :class:`Option` (``default`` as the field's default)."""
    metadata = {"option": Option(help, **how)}
    if isinstance(default, list | set | dict):
        raise TypeError("a question's defaults are immutable: use a tuple")
    if how.get("positional"):
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def as_of_option() -> Any:
    """The "as of" date, which many questions take, explained the same everywhere."""
    return option(
        "Only what holds on this date: YYYY, YYYY-MM or YYYY-MM-DD (a year or a month means "
        "its last day)."
    )


def relations_option(help: str, *, parameter: str = "relation", **how: Any) -> Any:
    """Relation names (repeatable), each checked to name some relationship of the graph."""
    return option(help, (), parameter=parameter, names=Names.RELATIONS, **_flag(parameter, how))


def classes_option(help: str, *, parameter: str = "class", **how: Any) -> Any:
    """Class names (repeatable), each checked to be the class of some entity of the graph."""
    return option(help, (), parameter=parameter, names=Names.CLASSES, **_flag(parameter, how))


def _flag(parameter: str, how: dict[str, Any]) -> dict[str, Any]:
    """The command-line flag spelled as the HTTP parameter (``--avoid-class``), unless given."""
    return {"flags": ("--" + parameter.replace("_", "-"),), **how}


@dataclass(frozen=True)
class OptionSpec:
    """One field of a question, as front ends see it."""

    name: str
    kind: OptionKind
    option: Option
    default: Any

    @property
    def required(self) -> bool:
        return self.option.positional

    @property
    def parameter(self) -> str:
        return self.option.parameter or self.name

    @property
    def flags(self) -> tuple[str, ...]:
        return self.option.flags or ("--" + self.name.replace("_", "-"),)

    @property
    def help(self) -> str:
        repeat = " Repeatable." if self.kind is OptionKind.TEXTS else ""
        return self.option.help + repeat


#: Options that may not be given together, and what to say when they are.
Conflict = tuple[tuple[str, ...], str]


class QuestionError(PacctoError):
    """Options that are malformed, out of bounds or name nothing, or that do not go together.

    Each problem names the fields it is about, so that every front end can point at them in
    its own words (``--k`` and ``--all`` on the command line, ``query.k`` over HTTP)."""

    def __init__(self, question: type[Question], problems: list[tuple[tuple[str, ...], str]]):
        self.question = question
        self.problems = problems
        super().__init__(
            "; ".join(f"{', '.join(fields)}: {message}" for fields, message in problems)
        )


@dataclass(frozen=True, kw_only=True)
class Question:
    """The options of one question; subclasses declare them with :func:`option`."""

    #: Pairs of options that do not go together (both given: the message is the problem).
    conflicts: ClassVar[tuple[Conflict, ...]] = ()
    #: Fields inherited from another question that this one does not offer.
    left_out: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def specs(cls) -> list[OptionSpec]:
        """Every option, positional ones first, in the order they are declared."""
        return list(_specs_of(cls))

    @classmethod
    def _read_specs(cls) -> tuple[OptionSpec, ...]:
        hints = typing.get_type_hints(cls)
        found = [
            OptionSpec(
                name=field.name,
                kind=_kind(hints[field.name]),
                option=field.metadata["option"],
                default=None if field.default is dataclasses.MISSING else field.default,
            )
            for field in dataclasses.fields(cls)
            if "option" in field.metadata and field.name not in cls.left_out
        ]
        return tuple(sorted(found, key=lambda spec: not spec.required))

    @classmethod
    def spec(cls, name: str) -> OptionSpec:
        return next(spec for spec in cls.specs() if spec.name == name)

    @classmethod
    def read(cls, values: Mapping[str, Any]) -> Self:
        """The question from what a front end read, by field name: text as typed (dates as
        ``YYYY[-MM[-DD]]``, numbers as digits) or already typed; absent or empty values are
        not given.

        Raises
        ------
        QuestionError
            Every problem found, each naming its fields: a required option missing, a number
            out of bounds, a malformed date, options that do not go together.
        """
        problems: list[tuple[tuple[str, ...], str]] = []
        arguments: dict[str, Any] = {}
        for spec in cls.specs():
            value = values.get(spec.name)
            try:
                read = _read(spec, value)
            except ValueError as error:
                problems.append(((spec.name,), str(error)))
                continue
            if read is None and spec.required:
                what = re.split(r"[:.]", spec.option.help, maxsplit=1)[0]
                problems.append(((spec.name,), f"required: {what[:1].lower()}{what[1:]}"))
            elif read is not None:
                arguments[spec.name] = read
        for fields, message in cls.conflicts:
            if all(arguments.get(name) for name in fields) and not set(fields) & cls.left_out:
                problems.append((fields, message))
        if problems:
            raise QuestionError(cls, problems)
        return cls(**arguments)

    def check_names(self, kg: KnowledgeGraph) -> Self:
        """This question, once every relation and class name it holds designates something in
        ``kg``: a misspelt name would filter nothing and look like an answer.

        Raises
        ------
        QuestionError
            Names that designate nothing; the message lists those there are.
        """
        problems: list[tuple[tuple[str, ...], str]] = []
        for spec in self.specs():
            names = getattr(self, spec.name)
            if not names or spec.option.names is None:
                continue
            check = matching_relations if spec.option.names is Names.RELATIONS else matching_classes
            try:
                check(kg.catalogue, names)
            except PacctoError as error:
                problems.append(((spec.name,), str(error)))
        problems.extend(self.more_problems(kg))
        if problems:
            raise QuestionError(type(self), problems)
        return self

    def more_problems(self, kg: KnowledgeGraph) -> Iterable[tuple[tuple[str, ...], str]]:
        """Problems a subclass finds in its options against ``kg`` beyond unknown names."""
        return ()


#: Each question class's options, read once: every request and form asks for them, and
#: reading a class's type hints costs a fifth of a millisecond each time.
_SPECS: dict[type[Question], tuple[OptionSpec, ...]] = {}


def _specs_of(question: type[Question]) -> tuple[OptionSpec, ...]:
    found = _SPECS.get(question)
    if found is None:
        found = _SPECS[question] = question._read_specs()
    return found


def _kind(hint: Any) -> OptionKind:
    """The kind of option a field's type declares."""
    parts = set(typing.get_args(hint)) - {types.NoneType} if _is_union(hint) else {hint}
    (inner,) = parts
    if inner is bool:
        return OptionKind.FLAG
    if inner is int:
        return OptionKind.NUMBER
    if inner is date:
        return OptionKind.DATE
    if inner is str:
        return OptionKind.TEXT
    if typing.get_origin(inner) is tuple:
        return OptionKind.TEXTS
    raise TypeError(f"no option kind for {hint!r}")


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _read(spec: OptionSpec, value: Any) -> Any:
    """One option's value, typed and within its bounds; None when not given.

    Raises ValueError with a message for a person."""
    if value is None or value == "" or value == () or value == []:
        return None
    kind = spec.kind
    if kind is OptionKind.FLAG:
        if isinstance(value, bool):
            return value or None
        text = str(value).strip().casefold()
        if text in ("1", "true", "on", "yes"):
            return True
        if text in ("0", "false", "off", "no"):
            return None
        raise ValueError(f"give true or false, not {value!r}")
    if kind is OptionKind.NUMBER:
        low, high = spec.option.low, spec.option.high
        text = str(value).strip()
        number = value if isinstance(value, int) else int(text) if text.isdigit() else None
        if (
            number is None
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            raise ValueError(f"give a whole number from {low} to {high}")
        return number
    if kind is OptionKind.DATE:
        if isinstance(value, date):
            return value
        try:
            return parse_as_of(str(value).strip())
        except PacctoError as error:
            raise ValueError(str(error)) from None
    if kind is OptionKind.TEXTS:
        items = [value] if isinstance(value, str) else list(value)
        return tuple(text for item in items if (text := str(item).strip())) or None
    return str(value).strip() or None
