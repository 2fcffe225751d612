"""The drawings over HTTP: ``/view/{kind}/...`` as a page, an iframe, a download or an image.

Each view has five variants at one address plus a suffix, so a reader who found a view can
share exactly it: the page (with filters, the iframe snippet and the download links), ``/embed``
(no page chrome, for an iframe in a report), ``/download`` (one self-contained HTML file that
opens offline), ``/svg`` and ``/png`` (for PDF and word processors). The query string carries
over between variants unchanged. Drawing is in ``graph/``; this module only reads parameters
and says where assets and entity pages live.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from paccto.api.web.dependencies import KG
from paccto.api.web.models import (
    AsOf,
    NameList,
    checked_classes,
    checked_relations,
    invalid_parameter,
)
from paccto.api.web.problems import ProblemError, problem_responses
from paccto.graph.errors import PacctoError
from paccto.graph.model.catalogue import relation_choices
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.neighbourhood import MAX_DEPTH
from paccto.graph.questions.paths import MAX_LENGTH, MAX_PATHS, PathOptions
from paccto.graph.render.interactive import ASSET_TYPES, PageLinks, asset_file, render_html
from paccto.graph.render.views import (
    GraphView,
    ViewFilter,
    entity_view,
    graph_view,
    members_view,
    path_view,
    phase_view,
    phases,
    resolve_phase,
)

__all__ = ["router"]

router = APIRouter(tags=["views"])

_ASSETS = "/assets"
_NAME = "an identifier, label (any language) or acronym"


class Variant(StrEnum):
    """What form of a view to answer with."""

    embed = "embed"
    download = "download"
    svg = "svg"
    png = "png"


_MEDIA_TYPES = {Variant.svg: "image/svg+xml", Variant.png: "image/png"}
_VIEW_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The view: an HTML page (page, embed, download), an SVG or a PNG image.",
        "content": {"text/html": {}, "image/svg+xml": {}, "image/png": {}},
    },
    **problem_responses(400, 404, 409, 422),
}


def _view_filter(
    kg: KG,
    classes: Annotated[
        NameList,
        Query(alias="class", description="Only entities of this class (repeatable)."),
    ] = None,
    relations: Annotated[
        NameList,
        Query(alias="relation", description="Only this relation (repeatable; key or label)."),
    ] = None,
    phase: Annotated[
        str | None,
        Query(min_length=1, description="Only what holds during this programme phase (1, 2, …)."),
    ] = None,
    as_of: AsOf = None,
) -> ViewFilter:
    checked_classes(kg, "class", classes)
    checked_relations(kg, "relation", relations)
    if phase is not None:
        try:
            resolve_phase(kg, phase)
        except PacctoError as error:
            raise invalid_parameter("phase", str(error)) from None
    return ViewFilter.of(classes=classes, relations=relations, phase=phase, as_of=as_of)


Filters = Annotated[ViewFilter, Depends(_view_filter)]


def _security_headers(nonce: str) -> dict[str, str]:
    """Scripts only from this origin or carrying the page's nonce; nothing from elsewhere.

    Styles stay inline-friendly (the legend's colours, vis-network's own); frame-ancestors is
    open, since being embedded in other sites' reports is what ``/embed`` is for.
    """
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def _links(request: Request, kg: KnowledgeGraph, view: GraphView, variant: str) -> PageLinks:
    """Where a served page points: our assets, entity pages, sources, and its own variants."""
    base = request.url.path.removesuffix(f"/{variant}") if variant else request.url.path
    query = f"?{request.url.query}" if request.url.query else ""
    absolute = str(request.base_url).rstrip("/") + base
    snippet = (
        f'<iframe src="{escape(absolute)}/embed{escape(query)}" width="100%" height="600" '
        f'style="border:0" loading="lazy" title="{escape(view.title)}"></iframe>'
    )
    share = [
        ("Download as one HTML file (opens offline)", f"{base}/download{query}"),
        ("SVG image (for reports)", f"{base}/svg{query}"),
        ("PNG image", f"{base}/png{query}"),
        ("Embedded variant", f"{base}/embed{query}"),
    ]
    filter_names = {"class", "relation", "phase", "as_of"}
    hidden = [(k, v) for k, v in request.query_params.multi_items() if k not in filter_names]
    graph = kg.catalogue.graph
    class_labels = sorted(
        {(data["class"], data["class_label"]) for _iri, data in graph.nodes(data=True)},
        key=lambda pair: pair[1].casefold(),
    )
    form = {
        "action": base,
        "hidden": hidden,
        "classes": [] if view.kind == "path" else class_labels,
        "selected_classes": list(view.filters.classes),
        "relations": relation_choices(kg.catalogue),
        "selected_relations": list(view.filters.relations),
        "phases": [] if view.kind == "phase" else [(p["id"], p["label"]) for p in phases(kg)],
        "selected_phase": view.filters.phase,
        "as_of": view.filters.as_of,
    }
    return PageLinks(
        assets=_ASSETS,
        entity="/explore/entity/{id}",
        source="/source/{id}",
        share=share,
        embed_snippet=snippet,
        filter_form=form,
        nonce=secrets.token_urlsafe(16),
    )


@lru_cache(maxsize=64)
def _image(view: GraphView, fmt: str) -> bytes:
    """An image of a view, remembered: images take 0.1-2.5 s to draw and the same view (an
    embedded figure, a report's link) is asked for again and again; the graph never changes
    while the app runs, and a view compares equal only to one with the same content."""
    # matplotlib takes half a second to import; only image requests pay for it.
    from paccto.graph.render.static_image import render_image

    return render_image(view, fmt)


def _answer(
    request: Request, kg: KnowledgeGraph, build: Callable[[], GraphView], variant: Variant | None
) -> Response:
    view = build()
    if variant in _MEDIA_TYPES:
        body = _image(view, variant.value)
        disposition = f'inline; filename="{view.name}.{variant.value}"'
        return Response(
            body, media_type=_MEDIA_TYPES[variant], headers={"Content-Disposition": disposition}
        )
    if variant is Variant.download:
        disposition = f'attachment; filename="{view.name}.html"'
        return HTMLResponse(render_html(view), headers={"Content-Disposition": disposition})
    if variant is Variant.embed:
        links = PageLinks(
            assets=_ASSETS, entity="/explore/entity/{id}", source="/source/{id}",
            nonce=secrets.token_urlsafe(16),
        )  # fmt: skip
    else:
        links = _links(request, kg, view, "")
    assert links.nonce is not None
    return HTMLResponse(
        render_html(view, embed=variant is Variant.embed, links=links),
        headers=_security_headers(links.nonce),
    )


def _variant_route(path: str, summary: str) -> Callable[[Callable[..., Response]], Any]:
    """Register a view at ``path`` (the page) and at ``path/{variant}``.

    FastAPI cannot give a path parameter a default, so each route gets its own signature:
    the page's without ``variant``, the variant route's with it required.
    """

    def register(function: Callable[..., Response]) -> Callable[..., Response]:
        signature = inspect.signature(function)
        kept = [
            parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for name, parameter in signature.parameters.items()
            if name != "variant"
        ]
        chosen = signature.parameters["variant"].replace(
            kind=inspect.Parameter.KEYWORD_ONLY, default=inspect.Parameter.empty,
            annotation="VariantParam",
        )  # fmt: skip

        def page(**arguments: Any) -> Response:
            return function(**arguments, variant=None)

        def variant(**arguments: Any) -> Response:
            return function(**arguments)

        page.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
        variant.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*kept, chosen]
        )
        page.__doc__ = variant.__doc__ = function.__doc__
        router.get(
            path,
            summary=summary,
            response_class=HTMLResponse,
            responses=_VIEW_RESPONSES,
            operation_id=function.__name__,
        )(page)
        router.get(
            f"{path}/{{variant}}",
            summary=f"{summary}: embed, download, svg or png",
            response_class=HTMLResponse,
            responses=_VIEW_RESPONSES,
            operation_id=f"{function.__name__}_variant",
        )(variant)
        return function

    return register


VariantParam = Annotated[
    Variant,
    Path(description="embed (for an iframe), download (one offline file), svg or png."),
]


@_variant_route("/view/entity/{name}", "The network around an entity")
def view_entity(
    request: Request,
    kg: KG,
    filters: Filters,
    name: Annotated[str, Path(description=f"The centre: {_NAME}.")],
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Steps out (1 to 3).")] = 1,
    variant: Variant | None = None,
) -> Response:
    """The ego network of an entity: every entity within `depth` steps, either direction.
    Relation and date filters limit the walk; a class filter only what is shown (with the
    entities that link the centre to them, faded)."""
    return _answer(
        request, kg, lambda: entity_view(kg, name, depth=depth, view_filter=filters), variant
    )


@_variant_route("/view/path", "How two entities are connected, drawn")
def view_path(
    request: Request,
    kg: KG,
    filters: Filters,
    source: Annotated[str, Query(min_length=1, description=f"Where the path starts: {_NAME}.")],
    target: Annotated[str, Query(min_length=1, description=f"Where it ends: {_NAME}.")],
    k: Annotated[int | None, Query(ge=1, le=MAX_PATHS, description="Up to k paths.")] = None,
    all_shortest: Annotated[
        bool, Query(alias="all", description="Every path of the shortest length.")
    ] = False,
    avoid_relations: Annotated[
        NameList, Query(alias="avoid_relation", description="Never use this relation.")
    ] = None,
    avoid: Annotated[NameList, Query(description="Entity to route around (repeatable).")] = None,
    avoid_classes: Annotated[
        NameList, Query(alias="avoid_class", description="Route around this class.")
    ] = None,
    avoid_hubs: Annotated[bool, Query(description="Route around hubs.")] = False,
    max_length: Annotated[
        int | None, Query(ge=1, le=MAX_LENGTH, description="At most this many steps.")
    ] = None,
    variant: Variant | None = None,
) -> Response:
    """The paths the path query finds (one shortest, `k` alternatives or `all` shortest),
    drawn together with every relationship each step uses; same options as `/api/paths`."""
    if k is not None and all_shortest:
        raise ProblemError(422, "invalid-parameters", "query.k, query.all: use either, not both")
    if filters.classes:
        raise invalid_parameter("class", "a path view cannot hide classes; use avoid_class")
    options = PathOptions.of(
        avoid_relations=checked_relations(kg, "avoid_relation", avoid_relations),
        avoid=avoid or (),
        avoid_classes=checked_classes(kg, "avoid_class", avoid_classes) or (),
        avoid_hubs=avoid_hubs,
        max_length=max_length,
    )
    return _answer(
        request,
        kg,
        lambda: path_view(
            kg,
            source,
            target,
            options=options,
            k=k,
            all_shortest=all_shortest,
            view_filter=filters,
        ),
        variant,
    )


@_variant_route("/view/members/{name}", "The members of a network, drawn")
def view_members(
    request: Request,
    kg: KG,
    filters: Filters,
    name: Annotated[str, Path(description=f"The network or organisation: {_NAME}.")],
    transitive: Annotated[
        bool, Query(description="Also members of its sub-organisations.")
    ] = False,
    role: Annotated[str | None, Query(min_length=1, description="Only this role.")] = None,
    variant: Variant | None = None,
) -> Response:
    """The members of an organisation, with their membership relationships."""
    return _answer(
        request,
        kg,
        lambda: members_view(kg, name, transitive=transitive, role=role, view_filter=filters),
        variant,
    )


@_variant_route("/view/phase/{name}", "A programme phase and who takes part in it")
def view_phase(
    request: Request,
    kg: KG,
    filters: Filters,
    name: Annotated[str, Path(description="The phase: its number (1, 2), id or name.")],
    variant: Variant | None = None,
) -> Response:
    """A phase, its programme, the entities taking part, and their relationships during it."""
    if filters.phase:
        raise invalid_parameter("phase", "a phase view is already about one phase")
    return _answer(request, kg, lambda: phase_view(kg, name, view_filter=filters), variant)


@_variant_route("/view/graph", "The whole cooperation network")
def view_graph(
    request: Request, kg: KG, filters: Filters, variant: Variant | None = None
) -> Response:
    """Everything, or what the filters keep."""
    return _answer(request, kg, lambda: graph_view(kg, view_filter=filters), variant)


@router.get(
    f"{_ASSETS}/{{name}}",
    summary="The drawing library the view pages load",
    response_class=FileResponse,
    responses={
        200: {"content": {"text/javascript": {}, "text/css": {}}},
        **problem_responses(404),
    },
)
def asset(
    name: Annotated[str, Path(description=", ".join(ASSET_TYPES))],
) -> FileResponse:
    """vis-network, served by us so that no page depends on a CDN."""
    if name not in ASSET_TYPES:
        listed = ", ".join(ASSET_TYPES)
        raise ProblemError(404, "not-found", f"no asset called {name!r}; there are: {listed}")
    return FileResponse(
        asset_file(name),
        media_type=ASSET_TYPES[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
