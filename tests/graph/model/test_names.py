"""One resolver for every front end: ids, IRIs, labels, acronyms, any language, any accents."""

from __future__ import annotations

import pytest

from paccto.graph.errors import AmbiguousEntityError, UnknownEntityError
from paccto.graph.model.knowledge_graph import KnowledgeGraph


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mexico", "mexico"),
        ("México", "mexico"),
        ("mexico", "mexico"),
        ("MX", "mexico"),
        ("camoes", "instituto-camoes"),
        ("Instituto Camões", "instituto-camoes"),
        ("CLASI", "clasi"),
        ("Comité Latinoamericano de Seguridad Interior", "clasi"),
        ("Latin American Committee for Internal Security", "clasi"),
        ("id:clasi", "clasi"),
        ("https://w3id.org/paccto-graph/id/clasi", "clasi"),
        ("CibELA", "cibela"),
        ("EL PAcCTO 2.0", "phase-2"),
        ("Garrigos", "maria-laura-garrigos"),
        ("Países Bajos", "netherlands"),
    ],
)
def test_names_resolve_to_one_entity(kg: KnowledgeGraph, name: str, expected: str) -> None:
    assert kg.index.resolve(name) == str(kg.ids.entity(expected))


def test_unknown_name_suggests_the_closest(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError) as caught:
        kg.index.resolve("Europoll")
    assert caught.value.suggestions[0] == "europol"
    assert "Did you mean: europol" in str(caught.value)


def test_ambiguous_name_lists_the_candidates(small: KnowledgeGraph) -> None:
    with pytest.raises(AmbiguousEntityError) as caught:
        small.index.resolve("twin")
    assert len(caught.value.candidates) == 2
    assert any(c.startswith("twin-a (Twin, Agency)") for c in caught.value.candidates)
    assert any(c.startswith("twin-b (Twin, Network)") for c in caught.value.candidates)


def test_an_identifier_is_never_ambiguous(small: KnowledgeGraph) -> None:
    assert small.index.resolve("twin-b").endswith("/id/twin-b")


def test_accents_and_languages_in_a_small_graph(small: KnowledgeGraph) -> None:
    assert small.index.resolve("agencia nandu") == small.index.resolve("Nandu Agency")
    assert small.index.resolve("ANA").endswith("/id/alpha")


def test_search_ranks_exact_then_prefix_then_contained(kg: KnowledgeGraph) -> None:
    hits = kg.index.search("prison")
    ids = [hit.id for hit in hits]
    assert ids[0] == "component-prisons"
    assert "prison-academies-network" in ids[:4]
    assert all(hit.score >= hits[-1].score for hit in hits)


def test_search_filters_by_class(kg: KnowledgeGraph) -> None:
    hits = kg.index.search("e", classes={"paccto:Country"}, limit=100)
    assert hits and {hit.cls for hit in hits} == {"paccto:Country"}


def test_search_finds_misspellings(kg: KnowledgeGraph) -> None:
    assert kg.index.search("Ameripool")[0].id == "ameripol"
