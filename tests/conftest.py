"""Shared fixtures: the default knowledge graph is loaded once per test session (about 4 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paccto.graph.knowledge_graph import KnowledgeGraph
from paccto.graph.loading import load_knowledge_graph

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
