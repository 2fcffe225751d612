"""The stored competency-question queries, titled by their first comment line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from paccto.graph.errors import PacctoError
from paccto.graph.load.resources import query_files
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import DEFAULT_BASE_IRI
from paccto.graph.sparql.stored_queries import stored_queries, stored_query


def test_every_query_file_is_listed_with_its_question() -> None:
    queries = stored_queries()
    assert [q.name for q in queries] == [path.stem for path in query_files()]
    assert all(q.title and not q.title.startswith("#") for q in queries)
    first = stored_query("cq01-phase-1-countries")
    assert first.title.startswith("CQ1: ") and first.title.endswith("?")
    assert "SELECT" in first.text
    assert stored_query("cq07-costa-rica-panama").description  # its second comment line


def test_queries_follow_the_base_iri(kg: KnowledgeGraph) -> None:
    moved = replace(kg, ids=replace(kg.ids, base="https://example.org/kg/"))
    text = stored_query("cq01-phase-1-countries", moved).text
    assert "https://example.org/kg/id/" in text and DEFAULT_BASE_IRI + "id/" not in text
    assert (
        stored_query("cq01-phase-1-countries", kg).text
        == stored_query("cq01-phase-1-countries").text
    )


def test_unknown_query_names_those_there_are() -> None:
    with pytest.raises(PacctoError, match="cq01-phase-1-countries"):
        stored_query("cq99")
