"""Tests for paccto.graph.load.store_validation: SPARQL over a store answers as pySHACL does.

The reference is ``validation.py`` with every shape left to pySHACL (``native=False``): the same
SHACL results, span rule and provenance rule, field by field. Each fixture is loaded twice from
the same file: into an rdflib dataset by the loader's ``build_dataset`` (the reference's input),
and into a pyoxigraph store as the loader lays one out (the store validator's input).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from paccto.graph.errors import Violation
from paccto.graph.load.loading import build_dataset
from paccto.graph.load.resources import ontology_file, seed_files, shapes_file
from paccto.graph.load.store_validation import (
    UnsupportedShapeError,
    compile_shapes,
    store_shacl_violations,
    store_violations,
)
from paccto.graph.load.validation import (
    SH,
    SPAN_RULE,
    _data_graph,
    _spans_outside_documents,
    provenance_violations,
    report_violations,
    shacl_violations,
    shape_name_in,
)
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.settings import DEFAULT_BASE_IRI

IDS = Identifiers(DEFAULT_BASE_IRI)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loading"
#: Fixtures refused before validation (a syntax error, a write into the ontology's graph).
UNBUILDABLE = {"syntax_error.trig", "fact_in_ontology_graph.trig"}
MERGE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"

Key = tuple[str, str, str, str, str, str]

PREFIXES = """\
@prefix id:      <id/> .
@prefix src:     <source/> .
@prefix paccto:  <https://w3id.org/paccto-graph/ontology#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
"""

#: A registered document and passage, and the entities the fixtures' facts speak of.
PRELUDE = (
    PREFIXES
    + """
<graph/provenance> {
    src:doc-1 a paccto:SourceDocument ; rdfs:label "Document 1"@en ;
        dcterms:title "Test document"@en ; paccto:fileName "1.txt" ;
        paccto:sha256 "0000000000000000000000000000000000000000000000000000000000000001"
            ^^xsd:hexBinary ;
        paccto:characterCount 300 .
    <passage/doc-1/0-80> a paccto:Passage ; rdfs:label "doc-1 [0, 80)"@en ;
        prov:wasDerivedFrom src:doc-1 ; oa:start 0 ; oa:end 80 .
}
<graph/entities> {
    id:alpha a paccto:Agency ; rdfs:label "Alpha"@en .
    id:beta a paccto:Agency ; rdfs:label "Beta"@en .
    id:network a paccto:Network ; rdfs:label "Network"@en .
    id:role a org:Role , paccto:ParticipationRole ; rdfs:label "Member"@en .
    id:person a foaf:Person ; rdfs:label "A person"@en .
    id:post a org:Post ; rdfs:label "A post"@en .
    id:programme a paccto:Programme ; rdfs:label "Programme"@en .
    id:period a time:ProperInterval ; rdfs:label "Period"@en .
    id:measure a paccto:Measure ; rdfs:label "Measure"@en .
}
<passage/doc-1/0-80> {
    id:post org:postIn id:alpha .
    id:period paccto:startDate "2020-01-01"^^xsd:date .
}
"""
)


def _entities(text: str) -> str:
    return f"<graph/entities> {{\n{text}\n}}\n"


def _stated(text: str) -> str:
    """Facts stated by the registered passage."""
    return f"<passage/doc-1/0-80> {{\n{text}\n}}\n"


def _provenance(text: str) -> str:
    return f"<graph/provenance> {{\n{text}\n}}\n"


#: Purpose-written invalid data (and near misses that must pass), each with the shapes or rules
#: whose problems it must show: at least one fixture per shape of shapes.ttl and per constraint
#: component it uses.
CASES: dict[str, tuple[str, set[str]]] = {
    "missing label": (
        _entities("id:nameless a paccto:Agency ; skos:altLabel 'N' ."),
        {"shape:LabelledEntity", "shape:EnglishLabel"},
    ),
    "non-English labels only": (
        _entities(
            "id:spanish a paccto:Agency ; rdfs:label 'Agencia'@es .\n"
            "id:plain a paccto:Agency ; rdfs:label 'Plain' .\n"
            "id:british a paccto:Agency ; rdfs:label 'British'@en-GB .\n"
            "id:shouting a paccto:Agency ; rdfs:label 'Upper'@EN .\n"
            "id:english-ish a paccto:Agency ; rdfs:label 'Eng'@eng ."
        ),
        {"shape:EnglishLabel"},
    ),
    "label that is an IRI": (
        _entities("id:iri-label a paccto:Agency ; rdfs:label id:alpha ."),
        {"shape:LabelledEntity", "shape:EnglishLabel"},
    ),
    "undeclared IRI as object and subject": (
        _stated("id:alpha paccto:cooperatesWith id:alfa .\nid:gamma paccto:supports id:beta ."),
        {"shape:TypedEntity"},
    ),
    "undeclared class and predicate are fine": (
        _entities("id:odd a paccto:Agency , paccto:NoSuchClass ; rdfs:label 'Odd'@en .")
        + _stated("id:alpha paccto:noSuchRelation id:beta ."),
        set(),
    ),
    "ill-typed and wrongly typed dates": (
        _entities(
            "id:event-1 a paccto:Meeting ; rdfs:label 'E1'@en .\n"
            "id:event-2 a paccto:Meeting ; rdfs:label 'E2'@en .\n"
            "id:event-3 a paccto:Meeting ; rdfs:label 'E3'@en .\n"
            "id:event-4 a paccto:Meeting ; rdfs:label 'E4'@en .\n"
            "id:event-5 a paccto:Meeting ; rdfs:label 'E5'@en .\n"
            "id:event-6 a paccto:Meeting ; rdfs:label 'E6'@en ."
        )
        + _stated(
            "id:event-1 paccto:date '2023-02-30'^^xsd:date .\n"
            "id:event-2 paccto:date '2023-13'^^xsd:gYearMonth .\n"
            "id:event-3 paccto:date '2023' .\n"
            "id:event-4 paccto:date '2023'^^xsd:integer .\n"
            "id:event-5 paccto:date id:alpha .\n"
            "id:event-6 paccto:date '23'^^xsd:gYear ;\n"
            "    paccto:foundingDate '2023-05'^^xsd:gYearMonth ."
        ),
        {"shape:DatedEntity"},
    ),
    "two start dates": (
        _entities("id:period-2 a time:ProperInterval ; rdfs:label 'P2'@en .")
        + _stated(
            "id:period-2 paccto:startDate '2020-01-01'^^xsd:date , '2021'^^xsd:gYear ;\n"
            "    paccto:endDate '2022-03'^^xsd:gYearMonth ."
        ),
        {"shape:DatedEntity"},
    ),
    "memberships": (
        _entities(
            "id:m-no-member a org:Membership ; rdfs:label 'M1'@en .\n"
            "id:m-two-roles a org:Membership ; rdfs:label 'M2'@en .\n"
            "id:m-bad-role a org:Membership ; rdfs:label 'M3'@en .\n"
            "id:m-literal a org:Membership ; rdfs:label 'M4'@en .\n"
            "id:other-role a org:Role ; rdfs:label 'Other role'@en ."
        )
        + _stated(
            "id:m-no-member org:organization id:network ; org:role id:role .\n"
            "id:m-two-roles org:member id:alpha ; org:organization id:network ;\n"
            "    org:role id:role , id:other-role ; org:memberDuring id:period , id:alpha .\n"
            "id:m-bad-role org:member id:alpha ; org:organization id:network ; org:role id:beta .\n"
            "id:m-literal org:member 'Alpha' ; org:organization id:network , id:alpha ;\n"
            "    org:role 'member' ."
        ),
        {"shape:Membership"},
    ),
    "subclass instances are targeted, and pass sh:class": (
        _entities(
            "id:special a rdfs:Class ; rdfs:label 'Special membership'@en .\n"
            "id:special rdfs:subClassOf id:deeper .\n"
            "id:deeper a rdfs:Class ; rdfs:label 'Deeper'@en ; rdfs:subClassOf org:Membership .\n"
            "id:m-special a id:special ; rdfs:label 'Special'@en .\n"
            "id:chair a rdfs:Class ; rdfs:label 'Chair'@en ; rdfs:subClassOf org:Role .\n"
            "id:chair-role a id:chair ; rdfs:label 'Chair role'@en .\n"
            "id:m-chair a org:Membership ; rdfs:label 'Chaired'@en ."
        )
        + _stated(
            "id:m-special org:organization id:network .\n"
            "id:m-chair org:member id:alpha ; org:organization id:network ;\n"
            "    org:role id:chair-role ."
        ),
        # The classes are objects of rdfs:subClassOf, which the data does not declare, and
        # rdfs:subClassOf is no description: it belongs in a passage.
        {"shape:Membership", "shape:TypedEntity", "provenance rule"},
    ),
    "interval without start": (
        _entities("id:open a time:ProperInterval ; rdfs:label 'Open'@en .")
        + _stated("id:open paccto:endDate '2020'^^xsd:gYear ."),
        {"shape:Interval"},
    ),
    "posts": (
        _entities(
            "id:floating-post a org:Post ; rdfs:label 'Floating'@en .\n"
            "id:literal-post a org:Post ; rdfs:label 'Literal'@en ."
        )
        + _stated("id:literal-post org:postIn 'Alpha' ."),
        {"shape:Post"},
    ),
    "phases": (
        _entities(
            "id:phase-1 a paccto:ProgrammePhase ; rdfs:label 'Phase 1'@en .\n"
            "id:phase-2 a paccto:ProgrammePhase ; rdfs:label 'Phase 2'@en .\n"
            "id:phase-3 a paccto:ProgrammePhase ; rdfs:label 'Phase 3'@en ."
        )
        + _stated(
            "id:phase-1 paccto:budgetEUR '100'^^xsd:integer ; dcterms:temporal id:alpha .\n"
            "id:phase-2 paccto:phaseOf id:alpha ; paccto:budgetEUR 'lots'^^xsd:decimal , 5.0 .\n"
            "id:phase-3 paccto:phaseOf id:programme , id:programme-2 ;\n"
            "    dcterms:temporal id:period , id:period-3 .\n"
            "id:programme-2 a paccto:Programme ; rdfs:label 'P2'@en .\n"
            "id:period-3 a time:ProperInterval ; rdfs:label 'P3'@en ; "
            "paccto:startDate '2020'^^xsd:gYear ."
        ),
        {"shape:Phase"},
    ),
    "countries": (
        _entities(
            "id:atlantis a paccto:Country ; rdfs:label 'Atlantis'@en ; paccto:isoCode 'ATL' .\n"
            "id:lower a paccto:Country ; rdfs:label 'Lower'@en ; paccto:isoCode 'es' .\n"
            "id:twice a paccto:Country ; rdfs:label 'Twice'@en ; paccto:isoCode 'TW' , 'TX' .\n"
            "id:iri-code a paccto:Country ; rdfs:label 'IRI'@en ; paccto:isoCode id:alpha .\n"
            "id:none a paccto:Country ; rdfs:label 'None'@en .\n"
            "id:fine a paccto:Country ; rdfs:label 'Fine'@en ; paccto:isoCode 'FI' ."
        ),
        {"shape:Country"},
    ),
    "indicators": (
        _entities(
            "id:ind-1 a paccto:Indicator ; rdfs:label 'I1'@en .\n"
            "id:ind-2 a paccto:Indicator ; rdfs:label 'I2'@en .\n"
            "id:ind-3 a paccto:Indicator ; rdfs:label 'I3'@en ."
        )
        + _stated(
            "id:ind-1 paccto:indicatorOf id:alpha ; paccto:measure id:measure ;\n"
            "    paccto:value '12'^^xsd:integer .\n"
            "id:ind-2 paccto:indicatorOf 'Alpha' ; paccto:measure id:alpha ; paccto:value '1.5' .\n"
            "id:ind-3 paccto:indicatorOf id:alpha , id:beta ;\n"
            "    paccto:value 1.5 , 2.5 , 'x'^^xsd:decimal ."
        ),
        {"shape:Indicator"},
    ),
    "quotations": (
        _entities(
            "id:q-nobody a paccto:Quotation ; rdfs:label 'Q1'@en .\n"
            "id:q-bad-speaker a paccto:Quotation ; rdfs:label 'Q2'@en .\n"
            "id:q-post a paccto:Quotation ; rdfs:label 'Q3'@en .\n"
            "id:person-2 a foaf:Person ; rdfs:label 'Second person'@en ."
        )
        + _stated(
            "id:q-nobody paccto:speaksFor id:alpha .\n"
            "id:q-bad-speaker paccto:speaker id:alpha , id:person ; paccto:speaksFor 'Alpha' .\n"
            "id:q-post paccto:speakerPost id:alpha ; paccto:speaksFor id:alpha , id:beta ."
        ),
        {"shape:Quotation"},
    ),
    "source documents": (
        _provenance(
            "src:doc-2 a paccto:SourceDocument ; rdfs:label 'Doc 2'@en ;\n"
            "    paccto:fileName '2.txt'@en ; paccto:sha256 'xyz'^^xsd:hexBinary ;\n"
            "    paccto:characterCount -5 ; dcterms:issued '2024'^^xsd:gYear .\n"
            "src:doc-3 a paccto:SourceDocument ; rdfs:label 'Doc 3'@en ; dcterms:title 'T' ;\n"
            "    paccto:fileName '3.txt' , '3b.txt' ; paccto:sha256 'ABCD' ;\n"
            "    paccto:characterCount 'many'^^xsd:integer ;\n"
            "    dcterms:issued '2024-01-01'^^xsd:date , '2024-01-02'^^xsd:date .\n"
            "src:doc-4 a paccto:SourceDocument ; rdfs:label 'Doc 4'@en ; dcterms:title 'T' ;\n"
            "    paccto:fileName '4.txt' ; paccto:characterCount 10.5 ;\n"
            "    paccto:sha256 'zz00000000000000000000000000000000000000000000000000000000000000' ."
        ),
        {"shape:SourceDocument"},
    ),
    "passages": (
        _provenance(
            "<passage/doc-1/50-20> a paccto:Passage ; rdfs:label 'backwards'@en ;\n"
            "    prov:wasDerivedFrom src:doc-1 ; oa:start 50 ; oa:end 20 .\n"
            "<passage/doc-1/5-5> a paccto:Passage ; rdfs:label 'empty'@en ;\n"
            "    prov:wasDerivedFrom src:doc-1 ; oa:start 5 ; oa:end 5 .\n"
            "<passage/doc-1/neg> a paccto:Passage ; rdfs:label 'negative'@en ;\n"
            "    prov:wasDerivedFrom src:doc-1 ; oa:start -3 ; oa:end 10 .\n"
            "<passage/doc-1/from-agency> a paccto:Passage ; rdfs:label 'from an agency'@en ;\n"
            "    prov:wasDerivedFrom id:alpha , src:doc-1 ; oa:end 10 .\n"
            "<passage/doc-1/text> a paccto:Passage ; rdfs:label 'text'@en ;\n"
            "    prov:wasDerivedFrom src:doc-1 ; oa:start '5' , 'abc'^^xsd:integer ;\n"
            "    oa:end 30 , 40 , 'x' ."
        ),
        {"shape:Passage"},
    ),
    "default-graph fact": (
        "id:alpha paccto:cooperatesWith id:beta .\n",
        {"provenance rule"},
    ),
    "relationship in the entities graph": (
        _entities("id:alpha paccto:cooperatesWith id:beta ; skos:altLabel 'A' ."),
        {"provenance rule"},
    ),
    "fact in an unregistered named graph": (
        "<passage/doc-9/0-10> { id:alpha paccto:cooperatesWith id:beta , id:network . }\n",
        {"provenance rule"},
    ),
    "provenance graph statement about an agency": (
        _provenance("id:alpha paccto:cooperatesWith id:beta ."),
        {"provenance rule"},
    ),
    "spans past their document": (
        _provenance(
            "src:doc-5 a paccto:SourceDocument ; rdfs:label 'Doc 5'@en ; dcterms:title 'T' ;\n"
            "    paccto:fileName '5.txt' ; paccto:characterCount 100 ;\n"
            "    paccto:sha256 '0000000000000000000000000000000000000000000000000000000000000005'"
            "^^xsd:hexBinary .\n"
            "<passage/doc-5/50-250> a paccto:Passage ; rdfs:label 'past'@en ;\n"
            "    prov:wasDerivedFrom src:doc-5 ; oa:start 50 ; oa:end 250 .\n"
            "<passage/doc-5/0-100> a paccto:Passage ; rdfs:label 'to the end'@en ;\n"
            "    prov:wasDerivedFrom src:doc-5 ; oa:start 0 ; oa:end 100 ."
        ),
        {"passage span rule"},
    ),
}


def _store(files: Sequence[Path]) -> ox.Store:
    """The files in a store as the loader lays one out.

    Each file's graphs as they are, facts given outside any graph in ``ids.unattributed_graph``,
    and the default graph filled with the merge of them all (the ontology is not loaded).
    """
    store = ox.Store()
    unattributed = ox.NamedNode(str(IDS.unattributed_graph))
    for path in files:
        rdf_format = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
        store.bulk_load(path=path, format=rdf_format, base_iri=IDS.base, to_graph=unattributed)
    store.update(MERGE)
    return store


def _reference(files: Sequence[Path], *, require_provenance: bool = True) -> list[Violation]:
    """``validation.validate`` with every shape evaluated by pySHACL."""
    dataset = build_dataset(files, IDS, ontology=ontology_file())
    violations = shacl_violations(dataset, IDS, native=False)
    violations.extend(_spans_outside_documents(dataset.graph(IDS.provenance_graph), IDS))
    if require_provenance:
        violations.extend(provenance_violations(dataset, IDS))
    return [v for v in violations if v.severity == "Violation"] + [
        v for v in violations if v.severity != "Violation"
    ]


def _key(violation: Violation) -> Key:
    return (
        violation.focus,
        violation.path or "",
        violation.message,
        violation.severity,
        violation.value or "",
        violation.shape or "",
    )


def _both_ways(
    files: Sequence[Path], *, require_provenance: bool = True
) -> tuple[list[Key], list[Key], list[Violation]]:
    found = store_violations(_store(files), IDS, require_provenance=require_provenance)
    reference = _reference(files, require_provenance=require_provenance)
    return sorted(map(_key, found)), sorted(map(_key, reference)), found


def _fixture(tmp_path: Path, text: str, name: str = "fixture.trig") -> Path:
    path = tmp_path / name
    path.write_text(PRELUDE + text, encoding="utf-8")
    return path


def test_the_seeds_are_valid_both_ways() -> None:
    found, reference, _ = _both_ways(seed_files())
    assert found == reference == []


@pytest.mark.parametrize(
    "fixture", sorted(p.name for p in FIXTURES.iterdir() if p.name not in UNBUILDABLE)
)
def test_the_loading_fixtures_with_the_seeds(fixture: str) -> None:
    found, reference, _ = _both_ways([*seed_files(), FIXTURES / fixture])
    assert found == reference


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_of_problem_is_reported_as_pyshacl_reports_it(case: str, tmp_path: Path) -> None:
    text, shapes = CASES[case]
    found, reference, violations = _both_ways([_fixture(tmp_path, text)])
    assert found == reference
    # The fixture breaks what it means to break, and nothing else.
    assert {v.shape for v in violations} == shapes


def test_the_prelude_alone_is_valid(tmp_path: Path) -> None:
    found, reference, _ = _both_ways([_fixture(tmp_path, "")])
    assert found == reference == []


def test_without_the_provenance_rule_spans_are_still_checked(tmp_path: Path) -> None:
    text = "".join(CASES[case][0] for case in ("spans past their document", "default-graph fact"))
    found, reference, violations = _both_ways([_fixture(tmp_path, text)], require_provenance=False)
    assert found == reference
    assert {v.shape for v in violations} == {"passage span rule"}


def test_every_fact_is_listed_and_the_order_is_the_old_one(tmp_path: Path) -> None:
    text = "".join(text for text, _ in CASES.values())
    path = _fixture(tmp_path, text)
    found = store_violations(_store([path]), IDS)
    reference = _reference([path])
    assert sorted(map(_key, found)) == sorted(map(_key, reference))
    # SHACL results sorted by focus, path and message, then the span rule, then provenance.
    shapes = [v.shape for v in found]
    first_rule = shapes.index("passage span rule")
    shacl = found[:first_rule]
    assert all(s not in {"passage span rule", "provenance rule"} for s in shapes[:first_rule])
    assert [(v.focus, v.path or "", v.message) for v in shacl] == sorted(
        (v.focus, v.path or "", v.message) for v in shacl
    )
    assert set(shapes[first_rule:]) == {"passage span rule", "provenance rule"}
    assert shapes[first_rule:] == sorted(shapes[first_rule:], key=lambda s: s != SPAN_RULE)


# --------------------------------------------------------------------------------------------
# Shapes other than shapes.ttl: pySHACL's default messages, SPARQL targets, refusals
# --------------------------------------------------------------------------------------------


def _shapes_graph() -> Graph:
    return Graph().parse(shapes_file(), format="turtle")


def _pyshacl(files: Sequence[Path], shapes: Graph) -> list[Key]:
    """pySHACL's results for ``shapes``, read as ``validation.shacl_violations`` reads them."""
    import pyshacl

    data = _data_graph(build_dataset(files, IDS, ontology=ontology_file()), IDS)
    _conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        inplace=True,
        allow_warnings=True,
        abort_on_first=False,
        do_owl_imports=False,
    )
    found = report_violations(report, IDS, shapes)
    return sorted(map(_key, found))


def _compare(files: Sequence[Path], shapes: Graph) -> list[Key]:
    compiled = compile_shapes(shapes)
    found = sorted(map(_key, store_shacl_violations(_store(files), IDS, compiled)))
    assert found == _pyshacl(files, shapes)
    return found


def test_without_messages_the_defaults_are_pyshacls(tmp_path: Path) -> None:
    shapes = _shapes_graph()
    shapes.remove((None, SH.message, None))
    # Every shape and component, on data without blank nodes (pySHACL describes a blank node by
    # its triples in a default message; the store validator names it).
    path = _fixture(tmp_path, "".join(text for text, _ in CASES.values()))
    found = _compare([path], shapes)
    assert {message for _, _, message, *_ in found} >= {
        "Value does not have class org:Role",
        "Value is not Literal with datatype xsd:decimal",
        "Value does not match pattern '^[A-Z]{2}$'",
    }


def test_severities_and_other_targets(tmp_path: Path) -> None:
    shapes = _shapes_graph()
    extra = (
        PREFIXES
        + """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix shape: <https://w3id.org/paccto-graph/shapes#> .
shape: sh:declare [ sh:prefix "rdfs" ; sh:namespace "http://www.w3.org/2000/01/rdf-schema#" ] .
shape:Limited a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:prefixes shape: ;
        sh:select "SELECT ?this WHERE { ?this a paccto:Country } ORDER BY ?this LIMIT 3" ] ;
    sh:property [ sh:path paccto:isoCode ; sh:minCount 2 ; sh:maxCount 0 ;
                  sh:severity sh:Warning ] .
shape:Unioned a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:prefixes shape: ;
        sh:select '''SELECT DISTINCT ?this WHERE {
            { ?this a paccto:Passage } UNION { ?this a paccto:SourceDocument }
            FILTER(isIRI(?this)) FILTER NOT EXISTS { ?this rdfs:comment ?c }
        }''' ] ;
    sh:severity sh:Info ;
    sh:nodeKind sh:BlankNode ;
    sh:property [ sh:path rdfs:label ; sh:qualifiedValueShape [ sh:languageIn ( "es" "*" ) ] ;
                  sh:qualifiedMaxCount 0 ] .
shape:Alternatives a sh:NodeShape ;
    sh:targetSubjectsOf paccto:isoCode ;
    sh:or ( [ sh:datatype xsd:string ] [ sh:minInclusive 3 ] ) ;
    sh:property [ sh:path paccto:isoCode ; sh:or ( [ sh:pattern "^a" ; sh:flags "i" ]
                                                   [ sh:nodeKind sh:IRI ] ) ;
                  sh:node shape:PartialDate ] .
"""
    )
    shapes.parse(data=extra, format="turtle", publicID=IDS.base)
    path = _fixture(tmp_path, CASES["countries"][0] + CASES["passages"][0])
    found = _compare([path], shapes)
    assert {severity for _, _, _, severity, *_ in found} == {"Violation", "Warning", "Info"}


@pytest.mark.parametrize(
    "shape",
    [
        "[ sh:targetNode id:alpha ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ] ]",
        "[ sh:targetClass paccto:Agency ; sh:property [ sh:path rdfs:label ; sh:maxLength 9 ] ]",
        "[ sh:targetClass paccto:Agency ; sh:xone ( [ sh:nodeKind sh:IRI ] ) ]",
        "[ sh:targetClass paccto:Agency ; "
        "sh:property [ sh:path ( rdfs:label skos:prefLabel ) ; sh:minCount 1 ] ]",
        "[ sh:targetClass paccto:Agency ; "
        "sh:property [ sh:path [ sh:inversePath org:member ] ; sh:minCount 1 ] ]",
        "[ sh:targetClass paccto:Agency ; sh:sparql [ sh:select 'SELECT $this WHERE {}' ] ]",
        "[ sh:targetClass paccto:Agency ; sh:in ( id:alpha ) ]",
        "[ a sh:NodeShape ; sh:node [ sh:hasValue id:alpha ] ]",
    ],
)
def test_a_shape_the_compiler_does_not_know_is_refused(shape: str) -> None:
    shapes = _shapes_graph()
    shapes.parse(
        data=PREFIXES + f"@prefix sh: <http://www.w3.org/ns/shacl#> .\n{shape} .\n",
        format="turtle",
        publicID=IDS.base,
    )
    with pytest.raises(UnsupportedShapeError, match="sh"):
        compile_shapes(shapes)


def test_an_undeclared_prefix_in_a_sparql_target_is_refused() -> None:
    shapes = _shapes_graph()
    shapes.parse(
        data=PREFIXES
        + "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        + "[ sh:target [ a sh:SPARQLTarget ; sh:select 'SELECT ?this WHERE { ?this a nope:X }' ] ;"
        + " sh:nodeKind sh:IRI ] .\n",
        format="turtle",
        publicID=IDS.base,
    )
    with pytest.raises(UnsupportedShapeError, match="not valid SPARQL"):
        compile_shapes(shapes)


def test_every_targeted_shape_of_the_rule_book_has_queries() -> None:
    compiled = compile_shapes(_shapes_graph())
    shapes = _shapes_graph()
    targeted = {
        shape_name_in(shapes, shape)
        for parameter in (SH.targetClass, SH.targetSubjectsOf, SH.target)
        for shape in shapes.subjects(parameter, None)
    }
    assert {query.label.split(" ")[0] for query in compiled.queries} == targeted
