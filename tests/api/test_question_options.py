"""Every front end offers a question's options from its one definition, and none by hand.

The command line's arguments and flags and the OpenAPI document's parameters are compared with
the question's fields (names, where they go, help, bounds), for the three questions and every
view kind. Then a question is given a new option in the test alone, and it appears on the
command line, in the OpenAPI document and in the explorer's form reading, and reaches the
question, with nothing else written for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
import typer
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams
from typer.testing import CliRunner

from paccto.api.cli import app as cli_app
from paccto.api.cli.questions import question_command
from paccto.api.web.app import create_app
from paccto.api.web.questions import QuestionForm, question_dependency
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.membership import MembersQuestion
from paccto.graph.questions.neighbourhood import NeighbourhoodQuestion
from paccto.graph.questions.options import OptionKind, Question, option
from paccto.graph.questions.paths import PathQuestion
from paccto.graph.render.views import VIEW_KINDS

#: (question, command path, OpenAPI path) of every front end made from a question.
ASKED: list[tuple[type[Question], tuple[str, ...], str]] = [
    (PathQuestion, ("path",), "/api/paths"),
    (MembersQuestion, ("members",), "/api/entities/{name}/members"),
    (NeighbourhoodQuestion, ("neighbours",), "/api/entities/{name}/neighbours"),
    *(
        (
            kind.question,
            ("render", kind.name),
            f"/view/{kind.name}"
            + "".join(f"/{{{s.parameter}}}" for s in kind.question.specs() if s.option.in_path),
        )
        for kind in VIEW_KINDS.values()
    ),
]
#: Options a command has besides its question's: output and format choices.
NOT_QUESTIONS = {"as_json", "output", "help"}


def _command(path: tuple[str, ...]) -> Any:
    command: Any = typer.main.get_command(cli_app)
    for name in path:
        command = command.commands[name]
    return command


@pytest.fixture(scope="module")
def openapi(kg: KnowledgeGraph) -> dict[str, Any]:
    return create_app(kg).openapi()


@pytest.mark.parametrize(("question", "command", "route"), ASKED, ids=lambda v: str(v))
def test_the_command_line_offers_exactly_the_questions_options(
    question: type[Question], command: tuple[str, ...], route: str
) -> None:
    params = {p.name: p for p in _command(command).params if p.name not in NOT_QUESTIONS}
    assert set(params) == {spec.name for spec in question.specs()}
    for spec in question.specs():
        param = params[spec.name]
        if spec.required:
            assert param.param_type_name == "argument" and param.required, spec.name
            continue
        assert param.param_type_name == "option", spec.name
        assert tuple(param.opts) == spec.flags, spec.name
        assert param.help == spec.help, spec.name
        assert param.multiple == (spec.kind is OptionKind.TEXTS), spec.name
        assert param.is_flag == (spec.kind is OptionKind.FLAG), spec.name
        if spec.kind is OptionKind.NUMBER:
            assert (param.min, param.max) == (spec.option.low, spec.option.high), spec.name


@pytest.mark.parametrize(("question", "command", "route"), ASKED, ids=lambda v: str(v))
def test_the_openapi_document_offers_exactly_the_questions_options(
    openapi: dict[str, Any], question: type[Question], command: tuple[str, ...], route: str
) -> None:
    parameters = {p["name"]: p for p in openapi["paths"][route]["get"]["parameters"]}
    assert set(parameters) == {spec.parameter for spec in question.specs()}
    for spec in question.specs():
        parameter = parameters[spec.parameter]
        assert parameter["in"] == ("path" if spec.option.in_path else "query"), spec.name
        assert parameter.get("required", False) == spec.required, spec.name
        assert parameter["description"] == spec.help, spec.name
        if spec.kind is OptionKind.NUMBER:
            schema = parameter["schema"]
            schema = next((s for s in schema.get("anyOf", [schema]) if "maximum" in s), schema)
            assert (schema["minimum"], schema["maximum"]) == (spec.option.low, spec.option.high)
        if spec.kind is OptionKind.TEXTS:
            assert any(s.get("type") == "array" for s in parameter["schema"].get("anyOf", [])), (
                spec.name
            )


# --- a new option, written once --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _PathQuestionWithVenue(PathQuestion):
    """A path question grown by one option, here and nowhere else."""

    venue: str | None = option("Only paths through events held at this venue.")
    hops: int = option("A bounded number.", 2, low=1, high=4)


_AskedWithVenue = Annotated[Any, Depends(question_dependency(_PathQuestionWithVenue))]


def test_a_new_option_reaches_every_front_end_without_being_written_there() -> None:
    seen: list[Question] = []

    cli = typer.Typer()
    question_command(
        cli, _PathQuestionWithVenue, lambda ctx, q: seen.append(q), name="path", help="Paths."
    )
    help_text = CliRunner().invoke(cli, ["--help"], env={"COLUMNS": "200"}).output
    assert "--venue" in help_text and "through events held at this venue" in help_text
    result = CliRunner().invoke(cli, ["Spain", "CLASI", "--venue", "Brussels", "--hops", "3"])
    assert result.exit_code == 0, result.output
    refused = CliRunner().invoke(cli, ["Spain", "CLASI", "--hops", "9"])
    assert refused.exit_code != 0

    web = FastAPI()

    @web.get("/paths")
    def paths(question: _AskedWithVenue) -> str:
        seen.append(question)
        return "ok"

    parameters = {p["name"]: p for p in web.openapi()["paths"]["/paths"]["get"]["parameters"]}
    assert parameters["venue"]["description"] == "Only paths through events held at this venue."
    assert parameters["hops"]["schema"]["maximum"] == 4

    client = TestClient(web)
    ok = client.get("/paths", params={"source": "Spain", "target": "CLASI", "venue": "Brussels"})
    assert ok.status_code == 200
    assert client.get("/paths", params={"source": "S", "target": "T", "hops": 9}).status_code == 422

    form = QuestionForm.read(
        _PathQuestionWithVenue,
        QueryParams("source=Spain&target=CLASI&venue=Brussels&hops=3"),
    )
    seen.append(form.checked())
    assert "venue=Brussels" in form.query_string()

    assert [q.venue for q in seen] == ["Brussels"] * 3  # type: ignore[attr-defined]
    assert [q.hops for q in seen] == [3, 2, 3]  # type: ignore[attr-defined]


def test_options_that_do_not_go_together_are_refused_alike_everywhere(
    kg: KnowledgeGraph,
) -> None:
    cli = CliRunner().invoke(cli_app, ["members", "el-paccto", "--by-phase", "--transitive"])
    assert cli.exit_code == 1
    assert "--by-phase and --transitive" in cli.output
    client = TestClient(create_app(kg))
    for route, said in (
        ("/api/entities/el-paccto/members", "query.by_phase, query.role"),
        ("/explore/members/el-paccto", "by_phase, role: by_phase lists"),
    ):
        answer = client.get(route, params={"by_phase": "true", "role": "member state"})
        assert answer.status_code == 422, route
        assert said in answer.text, route


@pytest.mark.parametrize(
    ("route", "form_class", "question"),
    [("/", "path-form", PathQuestion), ("/explore/members/eu", "members-form", MembersQuestion)],
)
def test_the_explorer_forms_send_the_questions_parameters(
    kg: KnowledgeGraph, route: str, form_class: str, question: type[Question]
) -> None:
    """Every field of the explorer's form is one of the question's parameters, and every
    parameter not in the page's address has a field."""
    page = TestClient(create_app(kg)).get(route)
    form = page.text.split(f'class="{form_class}"', 1)[1].split("</form>", 1)[0]
    names = set(re.findall(r'\bname="([^"]+)"', form))
    expected = {spec.parameter for spec in question.specs() if not spec.option.in_path}
    assert names == expected
