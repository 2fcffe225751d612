"""Command-line options made from a question's one definition (:mod:`paccto.graph.questions.
options`): each field becomes an argument or a flag with its help and bounds, and what the user
typed is read by the question itself, so the command line checks what the API checks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from paccto.api.cli.common import user_errors
from paccto.graph.questions.options import OptionKind, OptionSpec, Question

__all__ = ["question_command", "question_parameters"]

#: What typer reads each kind of option as; dates stay text for the question to read.
_TYPES: dict[OptionKind, Any] = {
    OptionKind.TEXT: str | None,
    OptionKind.TEXTS: list[str] | None,
    OptionKind.FLAG: bool,
    OptionKind.NUMBER: int | None,
    OptionKind.DATE: str | None,
}


def _parameter(spec: OptionSpec) -> inspect.Parameter:
    if spec.required:
        annotation: Any = Annotated[str, typer.Argument(help=spec.help, show_default=False)]
        default: Any = inspect.Parameter.empty
    else:
        info = typer.Option(
            *spec.flags,
            help=spec.help,
            show_default=spec.kind is OptionKind.NUMBER and spec.default is not None,
            # None, typer's own default, sets no bound
            min=spec.option.low,
            max=spec.option.high,
        )
        annotation = Annotated[_TYPES[spec.kind], info]
        default = spec.default if spec.kind in (OptionKind.FLAG, OptionKind.NUMBER) else None
    return inspect.Parameter(
        spec.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def question_parameters(question: type[Question]) -> list[inspect.Parameter]:
    """The question's options as command parameters, positional ones first."""
    return [_parameter(spec) for spec in question.specs()]


def question_command(
    group: typer.Typer,
    question: type[Question],
    run: Callable[..., None],
    *,
    name: str,
    help: str,
) -> None:
    """Register ``run(ctx, question, **rest)`` as the command ``name`` of ``group``.

    The command's parameters are ``ctx``, then the question's options, then ``run``'s own
    keyword-only parameters (``--json``, ``--output``); the question's options are read into
    one ``question`` before ``run`` is called, so ``run`` never sees them one by one.
    """
    own = [
        parameter
        for parameter in inspect.signature(run, eval_str=True).parameters.values()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    options = question_parameters(question)
    names = {spec.name for spec in question.specs()}

    def command(ctx: typer.Context, **values: Any) -> None:
        rest = {key: value for key, value in values.items() if key not in names}
        with user_errors():
            read = question.read({key: values[key] for key in names})
        run(ctx, read, **rest)

    context = inspect.Parameter(
        "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
    )
    command.__signature__ = inspect.Signature([context, *options, *own])  # type: ignore[attr-defined]
    command.__doc__ = help
    command.__name__ = name
    group.command(name=name)(command)
