"""Dereferencing: what one IRI's description holds, and what its page shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import ORG, PROV

from paccto.graph.errors import UnknownEntityError
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.linked_data import describe_resource, resource_page
from paccto.graph.settings import get_settings
from paccto.ontology.namespace import PACCTO

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
OA_START = URIRef("http://www.w3.org/ns/oa#start")


@pytest.fixture(scope="module")
def hostile() -> KnowledgeGraph:
    """tests/fixtures/linked_data/hostile.ttl: markup in labels, a blank-node membership."""
    settings = get_settings(include_seeds=False, require_provenance=False)
    return load_knowledge_graph(settings, [FIXTURES / "linked_data" / "hostile.ttl"])


def test_entity_description_has_its_own_triples_from_every_graph(kg: KnowledgeGraph) -> None:
    clasi = kg.ids.entity("clasi")
    description = describe_resource(kg, str(clasi))
    label = Literal("Latin American Committee for Internal Security", lang="en")
    assert (clasi, RDFS.label, label) in description
    assert (clasi, RDF.type, PACCTO.Committee) in description
    assert set(kg.dataset.triples((clasi, None, None))) <= set(description)


def test_entity_description_follows_its_n_ary_nodes(kg: KnowledgeGraph) -> None:
    clasi = kg.ids.entity("clasi")
    description = describe_resource(kg, str(clasi))
    indicator = kg.ids.entity("indicator-clasi-member-countries")
    assert (indicator, PACCTO.indicatorOf, clasi) in description
    assert (indicator, PACCTO.value, None) in description
    quotation = kg.ids.entity("quote-fernandez-2022")
    assert (quotation, PACCTO.speaker, kg.ids.entity("anibal-fernandez")) in description
    # the quotation's post is followed one step further, to where the post is held
    post = kg.ids.entity("post-minister-security-argentina")
    assert (post, ORG.postIn, kg.ids.entity("argentina-ministry-security")) in description


def test_memberships_bring_their_period(kg: KnowledgeGraph) -> None:
    argentina = kg.ids.entity("argentina")
    description = describe_resource(kg, str(argentina))
    membership = kg.ids.entity("membership-phase-1-argentina-beneficiary-country")
    assert (membership, ORG.member, argentina) in description
    period = kg.ids.entity("phase-1-period")
    assert (membership, ORG.memberDuring, period) in description
    assert (period, PACCTO.startDate, None) in description


def test_description_has_incoming_triples_and_the_labels_of_what_it_mentions(
    kg: KnowledgeGraph,
) -> None:
    clasi, phase_1 = kg.ids.entity("clasi"), kg.ids.entity("phase-1")
    description = describe_resource(kg, str(clasi))
    assert (phase_1, PACCTO.helpedCreate, clasi) in description
    assert (phase_1, RDFS.label, Literal("EL PAcCTO phase 1", lang="en")) in description
    # only names of the others: not their whole descriptions
    assert (phase_1, PACCTO.phaseOf, None) not in description


def test_description_binds_the_graph_prefixes(kg: KnowledgeGraph) -> None:
    turtle = describe_resource(kg, str(kg.ids.entity("clasi"))).serialize(format="turtle")
    assert f"@prefix id: <{kg.ids.base}id/> ." in turtle
    assert "id:clasi a paccto:Committee" in turtle


def test_description_is_bounded(kg: KnowledgeGraph) -> None:
    el_paccto = kg.ids.entity("el-paccto")
    full = describe_resource(kg, str(el_paccto))
    assert len(full) > 40
    cut = describe_resource(kg, str(el_paccto), limit=20)
    assert len(cut) == 20
    # the resource's own triples come first
    assert (el_paccto, RDFS.label, None) in cut


def test_source_document_description_lists_its_passages(kg: KnowledgeGraph) -> None:
    document = kg.ids.source("doc-000")
    description = describe_resource(kg, str(document))
    assert (document, PACCTO.fileName, Literal("000_dc3e390db01e9698.txt")) in description
    passage = kg.ids.passage("doc-000", 774, 1190)
    assert (passage, PROV.wasDerivedFrom, document) in description
    assert (passage, OA_START, None) in description


def test_passage_description_holds_the_facts_it_states(kg: KnowledgeGraph) -> None:
    passage = kg.ids.passage("doc-000", 774, 1190)
    description = describe_resource(kg, str(passage))
    assert (passage, RDF.type, PACCTO.Passage) in description
    quotation = kg.ids.entity("quote-fernandez-2022")
    assert (quotation, PACCTO.about, kg.ids.entity("clasi")) in description


def test_blank_node_memberships_are_followed(hostile: KnowledgeGraph) -> None:
    evil = hostile.ids.entity("evil")
    description = describe_resource(hostile, str(evil))
    membership = description.value(predicate=ORG.member, object=evil)
    assert isinstance(membership, BNode)
    period = description.value(membership, ORG.memberDuring)
    assert isinstance(period, BNode)
    assert (period, PACCTO.startDate, None) in description


@pytest.mark.parametrize(
    ("path", "name", "suggestion"),
    [
        ("id/clasy", "clasy", "clasi"),
        ("source/doc-010", "src:doc-010", "src:doc-000"),
        ("passage/doc-000/774-1191", "passage/doc-000/774-1191", "passage/doc-000/774-1190"),
    ],
)
def test_unknown_iri_suggests_close_ones(
    kg: KnowledgeGraph, path: str, name: str, suggestion: str
) -> None:
    graphs = len(list(kg.dataset.graphs()))
    for describe in (describe_resource, resource_page):
        with pytest.raises(UnknownEntityError) as caught:
            describe(kg, kg.ids.base + path)
        assert caught.value.name == name
        assert suggestion in caught.value.suggestions
    # looking up a missing graph must not add it to the shared dataset
    assert len(list(kg.dataset.graphs())) == graphs


def test_page_of_an_entity(kg: KnowledgeGraph) -> None:
    page = resource_page(kg, str(kg.ids.entity("clasi")))
    assert page.kind == "entity"
    assert page.label == "Latin American Committee for Internal Security"
    assert page.class_label == "Committee"
    assert ("es", "Comité Latinoamericano de Seguridad Interior") in page.names
    assert "CLASI" in page.aliases
    helped = next(f for f in page.facts if f.relation == "helped create")
    assert helped.direction == "in"
    assert helped.other.path == "id/phase-1"
    assert any(c.passage and c.passage.path == "passage/doc-000/802-983" for c in helped.sources)
    assert any(c.document.path == "source/doc-003" and c.span for c in page.sources)
    assert page.indicators[0]["sources"][0].document.label == "doc-003"


def test_page_of_a_source_document(kg: KnowledgeGraph) -> None:
    page = resource_page(kg, str(kg.ids.source("doc-000")))
    assert page.kind == "source"
    assert page.description and "Buenos Aires" in page.description
    assert page.passages[0].start == 300
    assert [c.start for c in page.passages] == sorted(c.start or 0 for c in page.passages)


def test_page_of_a_passage(kg: KnowledgeGraph) -> None:
    page = resource_page(kg, str(kg.ids.passage("doc-000", 774, 1190)))
    assert page.kind == "passage"
    assert page.sources[0].span == "[774, 1190)"
    assert any(s.value and s.value.path == "id/clasi" for s in page.stated)


def test_page_of_a_membership_cites_its_passages(kg: KnowledgeGraph) -> None:
    iri = kg.ids.entity("membership-phase-1-argentina-beneficiary-country")
    page = resource_page(kg, str(iri))
    assert page.kind == "resource"
    assert any(s.value and s.value.path == "id/argentina" for s in page.statements)
    assert page.sources


def test_the_library_does_not_import_front_end_packages() -> None:
    code = (
        "import sys, paccto.graph.publish.linked_data, paccto.graph.publish.export; "
        "print(sorted(m for m in ('fastapi', 'typer', 'uvicorn', 'jinja2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
