"""Errors as RFC 9457 problem details (``application/problem+json``), for every route.

Handlers here turn the errors :mod:`paccto.graph` raises on purpose into a status code and a
problem document whose ``detail`` is the error's own message, so a client sees what is wrong and
where, never a traceback. Each kind of problem has a ``type`` that points into ``/problems``,
where it is explained, so programs can tell an unknown entity (404) from a path that does not
exist (also 404).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from paccto.graph.errors import (
    AmbiguousEntityError,
    ExpansionLimitError,
    NoPathError,
    NotSupportedByStoreError,
    PacctoError,
    QueryError,
    QueryFailedError,
    QueryMemoryError,
    QueryTimeoutError,
    RefusedQueryError,
    ResultFormatError,
    ResultTooLargeError,
    ServiceBusyError,
    StoreUnavailableError,
    UnknownEntityError,
    UpdateRefusedError,
    ValidationError,
)
from paccto.graph.questions.options import QuestionError
from paccto.graph.sparql.results import GRAPH_FORMATS, RESULT_FORMATS

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPES",
    "Problem",
    "ProblemError",
    "add_problem_schema",
    "install_problem_handlers",
    "problem_response",
    "problem_responses",
    "status_of",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("paccto.api")

#: Every kind of problem the service reports: slug -> (title, explanation for /problems).
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "unknown-entity": (
        "Unknown entity",
        "No entity answers to the name given. The problem lists the closest names under "
        "`suggestions`.",
    ),
    "ambiguous-entity": (
        "Ambiguous entity",
        "Several entities answer to the name given. Pick one of the identifiers listed under "
        "`candidates`.",
    ),
    "no-path": (
        "No path",
        "The two entities are not connected under the options given (relations, avoided "
        "entities or classes, date, length).",
    ),
    "store-unavailable": (
        "Store unavailable",
        "The SPARQL server that holds the graph did not answer, or answered with an error; "
        "the detail names it.",
    ),
    "not-supported-by-store": (
        "Not supported by this store",
        "The question needs the whole graph in the service's memory, which the configured "
        "store (sparql:URL) does not give; the detail says what works instead.",
    ),
    "too-broad": (
        "Too broad for a remote store",
        "Answering would read more of a remote graph than the service is allowed to; narrow "
        "the question as the detail suggests.",
    ),
    "invalid-parameters": (
        "Invalid parameters",
        "A parameter is missing, repeated or malformed. `errors` lists each one with where it "
        "is and what is wrong.",
    ),
    "invalid-input": (
        "Invalid input",
        "A value given to the service cannot be used; the detail says which and why.",
    ),
    "malformed-query": (
        "Malformed SPARQL query",
        "The SPARQL query does not parse; the detail carries the parser's message and position.",
    ),
    "refused-query": (
        "Refused SPARQL query",
        "The query asks for something this endpoint never does: an update, a SERVICE call, or "
        "a FROM / FROM NAMED graph that is not loaded (remote graphs are never fetched).",
    ),
    "read-only": (
        "Read-only endpoint",
        "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are refused: the graph is "
        "read-only.",
    ),
    "result-too-large": (
        "Result too large",
        "The query returns more rows or triples than the endpoint's cap. Add LIMIT and OFFSET "
        "to page through the results.",
    ),
    "not-acceptable": (
        "Not acceptable",
        "None of the media types in the Accept header (or the `format` parameter) can carry "
        "this kind of result; `acceptable` lists those that can.",
    ),
    "request-too-large": (
        "Request too large",
        "The request body or query string is larger than the service accepts.",
    ),
    "headers-too-large": (
        "Request header fields too large",
        "The request's header fields add up to more than the service accepts; the request was "
        "not read further.",
    ),
    "malformed-request": (
        "Malformed HTTP request",
        "The request does not follow HTTP/1.1's syntax, so it was not read; the connection is "
        "closed.",
    ),
    "unsupported-media-type": (
        "Unsupported content type",
        "The request body's content type is not one the endpoint reads.",
    ),
    "query-timeout": (
        "Query time limit exceeded",
        "The query ran longer than the endpoint's time limit and was stopped. Simplify it or "
        "add LIMIT.",
    ),
    "query-memory": (
        "Query memory limit exceeded",
        "The query needed more memory than the endpoint lets one query use and was stopped. "
        "Simplify it, add LIMIT, or avoid sorting a large join.",
    ),
    "busy": (
        "Service busy",
        "Every query worker stayed busy for the whole time limit; try again shortly.",
    ),
    "query-failed": (
        "Query evaluation failed",
        "The query parsed but its evaluation failed; the detail says why.",
    ),
    "not-found": ("Not found", "No resource lives at this address."),
    "method-not-allowed": ("Method not allowed", "This address does not answer that method."),
    "internal-error": (
        "Internal error",
        "Something went wrong on the server's side. It has been logged; please report it.",
    ),
}


class Problem(BaseModel):
    """An RFC 9457 problem document, with the extension members this service uses."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Identifies the kind of problem; explained under /problems.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this case, and where.")
    instance: str | None = Field(None, description="The request path that had the problem.")
    suggestions: list[str] | None = Field(
        None, description="For an unknown entity: the closest names."
    )
    candidates: list[str] | None = Field(
        None, description="For an ambiguous name: the entities it could mean."
    )
    errors: list[dict[str, Any]] | None = Field(
        None, description="For invalid parameters: each problem with its location."
    )
    acceptable: list[str] | None = Field(
        None, description="For 406: the media types that can carry the result."
    )


class ProblemError(Exception):
    """Raised by route code that has to answer with a specific problem."""

    def __init__(
        self, status: int, kind: str, detail: str, headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:  # fmt: skip
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers
        self.extra = extra


def problem_response(
    status: int,
    kind: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response; ``kind`` is a key of :data:`PROBLEM_TYPES`."""
    title = PROBLEM_TYPES[kind][0]
    body: dict[str, Any] = {
        "type": f"/problems#{kind}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update({key: value for key, value in extra.items() if value is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


_DESCRIPTIONS = {
    400: "Bad request: malformed query or input; the problem's detail says what and where.",
    403: "Refused: the endpoint is read-only.",
    404: "Unknown entity (with suggestions), no path, or no such resource.",
    405: "Method not allowed.",
    406: "None of the accepted media types can carry the result.",
    409: "The name is ambiguous; the problem lists the candidates.",
    413: "The request is larger than the service accepts.",
    415: "Unsupported request content type.",
    422: "Invalid parameters; the problem lists each with its location.",
    503: "Time limit exceeded or all query workers busy.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these statuses, all as problem+json."""
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def invalid_parameters(error: QuestionError) -> ProblemError:
    """The 422 problem for a question's problems, each at its parameter's location, shaped like
    FastAPI's own validation problems."""
    specs = {spec.name: spec for spec in error.question.specs()}

    def location(name: str) -> str:
        spec = specs[name]
        return f"{'path' if spec.option.in_path else 'query'}.{spec.parameter}"

    # One entry per parameter, as FastAPI lists its own problems; the detail names each
    # problem once with all its parameters.
    found = [
        {"location": location(name), "message": message}
        for fields, message in error.problems
        for name in fields
    ]
    detail = "; ".join(
        f"{', '.join(location(name) for name in fields)}: {message}"
        for fields, message in error.problems
    )
    return ProblemError(422, "invalid-parameters", detail, errors=found)


def status_of(error: PacctoError) -> tuple[int, str, dict[str, Any], dict[str, str] | None]:
    """Status, problem kind, extension members and headers for an error of the library."""
    if isinstance(error, UnknownEntityError):
        return 404, "unknown-entity", {"suggestions": error.suggestions}, None
    if isinstance(error, AmbiguousEntityError):
        return 409, "ambiguous-entity", {"candidates": error.candidates}, None
    if isinstance(error, NoPathError):
        return 404, "no-path", {}, None
    if isinstance(error, UpdateRefusedError):
        return 403, "read-only", {}, None
    if isinstance(error, RefusedQueryError):
        return 400, "refused-query", {}, None
    if isinstance(error, ResultTooLargeError):
        return 400, "result-too-large", {}, None
    if isinstance(error, ResultFormatError):
        acceptable = [fmt.media_type for fmt in RESULT_FORMATS + GRAPH_FORMATS
                      if fmt.name in error.acceptable]  # fmt: skip
        return 406, "not-acceptable", {"acceptable": acceptable}, None
    if isinstance(error, QueryTimeoutError):
        return 503, "query-timeout", {}, {"Retry-After": "5"}
    if isinstance(error, QueryMemoryError):
        return 503, "query-memory", {}, None
    if isinstance(error, ServiceBusyError):
        return 503, "busy", {}, {"Retry-After": "2"}
    if isinstance(error, StoreUnavailableError):
        return 502, "store-unavailable", {}, {"Retry-After": "5"}
    if isinstance(error, NotSupportedByStoreError):
        return 501, "not-supported-by-store", {}, None
    if isinstance(error, ExpansionLimitError):
        return 422, "too-broad", {}, None
    if isinstance(error, QueryFailedError):
        return 400, "query-failed", {}, None
    if isinstance(error, QueryError):
        return 400, "malformed-query", {}, None
    if isinstance(error, ValidationError):
        return 422, "invalid-input", {}, None
    return 400, "invalid-input", {}, None


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document declares at this path.

    Starlette's own 405 names only the first route matching the path, which is wrong where one
    path has a route per method (``/sparql``); the OpenAPI document is what clients read.
    """
    path = request.url.path
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            methods = {method.upper() for method in operations if method != "parameters"}
            # Every GET also answers HEAD (paccto.api.web.head), which the document does not list.
            return sorted(methods | {"HEAD"} if "GET" in methods else methods)
    return []


def add_problem_schema(app: FastAPI) -> None:
    """Declare the ``Problem`` schema the error responses refer to.

    The responses name only ``application/problem+json``; giving FastAPI the model instead would
    also declare an ``application/json`` body that the service never sends.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that make every error a problem document."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(
            error.status, error.kind, error.detail, instance=request.url.path,
            headers=error.headers, **error.extra,
        )  # fmt: skip

    @app.exception_handler(QuestionError)
    async def _question(request: Request, error: QuestionError) -> JSONResponse:
        return await _problem(request, invalid_parameters(error))

    @app.exception_handler(PacctoError)
    async def _paccto(request: Request, error: PacctoError) -> JSONResponse:
        status, kind, extra, headers = status_of(error)
        return problem_response(
            status, kind, str(error), instance=request.url.path, headers=headers, **extra
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": _location(item.get("loc", ())), "message": item.get("msg", "")}
            for item in error.errors()
        ]
        detail = "; ".join(f"{item['location']}: {item['message']}" for item in errors)
        return problem_response(
            422, "invalid-parameters", detail or "invalid parameters",
            instance=request.url.path, errors=errors,
        )  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code)
        if kind is None:
            kind = "invalid-input" if error.status_code < 500 else "internal-error"
        detail = str(error.detail) if error.detail else PROBLEM_TYPES[kind][1]
        if error.status_code == 404 and detail == "Not Found":
            detail = f"nothing lives at {request.url.path}"
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.url.path} answers {', '.join(allowed)}, not {request.method}"
        return problem_response(
            error.status_code, kind, detail, instance=request.url.path, headers=headers or None
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception) -> JSONResponse:
        logger.exception("internal error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "internal-error", PROBLEM_TYPES["internal-error"][1], instance=request.url.path
        )
