"""Shared fixtures: the default knowledge graph is loaded once per test session (about 4 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paccto.api.web.app import create_app
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The source documents, beside the checkout as ../shared/seeds (not shipped with the project).
SOURCE_DOCUMENTS = REPO_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    return load_knowledge_graph()


@pytest.fixture(scope="session")
def source_documents() -> Path:
    if not SOURCE_DOCUMENTS.is_dir():
        pytest.skip(f"source documents not present at {SOURCE_DOCUMENTS}")
    return SOURCE_DOCUMENTS


@pytest.fixture(scope="session")
def client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    """Real HTTP semantics through the ASGI app; the lifespan (worker pool) runs too."""
    with TestClient(create_app(kg)) as test_client:
        yield test_client
