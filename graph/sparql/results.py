"""Writing SPARQL answers from Oxigraph in the W3C result and RDF formats, under a row cap.

Oxigraph serialises results itself, but only all of them: it cannot stop at a cap. The endpoint
must refuse an answer over the cap rather than truncate it, and must not build a million-row
answer only to throw it away, so solutions are read one by one and the writing stops at the cap.
SELECT and ASK answers are written here (SPARQL 1.1 Query Results JSON, XML, CSV and TSV);
CONSTRUCT and DESCRIBE triples are collected under the same cap and handed to Oxigraph's own
RDF serialisers.

This module is imported by the query worker processes, so it imports nothing heavier than
pyoxigraph.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "ResultFormat",
    "WrittenAnswer",
    "format_by_name",
    "formats_for",
    "write_answer",
]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class ResultFormat:
    """A format an answer can be written in: short name, media type and what it can carry."""

    name: str
    media_type: str
    extension: str
    carries: str  # "solutions" (SELECT, ASK) or "triples" (CONSTRUCT, DESCRIBE)
    aliases: tuple[str, ...] = ()


RESULT_FORMATS = (
    ResultFormat("json", "application/sparql-results+json", "srj", "solutions", ("srj",)),
    ResultFormat("xml", "application/sparql-results+xml", "srx", "solutions", ("srx",)),
    ResultFormat("csv", "text/csv", "csv", "solutions"),
    ResultFormat("tsv", "text/tab-separated-values", "tsv", "solutions"),
)
GRAPH_FORMATS = (
    ResultFormat("turtle", "text/turtle", "ttl", "triples", ("ttl",)),
    ResultFormat("ntriples", "application/n-triples", "nt", "triples", ("nt", "n-triples")),
    ResultFormat("jsonld", "application/ld+json", "jsonld", "triples", ("json-ld",)),
    ResultFormat("rdfxml", "application/rdf+xml", "rdf", "triples", ("rdf", "rdf+xml")),
)
_ALL = RESULT_FORMATS + GRAPH_FORMATS
_OX_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def format_by_name(name: str) -> ResultFormat | None:
    """The format called ``name`` (or one of its aliases, or its media type), if any."""
    wanted = name.strip().lower()
    for candidate in _ALL:
        if wanted in (candidate.name, candidate.media_type, *candidate.aliases):
            return candidate
    return None


def formats_for(kind: str) -> tuple[ResultFormat, ...]:
    """The formats that can carry a ``SELECT``/``ASK`` or ``CONSTRUCT``/``DESCRIBE`` answer."""
    return RESULT_FORMATS if kind in ("SELECT", "ASK") else GRAPH_FORMATS


@dataclass(frozen=True)
class WrittenAnswer:
    """An answer ready to send: the query form, its format, the bytes and how many rows."""

    kind: str
    format: ResultFormat
    body: bytes
    count: int


class CapExceeded(Exception):  # noqa: N818 - a signal, not an error of its own
    """More rows than the cap; raised while reading, before anything is written."""

    def __init__(self, cap: int, unit: str) -> None:
        super().__init__(cap, unit)
        self.cap = cap
        self.unit = unit


def _capped(items: Iterable[Any], cap: int, unit: str) -> list[Any]:
    collected: list[Any] = []
    for item in items:
        if len(collected) == cap:
            raise CapExceeded(cap, unit)
        collected.append(item)
    return collected


# -- one term in each result format ------------------------------------------------------------


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _tsv_term(term: Any) -> str:
    if term is None:
        return ""
    # Oxigraph's str() is N-Triples syntax, which TSV results use; N-Triples leaves a tab in a
    # literal unescaped, which would split the row.
    return str(term).replace("\t", "\\t")


# -- whole answers -----------------------------------------------------------------------------


def _solutions(results: Any, cap: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    variables = [variable.value for variable in results.variables]
    # A solution iterates over its values in the order of the variables (None where unbound).
    rows = [tuple(solution) for solution in _capped(results, cap, "rows")]
    return variables, rows


def _json_fragment(term: Any) -> str:
    """``term`` as SPARQL JSON, written as text: the same bytes ``json.dumps`` gives for
    :func:`_json_term`'s object, without building the object."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + encode_basestring(term.value) + "}"
    if kind is ox.Literal:
        value = '{"type":"literal","value":' + encode_basestring(term.value)
        if term.language:
            return value + ',"xml:lang":' + encode_basestring(term.language) + "}"
        datatype = term.datatype.value
        if datatype != _XSD_STRING:
            return value + ',"datatype":' + encode_basestring(datatype) + "}"
        return value + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + encode_basestring(term.value) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _fragments(write: Callable[[Any], str]) -> Callable[[Any], str]:
    """``write``, remembering each term's text for the rest of one answer: the same IRIs and
    literals recur from row to row, and reading a term's parts from the engine is what costs."""
    written: dict[Any, str] = {}

    def fragment(term: Any) -> str:
        text = written.get(term)
        if text is None:
            text = written[term] = write(term)
        return text

    return fragment


def _select_json(variables: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    # Written as text, not dumped from objects: several times faster, the same bytes.
    fragment = _fragments(_json_fragment)
    keys = [encode_basestring(name) + ":" for name in variables]
    bindings = [
        "{" + ",".join([key + fragment(value) for key, value in zip(keys, row, strict=True)
                        if value is not None]) + "}"
        for row in rows
    ]  # fmt: skip
    head = ",".join(encode_basestring(name) for name in variables)
    answer = '{"head":{"vars":[' + head + ']},"results":{"bindings":[' + ",".join(bindings)
    return (answer + "]}}").encode()


def _select_xml(variables: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    fragment = _fragments(_xml_term)
    opening = [f"<binding name={quoteattr(name)}>" for name in variables]
    parts = [
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
        *(f"<variable name={quoteattr(name)}/>" for name in variables),
        "</head><results>",
    ]
    for row in rows:
        parts.append("<result>")
        parts.extend(
            f"{tag}{fragment(value)}</binding>"
            for tag, value in zip(opening, row, strict=True)
            if value is not None
        )
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def _select_csv(variables: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_term(value) for value in row] for row in rows)
    return buffer.getvalue().encode()


def _select_tsv(variables: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join(_tsv_term(value) for value in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


def _ask(boolean: bool, result_format: ResultFormat) -> bytes:
    word = "true" if boolean else "false"
    if result_format.name == "json":
        return json.dumps({"head": {}, "boolean": boolean}).encode()
    if result_format.name == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    header = "_askResult" if result_format.name == "csv" else "?_askResult"
    return (
        f"{header}\r\n{word}\r\n".encode()
        if result_format.name == "csv"
        else (f"{header}\n{word}\n".encode())
    )


_SELECT_WRITERS = {
    "json": _select_json,
    "xml": _select_xml,
    "csv": _select_csv,
    "tsv": _select_tsv,
}


def kind_of(results: Any) -> str:
    """``SELECT``, ``ASK`` or ``CONSTRUCT`` (which also stands for ``DESCRIBE``)."""
    if isinstance(results, ox.QuerySolutions):
        return "SELECT"
    if isinstance(results, ox.QueryBoolean):
        return "ASK"
    return "CONSTRUCT"


def write_answer(
    results: Any,
    preferred: Iterable[str],
    *,
    max_rows: int,
    prefixes: dict[str, str] | None = None,
) -> WrittenAnswer:
    """Write Oxigraph's ``results`` in the first of the ``preferred`` format names that fits.

    Raises :class:`CapExceeded` when there are more than ``max_rows`` rows or triples, and
    :class:`LookupError` (with the fitting formats) when no preferred format fits the answer.
    """
    kind = kind_of(results)
    fitting = formats_for(kind)
    chosen = next((fmt for name in preferred for fmt in fitting if name == fmt.name), None)
    if chosen is None:
        raise LookupError(kind, [fmt.name for fmt in fitting])
    if kind == "ASK":
        return WrittenAnswer(kind, chosen, _ask(bool(results), chosen), 1)
    if kind == "SELECT":
        variables, rows = _solutions(results, max_rows)
        return WrittenAnswer(kind, chosen, _SELECT_WRITERS[chosen.name](variables, rows), len(rows))
    triples = _capped(_unique(results), max_rows, "triples")
    body = ox.serialize(
        triples,
        format=_OX_GRAPH_FORMATS[chosen.name],
        prefixes=prefixes if chosen.name in ("turtle", "jsonld") else None,
    )
    return WrittenAnswer(kind, chosen, body or b"", len(triples))


def _unique(triples: Iterable[Any]) -> Iterator[Any]:
    # A CONSTRUCT answer is a set of triples; Oxigraph yields one per solution.
    seen: set[Any] = set()
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            yield triple
