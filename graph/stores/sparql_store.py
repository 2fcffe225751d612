"""The ``sparql:URL`` store: the graph stays on a SPARQL 1.1 server, questions fetch what they need.

Why this shape: every path, membership and neighbourhood question is answered by the same code
as on the other stores, over a small local graph holding exactly the part of the server's graph
the question depends on. That part is the *closure* of a set of expanded entities: every quad
that has one of them as subject or object, the whole of the collapsed nodes they touch
(memberships, quotations, indicators and the periods those carry), the descriptions of their
neighbours, and the passages and documents behind all of it. Over such a graph, the projection
is exact at every expanded entity, so an answer that reads only expanded entities is the answer
the whole graph gives. Each question decides what to expand (a path search expands level by
level from both ends, as networkx's bidirectional search does; see :func:`path_scope`).

Two things cannot be had from a closure and are fetched once, when first needed, with
aggregate queries: the *catalogue* (every entity's names and classes, for name lookup, search
and the checking of class and relation names) and the *hubs* (whose test compares an entity's
degree with all the others').

The store reads the named graphs whose IRI starts with the base IRI, the ontology's graph
excepted (the ontology is the package's own); other graphs on the server (Virtuoso's system
graphs, other datasets) are not ours. Statistics, analytics, exports and the whole-graph view
read every quad: the store copies the whole graph once when one of them asks (its ``dataset``
and ``projection``), up to ``PACCTO_STORE_MAX_COPIED_QUADS``, beyond which it says the question
needs an ``oxigraph:`` store.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import islice
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV
from rdflib.term import Node

from paccto.graph.errors import ExpansionLimitError, NotSupportedByStoreError, PacctoError
from paccto.graph.load.parsing import parse_file
from paccto.graph.load.resources import ontology_file
from paccto.graph.model.folding import (
    COLLAPSED_CLASSES,
    FOLDED_CLASSES,
    MEMBER_OF,
    NAME_KINDS,
    NON_EDGE_PREDICATES,
    PERIOD_LINKS,
    QUOTATION_LINKS,
    QUOTATION_SPEAKERS,
    SUB_ORGANISATION_OF,
)
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import EntityIndex
from paccto.graph.model.projection import Projection, build_projection
from paccto.graph.settings import Settings
from paccto.graph.store_address import StoreSpec
from paccto.graph.stores.sparql_client import SparqlClient, SparqlSource, rdflib_result
from paccto.graph.stores.sparql_loader import merge_graph
from paccto.ontology.namespace import PACCTO

__all__ = ["PartialKnowledgeGraph", "RemoteKnowledgeGraph", "open_sparql_store"]

#: IRIs per VALUES block: small enough for any server's query size limit.
_BATCH = 150
#: Rows per page of the catalogue queries: Virtuoso's default ResultSetMaxRows, which it
#: applies silently, and its default MaxSortedTopRows, which it enforces; no page asks for more.
_PAGE = 10_000
#: Classes whose instances the projection folds into their neighbours: their whole
#: description is needed with them.
_FOLDED = tuple(sorted(str(c) for c in COLLAPSED_CLASSES))
_PERIOD_LINKS = tuple(str(p) for p in PERIOD_LINKS)
#: What the catalogue reads of every entity: its classes and names, and its ISO code, which
#: the name index takes as an identifier ("MX").
_NAME_PREDICATES = (RDF.type, *NAME_KINDS, PACCTO.isoCode)
#: Predicates whose objects are never entities to describe.
_NOT_ENTITY_LINKS = frozenset({str(RDF.type)})

Quad = tuple[Node, Node, Node, Node]


def _iri(term: str) -> str:
    return f"<{term}>"


def _quads(rows: Iterable[tuple[Node | None, ...]]) -> Iterator[Quad]:
    for row in rows:
        if None not in row:
            yield row  # type: ignore[misc]


def _values(name: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ {' '.join(_iri(iri) for iri in iris)} }}"


def _batches(items: Sequence[str], size: int = _BATCH) -> Iterable[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class _Fetched:
    """Quads read so far for one question, and what they cover.

    A search reads a level at a time and looks at the local graph after each: ``dataset`` is
    that graph, grown by the quads read since (``pending``) rather than rebuilt from all of them,
    which cost a path at 100 k triples more than the server's answers did.
    """

    quads: set[Quad] = field(default_factory=set)
    #: Entities whose closure is in ``quads``.
    expanded: set[str] = field(default_factory=set)
    #: IRIs whose quads as subject are in ``quads``.
    described: set[str] = field(default_factory=set)
    passages: set[str] = field(default_factory=set)
    #: Of ``described``, the IRIs read without their links to other entities (a path search's
    #: neighbours, whose node attributes are all it looks at).
    attributes_only: set[str] = field(default_factory=set)
    dataset: Dataset | None = None
    pending: list[Quad] = field(default_factory=list)

    def add(self, quad: Quad) -> None:
        if quad not in self.quads:
            self.quads.add(quad)
            self.pending.append(quad)

    def copy(self) -> _Fetched:
        """The same quads and coverage, with a dataset of its own (built when first needed),
        so that growing the copy leaves local graphs made from this one as they are. The copy
        serves any question, so what was read as attributes only is to be read whole again."""
        return _Fetched(
            set(self.quads),
            set(self.expanded),
            self.described - self.attributes_only,
            set(self.passages),
        )


class RemoteKnowledgeGraph(KnowledgeGraph):
    """The graph on a SPARQL server: names and hubs known here, everything else fetched.

    ``client`` is whatever answers the SPARQL: a server's :class:`SparqlClient`, or any other
    :class:`SparqlSource` (an Oxigraph store of this process, through
    :class:`paccto.graph.stores.local_sparql.LocalSparqlClient`), for the one fetching logic.
    """

    def __init__(
        self,
        client: SparqlSource,
        ids: Identifiers,
        ontology: Graph,
        *,
        max_entities: int,
        max_copied_quads: int,
    ) -> None:
        self.ids = ids
        self.files = []
        self.store_kind = "sparql"
        self.quad_count = None
        self.store_path = None
        self.client = client
        #: The client user queries go through: the same, with the server's pragmas that make
        #: the default graph the merge of this graph's graphs where the server has them
        #: (see :func:`open_sparql_store`).
        self.query_client = client
        self.ontology = ontology
        self.max_entities = max_entities
        self.max_copied_quads = max_copied_quads
        self._graph_filter = (
            f'FILTER(STRSTARTS(STR(?g), "{ids.base}") && ?g != {_iri(str(ids.ontology_graph))})'
        )

    # -- the whole graph, copied when a question reads every quad --------------------------------

    @cached_property
    def whole(self) -> PartialKnowledgeGraph:
        """Every quad of the graph, copied once for the questions that read them all
        (statistics, analytics, exports, the whole-graph view): they answer as on any store
        while the graph is small enough to copy, and say what to do instead when it is not."""
        quads = sum(self._graph_sizes.values())
        if quads > self.max_copied_quads:
            raise NotSupportedByStoreError(
                f"this question reads every quad, and the graph at {self.location} has "
                f"{quads:,}, more than the {self.max_copied_quads:,} this store copies from "
                "the server (PACCTO_STORE_MAX_COPIED_QUADS); paths, members, memberships, "
                "search, entity pages and SPARQL queries read only what they need, or copy "
                "the data into an oxigraph: store"
            )
        every = self._read_all(lambda after: self._every_quad_pattern(after))
        return self._local(_Fetched(quads=every), linked=False)

    # A writable field of KnowledgeGraph, read-only here (the copied whole graph's): mypy
    # accepts no property in a field's place.
    @property
    def dataset(self) -> Dataset:  # type: ignore[override]
        return self.whole.dataset

    @property
    def projection(self) -> Projection:
        return self.whole.projection

    def _every_quad_pattern(self, after: str) -> str:
        later = f" FILTER(isIRI(?s) && STR(?s) > {ox.Literal(after)})" if after else ""
        return f"GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter}{later}"

    @property
    def location(self) -> str:
        return f"sparql:{self.client.location}"

    def answers(self, scope: Hashable) -> bool:
        """Nothing is held here: every question fetches its part (a graph held whole, as
        :class:`KnowledgeGraph` says of itself, would answer it as it is, copying it all)."""
        return False

    # -- what is fetched once --------------------------------------------------------------------

    @cached_property
    def catalogue(self) -> Projection:
        """Every entity with its names and classes (no facts): in one answer when the server
        gives that many rows, else page by page."""
        quads = self._read_all(self._catalogue_pattern)
        catalogue = self._local(_Fetched(quads=quads), linked=False).projection
        catalogue.relation_entries = self._relation_entries(catalogue)
        return catalogue

    def _read_all(self, pattern: Callable[[str], str]) -> set[Quad]:
        """The quads matching ``pattern("")``: in one answer when the server gives that many
        rows, else page by page (``pattern(after)`` matches the subjects after ``after``)."""
        quads = self._read_whole(pattern(""))
        return quads if quads is not None else self._read_paged(pattern)

    def _read_whole(self, pattern: str) -> set[Quad] | None:
        """The quads matching ``pattern`` in one unsorted answer, or None if the server cut
        that answer short.

        Sorting for pages is what costs: each page sorts every row after the last one read,
        which dominates reading the catalogue of a million-triple graph on Virtuoso. A server
        whose row cap (Virtuoso's ``ResultSetMaxRows``) exceeds the answer gives it whole; one
        whose cap cuts it is known by the count, and read in pages instead.
        """
        (count,) = self.client.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[0]
        expected = int(str(count))  # a COUNT is a literal, and rdflib's literals are strings
        rows = self.client.select(f"SELECT ?s ?p ?o ?g WHERE {{ {pattern} }}")
        if len(rows) != expected:  # cut by a row cap (or changed by a load meanwhile)
            return None
        return set(_quads(rows))

    def _read_paged(self, pattern: Callable[[str], str]) -> set[Quad]:
        """Page by the last subject read rather than by OFFSET: Virtuoso sorts at most
        ``MaxSortedTopRows`` (10 000 by default) rows for OFFSET plus LIMIT and refuses more."""
        quads: set[Quad] = set()
        after = ""
        while True:
            rows = self.client.select(
                f"SELECT ?s ?p ?o ?g WHERE {{ {pattern(after)} }} ORDER BY STR(?s) LIMIT {_PAGE}"
            )
            if len(rows) < _PAGE:
                quads.update(_quads(rows))
                break
            # The last subject's rows may go on in the next page: it is read again there whole.
            last = rows[-1][0]
            complete = [row for row in rows if row[0] != last]
            if not complete:
                raise PacctoError(
                    f"<{last}> is the subject of more than {_PAGE} statements on the server; "
                    "the graph cannot be read a page at a time"
                )
            quads.update(_quads(complete))
            after = str(complete[-1][0])
        return quads

    def _catalogue_pattern(self, after: str) -> str:
        """The names and classes of the subjects after ``after`` (every one for ``""``)."""
        predicates = " ".join(_iri(str(p)) for p in _NAME_PREDICATES)
        skip = _iri(str(self.ids.provenance_graph))
        later = f" && STR(?s) > {ox.Literal(after)}" if after else ""
        return (
            f"VALUES ?p {{ {predicates} }} GRAPH ?g {{ ?s ?p ?o }} "
            f"{self._graph_filter} FILTER(?g != {skip} && isIRI(?s){later})"
        )

    def _relation_entries(self, catalogue: Projection) -> list[tuple[str, dict[str, Any]]]:
        """One entry per kind of edge the projection would make: each predicate linking two
        entities, each membership role, each kind of quotation link."""
        folded = " ".join(_iri(c) for c in _FOLDED)
        skipped = ", ".join(sorted(_iri(str(p)) for p in NON_EDGE_PREDICATES))
        predicates = self.client.select(
            f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._facts_filter('g')} "
            f"FILTER(isIRI(?o) && ?p NOT IN ({skipped})) "
            f"FILTER NOT EXISTS {{ VALUES ?f {{ {folded} }} GRAPH ?gf {{ ?s a ?f }} }} }}"
        )
        compact = self.ids.compact
        entries: list[tuple[str, dict[str, Any]]] = []
        for (predicate,) in predicates:
            if predicate is not None:
                key = compact(str(predicate))
                relation = catalogue.relation_labels.get(str(predicate), key)
                entries.append((key, {"relation": relation, "predicate": str(predicate)}))
        roles = self.client.select(
            "SELECT DISTINCT ?role ?label WHERE { GRAPH ?g { ?m a org:Membership } "
            "OPTIONAL { GRAPH ?g2 { ?m org:role ?role } "
            "OPTIONAL { GRAPH ?g3 { ?role rdfs:label ?label } } } }"
        )
        labels: dict[str, str] = {}
        for role, label in roles:
            if role is None:
                entries.append(
                    (MEMBER_OF, {"relation": "member of", "predicate": str(ORG.memberOf)})
                )
            elif isinstance(label, Literal) and (
                label.language in (None, "en") or str(role) not in labels
            ):
                labels[str(role)] = str(label)
        for role_iri, role_label in sorted(labels.items()):
            entries.append(
                (
                    f"{MEMBER_OF}/{self.ids.local_id(role_iri) or role_iri}",
                    {
                        "relation": f"member of ({role_label.lower()})",
                        "predicate": str(ORG.memberOf),
                        "role": role_label,
                        "role_iri": role_iri,
                    },
                )
            )
        for predicate, relation in QUOTATION_LINKS.items():
            if self.client.ask(
                f"ASK {{ GRAPH ?g {{ ?q {_iri(str(predicate))} ?o }} "
                "GRAPH ?g2 { ?q a paccto:Quotation } }"
            ):
                entries.append(
                    (f"{relation}/q", {"relation": relation, "predicate": str(PACCTO.Quotation)})
                )
        return entries

    def neighbour_counts(self) -> dict[str, int]:
        return self._neighbour_counts

    @cached_property
    def _neighbour_counts(self) -> dict[str, int]:
        """The number of distinct neighbours of every entity, over the relationships the
        projection makes edges of, counted by the server: the hub test compares each entity
        with all the others, which no part of the graph can do."""
        folded = " ".join(sorted(_iri(str(c)) for c in FOLDED_CLASSES))
        skipped = ", ".join(sorted(_iri(str(p)) for p in NON_EDGE_PREDICATES))
        speaker, post = (_iri(str(p)) for p in QUOTATION_SPEAKERS)
        targets = " ".join(_iri(str(p)) for p in QUOTATION_LINKS)
        ontology = str(self.ids.ontology_graph)
        text = f"""
SELECT ?x (COUNT(DISTINCT ?y) AS ?degree) WHERE {{
  {{ SELECT DISTINCT ?a ?b WHERE {{
    {{ GRAPH ?g {{ ?a ?p ?b }} {self._facts_filter("g")}
       FILTER(isIRI(?b) && ?p NOT IN ({skipped})) }}
    UNION
    {{ GRAPH ?g {{ ?m org:member ?a }} GRAPH ?g2 {{ ?m org:organization ?b }}
       GRAPH ?g3 {{ ?m a org:Membership }} {self._facts_filter("g")} {self._facts_filter("g2")} }}
    UNION
    {{ VALUES ?tp {{ {targets} }}
       {{ GRAPH ?g {{ ?q {speaker} ?a }} }} UNION
       {{ GRAPH ?g {{ ?q {post} ?a }}
          FILTER NOT EXISTS {{ GRAPH ?g4 {{ ?q {speaker} ?someone }}
                              {self._facts_filter("g4")} }} }}
       GRAPH ?g2 {{ ?q ?tp ?b }} GRAPH ?g3 {{ ?q a paccto:Quotation }}
       {self._facts_filter("g")} {self._facts_filter("g2")} }}
    FILTER(?a != ?b && isIRI(?a) && !STRSTARTS(STR(?a), "{ontology}")
           && !STRSTARTS(STR(?b), "{ontology}"))
  }} }}
  VALUES ?forward {{ true false }}
  BIND(IF(?forward, ?a, ?b) AS ?x)
  BIND(IF(?forward, ?b, ?a) AS ?y)
  FILTER EXISTS {{ GRAPH ?gx {{ ?x a ?tx }} }}
  FILTER EXISTS {{ GRAPH ?gy {{ ?y a ?ty }} }}
  FILTER NOT EXISTS {{ VALUES ?fx {{ {folded} }} GRAPH ?gfx {{ ?x a ?fx }} }}
  FILTER NOT EXISTS {{ VALUES ?fy {{ {folded} }} GRAPH ?gfy {{ ?y a ?fy }} }}
}} GROUP BY ?x"""
        counted = {str(x): int(str(d)) for x, d in self.client.select(text) if x is not None}
        return {iri: counted.get(iri, 0) for iri in self.catalogue.graph}

    def _facts_filter(self, variable: str) -> str:
        """Graphs whose statements the projection reads as facts (not descriptions)."""
        ids = self.ids
        return (
            f'FILTER(STRSTARTS(STR(?{variable}), "{ids.base}") && ?{variable} NOT IN '
            f"({_iri(str(ids.ontology_graph))}, {_iri(str(ids.entities_graph))}, "
            f"{_iri(str(ids.provenance_graph))}))"
        )

    @cached_property
    def _graph_sizes(self) -> dict[str, int]:
        rows = self.client.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter} }}"
            " GROUP BY ?g"
        )
        return {str(g): int(str(n)) for g, n in rows if g is not None}

    def data_graph_names(self) -> list[URIRef]:
        return sorted(URIRef(name) for name in self._graph_sizes)

    def graph_names(self) -> set[str]:
        return {*self._graph_sizes, str(self.ids.ontology_graph)}

    def graph_sizes(self) -> dict[str, int]:
        return {**self._graph_sizes, str(self.ids.ontology_graph): len(self.ontology)}

    def __len__(self) -> int:
        return sum(self._graph_sizes.values()) + len(self.ontology)

    def label(self, node: Node, language: str = "en") -> str:
        data = self.catalogue.graph.nodes.get(str(node))
        if data is None:
            return self.ids.compact(str(node))
        return str(data["labels"].get(language) or data["label"])

    def membership_links(self) -> Iterable[tuple[str, str, str]]:
        """Memberships and sub-organisation links, read with one query."""
        rows = self.client.select(
            "SELECT DISTINCT ?member ?organisation ?sub WHERE { "
            "{ GRAPH ?g { ?m org:member ?member } GRAPH ?g2 { ?m org:organization ?organisation }"
            f" GRAPH ?g3 {{ ?m a org:Membership }} {self._facts_filter('g')} "
            f'{self._facts_filter("g2")} BIND("member" AS ?sub) }} UNION '
            "{ GRAPH ?g { ?member org:subOrganizationOf ?organisation } "
            f'{self._facts_filter("g")} BIND("sub" AS ?sub) }} }}'
        )
        nodes = self.catalogue.graph
        for member, organisation, sub in rows:
            if str(member) in nodes and str(organisation) in nodes:
                # a string, not a boolean: Virtuoso returns booleans as 1 and 0
                key = SUB_ORGANISATION_OF if str(sub) == "sub" else MEMBER_OF
                yield str(member), str(organisation), key

    def evaluate(self, text: str, query: Any, *, own_dataset: bool = False) -> Any:
        """Send a checked query to the server; the answer as rdflib reads such answers.

        ``own_dataset``: the query names its graphs (FROM), which then replace the default
        graph the server's pragmas would set."""
        client = self.client if own_dataset else self.query_client

        if query.algebra.name in ("ConstructQuery", "DescribeQuery"):
            with client.triples(text) as triples:
                return rdflib_result(triples)
        with client.solutions(text) as solutions:
            return rdflib_result(solutions)

    # -- what a question fetches -----------------------------------------------------------------

    def fetch(self, *, fresh: bool = False) -> _ServerFetch:
        return _ServerFetch(self, _Fetched())

    def _expand(
        self, fetched: _Fetched, iris: Sequence[str], *, attributes_only: bool = False
    ) -> PartialKnowledgeGraph:
        """Add the closures of ``iris`` to ``fetched`` and grow its local graph; a question that
        owns ``fetched`` (a path search, a transitive membership) grows it level by level.

        ``attributes_only``: the neighbours are read without their links to entities other than
        the expanded ones (see :meth:`_describe`)."""
        new = [iri for iri in iris if iri not in fetched.expanded]
        if len(fetched.expanded) + len(new) > self.max_entities:
            raise ExpansionLimitError(
                f"answering would read the neighbourhoods of more than {self.max_entities:,} "
                "entities from the SPARQL server (PACCTO_STORE_MAX_ENTITIES); narrow the "
                "question (a shorter max_length, avoid_hubs, fewer relations or a smaller depth)"
            )
        for batch in _batches(new):
            text = (
                f"SELECT ?s ?p ?o ?g WHERE {{ {_values('x', batch)} "
                "{ GRAPH ?g { ?x ?p ?o } BIND(?x AS ?s) } UNION "
                "{ GRAPH ?g { ?s ?p ?x } BIND(?x AS ?o) } UNION "
                "{ GRAPH ?x { ?s ?p ?o } BIND(?x AS ?g) } "
                f"{self._graph_filter} }}"
            )
            self._add(fetched, self.client.select(text))
        fetched.expanded.update(new)
        fetched.described.update(new)
        # Neighbours' descriptions, then what the collapsed nodes among them point to.
        for _round in range(4):
            wanted = self._undescribed(fetched)
            if not wanted:
                break
            self._describe(fetched, wanted, attributes_only=attributes_only)
        self._fetch_provenance(fetched)
        return self._local(fetched)

    def _add(self, fetched: _Fetched, rows: Iterable[tuple[Node | None, ...]]) -> None:
        for s, p, o, g in rows:
            if s is None or p is None or o is None or g is None:
                continue
            fetched.add((s, p, o, g))
            fetched.passages.add(str(g))

    def _undescribed(self, fetched: _Fetched) -> list[str]:
        types: dict[str, set[str]] = {}
        for s, p, o, _g in fetched.quads:
            if p == RDF.type:
                types.setdefault(str(s), set()).add(str(o))
        wanted: set[str] = set()
        ontology = str(self.ids.ontology_graph)
        for s, p, o, _g in fetched.quads:
            subject, predicate = str(s), str(p)
            # a neighbour of an expanded entity, or what a collapsed node or a period link
            # points to
            needed = (
                subject in fetched.expanded
                or str(o) in fetched.expanded
                or bool(types.get(subject, set()) & set(_FOLDED))
                or predicate in _PERIOD_LINKS
            )
            if not needed or predicate in _NOT_ENTITY_LINKS:
                continue
            for term in (s, o):
                text = str(term)
                if (
                    isinstance(term, URIRef)
                    and text not in fetched.described
                    and not text.startswith(ontology)
                ):
                    wanted.add(text)
        return sorted(wanted)

    def _describe(self, fetched: _Fetched, iris: list[str], *, attributes_only: bool) -> None:
        """Read what ``iris`` say as subjects.

        ``attributes_only`` leaves out their links to other entities: a path search looks only
        at the expanded entities' edges, and every path within its bound has an expanded end at
        each step, so a neighbour's own relationships (most of what a neighbour says, with the
        provenance of each) are never walked. Kept: types, names and literals, period links,
        and the whole of the collapsed nodes (memberships, quotations, indicators, periods).
        """
        keep = ""
        if attributes_only:
            links = ", ".join(_iri(str(p)) for p in (RDF.type, *_PERIOD_LINKS))
            folded = " ".join(_iri(c) for c in _FOLDED)
            keep = (
                f"FILTER(!isIRI(?o) || ?p IN ({links}) || "
                f"EXISTS {{ VALUES ?f {{ {folded} }} GRAPH ?gf {{ ?s a ?f }} }})"
            )
        for batch in _batches(iris):
            text = (
                f"SELECT ?s ?p ?o ?g WHERE {{ {_values('s', batch)} GRAPH ?g {{ ?s ?p ?o }} "
                f"{self._graph_filter} {keep} }}"
            )
            self._add(fetched, self.client.select(text))
        fetched.described.update(iris)
        if attributes_only:
            fetched.attributes_only.update(iris)

    def _fetch_provenance(self, fetched: _Fetched) -> None:
        """The records of the passages whose graphs were read, then of their documents."""
        provenance = URIRef(str(self.ids.provenance_graph))
        known = {str(s) for s, _p, _o, g in fetched.quads if g == provenance}
        passages = fetched.passages - known - {str(provenance)}
        documents = self._provenance_records(fetched, passages)
        self._provenance_records(fetched, documents - known)

    def _provenance_records(self, fetched: _Fetched, subjects: set[str]) -> set[str]:
        """Add what the provenance graph says about ``subjects``; the documents it names."""
        provenance = URIRef(str(self.ids.provenance_graph))
        documents: set[str] = set()
        for batch in _batches(sorted(subjects)):
            text = (
                f"SELECT ?s ?p ?o WHERE {{ {_values('s', batch)} "
                f"GRAPH {_iri(str(provenance))} {{ ?s ?p ?o }} }}"
            )
            for s, p, o in self.client.select(text):
                if s is not None and p is not None and o is not None:
                    fetched.add((s, p, o, provenance))
                    if p == PROV.wasDerivedFrom:
                        documents.add(str(o))
        return documents

    def _local(self, fetched: _Fetched, *, linked: bool = True) -> PartialKnowledgeGraph:
        """The local graph of ``fetched``; ``linked``: it fetches more from this store when
        asked about more (the catalogue is not: it is what linked graphs check names with).

        Each call gives a new graph object (its projection is built afresh) over ``fetched``'s
        one dataset, grown by the quads read since the last call."""
        dataset = fetched.dataset
        if dataset is None:
            dataset = fetched.dataset = Dataset(default_union=True)
            for prefix, namespace in self.ids.prefixes().items():
                dataset.bind(prefix, namespace, override=True, replace=True)
            ontology = dataset.graph(self.ids.ontology_graph)
            for triple in self.ontology:
                ontology.add(triple)
            new: Iterable[Quad] = fetched.quads
        else:
            new = fetched.pending
        graphs: dict[Node, Graph] = {}
        for s, p, o, g in new:
            if g not in graphs:
                graphs[g] = dataset.graph(g)  # type: ignore[arg-type]
            graphs[g].add((s, p, o))
        fetched.pending = []
        return PartialKnowledgeGraph(
            dataset=dataset, ids=self.ids, origin=self if linked else None, fetched=fetched
        )


class _ServerFetch:
    """A part of the server's graph that one question grows (see
    :class:`paccto.graph.model.knowledge_graph.Fetch`)."""

    def __init__(self, origin: RemoteKnowledgeGraph, fetched: _Fetched) -> None:
        self.origin = origin
        self.fetched = fetched
        self._local: PartialKnowledgeGraph | None = None

    @property
    def expanded(self) -> set[str]:
        return self.fetched.expanded

    def expand(
        self, iris: Sequence[str], *, attributes_only: bool = False
    ) -> PartialKnowledgeGraph:
        self._local = self.origin._expand(self.fetched, iris, attributes_only=attributes_only)
        return self._local

    def done(self, scope: Hashable) -> PartialKnowledgeGraph:
        local = self._local or self.expand([])
        local.scopes.add(scope)
        return local


@dataclass
class PartialKnowledgeGraph(KnowledgeGraph):
    """Part of a remote graph, exact at its expanded entities; asking it about more entities
    fetches them from the same server."""

    origin: RemoteKnowledgeGraph | None = None
    fetched: _Fetched = field(default_factory=_Fetched)
    #: The questions this graph was fetched for, which it answers without fetching again.
    scopes: set[Hashable] = field(default_factory=set)

    @cached_property
    def projection(self) -> Projection:
        projection = build_projection(self.dataset, self.ids)
        if self.origin is not None:
            projection.catalogue = self.origin.catalogue
        return projection

    def neighbour_counts(self) -> Mapping[str, int]:
        if self.origin is None:
            return super().neighbour_counts()
        return self.origin.neighbour_counts()

    @cached_property
    def index(self) -> EntityIndex:
        return self.origin.index if self.origin is not None else EntityIndex(self.catalogue)

    def fetch(self, *, fresh: bool = False) -> _ServerFetch | None:
        if self.origin is None:
            return None
        return _ServerFetch(self.origin, _Fetched() if fresh else self.fetched.copy())

    def answers(self, scope: Hashable) -> bool:
        return self.origin is None or scope in self.scopes


def open_sparql_store(spec: StoreSpec, settings: Settings) -> RemoteKnowledgeGraph:
    """Connect to the server named by ``spec`` and check it answers.

    Raises
    ------
    StoreUnavailableError
        The server cannot be reached or refuses the credentials.
    PacctoError
        It holds none of this graph's named graphs.
    """
    if spec.location is None:
        raise PacctoError("the sparql store needs a URL")
    ids = Identifiers(settings.base_iri)
    client = SparqlClient.from_settings(spec.location, settings)
    ontology = Graph()
    for s, p, o, _g in parse_file(ontology_file(), base_iri=ids.base):
        ontology.add((s, p, o))
    remote = RemoteKnowledgeGraph(
        client,
        ids,
        ontology,
        max_entities=settings.store_max_entities,
        max_copied_quads=settings.store_max_copied_quads,
    )
    entities = _iri(str(ids.entities_graph))
    if not client.ask(f"ASK {{ GRAPH {entities} {{ ?s ?p ?o }} }}"):
        raise PacctoError(
            f"the SPARQL server at {spec.location} holds no <{ids.entities_graph}> graph: load "
            f"the graph into it first (`paccto load --store {spec} FILES`, or the server's own "
            "bulk loader with `paccto export --format nq`)"
        )
    remote.query_client = _merged_default_client(client, ids)
    return remote


def _merged_default_client(client: SparqlClient, ids: Identifiers) -> SparqlClient:
    """The client for user queries: on a server holding the merge graph a load writes, and
    understanding Virtuoso's pragmas, one whose default graph is that merge (each triple once,
    as on the other stores); else the plain client, and the server's own default graph."""
    merge = merge_graph(ids.base)
    if not client.ask(f"ASK {{ GRAPH <{merge}> {{ ?s ?p ?o }} }}"):
        return client
    # Virtuoso's named-graph-exclude empties the default graph as well, so the merge graph
    # stays among the named graphs there, as Virtuoso's own system graphs are.
    pragmas = f"define input:default-graph-uri <{merge}>\n"
    merged = replace(client, pragmas=pragmas)
    try:
        merged.ask("ASK {}")
    except PacctoError:  # not Virtuoso: its pragmas are a syntax error there
        return client
    return merged
