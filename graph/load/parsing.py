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
  is searched for remote contexts first so the refusal can name the URL;
* its streaming parsers hold the token being read in a buffer of at most 16 MiB, which Python
  cannot raise, and fail with a bare ``MemoryError`` past it: one 17 MiB literal is enough. Strings
  and comments that long are set aside, replaced by short placeholders, and put back into the
  literals after a second parse, so a valid file loads; any other token that long (an IRI) is an
  `InputLimitError` naming the line.

It also finds where a file mentions an entity (`first_mentions`), so that a validation problem
found after parsing can still be traced to a line.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final, TypeAlias, TypeVar
from urllib.parse import urljoin
from xml.parsers import expat

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from paccto.graph.errors import (
    InputLimitError,
    RDFSyntaxError,
    SourceNotFoundError,
    UnsafeInputError,
    UnsupportedFormatError,
)

__all__ = [
    "SUPPORTED_FORMATS",
    "LongStringsError",
    "Quad",
    "first_mentions",
    "guess_format",
    "parse_bytes",
    "parse_file",
    "read_quads",
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

# pyoxigraph (oxttl for the Turtle family, and its JSON-LD reader) keeps the token it is reading in
# a buffer of at most 16 MiB and raises MemoryError("Reached the buffer maximal size of 16777216")
# past it, whatever memory is free; the limit is compiled in and pyoxigraph.parse has no option.
_TOKEN_BUFFER_BYTES: Final = 16 * 2**20
_TOKEN_BUFFER_MESSAGE: Final = "Reached the buffer maximal size"
# Strings and comments at least this many characters long are set aside for the second parse; a
# shorter one fits the buffer four times over even in four-byte characters.
_SET_ASIDE_CHARS: Final = 2**20

# The lexemes of Turtle, TriG, N-Triples and N-Quads that can hold a quote or a '#': comments,
# IRIs, the four kinds of string (long ones first, so '"""' is not read as an empty string), and an
# escaped character of a prefixed name (ex:a\#b). Each body is one unrolled loop, which stays linear
# over a string of many megabytes.
_COMMENT: Final = r"(?P<comment>#[^\n\r]*)"
_IRI: Final = r"<(?P<iri>[^<>\"{}|^`\s]*)>"
_STRINGS: Final = (
    r'"""(?P<d3>[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*)"""'
    r"|'''(?P<s3>[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*)'''"
    r'|"(?P<d1>[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*)"'
    r"|'(?P<s1>[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*)'"
)
_STRING_GROUPS: Final = ("d3", "s3", "d1", "s1")
_TURTLE_LEXEME: Final = re.compile(rf"{_COMMENT}|{_IRI}|{_STRINGS}|\\.", re.DOTALL)
_TURTLE_ESCAPE: Final = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf\"'\\]))?")
_TURTLE_ECHAR: Final = MappingProxyType(
    {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
)
# A JSON string, and whether it is an object's key (a term or an IRI, never set aside).
_JSON_STRING: Final = re.compile(r'"(?P<body>[^"\\]*(?:\\.[^"\\]*)*)"(?P<key>\s*:)?', re.DOTALL)
# The ways the Turtle family writes an IRI, after what cannot hold one (comments, strings).
_TURTLE_NAME: Final = re.compile(
    rf"{_COMMENT}|{_STRINGS}"
    r"|(?:@prefix|(?i:PREFIX))\s+(?P<prefix>[^\s:]*):\s*<(?P<namespace>[^<>\"{}|^`\s]*)>"
    r"|(?:@base|(?i:BASE))\s+<(?P<base>[^<>\"{}|^`\s]*)>"
    r"|_:[^\s;,()\[\]{}<>\"']*"
    rf"|{_IRI}"
    r"|(?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:%.\-]|\\.)*)",
    re.DOTALL,
)
_PNAME_ESCAPE: Final = re.compile(r"\\(.)")
# Attribute values of RDF/XML and strings of JSON-LD, where an IRI is written out in full.
_QUOTED_VALUE: Final = re.compile(r'"([^"\\<>\n]*)"|\'([^\'<>\n]*)\'')
_ABSOLUTE_IRI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_TURTLE_FAMILY: Final = frozenset({"turtle", "trig", "nt", "nq"})

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
    format_name, data = _read_file(path, format)
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
    InputLimitError
        If a token other than a string or a comment is longer than the parser's 16 MiB buffer,
        or the machine runs out of memory parsing the document.
    ValueError
        If `base_iri` is not an absolute IRI; that is a programming error, not a user's.
    """
    data, text, rdf_format = _checked_input(data, format, source_name)
    try:
        return _parse(data, rdf_format, base_iri, source_name, _NOTHING_SET_ASIDE)
    except SyntaxError as error:
        raise _syntax_error(error, source_name, _NOTHING_SET_ASIDE) from error
    except MemoryError as error:
        if not str(error).startswith(_TOKEN_BUFFER_MESSAGE):
            raise _out_of_memory(data, format, source_name) from None
    # Everything before the long token parsed, so the document is well-formed up to it.
    return list(_stream_set_aside(data, text, format, rdf_format, base_iri, source_name, _rdflib))


def read_quads(
    path: Path | str, *, base_iri: str, format: str | None = None, long_strings: bool = False
) -> Iterator[pyoxigraph.Quad]:
    """Stream one file's quads as pyoxigraph terms, with the checks of `parse_file`.

    For loading straight into an Oxigraph store: no rdflib term is made, and no list of the
    whole file is held. A stream can fail half way, so its consumer must be ready to throw away
    what it received (the loader writes into a store of its own, discarded on failure).

    Parameters
    ----------
    long_strings
        Set aside strings and comments of a megabyte or more before parsing (a scan of the
        whole text), so that one longer than pyoxigraph's 16 MiB buffer still loads. Without
        it, such a file fails with `LongStringsError`, and the caller reads it again with it.

    Raises
    ------
    LongStringsError
        ``long_strings`` is off and a token overflowed the parser's buffer.
    SourceNotFoundError, UnsupportedFormatError, RDFSyntaxError, UnsafeInputError, InputLimitError
        As `parse_file`.
    """
    format_name, data = _read_file(path, format)
    data, text, rdf_format = _checked_input(data, format_name, str(path))
    source_name = str(path)
    if long_strings:
        yield from _stream_set_aside(
            data, text, format_name, rdf_format, base_iri, source_name, _same
        )
        return
    try:
        yield from _checked(
            _parsed(data, rdf_format, base_iri), source_name, _NOTHING_SET_ASIDE, _same
        )
    except SyntaxError as error:
        raise _syntax_error(error, source_name, _NOTHING_SET_ASIDE) from error
    except MemoryError as error:
        if not str(error).startswith(_TOKEN_BUFFER_MESSAGE):
            raise _out_of_memory(data, format_name, source_name) from None
        raise LongStringsError(source_name) from None


class LongStringsError(InputLimitError):
    """A token overflowed pyoxigraph's buffer: read the file again with ``long_strings``."""

    def __init__(self, source_name: str) -> None:
        super().__init__(source_name, None, "a string or comment longer than the parser's buffer")


def _read_file(path: Path | str, format: str | None) -> tuple[str, bytes]:
    source = Path(path)
    if source.is_dir():
        raise SourceNotFoundError(path, "is a directory, not a file")
    if not source.exists():
        raise SourceNotFoundError(path)
    format_name = guess_format(path) if format is None else format
    _rdf_format(format_name, path)  # an unknown name is reported before reading a large file
    try:
        return format_name, source.read_bytes()
    except OSError as error:
        raise SourceNotFoundError(path, f"cannot be read: {error.strerror or error}") from error


def _checked_input(
    data: bytes, format: str, source_name: str
) -> tuple[bytes, str, pyoxigraph.RdfFormat]:
    """The document without a byte order mark, its text, and its format, once the checks that
    need the whole text (UTF-8, RDF/XML entities and depth, JSON-LD contexts and depth) pass."""
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
    return data, text, rdf_format


def _stream_set_aside(
    data: bytes,
    text: str,
    format: str,
    rdf_format: pyoxigraph.RdfFormat,
    base_iri: str,
    source_name: str,
    convert: Callable[[pyoxigraph.Quad, str, _SetAside], _T],
) -> Iterator[_T]:
    """The document parsed with its long strings and comments set aside, then put back."""
    aside = _set_aside(text, format, source_name)
    try:
        yield from _checked(
            _parsed(aside.text.encode("utf-8"), rdf_format, base_iri), source_name, aside, convert
        )
    except SyntaxError as error:
        raise _syntax_error(error, source_name, aside) from error
    except MemoryError as error:
        if not str(error).startswith(_TOKEN_BUFFER_MESSAGE):
            raise _out_of_memory(data, format, source_name) from None
        raise _token_too_long(aside.text, source_name) from None


def first_mentions(
    path: Path | str, iris: Collection[str], *, base_iri: str, format: str | None = None
) -> dict[str, int]:
    """The first line of the file that writes each of `iris`, for those it writes at all.

    pyoxigraph gives no position for a quad, and validation sees only triples, so a problem found
    after parsing is traced back by reading the file again, only when there is a problem.

    Parameters
    ----------
    path
        The file to search; a file that cannot be read mentions nothing.
    iris
        The IRIs to look for, in full.
    base_iri
        Against which relative IRIs in the file are resolved, as when it was parsed.
    format
        A key of `SUPPORTED_FORMATS`; when ``None`` it is guessed from the extension.

    Returns
    -------
    dict[str, int]
        For each IRI the file mentions, the first line (counted from 1) that does. The Turtle
        family is read with its prefixes and base; JSON-LD and RDF/XML are searched for IRIs
        written in full or relative to the base, so a compact JSON-LD IRI is not found.
    """
    wanted = set(iris)
    try:
        format_name = guess_format(path) if format is None else format
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except (OSError, UnsupportedFormatError):
        return {}
    found: dict[str, int] = {}
    line, counted = 1, 0
    for iri, at in _written_iris(text, format_name, base_iri):
        if iri in wanted and iri not in found:
            line += text.count("\n", counted, at)
            counted = at
            found[iri] = line
            if len(found) == len(wanted):
                break
    return found


def _written_iris(text: str, format: str, base_iri: str) -> Iterator[tuple[str, int]]:
    """Every IRI the text writes, resolved, with where it starts; strings and comments skipped."""
    if format not in _TURTLE_FAMILY:
        for quoted in _QUOTED_VALUE.finditer(text):
            written = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
            if written and not any(character.isspace() for character in written):
                yield _resolve(base_iri, written), quoted.start()
        return
    prefixes: dict[str, str] = {}
    base = base_iri
    for name in _TURTLE_NAME.finditer(text):
        if (pname := name.group("pname")) is not None:
            prefix, _, local = pname.partition(":")
            namespace = prefixes.get(prefix)
            if namespace is not None:
                # A local name cannot end with a dot: that one ends the statement.
                yield namespace + _PNAME_ESCAPE.sub(r"\1", local.rstrip(".")), name.start()
        elif (iri := name.group("iri")) is not None:
            yield _resolve(base, iri), name.start()
        elif (namespace := name.group("namespace")) is not None:
            prefixes[name.group("prefix")] = _resolve(base, namespace)
        elif (new_base := name.group("base")) is not None:
            base = _resolve(base, new_base)


def _resolve(base: str, reference: str) -> str:
    return reference if _ABSOLUTE_IRI.match(reference) else urljoin(base, reference)


@dataclass(frozen=True)
class _SetAside:
    """A document with its longest strings replaced by placeholders, and the strings' values.

    A placeholder keeps the line breaks of the string it stands for, so that pyoxigraph's line
    numbers stay right; columns after it on the same line are shorter by what was set aside.
    """

    text: str
    marker: str = ""
    values: dict[str, str] = field(default_factory=dict)


_NOTHING_SET_ASIDE: Final = _SetAside("")


def _parsed(
    data: bytes, rdf_format: pyoxigraph.RdfFormat, base_iri: str
) -> Iterator[pyoxigraph.Quad]:
    return pyoxigraph.parse(
        data,
        format=rdf_format,
        base_iri=base_iri,
        # Blank node labels are local to a document; rdflib's parsers rename them too, so that
        # two files both saying _:b0 do not merge into one node when loaded together.
        rename_blank_nodes=True,
    )


def _parse(
    data: bytes, rdf_format: pyoxigraph.RdfFormat, base_iri: str, source_name: str, aside: _SetAside
) -> list[Quad]:
    return list(_checked(_parsed(data, rdf_format, base_iri), source_name, aside, _rdflib))


_T = TypeVar("_T")


def _checked(
    quads: Iterator[pyoxigraph.Quad],
    source_name: str,
    aside: _SetAside,
    convert: Callable[[pyoxigraph.Quad, str, _SetAside], _T],
) -> Iterator[_T]:
    """The quads, each converted, refusing what rdflib and the rest of the project cannot hold:
    RDF 1.2 triple terms and base directions."""
    literal, triple = pyoxigraph.Literal, pyoxigraph.Triple
    for quad in quads:
        obj = quad.object
        if type(obj) is literal:
            # getattr: pyoxigraph before 0.5 knows no base directions (and has no such attribute).
            if getattr(obj, "direction", None) is not None:
                raise RDFSyntaxError(
                    source_name,
                    None,
                    None,
                    f"literals with a base direction (RDF 1.2) are not supported: {obj}",
                )
        elif type(obj) is triple or type(quad.subject) is triple:
            raise RDFSyntaxError(
                source_name,
                None,
                None,
                "RDF-star / RDF 1.2 triple terms (<< ... >>) are not supported: "
                f"{obj if type(obj) is triple else quad.subject}",
            )
        yield convert(quad, source_name, aside)


def _same(quad: pyoxigraph.Quad, source_name: str, aside: _SetAside) -> pyoxigraph.Quad:
    """The quad as parsed, with set-aside strings put back into its literal."""
    if not aside.values:
        return quad
    for term in (quad.subject, quad.object, quad.graph_name):
        if isinstance(term, pyoxigraph.NamedNode) and aside.marker in term.value:
            raise _long_iri(source_name)
    obj = quad.object
    if isinstance(obj, pyoxigraph.Literal) and obj.value in aside.values:
        value = aside.values[obj.value]
        if obj.language:
            obj = pyoxigraph.Literal(value, language=obj.language)
        else:
            obj = pyoxigraph.Literal(value, datatype=obj.datatype)
        return pyoxigraph.Quad(quad.subject, quad.predicate, obj, quad.graph_name)
    return quad


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _set_aside(text: str, format: str, source_name: str) -> _SetAside:
    """Replace every string and comment of at least `_SET_ASIDE_CHARS` characters.

    Only where the syntax says a string is a literal's value: anywhere in the Turtle family, and
    the values (not the keys) of JSON-LD. Escapes are decoded here with the format's own rules,
    and a malformed one is a syntax error, because pyoxigraph will never see the string.
    """
    marker = f"paccto-set-aside-{uuid.uuid4().hex}-"
    values: dict[str, str] = {}
    pieces: list[str] = []
    done = 0

    def replace(start: int, end: int, placeholder: str) -> None:
        nonlocal done
        pieces.append(text[done:start])
        pieces.append(placeholder)
        done = end

    if format in _TURTLE_FAMILY:
        for lexeme in _TURTLE_LEXEME.finditer(text):
            if lexeme.group("comment") is not None:
                if lexeme.end() - lexeme.start() >= _SET_ASIDE_CHARS:
                    replace(lexeme.start() + 1, lexeme.end(), "")
                continue
            group = next((name for name in _STRING_GROUPS if lexeme.group(name) is not None), "")
            if not group or lexeme.end(group) - lexeme.start(group) < _SET_ASIDE_CHARS:
                continue
            body = lexeme.group(group)
            # Only the long (triple-quoted) strings may hold a raw line break.
            placeholder = f"{marker}{len(values)}" + "\n" * body.count("\n")
            values[placeholder] = _unescape_turtle(body, text, lexeme.start(group), source_name)
            replace(lexeme.start(group), lexeme.end(group), placeholder)
    elif format == "jsonld":
        for string in _JSON_STRING.finditer(text):
            body = string.group("body")
            if string.group("key") is not None or len(body) < _SET_ASIDE_CHARS:
                continue
            try:
                value = json.loads(f'"{body}"')
            except json.JSONDecodeError as error:
                line, column = _line_and_column(text, string.start())
                raise RDFSyntaxError(
                    source_name, line, column, f"malformed JSON string: {error.msg}"
                ) from error
            placeholder = f"{marker}{len(values)}"
            values[placeholder] = value
            replace(string.start("body"), string.end("body"), placeholder)
    pieces.append(text[done:])
    return _SetAside("".join(pieces), marker, values)


def _unescape_turtle(body: str, text: str, offset: int, source_name: str) -> str:
    """A Turtle string's value: ECHAR and UCHAR escapes decoded, any other backslash refused."""

    def unescape(escape: re.Match[str]) -> str:
        short, long, character = escape.groups()
        if character is not None:
            return _TURTLE_ECHAR[character]
        digits = short or long
        if digits is not None:
            code = int(digits, 16)
            if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
        line, column = _line_and_column(text, offset + escape.start())
        sequence = escape.group() if digits is not None else body[escape.start() : escape.end() + 1]
        raise RDFSyntaxError(
            source_name, line, column, f"unexpected escape sequence '{sequence}' in a string"
        )

    return _TURTLE_ESCAPE.sub(unescape, body) if "\\" in body else body


def _token_too_long(text: str, source_name: str) -> InputLimitError:
    """What is left too long once strings and comments are set aside: an IRI, a name, a number.

    None of them holds white space, so the first run of that many non-space characters is it.
    """
    run = re.search(rf"(?<!\S)\S{{{_TOKEN_BUFFER_BYTES // 4}}}", text)
    line, column = _line_and_column(text, run.start()) if run else (None, None)
    return InputLimitError(
        source_name,
        line,
        f"a token (an IRI, a name or a number) longer than {_TOKEN_BUFFER_BYTES // 2**20} MiB, "
        "the most pyoxigraph's parser holds at once; only strings and comments may be longer, "
        "so shorten it",
        column,
    )


def _out_of_memory(data: bytes, format: str, source_name: str) -> InputLimitError:
    return InputLimitError(
        source_name,
        None,
        f"ran out of memory parsing these {len(data) / 2**20:,.0f} MiB of {format}; split the "
        "file or load it where more memory is free",
    )


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


def _syntax_error(
    error: SyntaxError, source_name: str, aside: _SetAside
) -> RDFSyntaxError | UnsafeInputError:
    message = str(error.msg if error.msg is not None else error)
    if aside.values:
        message = re.sub(re.escape(aside.marker) + r"\d+\n*", "(a long string)", message)
    if "LoadDocumentCallback" in message:
        # Only reached if _check_json_ld missed a remote context; pyoxigraph refused it anyway.
        return UnsafeInputError(
            source_name, f"JSON-LD refers to a remote context; {_REMOTE_CONTEXT_REFUSAL}"
        )
    message = _LINE_SUFFIX.sub("", _POSITION_PREFIX.sub("", message))
    return RDFSyntaxError(source_name, error.lineno, error.offset, message)


def _rdflib(quad: pyoxigraph.Quad, source_name: str, aside: _SetAside) -> Quad:
    graph = quad.graph_name
    return (
        _to_rdflib_term(quad.subject, source_name, aside),
        _to_rdflib_term(quad.predicate, source_name, aside),
        _to_rdflib_term(quad.object, source_name, aside),
        None
        if isinstance(graph, pyoxigraph.DefaultGraph)
        else _to_rdflib_term(graph, source_name, aside),
    )


def _long_iri(source_name: str) -> InputLimitError:
    # JSON-LD lets any string be an @id or an @type; a megabyte IRI is not data.
    return InputLimitError(
        source_name,
        None,
        f"a JSON-LD string of {_SET_ASIDE_CHARS // 2**20} MiB or more is used as an "
        "IRI; only a literal's value may be that long",
    )


def _to_rdflib_term(
    term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple,
    source_name: str,
    aside: _SetAside,
) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        if aside.values and aside.marker in term.value:
            raise _long_iri(source_name)
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return _to_rdflib_literal(term, aside)
    raise TypeError(f"not an RDF 1.1 term: {term}")  # refused by _checked before


def _to_rdflib_literal(literal: pyoxigraph.Literal, aside: _SetAside) -> Literal:
    datatype = literal.datatype.value
    value = aside.values.get(literal.value, literal.value) if aside.values else literal.value
    if datatype == _XSD_STRING:
        return Literal(value)
    if datatype == _RDF_LANG_STRING:
        return Literal(value, lang=literal.language)
    # normalize=False keeps the lexical form as written: rdflib would otherwise turn "01" into "1",
    # and an ill-typed value must reach SHACL validation exactly as the user wrote it.
    return Literal(value, datatype=URIRef(datatype), normalize=False)
