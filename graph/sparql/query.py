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
from rdflib.query import Result
from rdflib.term import Node, Variable

from paccto.graph.errors import PacctoError, QueryError, RefusedQueryError, UpdateRefusedError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import DEFAULT_BASE_IRI
from paccto.graph.stores.sparql_client import rdflib_result
from paccto.graph.stores.sparql_store import RemoteKnowledgeGraph

__all__ = [
    "QueryResult",
    "QueryScreen",
    "canonical_query_text",
    "check_dataset_graphs",
    "is_update",
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


def is_update(text: str) -> bool:
    """Whether a text that is not a query is a SPARQL update (asked only of refused texts).

    A text of comments or prefixes alone parses as an update of no operations; it is a
    malformed query, not a refused update.
    """
    try:
        parsed = parseUpdate(text)
    except (ParseException, RecursionError, ValueError):
        return False
    # CompValue.get answers a missing key with the key itself; read it as a dict.
    return bool(dict.get(parsed, "request"))


def prepare_read_only_query(text: str, kg: KnowledgeGraph) -> Query:
    """Parse ``text`` as a query, refusing updates, ``SERVICE`` and unknown dataset graphs."""
    try:
        query = prepareQuery(text, initNs=kg.ids.prefixes(), base=kg.ids.base)
    except ParseException as error:
        if is_update(text):
            raise UpdateRefusedError(
                "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are not allowed: "
                "the graph is read-only"
            ) from None
        message = re.sub(r"\s+\(at char \d+\), \(line:\d+, col:\d+\)$", "", str(error))
        raise QueryError(f"malformed SPARQL query at {_location(error)}: {message}") from None
    except Exception as error:  # rdflib raises plain exceptions for some semantic errors
        raise QueryError(f"invalid SPARQL query: {error}") from None

    # A graph held here is the whole dataset its engine can see: a graph named in FROM that is
    # not loaded is an empty graph, never fetched. A server (the sparql:URL store) holds other
    # data too, so there only our own graphs may be named.
    held_elsewhere = isinstance(kg, RemoteKnowledgeGraph)
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
            if held_elsewhere and isinstance(graph, URIRef) and graph not in known_graphs:
                raise RefusedQueryError(
                    f"FROM / FROM NAMED <{graph}> names a graph that is not this graph's; "
                    "the server's other graphs are not served"
                )
    return query


_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Only queries containing one of these words (in ASCII, in any case) can name another endpoint
#: or graph; in the canonical text no keyword can hide behind an escape or another alphabet.
_REACHING_WORDS = ("service", "from")
_BOM = "\ufeff"
#: Characters refused anywhere in a query, escaped or not (escapes are undone before parsing):
#: control characters other than tab and line feed, the Unicode line and paragraph separators,
#: a byte-order mark past the first character and lone surrogates. Parsers disagree on whether
#: some of them end a comment or a line, and a query the checker reads differently from the
#: engine is the hole this module exists to close; no real query needs them.
_REFUSED_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


@dataclass(frozen=True)
class QueryScreen:
    """A query that may be evaluated: its canonical text and what the check learnt of it."""

    #: The canonical text (:func:`canonical_query_text`): the text that was checked and the only
    #: text any engine may evaluate.
    text: str


def _decode_codepoint_escapes(text: str) -> str:
    # SPARQL 1.1 (section 19.2) undoes \uXXXX and \UXXXXXXXX anywhere in a query before parsing.
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(
                f"malformed SPARQL query at character {match.start() + 1}: "
                f"{match.group(0)} is not a Unicode character"
            )
        return chr(code)

    return _CODEPOINT_ESCAPE.sub(replace, text)


def canonical_query_text(text: str) -> str:
    """The one spelling of ``text`` that the checker parses and the engine evaluates.

    rdflib (the checker) and Oxigraph or a SPARQL server (the engines) once disagreed on where a
    comment ends (a carriage return ends one for Oxigraph, not for rdflib), so a ``SERVICE``
    the checker read as a comment was evaluated. Rather than chase each difference, the text is
    brought to a form in which the two cannot differ: codepoint escapes are undone here, once,
    as SPARQL says they are before parsing, and a text that still holds an escape after that
    (an escape spelling an escape) is refused, so no engine can undo another layer; every line
    ending becomes a line feed, so a comment ends at the same place for every parser; a leading
    byte-order mark is dropped; and characters that parsers treat inconsistently are refused
    (:data:`_REFUSED_CHARACTERS`). A raw carriage return inside a long string literal therefore
    reads as a line feed; write ``\\r`` to keep one.

    Raises
    ------
    QueryError
        The text holds an escape of an escape, an escape that is not a character, or a
        character no query needs raw; the message says which and where.
    """
    text = _decode_codepoint_escapes(text.removeprefix(_BOM))
    leftover = _CODEPOINT_ESCAPE.search(text)
    if leftover is not None:
        raise QueryError(
            f"malformed SPARQL query at character {leftover.start() + 1}: a codepoint escape "
            f"spells another escape ({leftover.group(0)}); write the character itself"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    refused = _REFUSED_CHARACTERS.search(text)
    if refused is not None:
        line = text.count("\n", 0, refused.start()) + 1
        raise QueryError(
            f"malformed SPARQL query at line {line}: character U+{ord(refused.group(0)):04X} is "
            "not accepted in a query, escaped or not (parsers disagree on whether it ends a line)"
        )
    return text


def screen_query(text: str, kg: KnowledgeGraph) -> QueryScreen:
    """Refuse, before any engine sees it, a query that would reach outside the loaded graph.

    The check and the evaluation read the same canonical text (:func:`canonical_query_text`),
    so they see the same tokens. Parsing with rdflib costs far more than Oxigraph needs to
    answer most queries, so it runs only when it can matter: a canonical
    text in pure ASCII in which neither the word SERVICE nor FROM occurs, in any case, cannot
    contain those clauses, whatever else it says. Every other query is parsed and its algebra
    walked by :func:`prepare_read_only_query`.
    """
    text = canonical_query_text(text)
    folded = text.casefold()
    if text.isascii() and not any(word in folded for word in _REACHING_WORDS):
        return QueryScreen(text)
    prepare_read_only_query(text, kg)
    return QueryScreen(text)


def names_its_dataset(query: Query) -> bool:
    """Whether the query names its own graphs (FROM, FROM NAMED)."""
    return any(getattr(node, "name", None) == "DatasetClause" for node in _walk(query.algebra))


def check_dataset_graphs(graphs: list[str], kg: KnowledgeGraph, parameter: str) -> None:
    """Refuse protocol dataset parameters (``default-graph-uri``) naming a server's graphs that
    are not this graph's. A graph held here is the whole dataset: there a graph that is not
    loaded is an empty graph (never fetched), as Oxigraph server and Fuseki answer."""
    if not isinstance(kg, RemoteKnowledgeGraph):
        return
    known = kg.graph_names()
    for graph in graphs:
        if graph not in known:
            raise RefusedQueryError(
                f"{parameter} <{graph}> names a graph that is not this graph's; the server's "
                "other graphs are not served"
            )


def run_query(kg: KnowledgeGraph, text: str) -> QueryResult:
    """Evaluate a read-only query over the whole dataset, with the engine and the dataset
    ``/sparql`` uses (:meth:`KnowledgeGraph.query_store`): Oxigraph, and a default graph
    that is the RDF merge of every graph.

    Examples
    --------
    >>> from paccto.graph.load.loading import load_knowledge_graph
    >>> kg = load_knowledge_graph()  # doctest: +SKIP
    >>> run_query(kg, "ASK { id:clasi paccto:counterpartOf id:cosi }").boolean  # doctest: +SKIP
    True
    """
    text = canonical_query_text(localise_query(text, kg))
    query = prepare_read_only_query(text, kg)
    try:
        if isinstance(kg, RemoteKnowledgeGraph):  # held on a server: the server answers
            result = kg.evaluate(text, query, own_dataset=names_its_dataset(query))
        else:
            result = _evaluate_here(kg, text)
    except PacctoError:
        raise
    except Exception as error:  # evaluation errors are the query's fault, not a crash
        raise QueryError(f"the query could not be evaluated: {error}") from None
    kind = result.type
    if kind == "SELECT":
        variables = [str(variable) for variable in result.vars or []]
        rows = [
            tuple(binding.get(Variable(name)) for name in variables) for binding in result.bindings
        ]
        return QueryResult(kind=kind, variables=variables, rows=rows, raw=result)
    if kind == "ASK":
        return QueryResult(kind=kind, boolean=bool(result.askAnswer), raw=result)
    graph = Graph(namespace_manager=kg.ids.namespace_manager())
    for triple in result.graph or ():
        graph.add(triple)
    return QueryResult(kind=kind, graph=graph, raw=result)


def _evaluate_here(kg: KnowledgeGraph, text: str) -> Result:
    prefixes = {prefix: str(namespace) for prefix, namespace in kg.ids.prefixes().items()}
    answer = kg.query_store().query(text, prefixes=prefixes, base_iri=kg.ids.base)
    return rdflib_result(answer)
