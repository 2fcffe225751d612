"""Linked data: the graph's IRIs dereference here, and the whole graph downloads from here.

``/id/{id}``, ``/source/{id}`` and ``/passage/{doc}/{span}`` answer the identifiers minted under
the base IRI with a readable page for browsers and RDF for programs, chosen by the ``Accept``
header (or a ``format`` parameter, for links and for clients that cannot set headers). Every
answer says so with ``Vary: Accept`` and points to its other representations with ``Link``
headers, so caches keep them apart and crawlers find them. ``/export`` writes the whole graph in
any format of :data:`paccto.graph.publish.export.EXPORT_FORMATS`.

The routes only negotiate and render; what a resource's description holds is decided by
:mod:`paccto.graph.publish.linked_data`, and what an export holds by
:mod:`paccto.graph.publish.export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from paccto.api.web.dependencies import KG
from paccto.api.web.negotiation import acceptable_types
from paccto.api.web.problems import ProblemError, problem_responses
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.export import (
    CSV_TABLES,
    EXPORT_FORMATS,
    TABLE_FORMAT,
    export_file_name,
    export_graph,
    export_table,
)
from paccto.graph.publish.linked_data import Link, describe_resource, resource_page

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["OFFERED", "ExportName", "ResourceFormat", "Table", "router"]

router = APIRouter(tags=["linked data"])


class ResourceFormat(StrEnum):
    """The ``format`` parameter of a resource: overrides the ``Accept`` header."""

    html = "html"
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"
    rdfxml = "rdfxml"


#: The ``format`` parameter of ``/export``: every entry of the export table, none by hand.
ExportName = StrEnum("ExportName", {name: name for name in EXPORT_FORMATS})  # type: ignore[misc]
#: What ``/export`` sends unless asked otherwise: TriG keeps one named graph per passage.
_DEFAULT_EXPORT = ExportName("trig")


#: The tables of the CSV export, each also served alone.
Table = StrEnum("Table", {name: name for name in CSV_TABLES})  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class _Representation:
    name: ResourceFormat
    media_type: str
    serializer: str | None
    title: str


_REPRESENTATIONS = (
    _Representation(ResourceFormat.html, "text/html", None, "HTML"),
    _Representation(ResourceFormat.ttl, "text/turtle", "turtle", "Turtle"),
    _Representation(ResourceFormat.nt, "application/n-triples", "nt", "N-Triples"),
    _Representation(ResourceFormat.jsonld, "application/ld+json", "json-ld", "JSON-LD"),
    _Representation(ResourceFormat.rdfxml, "application/rdf+xml", "xml", "RDF/XML"),
)
_BY_NAME = {r.name: r for r in _REPRESENTATIONS}
_BY_MEDIA_TYPE = {r.media_type: r for r in _REPRESENTATIONS}

#: The media types a resource is offered in; the first is the default for ``*/*``.
OFFERED: list[str] = [r.media_type for r in _REPRESENTATIONS]

_RESOURCE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The resource: a page for people, or its description in RDF.",
        "content": {
            media_type: {"schema": {} if media_type.endswith("json") else {"type": "string"}}
            for media_type in OFFERED
        },
    },
    **problem_responses(404, 406, 422),
}
_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The whole graph as a file to save (Content-Disposition: attachment).",
        "content": {
            media_type: {
                "schema": {}
                if media_type.endswith("json")
                else {"type": "string", "format": "binary"}
            }
            for media_type in dict.fromkeys(f.media_type for f in EXPORT_FORMATS.values())
        },
    },
    **problem_responses(422),
}

FormatParameter = Annotated[
    ResourceFormat | None,
    Query(
        alias="format",
        description="html, ttl, nt, jsonld or rdfxml; when given, the Accept header is ignored.",
    ),
]


@router.get(
    "/id/{id}",
    response_class=Response,
    responses=_RESOURCE_RESPONSES,
    summary="Dereference an entity IRI",
)
def entity_resource(
    id: Annotated[str, Path(description="The entity's identifier: `clasi` for `{base}id/clasi`.")],
    request: Request,
    kg: KG,
    format: FormatParameter = None,
) -> Response:
    """The entity (or membership, quotation, period...) behind ``{base}id/{id}``: a page for
    browsers, or its triples with those of its memberships, quotations and figures and those
    pointing at it, as Turtle, N-Triples, JSON-LD or RDF/XML."""
    return _dereference(request, kg, str(kg.ids.entity(id)), f"id/{id}", format)


@router.get(
    "/source/{id}",
    response_class=Response,
    responses=_RESOURCE_RESPONSES,
    summary="Dereference a source document IRI",
)
def source_resource(
    id: Annotated[str, Path(description="The document's identifier: `doc-000`.")],
    request: Request,
    kg: KG,
    format: FormatParameter = None,
) -> Response:
    """The source document behind ``{base}source/{id}``: its record and its passages."""
    return _dereference(request, kg, str(kg.ids.source(id)), f"source/{id}", format)


@router.get(
    "/passage/{doc}/{span}",
    response_class=Response,
    responses=_RESOURCE_RESPONSES,
    summary="Dereference a passage IRI",
)
def passage_resource(
    doc: Annotated[str, Path(description="The document's identifier: `doc-004`.")],
    span: Annotated[
        str,
        Path(
            pattern=r"^[0-9]{1,12}-[0-9]{1,12}$",
            description="Start and end character of the passage: `11-199` for [11, 199).",
        ),
    ],
    request: Request,
    kg: KG,
    format: FormatParameter = None,
) -> Response:
    """The passage behind ``{base}passage/{doc}/{span}``: where it is, and the facts it states
    (the triples of the named graph it names)."""
    start, end = (int(number) for number in span.split("-"))
    iri = str(kg.ids.passage(doc, start, end))
    return _dereference(request, kg, iri, f"passage/{doc}/{span}", format)


@router.get(
    "/export",
    response_class=Response,
    responses=_EXPORT_RESPONSES,
    summary="Download the whole graph",
)
def export(
    kg: KG,
    format: Annotated[
        ExportName,
        Query(
            description="ttl, nt, trig, nq, jsonld (RDF; trig, nq and jsonld keep one named "
            "graph per passage), graphml, gexf (the entity network) or csv (nodes.csv and "
            "edges.csv in a zip)."
        ),
    ] = _DEFAULT_EXPORT,
) -> Response:
    """The whole graph as a file, in the same formats as ``paccto export``."""
    data, media_type = export_graph(kg, format.value), EXPORT_FORMATS[format].media_type
    return _attachment(data, media_type, export_file_name(format.value))


@router.get(
    "/export/{table}.csv",
    response_class=Response,
    responses={
        200: {
            "description": "One table of the entity network, as CSV with a header row.",
            "content": {TABLE_FORMAT.media_type: {"schema": {"type": "string"}}},
        },
        **problem_responses(422),
    },
    summary="Download the node or the edge table",
)
def export_one_table(
    kg: KG,
    table: Annotated[Table, Path(description="nodes or edges.")],
) -> Response:
    """One table of the ``csv`` export, for spreadsheets and tools that read a single CSV."""
    data = export_table(kg, table.value)
    return _attachment(data, TABLE_FORMAT.media_type, export_file_name("csv", table.value))


def _attachment(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@dataclass(frozen=True, slots=True)
class _Alternate:
    name: str
    media_type: str
    title: str
    url: str


def _dereference(
    request: Request, kg: KnowledgeGraph, iri: str, path: str, format: ResourceFormat | None
) -> Response:
    """Choose the representation, then describe or render the resource in it."""
    if format is not None:
        chosen = _BY_NAME[format]
    else:
        acceptable = acceptable_types(request.headers.get("accept"), OFFERED)
        if not acceptable:
            raise ProblemError(
                406, "not-acceptable",
                f"this resource is available as {', '.join(OFFERED)}; none of them is in the "
                f"Accept header ({request.headers.get('accept')}); or use ?format=",
                headers={"Vary": "Accept"}, acceptable=OFFERED,
            )  # fmt: skip
        chosen = _BY_MEDIA_TYPE[acceptable[0]]
    root = request.scope.get("root_path", "").rstrip("/")
    here = f"{root}/{quote(path)}"
    alternates = [
        _Alternate(r.name.value, r.media_type, r.title, f"{here}?format={r.name.value}")
        for r in _REPRESENTATIONS
    ]
    headers = {
        "Vary": "Accept",
        "Link": ", ".join(
            f'<{a.url}>; rel="alternate"; type="{a.media_type}"'
            for a in alternates
            if a.name != chosen.name
        ),
    }
    if chosen.serializer is None:
        page = resource_page(kg, iri)
        html = (
            _templates()
            .get_template("resource.html")
            .render(page=page, alternates=alternates, root=root, url=lambda link: _url(root, link))
        )
        return HTMLResponse(html, headers=headers)
    description = describe_resource(kg, iri)
    # A serializer's own options: rdflib passes them on untyped.
    options: dict[str, Any] = {"auto_compact": True} if chosen.serializer == "json-ld" else {}
    data = description.serialize(format=chosen.serializer, encoding="utf-8", **options)
    return Response(data, media_type=chosen.media_type, headers=headers)


def _url(root: str, link: Link) -> str | None:
    """Where a link on a page points: this service's own page for the graph's identifiers, the
    IRI itself for other web resources, nothing for anything else (``javascript:``, blank
    nodes), whatever the data says."""
    if link.path is not None:
        return f"{root}/{quote(link.path)}"
    if link.iri.startswith(("http://", "https://")):
        return link.iri
    return None


@cache
def _templates() -> Environment:
    # Imported here: only HTML pages need Jinja2, so the API starts without loading it.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(FilePath(__file__).resolve().parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
    )
