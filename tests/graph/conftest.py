"""Fixtures for the graph tests: a small purpose-written network beside the real facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import get_settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="session")
def small() -> KnowledgeGraph:
    """tests/fixtures/paths/small.ttl: ties, a cycle, an island, an expired membership."""
    settings = get_settings(include_seeds=False, require_provenance=False)
    return load_knowledge_graph(settings, [FIXTURES / "paths" / "small.ttl"])
