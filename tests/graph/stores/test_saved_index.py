"""The name index saved with a store version resolves, suggests and searches exactly as the
index built from the projection: the same hits, the same ambiguities, the same unknown names."""

from __future__ import annotations

from pathlib import Path

import pytest

from paccto.graph.errors import AmbiguousEntityError, UnknownEntityError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import EntityIndex, name_entries
from paccto.graph.stores.oxigraph_store import open_oxigraph_store, write_oxigraph_store
from paccto.graph.stores.saved_parts import SavedEntityIndex

UNKNOWN = ["nowhere land", "camoes institute of nothing", "zzz", "id:no-such-entity", "Spian"]
SEARCHES = ["camoes", "justice", "ameripol", "mexico", "prison", "network", "a", "eu", "zz"]


@pytest.fixture(scope="module", params=["kg", "small"])
def indexes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[EntityIndex, SavedEntityIndex, KnowledgeGraph]:
    """The seeds, and the small graph with its ties, written to a store: the index built from
    the store's projection, the saved one, and the graph loaded from the files."""
    graph: KnowledgeGraph = request.getfixturevalue(request.param)
    folder = tmp_path_factory.mktemp("index") / "store"
    write_oxigraph_store(graph, folder)
    saved = open_oxigraph_store(folder).index
    assert isinstance(saved, SavedEntityIndex)
    return EntityIndex(open_oxigraph_store(folder).projection), saved, graph


def _outcome(index: EntityIndex, name: str) -> tuple[str, object]:
    try:
        return "found", index.resolve(name)
    except AmbiguousEntityError as error:
        return "ambiguous", str(error)
    except UnknownEntityError as error:
        return "unknown", str(error)


def _every_name(index: EntityIndex) -> list[str]:
    return [shown for _key, _strength, _iri, shown in name_entries(index._every_node())]


def test_every_name_resolves_alike(
    indexes: tuple[EntityIndex, SavedEntityIndex, KnowledgeGraph],
) -> None:
    built, saved, graph = indexes
    names = _every_name(built)
    assert names == _every_name(saved)
    outcomes = {"found": 0, "ambiguous": 0}
    for name in names:
        expected = _outcome(built, name)
        assert _outcome(saved, name) == expected, name
        assert _outcome(graph.index, name) == expected, name  # the files' graph agrees too
        outcomes[expected[0]] += 1
    assert outcomes["found"]
    if graph.projection.graph.number_of_nodes() < 100:  # the small graph: ties by design
        assert outcomes["ambiguous"]


def test_unknown_names_get_the_same_suggestions(
    indexes: tuple[EntityIndex, SavedEntityIndex, KnowledgeGraph],
) -> None:
    built, saved, _graph = indexes
    for name in UNKNOWN:
        expected = _outcome(built, name)
        assert expected[0] == "unknown"
        assert _outcome(saved, name) == expected
        assert saved.suggestions(name) == built.suggestions(name)


def test_an_ambiguous_name_lists_the_same_entities(
    indexes: tuple[EntityIndex, SavedEntityIndex, KnowledgeGraph],
) -> None:
    built, saved, _graph = indexes
    tied = [key for key, found in built._names.items() if any(len(v) > 1 for v in found.values())]
    for key in tied:
        with pytest.raises(AmbiguousEntityError) as expected:
            built.resolve(key)
        with pytest.raises(AmbiguousEntityError) as answered:
            saved.resolve(key)
        assert answered.value.args == expected.value.args


def test_search_entities_and_nodes_are_the_same(
    indexes: tuple[EntityIndex, SavedEntityIndex, KnowledgeGraph],
) -> None:
    built, saved, _graph = indexes
    classes = {built.node(iri)["class"] for iri, _node in list(built._every_node())[:3]}
    for text in SEARCHES:
        assert saved.search(text) == built.search(text)
        assert saved.search(text, classes=classes) == built.search(text, classes=classes)
        assert saved.search(text, fuzzy_only=True) == built.search(text, fuzzy_only=True)
    assert saved.entities() == built.entities()
    assert saved.entities(frozenset(classes)) == built.entities(frozenset(classes))
    for iri, _node in built._every_node():
        assert saved.node(iri) == built.node(iri)
    with pytest.raises(KeyError):
        saved.node("https://example.org/not-an-entity")


def test_a_fresh_saved_index_answers_lookups_before_reading_every_name(
    indexes: tuple[EntityIndex, SavedEntityIndex, KnowledgeGraph], tmp_path: Path
) -> None:
    """The order of calls does not matter: a lookup before any scan, then a scan."""
    built, _saved, graph = indexes
    folder = tmp_path / "store"
    write_oxigraph_store(graph, folder)
    fresh = open_oxigraph_store(folder).index
    name = _every_name(built)[0]
    assert _outcome(fresh, name) == _outcome(built, name)
    assert fresh._every is None  # type: ignore[attr-defined]
    assert fresh.search("justice") == built.search("justice")
