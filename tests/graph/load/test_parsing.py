"""Tests for paccto.graph.load.parsing: real files in, rdflib quads or precise errors out."""

from __future__ import annotations

import select
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import XSD, BNode, Literal, Namespace, URIRef

from paccto.graph.errors import (
    InputError,
    InputLimitError,
    RDFSyntaxError,
    SourceNotFoundError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from paccto.graph.load import parsing
from paccto.graph.load.parsing import (
    SUPPORTED_FORMATS,
    Quad,
    guess_format,
    parse_bytes,
    parse_file,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BAD = FIXTURES / "bad"
GOOD = FIXTURES / "good"

BASE = "http://example.org/base/"
EX = Namespace("http://example.org/ns#")
ALICE = URIRef(BASE + "alice")
BOB = BNode("bob")  # blank nodes are compared after renaming, see _name_blank_nodes

DEFAULT_GRAPH_QUADS = {
    (ALICE, EX.name, Literal("Alice", lang="en"), None),
    (ALICE, EX.born, Literal("1990-05-01", datatype=XSD.date), None),
    (ALICE, EX.nickname, Literal("Ali"), None),
    (ALICE, EX.knows, BOB, None),
    (BOB, EX.name, Literal("Bob"), None),
}
NAMED_GRAPH_QUADS = {
    (ALICE, EX.age, Literal("34", datatype=XSD.integer), URIRef(BASE + "g1")),
}


def _name_blank_nodes(quads: list[Quad]) -> set[tuple[object, ...]]:
    """Give every blank node the name BOB, since the parser renames them at random.

    Each good fixture has exactly one blank node, which the caller checks, so that this cannot
    hide two nodes that should have been one.
    """
    return {tuple(BOB if isinstance(term, BNode) else term for term in quad) for quad in quads}


def _blank_nodes(quads: list[Quad]) -> set[BNode]:
    return {term for quad in quads for term in quad if isinstance(term, BNode)}


@pytest.fixture
def parser_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any call to pyoxigraph fail, to prove that unsafe input is refused before parsing.

    A billion-laughs file that reached the parser would eat gigabytes; failing loudly instead
    keeps a regression from taking the test machine down with it.
    """

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("unsafe input reached pyoxigraph.parse")

    monkeypatch.setattr(pyoxigraph, "parse", refuse)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP server on an ephemeral local port that records whether anyone connected."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def _was_connected(server: socket.socket) -> bool:
    # The kernel completes the handshake without accept(), so a connection made during the
    # (synchronous) parse is already waiting; the timeout only covers a late background attempt.
    readable, _, _ = select.select([server], [], [], 0.2)
    return bool(readable)


# --- formats -------------------------------------------------------------------------------------


def test_supported_formats_are_the_six_documented_names() -> None:
    assert set(SUPPORTED_FORMATS) == {"turtle", "trig", "nt", "nq", "jsonld", "rdfxml"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.ttl", "turtle"),
        ("a.turtle", "turtle"),
        ("a.trig", "trig"),
        ("a.nt", "nt"),
        ("a.nq", "nq"),
        ("a.jsonld", "jsonld"),
        ("a.json-ld", "jsonld"),
        ("a.json", "jsonld"),
        ("a.rdf", "rdfxml"),
        ("a.owl", "rdfxml"),
        ("a.xml", "rdfxml"),
        ("dir.d/A.TTL", "turtle"),
        (Path("x/B.JsonLD"), "jsonld"),
        ("archive.tar.nq", "nq"),
    ],
)
def test_guess_format_reads_the_extension_case_insensitively(
    name: Path | str, expected: str
) -> None:
    assert guess_format(name) == expected


@pytest.mark.parametrize(
    ("name", "shown"), [("a.txt", "'.txt'"), ("README", "no extension"), ("a.ttl.bak", "'.bak'")]
)
def test_guess_format_refuses_unknown_extensions_and_lists_the_accepted_ones(
    name: str, shown: str
) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        guess_format(name)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert shown in message
    for extension in (".ttl", ".turtle", ".trig", ".nt", ".nq", ".jsonld", ".json-ld", ".json"):
        assert extension in message
    for extension in (".rdf", ".owl", ".xml"):
        assert extension in message


# --- good files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tiny.ttl", DEFAULT_GRAPH_QUADS),
        ("named.trig", DEFAULT_GRAPH_QUADS | NAMED_GRAPH_QUADS),
        ("tiny.nt", DEFAULT_GRAPH_QUADS),
        ("tiny.nq", DEFAULT_GRAPH_QUADS | NAMED_GRAPH_QUADS),
        ("tiny.jsonld", DEFAULT_GRAPH_QUADS | NAMED_GRAPH_QUADS),
        ("tiny.rdf", DEFAULT_GRAPH_QUADS),
    ],
)
def test_good_files_parse_to_the_expected_rdflib_quads(name: str, expected: set[Quad]) -> None:
    quads = parse_file(GOOD / name, base_iri=BASE)

    assert len(quads) == len(expected)
    assert len(_blank_nodes(quads)) == 1
    assert _name_blank_nodes(quads) == expected


def test_plain_strings_carry_no_datatype_like_rdflib_parsers_produce() -> None:
    quads = parse_file(GOOD / "tiny.ttl", base_iri=BASE)

    nickname = next(obj for _, predicate, obj, _ in quads if predicate == EX.nickname)
    assert isinstance(nickname, Literal)
    assert nickname.datatype is None
    assert nickname.language is None


def test_an_explicit_format_overrides_the_extension() -> None:
    quads = parse_file(BAD / "graph.txt", base_iri=BASE, format="turtle")

    assert quads == [(ALICE, EX.name, Literal("Alice"), None)]


def test_blank_node_labels_are_fresh_for_every_parse() -> None:
    # Two files that both say _:bob must not share a node once loaded into one store.
    first = _blank_nodes(parse_file(GOOD / "tiny.nt", base_iri=BASE))
    second = _blank_nodes(parse_file(GOOD / "tiny.nt", base_iri=BASE))

    assert first.isdisjoint(second)
    assert BNode("bob") not in first


@pytest.mark.parametrize(
    ("turtle_object", "expected", "lexical_form"),
    [
        ('"2023-13"^^xsd:gYearMonth', Literal("2023-13", datatype=XSD.gYearMonth), "2023-13"),
        ('"034"^^xsd:integer', Literal("034", datatype=XSD.integer, normalize=False), "034"),
        ('"not a date"^^xsd:date', Literal("not a date", datatype=XSD.date), "not a date"),
        ('"Ali"^^xsd:string', Literal("Ali"), "Ali"),
        ('"Alicia"@es', Literal("Alicia", lang="es"), "Alicia"),
    ],
)
def test_literals_keep_their_lexical_form_even_when_ill_typed(
    turtle_object: str, expected: Literal, lexical_form: str
) -> None:
    data = (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f"<alice> <http://example.org/ns#p> {turtle_object} ."
    ).encode()

    [(_, _, literal, _)] = parse_bytes(data, format="turtle", base_iri=BASE)

    assert literal == expected
    assert str(literal) == lexical_form


@pytest.mark.parametrize(
    ("format_name", "data"),
    [
        ("turtle", b'<alice> <http://example.org/ns#nickname> "Ali" .'),
        ("nt", b'<http://example.org/base/alice> <http://example.org/ns#nickname> "Ali" .'),
        ("jsonld", b'{"@id": "alice", "http://example.org/ns#nickname": "Ali"}'),
    ],
)
def test_a_leading_byte_order_mark_is_ignored(format_name: str, data: bytes) -> None:
    quads = parse_bytes(b"\xef\xbb\xbf" + data, format=format_name, base_iri=BASE)

    assert quads == [(ALICE, EX.nickname, Literal("Ali"), None)]


def test_brackets_inside_json_strings_do_not_count_as_nesting() -> None:
    text = "[" * 400 + "{" * 400
    data = f'{{"@id": "alice", "http://example.org/ns#nickname": "{text}"}}'.encode()

    quads = parse_bytes(data, format="jsonld", base_iri=BASE)

    assert quads == [(ALICE, EX.nickname, Literal(text), None)]


# --- malformed files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "column", "reason"),
    [
        ("bad_string.ttl", 3, 21, "Line jumps are not allowed in string literals"),
        ("missing_brace.trig", 5, 1, "Unexpected end"),
        ("bare_word.nt", 2, 58, "The object of a triple must be an IRI"),
        ("missing_comma.jsonld", 5, 3, "must be followed by a comma"),
        ("truncated.rdf", 7, 1, "ends before 1 element(s) are closed"),
        ("latin1.ttl", 3, 20, "not UTF-8 text (byte 0xE9"),
    ],
)
def test_syntax_errors_name_file_line_column_and_reason(
    name: str, line: int, column: int, reason: str
) -> None:
    path = BAD / name

    with pytest.raises(RDFSyntaxError) as caught:
        parse_file(path, base_iri=BASE)

    error = caught.value
    assert (error.path, error.line, error.column) == (str(path), line, column)
    assert str(error).startswith(f"{path}:{line}:{column}: syntax error: ")
    assert reason in str(error)
    # pyoxigraph's own "Parser error at line N column M" and "(line N)" are not repeated.
    assert "Parser error" not in str(error)
    assert "(line" not in str(error)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("triple_term.ttl", "triple terms (<< ... >>) are not supported"),
        ("directional.ttl", "base direction (RDF 1.2) are not supported"),
    ],
)
def test_rdf_1_2_features_rdflib_cannot_hold_are_refused(name: str, reason: str) -> None:
    path = BAD / name

    with pytest.raises(RDFSyntaxError) as caught:
        parse_file(path, base_iri=BASE)

    assert str(caught.value).startswith(f"{path}: syntax error: ")
    assert reason in str(caught.value)


def test_parse_bytes_calls_the_input_by_its_source_name() -> None:
    with pytest.raises(RDFSyntaxError) as caught:
        parse_bytes(b"<a> <b> .\n", format="turtle", base_iri=BASE, source_name="upload.ttl")

    assert str(caught.value).startswith("upload.ttl:1:")


def test_parse_bytes_has_a_default_source_name() -> None:
    with pytest.raises(RDFSyntaxError) as caught:
        parse_bytes(b"{", format="jsonld", base_iri=BASE)

    assert str(caught.value).startswith("<data>:1:")


# --- files that are not there or not RDF ---------------------------------------------------------


def test_a_file_with_an_unknown_extension_is_refused() -> None:
    path = BAD / "graph.txt"

    with pytest.raises(UnsupportedFormatError) as caught:
        parse_file(path, base_iri=BASE)

    assert str(caught.value).startswith(f"{path}: cannot tell the RDF format from extension '.txt'")


@pytest.mark.parametrize(
    "parse",
    [
        lambda: parse_file(GOOD / "tiny.ttl", base_iri=BASE, format="n3"),
        lambda: parse_bytes(b"", format="n3", base_iri=BASE),
    ],
    ids=["parse_file", "parse_bytes"],
)
def test_an_unknown_format_name_is_refused_with_the_known_names(
    parse: Callable[[], list[Quad]],
) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        parse()

    assert "unknown format 'n3'; use one of turtle, trig, nt, nq, jsonld, rdfxml" in str(
        caught.value
    )


def test_a_missing_file_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "absent.ttl"

    with pytest.raises(SourceNotFoundError) as caught:
        parse_file(path, base_iri=BASE)

    assert str(caught.value) == f"{path}: no such file"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    path = tmp_path / "looks_like.ttl"
    path.mkdir()

    with pytest.raises(SourceNotFoundError) as caught:
        parse_file(path, base_iri=BASE)

    assert str(caught.value) == f"{path}: is a directory, not a file"


# --- unsafe input --------------------------------------------------------------------------------


@pytest.mark.usefixtures("parser_must_not_run")
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("billion_laughs.rdf", "DOCTYPE declaration on line 2; RDF/XML may not declare"),
        ("external_entity.rdf", "DOCTYPE declaration on line 2; RDF/XML may not declare"),
        ("remote_context.jsonld", "'https://example.org/contexts/person.jsonld' is a remote"),
    ],
)
def test_unsafe_files_are_refused_before_parsing(name: str, reason: str) -> None:
    path = BAD / name

    with pytest.raises(UnsafeInputError) as caught:
        parse_file(path, base_iri=BASE)

    assert str(caught.value).startswith(f"{path}: refused: ")
    assert reason in str(caught.value)


@pytest.mark.usefixtures("parser_must_not_run")
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<?xml version="1.0"?>\n<!doctype x [<!entity a "b">]>\n<x/>', "DOCTYPE declaration"),
        (b'<?xml version="1.0"?>\n\n<!ENTITY a "b">\n<x/>', "ENTITY declaration on line 3"),
    ],
)
def test_xml_declarations_are_refused_whatever_their_spelling(data: bytes, reason: str) -> None:
    with pytest.raises(UnsafeInputError, match=reason):
        parse_bytes(data, format="rdfxml", base_iri=BASE)


@pytest.mark.usefixtures("parser_must_not_run")
@pytest.mark.parametrize(
    ("format_name", "data"),
    [
        # pyoxigraph overflows the C stack and kills the process at about 4,000 nested JSON-LD
        # objects; 300 stays well clear of that, so a missing guard fails this test instead.
        ("jsonld", b'{"http://example.org/ns#p": ' * 300 + b"{}" + b"}" * 300),
        (
            "rdfxml",
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:ex="http://example.org/ns#">'
            + b"<rdf:Description><ex:p>" * 150
            + b"</ex:p></rdf:Description>" * 150
            + b"</rdf:RDF>",
        ),
    ],
)
def test_absurdly_deep_nesting_is_refused_before_parsing(format_name: str, data: bytes) -> None:
    with pytest.raises(UnsafeInputError, match="nested more than 256 deep"):
        parse_bytes(data, format=format_name, base_iri=BASE)


@pytest.mark.usefixtures("parser_must_not_run")
def test_rdf_xml_that_only_looks_like_utf_16_is_not_read_as_utf_16() -> None:
    # UTF-16 of ASCII text without a byte order mark is valid UTF-8 full of NUL bytes, which hides
    # "<!DOCTYPE" from the search; expat would happily read it as UTF-16 and expand the entities.
    document = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&a;</rdf:RDF>'
    )

    with pytest.raises(RDFSyntaxError) as caught:
        parse_bytes(document.encode("utf-16-le"), format="rdfxml", base_iri=BASE)

    assert str(caught.value).startswith("<data>:1:2: syntax error: NUL character")


def test_the_listener_notices_a_connection(listener: socket.socket) -> None:
    # Without this control, the tests below would also pass if the listener saw nothing at all.
    with socket.create_connection(listener.getsockname()[:2], timeout=1):
        assert _was_connected(listener)


@pytest.mark.parametrize(
    ("name", "template", "reason"),
    [
        ("string.jsonld", '{{"@context": "{url}", "@id": "alice", "name": "A"}}', "{url}"),
        ("list.jsonld", '{{"@context": [{{}}, "{url}"], "@id": "alice", "name": "A"}}', "{url}"),
        (
            "nested.jsonld",
            '{{"@id": "alice", "http://example.org/ns#knows": '
            '{{"@context": {{"@import": "{url}"}}, "name": "Bob"}}}}',
            "{url}",
        ),
        (
            "external.rdf",
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{url}">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/ns#">\n'
            '<rdf:Description rdf:about="alice"><ex:p>&x;</ex:p></rdf:Description>\n</rdf:RDF>\n',
            "DOCTYPE declaration on line 2",
        ),
    ],
)
def test_nothing_is_fetched_from_the_network(
    listener: socket.socket, tmp_path: Path, name: str, template: str, reason: str
) -> None:
    host, port = listener.getsockname()[:2]
    url = f"http://{host}:{port}/x"
    path = tmp_path / name
    path.write_text(template.format(url=url), encoding="utf-8")

    with pytest.raises(UnsafeInputError) as caught:
        parse_file(path, base_iri=BASE)

    assert reason.format(url=url) in str(caught.value)
    assert not _was_connected(listener)


def test_pyoxigraphs_own_refusal_of_remote_contexts_is_also_reported_as_unsafe(
    listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blind the module's own search, so that the remote context reaches pyoxigraph, the second
    # line of defence.
    monkeypatch.setattr(parsing, "_remote_contexts", lambda document: iter(()))
    host, port = listener.getsockname()[:2]
    data = f'{{"@context": "http://{host}:{port}/x", "@id": "alice", "name": "A"}}'.encode()

    with pytest.raises(UnsafeInputError, match="JSON-LD refers to a remote context"):
        parse_bytes(data, format="jsonld", base_iri=BASE, source_name="upload.jsonld")

    assert not _was_connected(listener)


# --- tokens longer than pyoxigraph's buffer ------------------------------------------------------

#: Longer than the 16 MiB pyoxigraph's streaming parsers hold for one token.
HUGE = 17 * 2**20
NS = "http://example.org/ns#"


def test_pyoxigraph_still_refuses_a_token_over_16_mib() -> None:
    # The reason for setting long strings aside; if a release lifts the limit, this says so.
    data = f'<a> <b> "{"x" * HUGE}" .'.encode()

    with pytest.raises(MemoryError, match="buffer maximal size of 16777216"):
        list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE, base_iri=BASE))


@pytest.mark.parametrize(
    ("format_name", "document", "value", "language", "graph"),
    [
        pytest.param(
            "turtle",
            '<alice> <{ns}bio> "{huge}\\t\\u00e9\\U0001F600\\""@en .\n'
            '<alice> <{ns}nickname> "Ali" .\n',
            '{huge}\té\U0001f600"',
            "en",
            None,
            id="turtle, escapes",
        ),
        pytest.param(
            "turtle",
            "<alice> <{ns}bio> '''{huge}\nline two, \"quoted\" ''' .\n"
            '<alice> <{ns}nickname> "Ali" .\n',
            '{huge}\nline two, "quoted" ',
            None,
            None,
            id="turtle, long quote",
        ),
        pytest.param(
            "trig",
            '<g1> {{ <alice> <{ns}bio> """{huge}""" . <alice> <{ns}nickname> "Ali" . }}\n',
            "{huge}",
            None,
            URIRef(BASE + "g1"),
            id="trig",
        ),
        pytest.param(
            "nt",
            '<{base}alice> <{ns}bio> "{huge}\\n" .\n<{base}alice> <{ns}nickname> "Ali" .\n',
            "{huge}\n",
            None,
            None,
            id="n-triples",
        ),
        pytest.param(
            "nq",
            '<{base}alice> <{ns}bio> "{huge}" <{base}g1> .\n'
            '<{base}alice> <{ns}nickname> "Ali" <{base}g1> .\n',
            "{huge}",
            None,
            URIRef(BASE + "g1"),
            id="n-quads",
        ),
        pytest.param(
            "jsonld",
            '{{"@id": "alice", "{ns}bio": {{"@value": "{huge}\\u00e9", "@language": "en"}}, '
            '"{ns}nickname": "Ali"}}',
            "{huge}é",
            "en",
            None,
            id="json-ld",
        ),
    ],
)
def test_a_literal_longer_than_pyoxigraphs_buffer_is_read_whole(
    format_name: str, document: str, value: str, language: str | None, graph: URIRef | None
) -> None:
    huge = "x" * HUGE
    data = document.format(huge=huge, ns=NS, base=BASE).encode()

    quads = parse_bytes(data, format=format_name, base_iri=BASE, source_name="huge")

    expected = Literal(value.format(huge=huge), lang=language)
    assert quads == [
        (ALICE, EX.bio, expected, graph),
        (ALICE, EX.nickname, Literal("Ali"), graph),
    ]


def test_a_comment_longer_than_the_buffer_is_skipped() -> None:
    data = f'# {"x" * HUGE}\n<alice> <{NS}nickname> "# not a comment" .\n'.encode()

    quads = parse_bytes(data, format="turtle", base_iri=BASE)

    assert quads == [(ALICE, EX.nickname, Literal("# not a comment"), None)]


def test_an_iri_longer_than_the_buffer_is_refused_naming_line_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge_iri.ttl"
    path.write_text(f"@prefix ex: <{NS}> .\n\nex:a ex:b <{BASE}{'x' * HUGE}> .\n")

    with pytest.raises(InputLimitError) as caught:
        parse_file(path, base_iri=BASE)

    error = caught.value
    assert isinstance(error, InputError)  # the command line's exit status 1, not an internal error
    assert (error.path, error.line, error.column) == (str(path), 3, 11)
    assert str(error).startswith(f"{path}:3:11: a token (an IRI, a name or a number) longer than")
    assert "16 MiB" in str(error)
    assert "MemoryError" not in str(error)


def test_a_syntax_error_after_a_huge_literal_names_its_line() -> None:
    data = f'<a> <b> """{"x" * HUGE}\n\n""" .\n<a> <b> <c> ;; ] .\n'.encode()

    with pytest.raises(RDFSyntaxError) as caught:
        parse_bytes(data, format="turtle", base_iri=BASE, source_name="late.ttl")

    assert caught.value.line == 4
    assert "paccto-set-aside" not in str(caught.value)


def test_a_bad_escape_in_a_huge_literal_is_a_syntax_error() -> None:
    data = f'<a> <b> "ok" .\n<a> <b> "{"x" * HUGE}\\q" .\n'.encode()

    with pytest.raises(RDFSyntaxError) as caught:
        parse_bytes(data, format="turtle", base_iri=BASE, source_name="escape.ttl")

    assert (caught.value.line, caught.value.column) == (2, 10 + HUGE)
    assert "unexpected escape sequence '\\q'" in str(caught.value)


def test_a_huge_json_ld_string_used_as_an_iri_is_refused() -> None:
    data = f'{{"@id": "{"x" * HUGE}", "{NS}nickname": "Ali"}}'.encode()

    with pytest.raises(InputLimitError, match="used as an IRI"):
        parse_bytes(data, format="jsonld", base_iri=BASE)


def test_running_out_of_memory_names_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(pyoxigraph, "parse", exhausted)

    with pytest.raises(InputLimitError, match=r"^big\.ttl: ran out of memory parsing"):
        parse_bytes(b"<a> <b> <c> .", format="turtle", base_iri=BASE, source_name="big.ttl")


# --- where a file mentions an entity -------------------------------------------------------------


def test_first_mentions_reads_prefixes_and_bases_and_skips_strings_and_comments(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mentions.ttl"
    path.write_text(
        f"# <{NS}carol> in a comment\n"
        f"@prefix ex: <{NS}> .\n"
        '<alice> ex:says "ex:carol and <http://example.org/ns#carol>", """ex:dave\n""" .\n'
        "\n"
        "ex:carol ex:knows <bob> .\n"
        "@base <http://example.org/other/> .\n"
        "<bob> ex:knows ex:dave\\.x, _:b .\n"
    )
    wanted = [
        f"{NS}carol",
        f"{NS}dave.x",
        f"{NS}dave",
        BASE + "alice",
        BASE + "bob",
        "http://example.org/other/bob",
        "http://example.org/never",
    ]

    assert parsing.first_mentions(path, wanted, base_iri=BASE) == {
        f"{NS}carol": 6,  # the long string above holds a line break
        f"{NS}dave.x": 8,
        BASE + "alice": 3,
        BASE + "bob": 6,
        "http://example.org/other/bob": 8,
    }


@pytest.mark.parametrize(("name", "line"), [("tiny.rdf", 4), ("tiny.jsonld", 8), ("tiny.nt", 1)])
def test_first_mentions_finds_iris_written_in_full_or_relative(name: str, line: int) -> None:
    assert parsing.first_mentions(GOOD / name, [str(ALICE)], base_iri=BASE) == {str(ALICE): line}


def test_first_mentions_of_an_unreadable_file_is_nothing(tmp_path: Path) -> None:
    assert parsing.first_mentions(tmp_path / "gone.ttl", [str(ALICE)], base_iri=BASE) == {}
