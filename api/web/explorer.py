"""The explorer: pages that let a person who never wrote SPARQL search, follow and browse the graph.

``/`` is its home: a search box, a path form, the networks that have members and the way to the
SPARQL editor. ``/explore/...`` holds one page per question: an entity, a path, the members of an
organisation, a search, SPARQL. Each page asks the same function the matching ``/api`` route or
``paccto`` command asks (paths and members through the API's own handlers, so a page and the JSON
never disagree) and only lays the answer out; the small script in ``/static/explorer.js`` adds
suggestions as one types, and every page also works without it.

Pages are not in the OpenAPI document, which describes the API for programs; the home page
stays there, as it always was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from paccto.api.web import explorer_sparql
from paccto.api.web.dependencies import KG
from paccto.api.web.entities import get_members
from paccto.api.web.explorer_forms import SearchForm, invalid_form
from paccto.api.web.explorer_pages import Urls, citations, error_view, render
from paccto.api.web.models import checked_classes
from paccto.api.web.paths import get_paths
from paccto.api.web.problems import ProblemError
from paccto.api.web.questions import QuestionForm
from paccto.graph.errors import PacctoError
from paccto.graph.model.catalogue import class_choices, organisations_with_members, relation_choices
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.description import describe_entity
from paccto.graph.questions.membership import MembersQuestion, members_of, memberships_of
from paccto.graph.questions.neighbourhood import neighbourhood_of
from paccto.graph.questions.paths import PathQuestion

__all__ = ["router"]

router = APIRouter()
router.include_router(explorer_sparql.router)

#: Search results shown on one page; the suggestions under the search box show 8.
SEARCH_LIMIT = 50

EntityName = Annotated[str, Path(description="An identifier, label (any language) or acronym.")]


@dataclass(frozen=True, slots=True)
class Choices:
    """What the forms offer to pick from: the classes and relations of the loaded graph."""

    classes: list[str]
    relations: list[str]

    @classmethod
    def of(cls, kg: KnowledgeGraph) -> Choices:
        return cls(class_choices(kg.catalogue), relation_choices(kg.catalogue))


@router.get("/", response_class=HTMLResponse, summary="Home page", tags=["service"])
def home(request: Request, kg: KG) -> HTMLResponse:
    """The explorer's home: search for an entity, find a path between two, browse the networks
    that have members, ask SPARQL; with links to the API documentation and the data."""
    graph = kg.catalogue.graph
    # A remote store's catalogue lists entities, not their relationships.
    relationships = graph.number_of_edges() if kg.catalogue.relation_entries is None else None
    return render(
        request,
        "home.html",
        section="explore",
        form=QuestionForm(PathQuestion, {}),
        choices=Choices.of(kg),
        networks=organisations_with_members(kg),
        counts={"entities": graph.number_of_nodes(), "relationships": relationships},
    )


@router.get("/explore/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, kg: KG) -> HTMLResponse:
    """The search box's answer without JavaScript: every match, best first, by class if asked."""
    urls = Urls.of(request)
    form = SearchForm.read(request.query_params)
    hits: list[object] = []
    error = None
    try:
        if form.errors:
            raise invalid_form(form.errors)
        classes = checked_classes(kg, "class", form.classes)
        if form.q:
            hits = list(
                kg.index.search(
                    form.q, limit=SEARCH_LIMIT, classes=set(classes) if classes else None
                )
            )
    except (ProblemError, PacctoError) as problem:
        error = error_view(kg, problem, urls.entity)
    return render(
        request, "search.html", status=error.status if error else 200, section="explore",
        form=form, hits=hits, limit=SEARCH_LIMIT, choices=Choices.of(kg), error=error,
    )  # fmt: skip


@router.get("/explore/entity/{name}", response_class=HTMLResponse, include_in_schema=False)
def entity(request: Request, kg: KG, name: EntityName) -> HTMLResponse:
    """One entity: what it is, each fact with the passages stating it, what it belongs to, its
    members and its neighbours, and a drawing of its neighbourhood."""
    urls = Urls.of(request)
    try:
        iri = kg.index.resolve(name)
    except PacctoError as problem:
        error = error_view(kg, problem, urls.entity)
        return render(request, "error.html", status=error.status, section="explore", error=error)
    neighbourhood = neighbourhood_of(kg, iri, depth=1)
    return render(
        request,
        "entity.html",
        section="explore",
        entity=describe_entity(kg, iri),
        memberships=memberships_of(kg, iri),
        members=members_of(kg, iri, transitive=True),
        neighbours=[node for node in neighbourhood.nodes if node.iri != iri],
        cite=lambda documents: citations(documents, urls),
    )


@router.get("/explore/path", response_class=HTMLResponse, include_in_schema=False)
def path(request: Request, kg: KG) -> HTMLResponse:
    """How two entities are connected, step by step with sources, under the options of
    ``/api/paths``; with the form kept, filled in, above the answer or the problem."""
    urls = Urls.of(request)
    form = QuestionForm.read(PathQuestion, request.query_params)
    found = error = None
    if form.asked:
        try:
            found = get_paths(kg, form.checked())
        except (ProblemError, PacctoError) as problem:
            name = str(getattr(problem, "name", ""))
            error = error_view(kg, problem, lambda id: urls.path(form.query_string(**{name: id})))
    return render(
        request, "path.html", status=error.status if error else 200, section="path",
        form=form, choices=Choices.of(kg), found=found, error=error,
        cite=lambda documents: citations(documents, urls),
    )  # fmt: skip


@router.get("/explore/members/{name}", response_class=HTMLResponse, include_in_schema=False)
def members(request: Request, kg: KG, name: EntityName) -> HTMLResponse:
    """Who belongs to an organisation, in which role, since when and through which
    sub-organisation, with the options of ``/api/entities/{name}/members``."""
    urls = Urls.of(request)
    form = QuestionForm.read(MembersQuestion, request.query_params, {"organisation": name})
    found = error = None
    try:
        found = get_members(kg, form.checked())
    except (ProblemError, PacctoError) as problem:
        error = error_view(kg, problem, lambda id: urls.members(id, form.query_string()))
    return render(
        request, "members.html", status=error.status if error else 200, section="networks",
        name=name, form=form, found=found, error=error,
        cite=lambda documents: citations(documents, urls),
    )  # fmt: skip
