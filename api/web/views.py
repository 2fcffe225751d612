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

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from paccto.api.web.dependencies import KG
from paccto.api.web.problems import ProblemError, problem_responses
from paccto.api.web.questions import question_dependency
from paccto.graph.model.catalogue import relation_choices
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.render.interactive import ASSET_TYPES, PageLinks, asset_file, render_html
from paccto.graph.render.views import VIEW_KINDS, GraphView, ViewFilter, ViewKind, phases

__all__ = ["router"]

router = APIRouter(tags=["views"])

_ASSETS = "/assets"


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
    # The filter form's fields are the filter question's parameters; the rest of the query
    # (the view's own question) rides along hidden.
    names = {spec.name: spec.parameter for spec in ViewFilter.specs()}
    hidden = [(k, v) for k, v in request.query_params.multi_items() if k not in names.values()]
    graph = kg.catalogue.graph
    class_labels = sorted(
        {(data["class"], data["class_label"]) for _iri, data in graph.nodes(data=True)},
        key=lambda pair: pair[1].casefold(),
    )
    form = {
        "action": base,
        "names": names,
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
    """An image of a view, remembered: images take up to seconds to draw and the same view (an
    embedded figure, a report's link) is asked for again and again; the graph never changes
    while the app runs, and a view compares equal only to one with the same content."""
    # matplotlib is slow to import; only image requests pay for it.
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


VariantParam = Annotated[
    Variant,
    Path(description="embed (for an iframe), download (one offline file), svg or png."),
]


def _register(kind: ViewKind) -> None:
    """The routes of one kind of view: ``/view/KIND[/{name}]`` (the page) and the same with
    ``/{variant}``, their parameters made from the kind's question.

    FastAPI cannot give a path parameter a default, so the two routes get signatures of their
    own: the page's without ``variant``, the variant route's with it required.
    """
    in_path = [spec.parameter for spec in kind.question.specs() if spec.option.in_path]
    path = f"/view/{kind.name}" + "".join(f"/{{{name}}}" for name in in_path)
    asked = Annotated[Any, Depends(question_dependency(kind.question))]
    keyword = inspect.Parameter.KEYWORD_ONLY
    common = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("kg", keyword, annotation=KG),
        inspect.Parameter("question", keyword, annotation=asked),
    ]

    def page(request: Request, kg: KnowledgeGraph, question: Any) -> Response:
        return _answer(request, kg, lambda: kind.draw(kg, question), None)

    def variant(request: Request, kg: KnowledgeGraph, question: Any, variant: Variant) -> Response:
        return _answer(request, kg, lambda: kind.draw(kg, question), variant)

    page.__signature__ = inspect.Signature(common)  # type: ignore[attr-defined]
    variant.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*common, inspect.Parameter("variant", keyword, annotation=VariantParam)]
    )
    for function, route, summary, operation in (
        (page, path, kind.summary, f"view_{kind.name}"),
        (
            variant,
            f"{path}/{{variant}}",
            f"{kind.summary}: embed, download, svg or png",
            f"view_{kind.name}_variant",
        ),
    ):
        router.get(
            route,
            summary=summary,
            description=kind.description,
            response_class=HTMLResponse,
            responses=_VIEW_RESPONSES,
            operation_id=operation,
        )(function)


for _kind in VIEW_KINDS.values():
    _register(_kind)


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
