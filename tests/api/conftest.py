"""An HTTP client on the app built around the default graph, shared by the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paccto.api.app import create_app
from paccto.graph.knowledge_graph import KnowledgeGraph


@pytest.fixture(scope="session")
def client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    """Real HTTP semantics through the ASGI app; the lifespan (worker pool) runs too."""
    with TestClient(create_app(kg)) as test_client:
        yield test_client
