"""Finds entities by what people call them: an IRI, a readable id, a label, an acronym.

One resolver serves the library, the command line and the API, so "Mexico", "méxico", "MX",
"id:mexico" and the full IRI all reach the same node everywhere. Matching ignores case, accents
and punctuation, and knows every language the graph has a label in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from paccto.graph.errors import AmbiguousEntityError, PacctoError, UnknownEntityError
from paccto.graph.model.gc import without_cyclic_gc
from paccto.graph.model.projection import Projection

__all__ = [
    "EntityIndex",
    "SearchHit",
    "matching_classes",
    "matching_relations",
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


class EntityIndex:
    """Name lookup over the nodes of a projection."""

    @without_cyclic_gc
    def __init__(self, projection: Projection) -> None:
        self._graph = projection.graph
        self._names: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._display: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for iri, node in self._graph.nodes(data=True):
            self._add(iri, _ID, iri)
            self._add(iri, _ID, node["id"])
            self._add(iri, _ID, f"id:{node['id']}")
            if node.get("iso_code"):
                self._add(iri, _ID, node["iso_code"])
            for label in node["labels"].values():
                self._add(iri, _LABEL, label)
            for alias in node["aliases"]:
                self._add(iri, _ALIAS, alias)
            for term in node["search_terms"]:
                self._add(iri, _SEARCH_TERM, term)

    def _add(self, iri: str, strength: int, name: str) -> None:
        key = normalise_name(name)
        if key:
            self._names[key][strength].add(iri)
            self._display[iri].append((key, name))

    def node(self, iri: str) -> dict[str, Any]:
        return dict(self._graph.nodes[iri])

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
        if name in self._graph:
            return name
        key = normalise_name(name)
        by_strength = self._names.get(key)
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
        return [
            f"{self._graph.nodes[iri]['id']} ({self._graph.nodes[iri]['label']}, "
            f"{self._graph.nodes[iri]['class_label']})"
            for iri in iris
        ]

    def entities(self, classes: frozenset[str] | set[str] | None = None) -> list[dict[str, Any]]:
        """Every entity's node attributes, by label, optionally only those of ``classes``
        (compact names, as :func:`paccto.graph.questions.neighbourhood.matching_classes` gives
        them)."""
        nodes = [
            node
            for _iri, node in self._graph.nodes(data=True)
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
        for iri, names in self._display.items():
            node = self._graph.nodes[iri]
            if classes and not (classes & set(node["classes"]) or node["class"] in classes):
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
        ranked = sorted(
            best.items(), key=lambda item: (-item[1][0], self._graph.nodes[item[0]]["label"])
        )
        return [
            SearchHit(
                iri=iri,
                id=self._graph.nodes[iri]["id"],
                label=self._graph.nodes[iri]["label"],
                cls=self._graph.nodes[iri]["class"],
                class_label=self._graph.nodes[iri]["class_label"],
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
