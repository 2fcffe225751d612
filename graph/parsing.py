"""Turn one RDF document into rdflib quads, refusing anything unsafe and naming the place of errors.

pyoxigraph does the parsing: it is fast, never opens a network connection, and reports a line and
column for syntax errors in Turtle, TriG, N-Triples, N-Quads and JSON-LD. The rest of the project
works with rdflib terms, so the quads are converted here, once, at the edge.

pyoxigraph alone is not enough for untrusted input, and this module closes the gaps it leaves:

* its RDF/XML parser expands internal entities ("billion laughs") and reports errors without a
  position, and accepts a document whose closing tags are missing. RDF/XML is therefore refused
  if it declares a DOCTYPE or entities, and is checked for well-formedness with expat first, which
  gives the line and column the user needs;
* it crashes the whole Python process (stack overflow) on JSON-LD objects nested a few thousand
  deep, so JSON-LD and RDF/XML nested deeper than any real document are refused before parsing;
* it answers a remote JSON-LD ``@context`` with a message about a missing callback; the document
  is searched for remote contexts first so the refusal can name the URL.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final, TypeAlias
from xml.parsers import expat

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from paccto.graph.errors import (
    RDFSyntaxError,
    SourceNotFoundError,
    UnsafeInputError,
    UnsupportedFormatError,
)

__all__ = [
    "SUPPORTED_FORMATS",
    "Quad",
    "guess_format",
    "parse_bytes",
    "parse_file",
]


class _IllTypedLiteralFilter(logging.Filter):
    """Drop rdflib's warning, with its traceback, for a literal whose value cannot be read.

    Such literals are kept as they are and reported by SHACL validation with the entity and
    property they belong to; rdflib's log record would put a traceback in front of the user.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiteralFilter())

Quad: TypeAlias = tuple[Node, Node, Node, Node | None]
"""Subject, predicate, object and graph name; the graph name is ``None`` for the default graph."""

SUPPORTED_FORMATS: Final[Mapping[str, pyoxigraph.RdfFormat]] = MappingProxyType(
    {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "trig": pyoxigraph.RdfFormat.TRIG,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "nq": pyoxigraph.RdfFormat.N_QUADS,
        "jsonld": pyoxigraph.RdfFormat.JSON_LD,
        "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
    }
)

_EXTENSIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        ".ttl": "turtle",
        ".turtle": "turtle",
        ".trig": "trig",
        ".nt": "nt",
        ".nq": "nq",
        ".jsonld": "jsonld",
        ".json-ld": "jsonld",
        ".json": "jsonld",
        ".rdf": "rdfxml",
        ".owl": "rdfxml",
        ".xml": "rdfxml",
    }
)

# Real documents nest a few dozen levels at most. pyoxigraph's JSON-LD parser overflows the C stack
# (and kills the process) at about 4,000 nested objects, and its RDF/XML parser slows down
# quadratically with depth, so the limit sits far below both.
_MAX_NESTING_DEPTH: Final = 256

_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_UTF8_BOM: Final = b"\xef\xbb\xbf"

# pyoxigraph puts the position in front of its message ("Parser error at line 3 column 11: ",
# "Parser error at line 2 between columns 2 and column 12: ", "... between line 3 column 11 and
# line 5 column 1: ") and Python's SyntaxError appends " (line 3)"; both would repeat the position
# that RDFSyntaxError already shows.
_POSITION_PREFIX: Final = re.compile(r"^Parser error (?:at|between) [^:]*:\s*")
_LINE_SUFFIX: Final = re.compile(r"\s*\(line \d+\)$")

# XML markup is case-sensitive, but pyoxigraph's XML reader also honours "<!doctype"; matching
# loosely refuses a few harmless documents that mention a DOCTYPE in a comment, which is the safe
# side to err on.
_XML_DECLARATION: Final = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

# Expat's "no element found" also describes a truncated document, which needs plainer words.
_EXPAT_NO_ELEMENTS: Final = expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]

# A JSON string (so brackets inside strings are not counted) or a bracket.
_JSON_TOKEN: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)

_REMOTE_CONTEXT_REFUSAL: Final = (
    "only inline JSON-LD contexts are accepted; remote ones are never fetched"
)


def guess_format(path: Path | str) -> str:
    """Tell a file's RDF format from its extension.

    The extension is the only clue that costs nothing and cannot be spoofed by the content into
    picking a more dangerous parser; sniffing content would also hide a misnamed file.

    Parameters
    ----------
    path
        The file's name or path; the file need not exist.

    Returns
    -------
    str
        A key of `SUPPORTED_FORMATS`.

    Raises
    ------
    UnsupportedFormatError
        If the extension is missing or not one of those listed in the message.
    """
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        found = f"extension {suffix!r}" if suffix else "no extension"
        accepted = ", ".join(_EXTENSIONS)
        raise UnsupportedFormatError(
            path,
            f"cannot tell the RDF format from {found}; use one of {accepted} "
            "or name the format explicitly",
        ) from None


def parse_file(path: Path | str, *, base_iri: str, format: str | None = None) -> list[Quad]:
    """Read one RDF file completely, so that a broken file contributes nothing.

    Parameters
    ----------
    path
        The file to read.
    base_iri
        Against which relative IRIs are resolved; the seeds use relative identifiers so that the
        deployment, not the data, decides the namespace.
    format
        A key of `SUPPORTED_FORMATS`; when ``None`` it is guessed from the extension.

    Returns
    -------
    list[Quad]
        Every quad of the document, in document order.

    Raises
    ------
    SourceNotFoundError
        If `path` does not exist, is a directory or cannot be read.
    UnsupportedFormatError
        If the format is unknown or cannot be guessed.
    RDFSyntaxError
        If the document is not well-formed; the message names line and column where known.
    UnsafeInputError
        If the document would make a parser fetch a URL, expand entities or nest too deeply.
    """
    source = Path(path)
    if source.is_dir():
        raise SourceNotFoundError(path, "is a directory, not a file")
    if not source.exists():
        raise SourceNotFoundError(path)
    format_name = guess_format(path) if format is None else format
    _rdf_format(format_name, path)  # an unknown name is reported before reading a large file
    try:
        data = source.read_bytes()
    except OSError as error:
        raise SourceNotFoundError(path, f"cannot be read: {error.strerror or error}") from error
    return parse_bytes(data, format=format_name, base_iri=base_iri, source_name=str(path))


def parse_bytes(
    data: bytes, *, format: str, base_iri: str, source_name: str = "<data>"
) -> list[Quad]:
    """Parse an RDF document already in memory, with the same checks as `parse_file`.

    Uploads through the HTTP API never touch the disk, yet must be refused for exactly the same
    reasons and with equally precise messages.

    Parameters
    ----------
    data
        The document, which must be UTF-8 (a leading byte order mark is ignored).
    format
        A key of `SUPPORTED_FORMATS`.
    base_iri
        Against which relative IRIs are resolved.
    source_name
        What error messages call the input, such as an uploaded file's name.

    Returns
    -------
    list[Quad]
        Every quad of the document, in document order.

    Raises
    ------
    UnsupportedFormatError
        If `format` is not a key of `SUPPORTED_FORMATS`.
    RDFSyntaxError
        If the document is not UTF-8 or not well-formed, or uses RDF 1.2 features (triple terms,
        base directions) that rdflib cannot represent.
    UnsafeInputError
        If the document would make a parser fetch a URL, expand entities or nest too deeply.
    ValueError
        If `base_iri` is not an absolute IRI; that is a programming error, not a user's.
    """
    rdf_format = _rdf_format(format, source_name)
    text = _decode_utf8(data, source_name)
    if data.startswith(_UTF8_BOM):
        # pyoxigraph's Turtle and N-Triples parsers reject a BOM, which some editors still write.
        data = data[len(_UTF8_BOM) :]
        text = text[1:]
    if rdf_format == pyoxigraph.RdfFormat.RDF_XML:
        _check_rdf_xml(data, text, source_name)
    elif rdf_format == pyoxigraph.RdfFormat.JSON_LD:
        _check_json_ld(text, source_name)
    try:
        parsed = pyoxigraph.parse(
            data,
            format=rdf_format,
            base_iri=base_iri,
            # Blank node labels are local to a document; rdflib's parsers rename them too, so
            # that two files both saying _:b0 do not merge into one node when loaded together.
            rename_blank_nodes=True,
        )
        return [_to_rdflib_quad(quad, source_name) for quad in parsed]
    except SyntaxError as error:
        raise _syntax_error(error, source_name) from error


def _rdf_format(name: str, source_name: Path | str) -> pyoxigraph.RdfFormat:
    try:
        return SUPPORTED_FORMATS[name]
    except KeyError:
        raise UnsupportedFormatError(
            source_name, f"unknown format {name!r}; use one of {', '.join(SUPPORTED_FORMATS)}"
        ) from None


def _decode_utf8(data: bytes, source_name: str) -> str:
    # Checked here rather than left to pyoxigraph, whose RDF/XML parser reports no position.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8")) + 1
        raise RDFSyntaxError(
            source_name,
            line,
            column,
            f"not UTF-8 text (byte 0x{data[start]:02X} cannot appear here); save the file as UTF-8",
        ) from error


def _check_rdf_xml(data: bytes, text: str, source_name: str) -> None:
    declaration = _XML_DECLARATION.search(text)
    if declaration is not None:
        line = text.count("\n", 0, declaration.start()) + 1
        raise UnsafeInputError(
            source_name,
            f"{declaration.group(1).upper()} declaration on line {line}; RDF/XML may not "
            "declare a DOCTYPE or entities, because expanding them can exhaust memory "
            "or read other files",
        )
    # UTF-16 of ASCII text without a byte order mark is valid UTF-8 with a NUL after every
    # character: it hides "<!DOCTYPE" from the search above, and expat, recognising the byte
    # pattern, would read it as UTF-16 whatever encoding it is told. XML forbids NUL anyway.
    nul = text.find("\0")
    if nul >= 0:
        line_start = text.rfind("\n", 0, nul) + 1
        raise RDFSyntaxError(
            source_name,
            text.count("\n", 0, nul) + 1,
            nul - line_start + 1,
            "NUL character, which XML forbids (a UTF-16 file? save it as UTF-8)",
        )
    # Told UTF-8, expat reads the same characters as pyoxigraph whatever the declaration says.
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    depth = 0

    def start_element(_name: str, _attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > _MAX_NESTING_DEPTH:
            raise UnsafeInputError(
                source_name,
                f"XML elements nested more than {_MAX_NESTING_DEPTH} deep "
                f"(line {parser.CurrentLineNumber})",
            )

    def end_element(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start_element
    parser.EndElementHandler = end_element
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        reason = expat.errors.messages[error.code]
        if error.code == _EXPAT_NO_ELEMENTS and depth > 0:
            reason = f"the document ends before {depth} element(s) are closed"
        raise RDFSyntaxError(source_name, error.lineno, error.offset + 1, reason) from error


def _check_json_ld(text: str, source_name: str) -> None:
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "{[":
            depth += 1
            if depth > _MAX_NESTING_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                raise UnsafeInputError(
                    source_name,
                    f"JSON nested more than {_MAX_NESTING_DEPTH} deep (line {line})",
                )
        elif bracket in "}]":
            depth -= 1
    try:
        document = json.loads(text, object_pairs_hook=_JsonObject)
    except (ValueError, RecursionError):
        return  # malformed: pyoxigraph reports it with a position, and refuses remote contexts
    remote = next(_remote_contexts(document), None)
    if remote is not None:
        raise UnsafeInputError(
            source_name,
            f"JSON-LD context {remote!r} is a remote document; {_REMOTE_CONTEXT_REFUSAL}",
        )


class _JsonObject(list[tuple[str, object]]):
    """A JSON object as its list of members, so a repeated ``@context`` key cannot hide one."""


def _remote_contexts(document: object) -> Iterator[str]:
    # Iterative, so that no document can exhaust Python's recursion limit.
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, _JsonObject):
            for key, member in value:
                if key == "@context":
                    contexts = member if isinstance(member, list) else [member]
                    yield from (context for context in contexts if isinstance(context, str))
                elif key == "@import" and isinstance(member, str):
                    yield member
                pending.append(member)
        elif isinstance(value, list):
            pending.extend(value)


def _syntax_error(error: SyntaxError, source_name: str) -> RDFSyntaxError | UnsafeInputError:
    message = str(error.msg if error.msg is not None else error)
    if "LoadDocumentCallback" in message:
        # Only reached if _check_json_ld missed a remote context; pyoxigraph refused it anyway.
        return UnsafeInputError(
            source_name, f"JSON-LD refers to a remote context; {_REMOTE_CONTEXT_REFUSAL}"
        )
    message = _LINE_SUFFIX.sub("", _POSITION_PREFIX.sub("", message))
    return RDFSyntaxError(source_name, error.lineno, error.offset, message)


def _to_rdflib_quad(quad: pyoxigraph.Quad, source_name: str) -> Quad:
    graph = quad.graph_name
    return (
        _to_rdflib_term(quad.subject, source_name),
        _to_rdflib_term(quad.predicate, source_name),
        _to_rdflib_term(quad.object, source_name),
        None if isinstance(graph, pyoxigraph.DefaultGraph) else _to_rdflib_term(graph, source_name),
    )


def _to_rdflib_term(
    term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple,
    source_name: str,
) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return _to_rdflib_literal(term, source_name)
    raise RDFSyntaxError(
        source_name,
        None,
        None,
        f"RDF-star / RDF 1.2 triple terms (<< ... >>) are not supported: {term}",
    )


def _to_rdflib_literal(literal: pyoxigraph.Literal, source_name: str) -> Literal:
    # getattr: pyoxigraph before 0.5 knows no base directions (and has no such attribute).
    if getattr(literal, "direction", None) is not None:
        raise RDFSyntaxError(
            source_name,
            None,
            None,
            f"literals with a base direction (RDF 1.2) are not supported: {literal}",
        )
    datatype = literal.datatype.value
    if datatype == _XSD_STRING:
        return Literal(literal.value)
    if datatype == _RDF_LANG_STRING:
        return Literal(literal.value, lang=literal.language)
    # normalize=False keeps the lexical form as written: rdflib would otherwise turn "01" into "1",
    # and an ill-typed value must reach SHACL validation exactly as the user wrote it.
    return Literal(literal.value, datatype=URIRef(datatype), normalize=False)
