"""Tests for paccto.graph.load.loading: the seeds, extra files and settings, loaded from real files.

Every full load validates about 2,800 quads with pySHACL and takes a second or more, so the default
graph is loaded once per module, and each fixture file under ``tests/fixtures/loading`` is loaded
at most once (see ``load_fixture``) however many tests look at the outcome.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from paccto.graph.errors import (
    VALIDATION_PROBLEMS_SHOWN,
    InputLimitError,
    PacctoError,
    RDFSyntaxError,
    SourceNotFoundError,
    UnsafeInputError,
    ValidationError,
)
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import DEFAULT_BASE_IRI, get_settings
from paccto.graph.sparql.query_pool import QueryWorkerPool
from paccto.ontology.namespace import ONTOLOGY_IRI, PACCTO

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loading"
NEW_SOURCE = FIXTURES / "new_source.trig"
SYNTAX_ERROR = FIXTURES / "syntax_error.trig"
#: The line of SYNTAX_ERROR whose triple has no object.
SYNTAX_ERROR_LINE = 6
#: Quads NEW_SOURCE adds: 7 about the document, 5 about the passage, 1 fact.
NEW_SOURCE_QUADS = 13

CUSTOM_BASE = "https://example.org/kg/"
#: The vocabulary keeps its own IRIs whatever the base of the data.
VOCABULARY = str(PACCTO._NS)

Outcome = KnowledgeGraph | PacctoError

# rdflib's own SPARQL engine calls Dataset methods that rdflib itself has deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.plugins.sparql.evaluate")


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def clean_environment() -> Iterator[None]:
    """Keep PACCTO_* variables of the shell running the tests out of every load."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.upper().startswith("PACCTO_"):
                patch.delenv(name)
        yield


@pytest.fixture(scope="module")
def default_graph(clean_environment: None) -> KnowledgeGraph:
    return load_knowledge_graph()


@pytest.fixture(scope="module")
def custom_base_graph(clean_environment: None) -> KnowledgeGraph:
    return load_knowledge_graph(get_settings(base_iri=CUSTOM_BASE))


@pytest.fixture(scope="module")
def load_fixture(clean_environment: None) -> Callable[..., Outcome]:
    """Load the seeds plus one fixture file, once per file and settings; return graph or error."""
    outcomes: dict[tuple[str, bool], Outcome] = {}

    def load(name: str, *, require_provenance: bool = True) -> Outcome:
        key = (name, require_provenance)
        if key not in outcomes:
            settings = get_settings(require_provenance=require_provenance)
            try:
                outcomes[key] = load_knowledge_graph(settings, [FIXTURES / name])
            except PacctoError as error:
                outcomes[key] = error
        return outcomes[key]

    return load


def _refusal(outcome: Outcome) -> ValidationError:
    assert isinstance(outcome, ValidationError), (
        f"expected a ValidationError, the load gave {type(outcome).__name__}"
    )
    return outcome


def _assert_readable(error: Exception) -> None:
    """The message is meant to be shown as it is, so it must not carry a Python traceback."""
    text = str(error)
    assert text.strip()
    assert "Traceback" not in text
    assert 'File "' not in text


def _quads(kg: KnowledgeGraph) -> set[tuple[object, object, object, object]]:
    return {(s, p, o, graph.identifier) for graph in kg.dataset.graphs() for s, p, o in graph}


def _graphs_holding(kg: KnowledgeGraph, s: URIRef, p: URIRef, o: URIRef) -> set[URIRef]:
    return {URIRef(str(name)) for *_, name in kg.dataset.quads((s, p, o, None))}


def _registered_passages(kg: KnowledgeGraph) -> dict[URIRef, URIRef]:
    """Each passage registered in the provenance graph, with the source document it cites."""
    rows = kg.dataset.query(
        f"""
        SELECT ?passage ?document WHERE {{
            GRAPH <{kg.ids.provenance_graph}> {{
                ?passage a paccto:Passage ; prov:wasDerivedFrom ?document .
                ?document a paccto:SourceDocument .
            }}
        }}
        """,
        initNs=kg.ids.prefixes(),
    )
    return {row.passage: row.document for row in rows}  # type: ignore[union-attr]


class Listener:
    """A TCP server on 127.0.0.1 that accepts, counts and at once closes every connection.

    Closing at once makes a client that did connect fail fast instead of waiting for an answer,
    so a regression shows up as a failed assertion, not as a hung test run.
    """

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)
        self.port: int = self._server.getsockname()[1]
        self._accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            self._accepted += 1
            connection.close()

    def accepted(self) -> int:
        """Connections so far, after a moment for any still in the kernel's queue."""
        time.sleep(0.3)
        return self._accepted

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


# --- the default load ----------------------------------------------------------------------------


def test_the_ontology_is_loaded_into_its_own_graph(default_graph: KnowledgeGraph) -> None:
    ontology_triples = [
        (ONTOLOGY_IRI, RDF.type, OWL.Ontology),
        (PACCTO.Passage, RDF.type, OWL.Class),
        (PACCTO.helpedCreate, RDFS.subPropertyOf, PACCTO.supports),
    ]
    for triple in ontology_triples:
        assert _graphs_holding(default_graph, *triple) == {ONTOLOGY_IRI}


def test_entities_are_described_in_the_entities_graph(default_graph: KnowledgeGraph) -> None:
    ids = default_graph.ids
    label = Literal("Latin American Committee for Internal Security", lang="en")

    assert _graphs_holding(default_graph, ids.entity("clasi"), RDFS.label, label) == {
        ids.entities_graph
    }
    assert _graphs_holding(default_graph, ids.entity("clasi"), RDF.type, PACCTO.Committee) == {
        ids.entities_graph
    }


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        ("phase-1", PACCTO.helpedCreate, "clasi"),
        ("el-paccto", PACCTO.fundedBy, "european-union"),
        ("ameripol", PACCTO.inspiredBy, "europol"),
    ],
)
def test_seed_facts_are_stated_only_in_registered_passages(
    default_graph: KnowledgeGraph, subject: str, predicate: URIRef, obj: str
) -> None:
    ids = default_graph.ids
    graphs = _graphs_holding(default_graph, ids.entity(subject), predicate, ids.entity(obj))
    passages = _registered_passages(default_graph)

    assert graphs, "the fact is missing"
    for graph in graphs:
        assert str(graph).startswith(DEFAULT_BASE_IRI + "passage/")
        assert str(passages[graph]).startswith(DEFAULT_BASE_IRI + "source/doc-")


def test_every_seed_fact_has_provenance(default_graph: KnowledgeGraph) -> None:
    ids = default_graph.ids
    passages = _registered_passages(default_graph)
    named = set(default_graph.data_graph_names()) - {ids.entities_graph, ids.provenance_graph}

    assert len(default_graph.dataset.graph(DATASET_DEFAULT_GRAPH_ID)) == 0
    assert len(named) > 50
    assert named <= set(passages)


# --- a configured base IRI -----------------------------------------------------------------------


def test_a_configured_base_iri_renames_every_entity(
    custom_base_graph: KnowledgeGraph, default_graph: KnowledgeGraph
) -> None:
    clasi = URIRef(CUSTOM_BASE + "id/clasi")
    graphs = _graphs_holding(
        custom_base_graph, URIRef(CUSTOM_BASE + "id/phase-1"), PACCTO.helpedCreate, clasi
    )

    assert (clasi, RDF.type, PACCTO.Committee) in custom_base_graph.dataset.graph(
        URIRef(CUSTOM_BASE + "graph/entities")
    )
    assert graphs
    assert all(str(graph).startswith(CUSTOM_BASE + "passage/") for graph in graphs)
    assert len(custom_base_graph) == len(default_graph)


def test_no_iri_under_the_default_base_remains_in_the_data(
    custom_base_graph: KnowledgeGraph,
) -> None:
    leftovers = {
        term
        for s, p, o, graph in _quads(custom_base_graph)
        if graph != ONTOLOGY_IRI
        for term in (s, p, o, graph)
        if isinstance(term, URIRef)
        and term.startswith(DEFAULT_BASE_IRI)
        and not term.startswith(VOCABULARY)
    }

    assert leftovers == set()


# --- extra files with valid facts ----------------------------------------------------------------


@pytest.mark.parametrize("given_as", ["extra_files", "settings.data"])
def test_an_extra_file_adds_its_facts_with_their_provenance(
    default_graph: KnowledgeGraph, given_as: str
) -> None:
    if given_as == "extra_files":
        kg = load_knowledge_graph(extra_files=[NEW_SOURCE])
    else:
        kg = load_knowledge_graph(get_settings(data=[NEW_SOURCE]))
    ids = kg.ids

    rows = list(
        kg.dataset.query(
            f"""
            SELECT ?document ?start ?end ?title WHERE {{
                GRAPH ?passage {{ id:clasi paccto:cooperatesWith id:europol }}
                GRAPH <{ids.provenance_graph}> {{
                    ?passage prov:wasDerivedFrom ?document ; oa:start ?start ; oa:end ?end .
                    ?document dcterms:title ?title .
                }}
            }}
            """,
            initNs=ids.prefixes(),
        )
    )

    assert [tuple(row) for row in rows] == [  # type: ignore[arg-type]
        (
            ids.source("doc-900"),
            Literal(10),
            Literal(120),
            Literal("Test report on CLASI and Europol", lang="en"),
        )
    ]
    assert len(kg) == len(default_graph) + NEW_SOURCE_QUADS
    assert NEW_SOURCE in kg.files
    # The graph loaded earlier is a separate object and does not see the new fact.
    fact = (ids.entity("clasi"), PACCTO.cooperatesWith, ids.entity("europol"))
    assert _graphs_holding(default_graph, *fact) == set()


# --- shape violations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeCase:
    file: str
    focus: str
    path: str
    message: str
    #: Text the reported value must contain (how a literal is shown is not the point here).
    value: str | None = None


SHAPE_CASES = [
    ShapeCase("no_label.trig", "id:nameless-agency", "rdfs:label", "has no rdfs:label"),
    ShapeCase(
        "membership_without_role.trig",
        "id:membership-clasi-europol",
        "org:role",
        "membership needs exactly one org:role",
    ),
    ShapeCase(
        "ill_formed_date.trig",
        "id:thirteenth-month-meeting",
        "paccto:date",
        "date must be one valid xsd:date, xsd:gYearMonth or xsd:gYear",
        "2023-13",
    ),
    ShapeCase(
        "impossible_day.trig",
        "id:february-thirtieth-meeting",
        "paccto:date",
        "date must be one valid xsd:date, xsd:gYearMonth or xsd:gYear",
        "2023-02-30",
    ),
    ShapeCase("undeclared_identifier.trig", "id:europoll", "rdf:type", "never declared"),
    ShapeCase(
        "passage_past_end.trig",
        f"<{DEFAULT_BASE_IRI}passage/doc-904/50-250>",
        "oa:end",
        "the passage ends after the end of its document",
        "250",
    ),
    ShapeCase(
        "country_without_iso_code.trig",
        "id:atlantis",
        "paccto:isoCode",
        "a country needs one ISO 3166-1 alpha-2 code",
    ),
]

SHAPE_PARAMS = [pytest.param(case, id=case.file.rsplit(".", 1)[0]) for case in SHAPE_CASES]


@pytest.mark.parametrize("case", SHAPE_PARAMS)
def test_a_shape_violation_names_the_entity_and_what_is_wrong(
    load_fixture: Callable[..., Outcome], case: ShapeCase
) -> None:
    error = _refusal(load_fixture(case.file))

    matching = [v for v in error.violations if v.focus == case.focus and case.message in v.message]
    assert matching, error.violations
    assert all(v.severity == "Violation" for v in matching)
    if case.value is not None:
        assert any(case.value in (v.value or "") for v in matching), matching
    assert case.focus in str(error)
    assert case.message in str(error)
    assert "nothing was loaded" in str(error)
    _assert_readable(error)


@pytest.mark.parametrize("case", SHAPE_PARAMS)
def test_a_shape_violation_names_the_property(
    load_fixture: Callable[..., Outcome], case: ShapeCase
) -> None:
    error = _refusal(load_fixture(case.file))

    assert (case.focus, case.path) in {(v.focus, v.path) for v in error.violations}
    assert f"{case.focus} {case.path}: " in str(error)


@pytest.mark.parametrize("case", SHAPE_PARAMS)
def test_a_shape_violation_is_reported_about_the_broken_entity_only(
    load_fixture: Callable[..., Outcome], case: ShapeCase
) -> None:
    # The seeds are valid and each fixture breaks one rule of one entity.
    assert {v.focus for v in _refusal(load_fixture(case.file)).violations} == {case.focus}


# --- provenance violations -----------------------------------------------------------------------

FACT = ("id:clasi", "paccto:cooperatesWith")


@pytest.mark.parametrize(
    ("name", "problem", "graph"),
    [
        pytest.param(
            "fact_in_default_graph.ttl",
            "fact with no provenance: it is in the default graph",
            "(graph default)",
            id="plain turtle",
        ),
        pytest.param(
            "unregistered_graph.trig",
            "fact in a named graph that is not a registered paccto:Passage",
            f"(graph <{DEFAULT_BASE_IRI}passage/doc-999/0-10>)",
            id="unregistered passage",
        ),
        pytest.param(
            "relationship_in_entities_graph.trig",
            "relationship in the curated descriptions graph",
            f"(graph <{DEFAULT_BASE_IRI}graph/entities>)",
            id="entities graph",
        ),
    ],
)
def test_a_fact_without_provenance_is_refused(
    load_fixture: Callable[..., Outcome], name: str, problem: str, graph: str
) -> None:
    error = _refusal(load_fixture(name))
    [violation] = error.violations

    assert (violation.focus, violation.path) == FACT
    assert problem in violation.message
    assert graph in violation.message
    assert f"{FACT[0]} {FACT[1]}: {problem}" in str(error)
    assert "nothing was loaded" in str(error)
    _assert_readable(error)


def test_without_required_provenance_a_plain_turtle_fact_is_accepted(
    load_fixture: Callable[..., Outcome],
) -> None:
    kg = load_fixture("fact_in_default_graph.ttl", require_provenance=False)
    assert isinstance(kg, KnowledgeGraph), kg
    ids = kg.ids

    fact = (ids.entity("clasi"), PACCTO.cooperatesWith, ids.entity("europol"))
    assert fact in kg.dataset.graph(DATASET_DEFAULT_GRAPH_ID)


def test_without_required_provenance_the_shapes_still_apply() -> None:
    # Without the seeds, the entities the plain Turtle fact speaks of are declared nowhere.
    settings = get_settings(require_provenance=False, include_seeds=False)

    with pytest.raises(ValidationError) as caught:
        load_knowledge_graph(settings, [FIXTURES / "fact_in_default_graph.ttl"])

    violations = caught.value.violations
    # The fact itself, in the default graph, is not reported.
    assert {(v.focus, v.path) for v in violations} == {
        ("id:clasi", "rdf:type"),
        ("id:europol", "rdf:type"),
    }


def test_without_required_provenance_a_passage_past_its_document_is_still_refused(
    load_fixture: Callable[..., Outcome],
) -> None:
    # The setting lets facts stand outside passages; it does not make a broken citation valid.
    error = _refusal(load_fixture("passage_past_end.trig", require_provenance=False))

    passage = f"<{DEFAULT_BASE_IRI}passage/doc-904/50-250>"
    assert {(v.focus, v.path) for v in error.violations} == {(passage, "oa:end")}


def test_a_file_writing_into_the_ontology_graph_is_refused(
    load_fixture: Callable[..., Outcome],
) -> None:
    # Whatever sits in that graph counts as vocabulary, so neither shapes nor provenance see it.
    outcome = load_fixture("fact_in_ontology_graph.trig")

    assert isinstance(outcome, PacctoError), "a fact in the ontology graph was loaded"
    assert str(ONTOLOGY_IRI) in str(outcome)
    _assert_readable(outcome)


# --- all or nothing ------------------------------------------------------------------------------


def test_a_syntax_error_in_any_file_loads_nothing(default_graph: KnowledgeGraph) -> None:
    before = _quads(default_graph)
    before_length = len(default_graph)

    with pytest.raises(RDFSyntaxError) as caught:
        load_knowledge_graph(extra_files=[NEW_SOURCE, SYNTAX_ERROR])

    error = caught.value
    assert (error.path, error.line) == (str(SYNTAX_ERROR), SYNTAX_ERROR_LINE)
    assert str(error).startswith(f"{SYNTAX_ERROR}:{SYNTAX_ERROR_LINE}:")
    _assert_readable(error)
    assert len(default_graph) == before_length
    assert _quads(default_graph) == before

    fresh = load_knowledge_graph()
    ids = fresh.ids
    assert fresh is not default_graph
    assert len(fresh) == before_length
    fact = (ids.entity("clasi"), PACCTO.cooperatesWith, ids.entity("europol"))
    assert _graphs_holding(fresh, *fact) == set()


# --- tokens longer than the parser's buffer ------------------------------------------------------

#: Longer than the 16 MiB pyoxigraph's parser holds for one token.
HUGE = 17 * 2**20
HUGE_HEADER = (
    "@prefix id: <id/> .\n@prefix paccto: <https://w3id.org/paccto-graph/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


def test_a_literal_over_16_mib_loads_with_the_seeds(
    tmp_path: Path, default_graph: KnowledgeGraph
) -> None:
    text = "x" * HUGE + "\nthe end"
    path = tmp_path / "huge.trig"
    path.write_text(
        f"{HUGE_HEADER}<graph/entities> {{\n  id:huge-report a paccto:Network ;\n"
        f'    rdfs:label "Huge report"@en ;\n    rdfs:comment """{text}"""@en .\n}}\n'
    )

    kg = load_knowledge_graph(extra_files=[path])

    comment = kg.dataset.value(kg.ids.entity("huge-report"), RDFS.comment)
    assert comment == Literal(text, lang="en")
    assert len(kg) == len(default_graph) + 3
    # The SPARQL workers load the same graph and answer from it.
    pool = QueryWorkerPool(kg, size=1, timeout=30, max_rows=10, quick_size=0)
    try:
        reply = pool.evaluate(
            "SELECT (STRLEN(?c) AS ?n) WHERE { id:huge-report rdfs:comment ?c }", ("csv",)
        )
    finally:
        pool.close()
    assert reply.body.split() == [b"n", str(len(text)).encode()]


def test_an_iri_over_16_mib_loads_nothing_and_names_file_and_line(
    tmp_path: Path, default_graph: KnowledgeGraph
) -> None:
    before = _quads(default_graph)
    path = tmp_path / "huge_iri.trig"
    path.write_text(f"{HUGE_HEADER}\n<graph/entities> {{ id:a rdfs:seeAlso <{'x' * HUGE}> . }}\n")

    with pytest.raises(InputLimitError) as caught:
        load_knowledge_graph(extra_files=[NEW_SOURCE, path])

    error = caught.value
    assert (error.path, error.line) == (str(path), 5)
    assert str(error).startswith(f"{path}:5:")
    assert "16 MiB" in str(error)
    _assert_readable(error)
    assert _quads(default_graph) == before


# --- many problems -------------------------------------------------------------------------------


def test_a_refusal_shows_the_first_problems_and_counts_the_rest(tmp_path: Path) -> None:
    # Generated: 2,000 typed entities without a label break two shapes each.
    path = tmp_path / "nameless.trig"
    path.write_text(
        f"{HUGE_HEADER}<graph/entities> {{\n"
        + "".join(f"  id:nameless-{n} a paccto:Network .\n" for n in range(2000))
        + "}\n"
    )

    with pytest.raises(ValidationError) as caught:
        load_knowledge_graph(extra_files=[path])

    error = caught.value
    assert len(error.violations) == 4000  # every one, for programs
    assert [(c.shape, c.path, c.count) for c in error.counts()] == [
        ("shape:EnglishLabel", "rdfs:label", 2000),
        ("shape:LabelledEntity", "rdfs:label", 2000),
    ]
    message = str(error)
    assert len(message) < 6000  # 20 lines with a long temporary path, and two counts
    assert message.count("[Violation]") == VALIDATION_PROBLEMS_SHOWN
    assert "... and 3980 more" in message
    assert "2000  shape:LabelledEntity  rdfs:label: has no rdfs:label" in message
    _assert_readable(error)
    # Each problem points at the line that declares the entity: the header has 4 lines.
    for violation in error.violations:
        number = int(violation.focus.removeprefix("id:nameless-"))
        assert violation.where == ((str(path), 5 + number),)


def test_a_problem_is_placed_in_the_file_stating_it_before_the_seeds(
    load_fixture: Callable[..., Outcome],
) -> None:
    # id:clasi is described in the seeds too; the fact at fault is in the fixture's line 4.
    [violation] = _refusal(load_fixture("fact_in_default_graph.ttl")).violations

    assert violation.where[0] == (str(FIXTURES / "fact_in_default_graph.ttl"), 4)
    assert all(path.endswith(".trig") for path, _ in violation.where[1:])


# --- missing files -------------------------------------------------------------------------------


@pytest.mark.parametrize("given_as", ["extra_files", "settings.data"])
def test_a_missing_file_is_named(tmp_path: Path, given_as: str) -> None:
    missing = tmp_path / "not-there" / "facts.trig"

    with pytest.raises(SourceNotFoundError) as caught:
        if given_as == "extra_files":
            load_knowledge_graph(extra_files=[NEW_SOURCE, missing])
        else:
            load_knowledge_graph(get_settings(data=[missing]))

    assert caught.value.path == str(missing)
    assert str(caught.value).startswith(f"{missing}: ")
    _assert_readable(caught.value)


# --- no network ----------------------------------------------------------------------------------


def test_the_listener_counts_connections(listener: Listener) -> None:
    # Without this, the tests below could pass because the listener saw nothing at all.
    socket.create_connection(("127.0.0.1", listener.port), timeout=2).close()

    assert listener.accepted() == 1


@pytest.mark.parametrize(
    ("name", "template"),
    [
        (
            "imports.ttl",
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "<> a owl:Ontology ; owl:imports <{url}> .\n",
        ),
        (
            "imports.trig",
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "<graph/entities> {{ <> a owl:Ontology ; owl:imports <{url}> . }}\n"
            "<passage/doc-999/0-1> {{ <id/clasi> owl:imports <{url}> . }}\n",
        ),
    ],
    ids=["turtle", "trig"],
)
def test_owl_imports_are_never_fetched(
    tmp_path: Path, listener: Listener, name: str, template: str
) -> None:
    path = tmp_path / name
    path.write_text(template.format(url=f"http://127.0.0.1:{listener.port}/x.ttl"))
    # The seeds play no part in fetching, and leaving them out makes the load take milliseconds.
    settings = get_settings(include_seeds=False)

    try:
        load_knowledge_graph(settings, [path])
    except ValidationError as error:
        _assert_readable(error)

    assert listener.accepted() == 0


@pytest.mark.parametrize(
    "template",
    [
        '{{"@context": "{url}", "@id": "id/clasi", "name": "CLASI"}}',
        '{{"@context": [{{"name": "http://schema.org/name"}}, "{url}"], "@id": "id/clasi"}}',
        '{{"@context": {{"knows": {{"@id": "http://schema.org/knows", "@context": "{url}"}}}},'
        ' "@id": "id/clasi", "knows": {{"@id": "id/europol"}}}}',
        '{{"@context": {{"@import": "{url}"}}, "@id": "id/clasi"}}',
    ],
    ids=["context", "context list", "scoped context", "import"],
)
def test_a_remote_json_ld_context_is_refused_without_fetching_it(
    tmp_path: Path, listener: Listener, template: str
) -> None:
    url = f"http://127.0.0.1:{listener.port}/context.jsonld"
    path = tmp_path / "remote.jsonld"
    path.write_text(template.format(url=url))

    with pytest.raises(UnsafeInputError) as caught:
        load_knowledge_graph(extra_files=[path])

    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: refused: ")
    _assert_readable(caught.value)
    assert listener.accepted() == 0
