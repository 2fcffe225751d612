"""``/sparql``: the SPARQL 1.1 Protocol, read-only, over the worker pool.

The protocol's own rules decide the answers, not FastAPI's: the request is read by hand so that
a missing, repeated or malformed query is a 400 carrying the parser's message (never a 422), a
body in the wrong content type is a 400, an update is a 403, an ``Accept`` nothing can satisfy is
a 406 and a query past the time limit is a 503. The OpenAPI document describes the same
parameters and answers by hand (``openapi_extra``).

The handler is a coroutine that takes nothing from FastAPI's dependency injection: the
graph and the pool are read from the app's state, and the worker pool is awaited on the event
loop (:meth:`~paccto.graph.sparql.query_pool.QueryWorkerPool.evaluate_async`). Each plain
``def`` dependency or call through ``run_in_threadpool`` is a hop to a thread and back, and
three of them cost more than answering a small query. Only work that does block goes to a
thread: building the service description, and services that have no coroutine to await.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from paccto.api.web.dependencies import KG, client_of, get_kg, get_pool
from paccto.api.web.negotiation import acceptable_types
from paccto.api.web.problems import ProblemError, problem_responses
from paccto.graph.sparql.query_worker import QueryReply
from paccto.graph.sparql.results import GRAPH_FORMATS, RESULT_FORMATS, format_by_name

__all__ = ["router"]

router = APIRouter(tags=["sparql"])

_ALL_FORMATS = RESULT_FORMATS + GRAPH_FORMATS
#: Media types clients send that mean one of ours.
_MEDIA_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
}
_FORM = "application/x-www-form-urlencoded"
_QUERY_BODY = "application/sparql-query"
_UPDATE_BODY = "application/sparql-update"
_DESCRIPTION_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}

#: What ``format=`` accepts: each format's name, aliases and media type.
_FORMAT_NAMES = list(
    dict.fromkeys(n for fmt in _ALL_FORMATS for n in (fmt.name, *fmt.aliases, fmt.media_type))
)

_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Prefixes id:, "
        "paccto:, org:, skos:, rdfs:, ... are predeclared. Without it, the answer is the "
        "service description.",
        "schema": {"type": "string"},
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "description": "A loaded graph to use as (part of) the default graph; repeatable.",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "description": "A loaded graph to make available to GRAPH; repeatable.",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Result format, overriding the Accept header: a name, an alias or a "
        "media type. Repeatable; the first known one counts and empty values are ignored, as "
        "clients such as SPARQLWrapper send several. Only unknown values: 406; a blank value or "
        "one with control characters: 400.",
        "schema": {"type": "string", "enum": ["", *_FORMAT_NAMES]},
    },
]


def _answer_content() -> dict[str, Any]:
    content: dict[str, Any] = {fmt.media_type: {"schema": {"type": "string"}} for fmt in
                               _ALL_FORMATS}  # fmt: skip
    content["application/sparql-results+json"] = {"schema": {"type": "object"}}
    content["application/ld+json"] = {"schema": {}}
    content["text/html"] = {"schema": {"type": "string"}}
    return content


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results or CONSTRUCT/DESCRIBE triples in the negotiated "
        "format; without a query, the SPARQL service description.",
        "content": _answer_content(),
    },
    **problem_responses(400, 403, 406, 413, 503),
}


def _asked_formats(parameters: dict[str, list[str]]) -> list[str]:
    """The ``format`` and ``output`` values that name a format.

    SPARQLWrapper sends each of ``format``, ``output`` and ``results``, sometimes with a second,
    empty value: an empty value means "no preference". Anything else that is blank or holds a
    control character (``format=%0A``) is a malformed request, not a silent fall back to
    ``Accept``.
    """
    asked = []
    for name in ("format", "output"):
        for value in parameters.get(name, []):
            if value == "":
                continue
            if not value.strip() or not value.isprintable():
                raise ProblemError(
                    400, "invalid-parameters", f"the {name!r} parameter {value!r} is malformed",
                    errors=[{"location": f"query.{name}",
                             "message": "blank, or holds control characters"}],
                )  # fmt: skip
            asked.append(value)
    return asked


def _preferred_formats(request: Request, asked: list[str]) -> tuple[str, ...]:
    """Format names in the client's order of preference; ``format`` (or ``output``) values win
    over ``Accept``. Clients such as SPARQLWrapper send several: the known ones are kept in
    order."""
    names: list[str] = []
    if asked:
        for value in asked:
            chosen = format_by_name(value)
            if chosen is not None and chosen.name not in names:
                names.append(chosen.name)
        if not names:
            known = ", ".join(fmt.name for fmt in _ALL_FORMATS)
            raise ProblemError(
                406, "not-acceptable", f"unknown format {asked[0]!r}; use one of: {known}",
                acceptable=[fmt.media_type for fmt in _ALL_FORMATS],
            )  # fmt: skip
        return tuple(names)
    accept = request.headers.get("accept")
    accepted = (
        _accepted_formats(accept)
        if accept is None or len(accept) <= _CACHED_ACCEPT_LENGTH
        else _accepted_formats.__wrapped__(accept)
    )
    if not accepted:
        raise ProblemError(
            406, "not-acceptable",
            f"none of the media types in Accept ({accept}) can carry SPARQL results",
            acceptable=[fmt.media_type for fmt in _ALL_FORMATS],
        )  # fmt: skip
    return accepted


#: Accept headers up to this length keep their outcome (clients send a handful of them).
_CACHED_ACCEPT_LENGTH = 1024


@lru_cache(maxsize=256)
def _accepted_formats(accept: str | None) -> tuple[str, ...]:
    """The format names an ``Accept`` header asks for, in its order (empty: none fits);
    remembered per header, since negotiating cost more than a small query's evaluation."""
    offered = [fmt.media_type for fmt in _ALL_FORMATS] + list(_MEDIA_ALIASES)
    names: list[str] = []
    for media_type in acceptable_types(accept, offered):
        name = _MEDIA_ALIASES.get(media_type) or format_by_name(media_type).name  # type: ignore[union-attr]
        if name not in names:
            names.append(name)
    return tuple(names)


def _single(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    if len(found) > 1:
        raise ProblemError(400, "invalid-parameters", f"the {name!r} parameter is repeated")
    return found[0] if found else None


def _url_query(request: Request) -> str:
    """``request.url.query``, without building the URL when it would be the raw query string
    as it is: Starlette's URL drops a fragment and tabs and line ends, and nothing else."""
    raw: bytes = request.scope.get("query_string", b"")
    if any(character in raw for character in (b"#", b"\t", b"\r", b"\n")):
        return request.url.query
    return raw.decode()


async def _read_request(request: Request) -> tuple[str | None, dict[str, list[str]]]:
    """The query text and every parameter, from the URL and (for POST) the body."""
    parameters = parse_qs(_url_query(request), keep_blank_values=True)
    if request.method != "POST":
        return _single(parameters, "query"), parameters
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == _FORM:
        body = (await request.body()).decode("utf-8", errors="replace")
        for name, values in parse_qs(body, keep_blank_values=True).items():
            parameters.setdefault(name, []).extend(values)
        return _single(parameters, "query"), parameters
    if content_type == _QUERY_BODY:
        if "query" in parameters:
            raise ProblemError(
                400, "invalid-parameters",
                "a query sent as application/sparql-query must not also be in the URL",
            )  # fmt: skip
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProblemError(
                400, "malformed-query", f"the query is not UTF-8 (byte {error.start})"
            ) from None
        return text, parameters
    if content_type == _UPDATE_BODY:
        raise ProblemError(403, "read-only", "SPARQL updates are not allowed: the graph is "
                           "read-only")  # fmt: skip
    raise ProblemError(
        400, "unsupported-media-type",
        f"a POST to /sparql must be {_FORM} or {_QUERY_BODY}, not {content_type or 'untyped'}",
    )  # fmt: skip


def _service_description(request: Request, kg: KG) -> Response:
    from paccto.graph.sparql.service_description import service_description

    offered = ["text/turtle", "application/ld+json", "application/rdf+xml",
               "application/n-triples", "text/html"]  # fmt: skip
    accepted = acceptable_types(request.headers.get("accept"), offered)
    if not accepted:
        raise ProblemError(
            406, "not-acceptable", "the service description is available as "
            + ", ".join(offered), acceptable=offered,
        )  # fmt: skip
    if accepted[0] == "text/html":
        return HTMLResponse(_FORM_PAGE, headers={"Vary": "Accept"})
    endpoint = str(request.url_for("sparql"))
    graph = service_description(kg, endpoint)
    body = graph.serialize(format=_DESCRIPTION_TYPES[accepted[0]], encoding="utf-8")
    return Response(body, media_type=accepted[0], headers={"Vary": "Accept"})


_REQUEST_BODY: dict[str, Any] = {
    "required": False,
    "content": {
        _FORM: {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        _QUERY_BODY: {"schema": {"type": "string"}},
    },
}


async def sparql(request: Request) -> Response:
    """Answer a query by GET, by POST of a form, or by POST of the query itself.

    Results are negotiated: SELECT and ASK as SPARQL JSON, XML, CSV or TSV; CONSTRUCT and
    DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML. SERVICE, updates and FROM naming graphs
    that are not loaded are refused before evaluation; a query is stopped at the time limit and
    an answer over the row cap is refused, never truncated.
    """
    kg, pool = get_kg(request), get_pool(request)
    text, parameters = await _read_request(request)
    if "update" in parameters:
        raise ProblemError(403, "read-only", "SPARQL updates are not allowed: the graph is "
                           "read-only")  # fmt: skip
    formats = _preferred_formats(request, _asked_formats(parameters))
    if text is None:
        if request.method == "POST":
            raise ProblemError(400, "invalid-parameters", "the request has no 'query' parameter")
        # Building and serialising the description is rdflib work: keep it off the event loop.
        return await run_in_threadpool(_service_description, request, kg)
    if not text.strip():
        raise ProblemError(400, "malformed-query", "the query is empty")
    default_graphs = parameters.get("default-graph-uri")
    named_graphs = parameters.get("named-graph-uri")
    # The worker pool is awaited here; a service without a coroutine (a remote store's) is
    # called in a thread.
    evaluate_async = getattr(pool, "evaluate_async", None)
    if evaluate_async is not None:
        reply: QueryReply = await evaluate_async(
            text, formats, default_graphs=default_graphs, named_graphs=named_graphs,
            client=client_of(request),
        )  # fmt: skip
    else:
        reply = await run_in_threadpool(
            pool.evaluate, text, formats, default_graphs=default_graphs,
            named_graphs=named_graphs, client=client_of(request),
        )  # fmt: skip
    media_type = reply.media_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return Response(
        reply.body,
        media_type=media_type,
        headers={"Vary": "Accept", "X-Result-Count": str(reply.count)},
    )


router.add_api_route(
    "/sparql", sparql, methods=["GET"], operation_id="sparql_query_get", name="sparql",
    summary="SPARQL 1.1 query by GET (read-only)", response_class=Response, responses=_RESPONSES,
    openapi_extra={"parameters": _PARAMETERS},
)  # fmt: skip
router.add_api_route(
    "/sparql", sparql, methods=["POST"], operation_id="sparql_query_post",
    summary="SPARQL 1.1 query by POST of a form or of the query (read-only)",
    response_class=Response, responses=_RESPONSES,
    openapi_extra={"parameters": _PARAMETERS, "requestBody": _REQUEST_BODY},
)  # fmt: skip

_FORM_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PAcCTO Graph SPARQL endpoint</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
textarea{width:100%;font-family:monospace}</style></head>
<body><h1>SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 over the PAcCTO Graph. Send queries here by GET or POST from any SPARQL
client; prefixes <code>id:</code>, <code>paccto:</code>, <code>org:</code>, <code>skos:</code> and
<code>rdfs:</code> are predeclared. Ask for <code>text/turtle</code> to get the service
description.</p>
<form method="get" action="">
<textarea name="query" rows="12">SELECT ?network ?label WHERE {
  ?network a paccto:Network ; rdfs:label ?label .
  FILTER(lang(?label) = "en")
} ORDER BY ?label</textarea>
<p><label>Format <select name="format"><option>json</option><option>xml</option>
<option>csv</option><option>tsv</option><option>turtle</option><option>ntriples</option>
<option>jsonld</option><option>rdfxml</option></select></label>
<button type="submit">Run</button></p></form>
<p><a href="/">Home</a> · <a href="/docs">API documentation</a></p></body></html>
"""
