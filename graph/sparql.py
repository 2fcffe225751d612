"""Read-only SPARQL over a loaded knowledge graph, refusing anything that would reach outside it.

The command line runs queries in process with rdflib. Two rdflib behaviours are switched off or
refused before evaluation, because a query must never make the machine fetch a URL: ``SERVICE``
(rdflib calls ``urlopen``) and ``FROM``/``FROM NAMED`` naming a graph the dataset does not hold
(rdflib would download it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node, Variable

from paccto.graph.errors import PacctoError, QueryError, RefusedQueryError, UpdateRefusedError
from paccto.graph.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import DEFAULT_BASE_IRI

__all__ = [
    "QueryResult",
    "QueryScreen",
    "check_dataset_graphs",
    "localise_query",
    "prepare_read_only_query",
    "run_query",
    "screen_query",
]

_DATA_PATHS = ("id/", "source/", "passage/", "graph/")

# Never let rdflib download a graph named in FROM / FROM NAMED.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


@dataclass
class QueryResult:
    """What a query returned, in a form every front end can render."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    raw: Any = None

    def records(self) -> Iterator[dict[str, Node | None]]:
        for row in self.rows:
            yield dict(zip(self.variables, row, strict=True))


def localise_query(text: str, kg: KnowledgeGraph) -> str:
    """Point the project's stored queries at the configured base IRI.

    The ``.rq`` files name entities under the default base so that they also run as they are in
    any SPARQL tool; a graph loaded under another base gets them rewritten.
    """
    if kg.ids.base == DEFAULT_BASE_IRI:
        return text
    # Only data IRIs move with the base; the ontology namespace is fixed.
    for path in _DATA_PATHS:
        text = text.replace(DEFAULT_BASE_IRI + path, kg.ids.base + path)
    return text


def _location(error: ParseException) -> str:
    return f"line {error.lineno}, column {error.col}"


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value)


def prepare_read_only_query(text: str, kg: KnowledgeGraph) -> Query:
    """Parse ``text`` as a query, refusing updates, ``SERVICE`` and unknown dataset graphs."""
    try:
        query = prepareQuery(text, initNs=kg.ids.prefixes(), base=kg.ids.base)
    except ParseException as error:
        try:
            parseUpdate(text)
        except ParseException:
            pass
        else:
            raise UpdateRefusedError(
                "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are not allowed: "
                "the graph is read-only"
            ) from None
        message = re.sub(r"\s+\(at char \d+\), \(line:\d+, col:\d+\)$", "", str(error))
        raise QueryError(f"malformed SPARQL query at {_location(error)}: {message}") from None
    except Exception as error:  # rdflib raises plain exceptions for some semantic errors
        raise QueryError(f"invalid SPARQL query: {error}") from None

    known_graphs = {URIRef(name) for name in kg.graph_names()}
    for node in _walk(query.algebra):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise RefusedQueryError(
                f"SERVICE is not allowed: this endpoint never fetches other endpoints "
                f"({dict.get(node, 'term')})"
            )
        if name == "DatasetClause":
            # CompValue.get returns the key itself when it is missing; read it as a dict.
            graph = dict.get(node, "default") or dict.get(node, "named")
            if isinstance(graph, URIRef) and graph not in known_graphs:
                raise RefusedQueryError(
                    f"FROM / FROM NAMED <{graph}> names a graph that is not loaded; "
                    "remote graphs are never fetched"
                )
    return query


_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Only queries containing one of these words (after undoing codepoint escapes, in any case)
#: can name another endpoint or graph; SERVICE and FROM are keywords and keywords cannot be
#: spelt any other way.
_REACHING_WORDS = ("service", "from")


@dataclass(frozen=True)
class QueryScreen:
    """What the pre-evaluation check learnt about a query that may be evaluated."""

    #: The query has FROM / FROM NAMED clauses (all naming loaded graphs), so the engine must use
    #: them instead of its union default graph.
    has_dataset_clause: bool = False


def _unescape_codepoints(text: str) -> str:
    # SPARQL allows \uXXXX anywhere in a query; undo them so no keyword hides behind an escape.
    def replace(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    return _CODEPOINT_ESCAPE.sub(replace, text)


def screen_query(text: str, kg: KnowledgeGraph) -> QueryScreen:
    """Refuse, before any engine sees it, a query that would reach outside the loaded graph.

    Parsing with rdflib costs 20-50 ms per query, a hundred times what Oxigraph needs to answer
    most queries, so it runs only when it can matter: a query in which neither the word SERVICE
    nor FROM occurs in any form cannot contain those clauses, whatever else it says. Every other
    query is parsed and its algebra walked by :func:`prepare_read_only_query`.
    """
    folded = _unescape_codepoints(text).casefold()
    if not any(word in folded for word in _REACHING_WORDS):
        return QueryScreen()
    query = prepare_read_only_query(text, kg)
    has_dataset = any(
        getattr(node, "name", None) == "DatasetClause" for node in _walk(query.algebra)
    )
    return QueryScreen(has_dataset_clause=has_dataset)


def check_dataset_graphs(graphs: list[str], kg: KnowledgeGraph, parameter: str) -> None:
    """Refuse protocol dataset parameters (``default-graph-uri``) naming graphs not loaded."""
    known = kg.graph_names()
    for graph in graphs:
        if graph not in known:
            raise RefusedQueryError(
                f"{parameter} <{graph}> names a graph that is not loaded; remote graphs are "
                "never fetched"
            )


def run_query(kg: KnowledgeGraph, text: str) -> QueryResult:
    """Evaluate a read-only query over the whole dataset (default graph = union of all graphs).

    Examples
    --------
    >>> from paccto.graph.loading import load_knowledge_graph
    >>> kg = load_knowledge_graph()  # doctest: +SKIP
    >>> run_query(kg, "ASK { id:clasi paccto:counterpartOf id:cosi }").boolean  # doctest: +SKIP
    True
    """
    text = localise_query(text, kg)
    query = prepare_read_only_query(text, kg)
    try:
        result = kg.evaluate(text, query)
    except PacctoError:
        raise
    except Exception as error:  # evaluation errors are the query's fault, not a crash
        raise QueryError(f"the query could not be evaluated: {error}") from None
    kind = result.type
    if kind == "SELECT":
        variables = [str(variable) for variable in result.vars or []]
        rows = [tuple(row[Variable(name)] for name in variables) for row in result]
        return QueryResult(kind=kind, variables=variables, rows=rows, raw=result)
    if kind == "ASK":
        return QueryResult(kind=kind, boolean=bool(result.askAnswer), raw=result)
    graph = Graph(namespace_manager=kg.ids.namespace_manager())
    for triple in result:
        graph.add(triple)
    return QueryResult(kind=kind, graph=graph, raw=result)
