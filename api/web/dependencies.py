"""What route handlers receive: the loaded graph, the settings and the SPARQL worker pool.

They live on ``app.state`` (set once by :func:`paccto.api.web.app.create_app`) and reach handlers
through these ``Annotated`` aliases, so a test can build an app around any graph it likes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings

if TYPE_CHECKING:
    from paccto.graph.sparql.service import QueryService

__all__ = [
    "KG",
    "AppSettings",
    "Pool",
    "client_of",
    "get_kg",
    "get_pool",
    "get_settings_of_app",
]


def get_kg(request: Request) -> KnowledgeGraph:
    kg: KnowledgeGraph = request.app.state.kg
    return kg


def get_settings_of_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> QueryService:
    pool: QueryService = request.app.state.query_pool
    return pool


def client_of(request: Request) -> str | None:
    """Who sends ``request``, as the SPARQL workers are shared between clients: the peer's
    address. Behind a reverse proxy that is the address uvicorn reads from ``X-Forwarded-For``,
    which it trusts only from the addresses in its ``forwarded_allow_ips`` (loopback by
    default)."""
    return request.client.host if request.client else None


KG = Annotated[KnowledgeGraph, Depends(get_kg)]
AppSettings = Annotated[Settings, Depends(get_settings_of_app)]
Pool = Annotated["QueryService", Depends(get_pool)]
