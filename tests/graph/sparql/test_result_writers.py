"""The SPARQL JSON and XML writers write text directly: the same bytes as building the objects.

The reference here is the plain way (``json.dumps`` of the term objects, one XML element per
binding); the writers must agree with it byte for byte on every kind of term, escapes and all.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox
import pytest

from paccto.graph.sparql.results import (
    _json_term,
    _select_json,
    _select_xml,
    _solutions,
    _xml_term,
    write_answer,
)

EX = "http://example.org/"
#: Literals that need escaping one way or another, and terms of every kind.
OBJECTS: list[Any] = [
    ox.Literal(""),
    ox.Literal('quote " backslash \\ slash /'),
    ox.Literal("line\nbreak\ttab\r\x01control"),
    ox.Literal("ünïcödé, emoji 😀, and <xml> & 'apos'", language="es"),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("x", datatype=ox.NamedNode(EX + "dt?a=1&b=é")),
    ox.NamedNode(EX + "iri/with?query=1&b=ü'2'"),
    ox.BlankNode("b0"),
    ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o", language="en")),
]


def _store() -> ox.Store:
    store = ox.Store()
    for number, value in enumerate(OBJECTS):
        subject = ox.NamedNode(f"{EX}s{number % 3}")
        store.add(ox.Quad(subject, ox.NamedNode(f"{EX}p{number}"), value))
    return store


def _reference_json(variables: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    bindings = [
        {name: _json_term(value) for name, value in zip(variables, row, strict=True) if value}
        for row in rows
    ]
    answer = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def _reference_xml(variables: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    parts = [
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
        *(f"<variable name={quoteattr(name)}/>" for name in variables),
        "</head><results>",
    ]
    for row in rows:
        parts.append("<result>")
        parts.extend(
            f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
            for name, value in zip(variables, row, strict=True)
            if value is not None
        )
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p",
        # unbound values, repeated terms, a variable name to escape in XML
        "SELECT ?s ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?none } } ORDER BY ?s ?o",
        "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s",
        "SELECT * WHERE { FILTER(false) }",
        "SELECT * WHERE { }",
    ],
)
def test_the_written_text_is_what_the_objects_give(query: str) -> None:
    variables, rows = _solutions(_store().query(query), 1000)
    assert _select_json(variables, rows) == _reference_json(variables, rows)
    assert _select_xml(variables, rows) == _reference_xml(variables, rows)
    assert json.loads(_select_json(variables, rows))["head"]["vars"] == variables


def test_rows_keep_unbound_values_in_place() -> None:
    variables, rows = _solutions(
        _store().query("SELECT ?a ?b ?c WHERE { VALUES (?a ?c) { (1 3) } }"), 10
    )
    assert variables == ["a", "b", "c"]
    assert [(a.value, b, c.value) for a, b, c in rows] == [("1", None, "3")]


def test_a_whole_answer_parses_as_sparql_json() -> None:
    written = write_answer(_store().query("SELECT * WHERE { ?s ?p ?o }"), ["json"], max_rows=100)
    bindings = json.loads(written.body)["results"]["bindings"]
    assert written.count == len(bindings) == len(OBJECTS)
    assert {"type": "literal", "value": "ünïcödé, emoji 😀, and <xml> & 'apos'",
            "xml:lang": "es"} in [binding["o"] for binding in bindings]  # fmt: skip
