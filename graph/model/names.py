"""Finds entities by what people call them: an IRI, a readable id, a label, an acronym.

One resolver serves the library, the command line and the API, so "Mexico", "méxico", "MX",
"id:mexico" and the full IRI all reach the same node everywhere. Matching ignores case, accents
and punctuation, and knows every language the graph has a label in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from paccto.graph.errors import AmbiguousEntityError, PacctoError, UnknownEntityError
from paccto.graph.model.gc import without_cyclic_gc

if TYPE_CHECKING:  # the projection's module imports networkx, which costs start-up time
    from paccto.graph.model.projection import Projection

__all__ = [
    "EntityIndex",
    "SearchHit",
    "entity_names",
    "matching_classes",
    "matching_relations",
    "name_entries",
    "normalise_name",
    "relation_name",
    "relation_names",
]

# Match strength, strongest first: an identifier beats a label, a label beats an alias.
_ID, _LABEL, _ALIAS, _SEARCH_TERM = 0, 1, 2, 3


def normalise_name(text: str) -> str:
    """Lower case, no accents, punctuation folded to spaces: ``"Camões"`` → ``"camoes"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("@", "a")  # CibEL@ is also written CibELA
    return re.sub(r"[^\w]+", " ", plain).strip()


def relation_name(text: str) -> str:
    """A relation name as compared: ``"member of"``, ``"memberOf"`` → ``"memberof"``."""
    return normalise_name(text).replace(" ", "")


def relation_names(key: str, data: dict[str, Any]) -> set[str]:
    """Every name a user may give an edge by, as compared.

    Its key (``paccto:basedIn``, ``org:memberOf/role-member-state``), its predicate's IRI or
    local name (``basedIn``), its readable relation with or without a membership's role
    (``member of (member state)``, ``member of``), or that role; so users need not know how a
    relationship is stored, and every command accepts the same names.
    """
    relation = str(data.get("relation") or "")
    predicate = str(data.get("predicate") or "")
    spellings = {
        key,
        key.split("/")[0],
        key.split(":")[-1].split("/")[0],
        relation,
        relation.split(" (")[0],
        predicate,
        predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
        str(data.get("role") or ""),
    }
    return {relation_name(spelling) for spelling in spellings if spelling}


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result."""

    iri: str
    id: str
    label: str
    cls: str
    class_label: str
    matched: str
    score: float


def entity_names(iri: str, node: Mapping[str, Any]) -> Iterator[tuple[int, str]]:
    """Every name an entity answers to, with its strength: the one statement of the indexing
    rules, read by the index built in memory and by the one saved with a store."""
    yield _ID, iri
    yield _ID, node["id"]
    yield _ID, f"id:{node['id']}"
    if node.get("iso_code"):
        yield _ID, node["iso_code"]
    for label in node["labels"].values():
        yield _LABEL, label
    for alias in node["aliases"]:
        yield _ALIAS, alias
    for term in node["search_terms"]:
        yield _SEARCH_TERM, term


def name_entries(
    nodes: Iterable[tuple[str, Mapping[str, Any]]],
) -> Iterator[tuple[str, int, str, str]]:
    """``(key, strength, iri, name as written)`` for every name of every node, in node order:
    what an index holds, whether kept in memory or saved (a name that normalises to nothing is
    no name)."""
    for iri, node in nodes:
        for strength, name in entity_names(iri, node):
            key = normalise_name(name)
            if key:
                yield key, strength, iri, name


class EntityIndex:
    """Name lookup over the nodes of a projection.

    The rules (which names, how strong, how a name is chosen among several entities, how search
    ranks) are written once here, over a few lookups that say where the names are kept; a store
    that saves its index with each version (:mod:`paccto.graph.stores.saved_parts`) answers the
    same lookups from its file, so that naming an entity does not need the whole projection.
    """

    @without_cyclic_gc
    def __init__(self, projection: Projection) -> None:
        self._graph = projection.graph
        self._names: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._display: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key, strength, iri, shown in name_entries(self._graph.nodes(data=True)):
            self._names[key][strength].add(iri)
            self._display[iri].append((key, shown))

    # -- where the names are kept: what a saved index answers from its file ---------------------

    def _is_entity(self, iri: str) -> bool:
        return iri in self._graph

    def _named(self, key: str) -> Mapping[int, Set[str]] | None:
        """The entities a normalised name designates, by strength."""
        return self._names.get(key)

    def _attributes(self, iri: str) -> dict[str, Any]:
        """The node attributes of an entity (KeyError if it is none)."""
        return self._graph.nodes[iri]

    def _every_node(self) -> Iterable[tuple[str, dict[str, Any]]]:
        return self._graph.nodes(data=True)

    def _every_name(self) -> Iterable[tuple[str, list[tuple[str, str]]]]:
        """Each entity with its ``(key, name as written)`` pairs, in node order."""
        return self._display.items()

    # -- the rules --------------------------------------------------------------------------------

    def node(self, iri: str) -> dict[str, Any]:
        return dict(self._attributes(iri))

    def resolve(self, name: str) -> str:
        """The IRI of the one entity ``name`` designates.

        Raises
        ------
        UnknownEntityError
            Nothing answers to the name; the error lists the closest names.
        AmbiguousEntityError
            Several entities answer equally well; the error lists them.

        Examples
        --------
        >>> index.resolve("camoes")
        'https://w3id.org/paccto-graph/id/instituto-camoes'
        """
        if self._is_entity(name):
            return name
        key = normalise_name(name)
        by_strength = self._named(key)
        if by_strength:
            for strength in (_ID, _LABEL, _ALIAS):
                candidates = by_strength.get(strength)
                if candidates:
                    if len(candidates) == 1:
                        return next(iter(candidates))
                    raise AmbiguousEntityError(name, self._describe(sorted(candidates)))
            candidates = by_strength.get(_SEARCH_TERM, set())
            if len(candidates) == 1:
                return next(iter(candidates))
            if candidates:
                raise AmbiguousEntityError(name, self._describe(sorted(candidates)))
        raise UnknownEntityError(name, self.suggestions(name))

    def _describe(self, iris: list[str]) -> list[str]:
        described = []
        for iri in iris:
            node = self._attributes(iri)
            described.append(f"{node['id']} ({node['label']}, {node['class_label']})")
        return described

    def entities(self, classes: frozenset[str] | set[str] | None = None) -> list[dict[str, Any]]:
        """Every entity's node attributes, by label, optionally only those of ``classes``
        (compact names, as :func:`paccto.graph.questions.neighbourhood.matching_classes` gives
        them)."""
        nodes = [
            node
            for _iri, node in self._every_node()
            if not classes or classes & set(node["classes"]) or node["class"] in classes
        ]
        return sorted(nodes, key=lambda node: (node["label"].casefold(), node["id"]))

    def suggestions(self, name: str, limit: int = 5) -> list[str]:
        """Ids of the entities whose names come closest to ``name``."""
        return [hit.id for hit in self.search(name, limit=limit, fuzzy_only=True)]

    def search(
        self,
        text: str,
        *,
        limit: int = 20,
        classes: set[str] | None = None,
        fuzzy_only: bool = False,
    ) -> list[SearchHit]:
        """Entities ranked by how well one of their names matches ``text``.

        A name equal to the text scores highest, then a name starting with it, then one
        containing it as a word, then one containing it anywhere, then close spellings.
        """
        query = normalise_name(text)
        if not query:
            return []
        best: dict[str, tuple[float, str]] = {}
        for iri, names in self._every_name():
            if classes:
                node = self._attributes(iri)
                if not (classes & set(node["classes"]) or node["class"] in classes):
                    continue
            for key, shown in names:
                score = 0.0 if fuzzy_only else _score(query, key)
                if score == 0.0:
                    # rapidfuzz, not difflib: the same similarity (twice the matched characters
                    # over both lengths), in C; difflib, in Python, took seconds per search over
                    # the names of a million-triple graph (docs/performance.md).
                    score = fuzz.ratio(query, key, score_cutoff=60) * 0.4
                if score and score > best.get(iri, (0.0, ""))[0]:
                    best[iri] = (score, shown)
        nodes = {iri: self._attributes(iri) for iri in best}
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], nodes[item[0]]["label"]))
        return [
            SearchHit(
                iri=iri,
                id=nodes[iri]["id"],
                label=nodes[iri]["label"],
                cls=nodes[iri]["class"],
                class_label=nodes[iri]["class_label"],
                matched=shown,
                score=round(score, 1),
            )
            for iri, (score, shown) in ranked[:limit]
        ]


def _score(query: str, name: str) -> float:
    if name == query:
        return 100.0
    if name.startswith(query):
        return 80.0 - min(len(name) - len(query), 20) / 2
    if re.search(rf"\b{re.escape(query)}\b", name):
        return 65.0
    if query in name:
        return 50.0
    return 0.0


def matching_classes(projection: Projection, names: Iterable[str]) -> frozenset[str]:
    """The compact class names (``paccto:Country``) that ``names`` designate.

    A user may write a compact name or a readable label in any case (``"country"``); the
    answer is in the one spelling nodes carry, so that filters compare sets. Only classes some
    entity actually has are accepted: asking for a class no entity has (a typo, or an abstract
    superclass such as ``Institution``) would otherwise silently give an empty answer.

    Raises
    ------
    PacctoError
        A name matches no class of any entity; the message lists the classes there are.
    """
    available: dict[str, str] = {}
    for _iri, node in projection.known_entities():
        for cls in node["classes"]:
            available[cls] = projection.class_labels.get(cls, cls.split(":")[-1])
        available[node["class"]] = node["class_label"]
    lookup: dict[str, set[str]] = {}
    for cls, label in available.items():
        for spelling in (cls, cls.split(":")[-1], label):
            lookup.setdefault(normalise_name(spelling), set()).add(cls)
    wanted: set[str] = set()
    for name in names:
        found = lookup.get(normalise_name(name))
        if not found:
            known = ", ".join(sorted(set(available.values()), key=str.casefold))
            raise PacctoError(f"No entity has the class {name!r}. Classes in the graph: {known}.")
        wanted |= found
    return frozenset(wanted)


def matching_relations(projection: Projection, names: Iterable[str]) -> frozenset[str]:
    """The normalised relation names ``names`` stand for, checked against the graph's edges.

    An edge may be named by its key (``paccto:basedIn``, ``org:memberOf/member-state``), its
    predicate's local name (``basedIn``) or its readable relation (``based in``, ``member of``,
    ``member of (member state)``), so users need not know how a relationship is stored.

    Raises
    ------
    PacctoError
        A name matches no edge of the graph; the message lists the relations there are.
    """
    known: set[str] = set()
    readable: set[str] = set()
    for key, data in projection.known_relations():
        known |= relation_names(key, data)
        readable.add(str(data.get("relation") or key).split(" (")[0])
    wanted: set[str] = set()
    for name in names:
        normalised = relation_name(name)
        if normalised not in known:
            listed = ", ".join(sorted(readable, key=str.casefold))
            raise PacctoError(
                f"No relationship is called {name!r}. Relations in the graph: {listed}."
            )
        wanted.add(normalised)
    return frozenset(wanted)
