"""The explorer's SPARQL editor: the project's competency questions as ready examples.

With JavaScript the page posts to ``/sparql`` itself and draws the answer; without it, the form
comes back here by GET and the query runs through the same worker pool as ``/sparql``, under the
same time limit, row cap and refusals (no SERVICE, no update), so the page can never do more than
the endpoint. Download links point at ``/sparql?query=...&format=...``: the endpoint writes the
files, in the formats it offers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from paccto.api.web.dependencies import KG, client_of, get_pool
from paccto.api.web.explorer_pages import Urls, error_view, render
from paccto.graph.errors import PacctoError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.sparql.results import GRAPH_FORMATS, RESULT_FORMATS
from paccto.graph.sparql.stored_queries import StoredQuery, stored_queries

__all__ = ["Download", "SparqlAnswer", "downloads", "router"]

router = APIRouter()

#: Friendlier file names than the formats' own extensions (``.srj``) for a person's download.
_FILE_EXTENSIONS = {
    "json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Download:
    """A link that saves the current query's results in one format."""

    name: str
    label: str
    kind: str  # "solutions" (SELECT, ASK) or "triples" (CONSTRUCT, DESCRIBE)
    url: str
    file_name: str


def downloads(query: str, urls: Urls) -> list[Download]:
    """Links to ``/sparql`` answering ``query`` in every format the endpoint offers."""
    return [
        Download(
            name=fmt.name,
            label=fmt.name.upper() if fmt.carries == "solutions" else fmt.name,
            kind=fmt.carries,
            url=urls.to("sparql", urlencode({"query": query, "format": fmt.name})),
            file_name=f"results.{_FILE_EXTENSIONS.get(fmt.name, fmt.extension)}",
        )
        for fmt in RESULT_FORMATS + GRAPH_FORMATS
    ]


@dataclass(frozen=True, slots=True)
class Cell:
    """One value of a result row; ``url`` for an entity of the graph, opened in the explorer."""

    text: str
    url: str | None = None
    language: str | None = None
    iri: str | None = None


@dataclass(frozen=True)
class SparqlAnswer:
    """What a query returned: a table (SELECT), yes or no (ASK), or Turtle (CONSTRUCT)."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    text: str | None = None


def _cell(kg: KnowledgeGraph, term: dict[str, Any] | None, urls: Urls) -> Cell:
    if not term:
        return Cell("")
    value = str(term.get("value", ""))
    local = kg.ids.local_id(value) if term.get("type") == "uri" else None
    if local and value in kg.catalogue.graph:
        # An entity: shown by its short name, opened in the explorer.
        return Cell(f"id:{local}", urls.entity(local), iri=value)
    return Cell(value, language=term.get("xml:lang"))


def _answer(kg: KnowledgeGraph, request: Request, query: str, urls: Urls) -> SparqlAnswer:
    reply = get_pool(request).evaluate(query, ("json", "turtle"), client=client_of(request))
    if reply.format != "json":
        return SparqlAnswer(kind="triples", text=reply.body.decode("utf-8"))
    data = json.loads(reply.body)
    if "boolean" in data:
        return SparqlAnswer(kind="boolean", boolean=bool(data["boolean"]))
    variables = list(data.get("head", {}).get("vars", []))
    rows = [
        [_cell(kg, binding.get(name), urls) for name in variables]
        for binding in data.get("results", {}).get("bindings", [])
    ]
    return SparqlAnswer(kind="table", variables=variables, rows=rows)


@router.get("/explore/sparql", response_class=HTMLResponse, include_in_schema=False)
def sparql_editor(request: Request, kg: KG) -> HTMLResponse:
    """The SPARQL editor; ``?example=cq01-...`` loads a stored query, ``?query=...`` runs one."""
    urls = Urls.of(request)
    examples = stored_queries(kg)
    example = request.query_params.get("example", "")
    query = request.query_params.get("query")
    chosen: StoredQuery | None = next((q for q in examples if q.name == example), None)
    error = answer = None
    if example and chosen is None and query is None:
        known = ", ".join(q.name for q in examples)
        failure = PacctoError(f"No stored query is called {example!r}. Stored queries: {known}.")
        error = error_view(kg, failure, urls.entity)
    if query is None:
        text = (chosen or (examples[0] if examples else None) or StoredQuery("", "", "", "")).text
    else:
        text = query
        if text.strip():
            try:
                answer = _answer(kg, request, text, urls)
            except PacctoError as problem:
                error = error_view(kg, problem, urls.entity)
    return render(
        request, "sparql.html", status=error.status if error else 200, section="sparql",
        examples=examples, chosen=chosen, text=text, answer=answer, error=error,
        downloads=downloads(text, urls), base=kg.ids.base,
    )  # fmt: skip
