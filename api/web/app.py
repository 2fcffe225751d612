"""The HTTP application: ``create_app(kg, settings)`` wraps a loaded graph in a FastAPI app.

The app holds no query logic. It keeps the graph, the settings and the SPARQL worker pool on
``app.state``, installs the problem+json error handlers, bounds request sizes, answers HEAD
wherever GET is answered, allows cross-origin reads of the public data (so a YASGUI page served
elsewhere can query ``/sparql``) but of no page, gives every page a Content-Security-Policy,
serves its API documentation from this machine, and mounts one router per resource.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from paccto.api.web import (
    analytics,
    entities,
    explorer,
    home,
    linked_data,
    paths,
    sources,
    sparql_endpoint,
    views,
)
from paccto.api.web.cors import PublicDataCORS
from paccto.api.web.docs import install_docs
from paccto.api.web.head import HeadAsGet
from paccto.api.web.limits import RequestSizeLimit
from paccto.api.web.problems import add_problem_schema, install_problem_handlers
from paccto.api.web.security_headers import SecurityHeaders
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings, get_settings

__all__ = ["create_app"]

DESCRIPTION = """\
Who cooperates with whom against transnational organised crime between Europe, Latin America
and the Caribbean, around the EU programme EL PAcCTO. Every relationship cites the source
document and character span that states it.

* **REST API** under `/api`: entities, neighbours, paths, memberships, rankings, sources.
* **SPARQL 1.1** at `/sparql` (read-only, time- and size-bounded).
* **Linked data**: entity IRIs dereference at `/id/{id}`; the whole graph at `/export`.
* **Views** at `/view/...`: interactive drawings, each also as an iframe (`/embed`), one
  offline HTML file (`/download`) and an image (`/svg`, `/png`).

Errors are RFC 9457 problem documents (`application/problem+json`); `/problems` explains each
kind.
"""


def create_app(kg: KnowledgeGraph, settings: Settings | None = None) -> FastAPI:
    """Build the app around an already loaded and validated knowledge graph.

    The SPARQL worker processes start with the app (its lifespan) and stop with it.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from paccto.graph.store_registry import query_service_for

        pool = query_service_for(kg, settings)
        # Build the projection, the name index and the neighbour counts now, not on the first
        # request (seconds at 100 k triples, more on a SPARQL server: docs/performance.md).
        kg.warm_up()
        app.state.query_pool = pool
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="PAcCTO Graph",
        summary="A knowledge graph of cooperation against transnational organised crime "
        "between Europe, Latin America and the Caribbean.",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        # Served by paccto.api.web.docs from this machine, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.kg = kg
    app.state.settings = settings
    install_problem_handlers(app)
    routers = (home, entities, paths, analytics, sources, sparql_endpoint, linked_data, views)
    for module in routers:
        app.include_router(module.router)
    app.include_router(explorer.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    install_docs(app)
    add_problem_schema(app)
    # The last added runs first: HEAD becomes GET before anything else looks at the method,
    # CORS comes before the size limits so that a cross-origin client can read their 413/431.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        RequestSizeLimit,
        max_bytes=settings.max_request_bytes,
        max_header_bytes=settings.max_header_bytes,
    )
    app.add_middleware(PublicDataCORS)
    app.add_middleware(HeadAsGet)
    return app
