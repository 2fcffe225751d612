"""How the explorer's pages are written: templates, addresses, citations and error boxes.

Every page is a Jinja2 template rendered with autoescape on, so a label such as
``<img src=x onerror=...>`` is shown as text wherever it appears. Addresses are built here and
only here, and only ever point into this service (under its root path): a page of the explorer
links to no other site and loads nothing from one, which the Content-Security-Policy header
also enforces in the browser, in case a template ever gets that wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse

from paccto.api.web.problems import PROBLEM_TYPES, ProblemError, invalid_parameters
from paccto.api.web.problems import status_of as status_of_error
from paccto.graph.errors import AmbiguousEntityError, PacctoError, UnknownEntityError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.options import QuestionError

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "SECURITY_HEADERS",
    "Cite",
    "EntityChoice",
    "ErrorView",
    "Urls",
    "citations",
    "error_view",
    "render",
]

#: Scripts, styles, frames and requests from this origin only; no inline script or handler.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True, slots=True)
class Urls:
    """The explorer's addresses, under the root path the app is served at."""

    root: str = ""

    @classmethod
    def of(cls, request: Request) -> Urls:
        return cls(str(request.scope.get("root_path", "")).rstrip("/"))

    def home(self) -> str:
        return f"{self.root}/"

    def to(self, path: str, query: str = "") -> str:
        """``path`` under the root (``docs``, ``sparql``), with a query string if given."""
        return f"{self.root}/{path.lstrip('/')}" + (f"?{query}" if query else "")

    def static(self, name: str) -> str:
        return f"{self.root}/static/{quote(name)}"

    def search(self, query: str = "") -> str:
        return self.to("explore/search", query)

    def entity(self, id: str) -> str:
        return f"{self.root}/explore/entity/{quote(id, safe='')}"

    def members(self, id: str, query: str = "") -> str:
        return self.to(f"explore/members/{quote(id, safe='')}", query)

    def path(self, query: str = "") -> str:
        return self.to("explore/path", query)

    def sparql(self, query: str = "") -> str:
        return self.to("explore/sparql", query)

    def resource(self, id: str) -> str:
        """The entity's linked-data page (``/id/{id}``)."""
        return f"{self.root}/id/{quote(id, safe='')}"

    def view(self, path: str, query: str = "") -> str:
        """A network drawing under ``/view`` (``graph``, ``path/embed``)."""
        return self.to(f"view/{path}", query)

    def view_of(self, kind: str, id: str, query: str = "", *, embed: bool = False) -> str:
        """The drawing of one entity's ``kind`` (``entity``, ``members``): its full page, or
        the bare drawing a page shows in a frame."""
        return self.view(f"{kind}/{quote(id, safe='')}" + ("/embed" if embed else ""), query)


@dataclass(frozen=True, slots=True)
class Cite:
    """A passage stating something: ``[start, end)`` of a source document, with its pages."""

    label: str
    passage_url: str | None
    document_url: str | None


#: Where a parameter is (``query.``, ``path.``), which a page need not say.
_PLACE = re.compile(r"\b(query|path)\.")


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def citations(documents: Iterable[Any], urls: Urls) -> list[Cite]:
    """The distinct passages among ``documents`` (citation dicts or ``CitationOut``), linked to
    their linked-data pages: ``/passage/{doc}/{start}-{end}`` and ``/source/{doc}``."""
    found: list[Cite] = []
    for item in documents:
        document, start, end = _get(item, "document"), _get(item, "start"), _get(item, "end")
        if not document:
            continue
        local = str(document).removeprefix("src:")
        served = str(document).startswith("src:")
        spanned = isinstance(start, int) and isinstance(end, int)
        cite = Cite(
            label=f"{local} [{start}, {end})" if spanned else local,
            passage_url=urls.to(f"passage/{quote(local, safe='')}/{start}-{end}")
            if served and spanned
            else None,
            document_url=urls.to(f"source/{quote(local, safe='')}") if served else None,
        )
        if cite not in found:
            found.append(cite)
    return found


@dataclass(frozen=True, slots=True)
class EntityChoice:
    """An entity offered as a way out of an error, with where choosing it leads."""

    id: str
    label: str
    class_label: str
    url: str


@dataclass(frozen=True)
class ErrorView:
    """A problem, for a page: what the API's problem document would say, and the entities the
    name may have meant, each linked to the same page asked again with that entity."""

    status: int
    title: str
    detail: str
    errors: list[str] = field(default_factory=list)
    name: str | None = None
    suggestions: list[EntityChoice] = field(default_factory=list)
    candidates: list[EntityChoice] = field(default_factory=list)


def _choices(
    kg: KnowledgeGraph, ids: Iterable[str], link: Callable[[str], str]
) -> list[EntityChoice]:
    found = []
    for id in ids:
        try:
            node = kg.index.node(kg.index.resolve(id))
        except PacctoError:
            continue
        found.append(EntityChoice(node["id"], node["label"], node["class_label"], link(node["id"])))
    return found


def error_view(kg: KnowledgeGraph, error: Exception, link: Callable[[str], str]) -> ErrorView:
    """The page's account of ``error``, with the status ``/api`` answers it with.

    ``link`` gives the address to go to for an entity the name may have meant.
    """
    if isinstance(error, QuestionError):
        error = invalid_parameters(error)
    if isinstance(error, ProblemError):
        # Parameters sharing one problem (two options that do not go together) on one line.
        by_message: dict[str, list[str]] = {}
        for item in error.extra.get("errors") or []:
            by_message.setdefault(item["message"], []).append(_PLACE.sub("", item["location"]))
        errors = [f"{', '.join(places)}: {message}" for message, places in by_message.items()]
        return ErrorView(error.status, PROBLEM_TYPES[error.kind][0], error.detail, errors)
    if not isinstance(error, PacctoError):
        raise error
    status, kind, _extra, _headers = status_of_error(error)
    view = ErrorView(status, PROBLEM_TYPES[kind][0], str(error))
    if isinstance(error, UnknownEntityError):
        suggestions = _choices(kg, error.suggestions, link)
        return ErrorView(status, view.title, view.detail, name=error.name, suggestions=suggestions)
    if isinstance(error, AmbiguousEntityError):
        # Candidates read "id (label, class)"; identifiers never contain a space.
        ids = [candidate.split(" (", 1)[0] for candidate in error.candidates]
        candidates = _choices(kg, ids, link)
        return ErrorView(status, view.title, view.detail, name=error.name, candidates=candidates)
    return view


@cache
def _environment() -> Environment:
    # Imported here, as in linked_data: only pages need Jinja2, so the API starts without it.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates" / "explorer"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context``, with the explorer's security headers."""
    urls = Urls.of(request)
    page = _environment().get_template(template).render(urls=urls, root=urls.root, **context)
    return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)
