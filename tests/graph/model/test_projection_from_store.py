"""The projection read straight from an Oxigraph store is the one rdflib reading gives, and the
saved projection reads back as the projection that was saved.

A store holds the graph as a load lays it out: the named graphs as loaded, facts given outside
any graph in ``graph/unattributed``, and in the default graph the merge of them all (a copy,
which the projection must not read). The rdflib side reads the same store through oxrdflib,
shown as the dataset a load used to build in memory (unattributed facts in its default graph,
no merge): the same quads in the same order, so the projections must agree to the order of
their edges. Against the dataset parsed in memory, which lists each graph's triples in another
order, they agree up to the order edges were added in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import networkx as nx
import pyoxigraph as ox
import pytest
from oxrdflib import OxigraphStore
from rdflib import XSD, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from synthetic_data import synthetic_file

from paccto.graph.load.loading import build_dataset
from paccto.graph.load.resources import ontology_file, seed_files
from paccto.graph.model import projection as projection_module
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.model.projection import (
    Projection,
    build_projection,
    build_projection_from_store,
)
from paccto.graph.settings import DEFAULT_BASE_IRI
from paccto.graph.stores.saved_projection import (
    PROJECTION_FILE,
    read_projection,
    save_projection,
)

IDS = Identifiers(DEFAULT_BASE_IRI)
ID = DEFAULT_BASE_IRI + "id/"

#: Every case the folding treats apart, in one small graph.
CASES = """\
@prefix id:     <id/> .
@prefix src:    <source/> .
@prefix paccto: <https://w3id.org/paccto-graph/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix time:   <http://www.w3.org/2006/time#> .
@prefix oa:     <http://www.w3.org/ns/oa#> .

<graph/entities> {
    id:alpha a paccto:Agency ;
        rdfs:label "Alpha"@en, "Alfa"@es, "Alpha untagged" ;
        skos:altLabel "A1", "Alpha Agency" ; skos:hiddenLabel "alfa" ;
        dcterms:description "Una agencia"@es, "An agency"@en ;
        paccto:isoCode "AL" ; foaf:name "Alpha Agency" .
    id:beta a paccto:Agency, paccto:Institution ; rdfs:label "Beta"@en .
    id:gamma a paccto:Network ; skos:prefLabel "Gamma"@en .
    id:untitled a paccto:Network .
    id:speaker a foaf:Person ; rdfs:label "The Speaker"@en .
    id:phase a paccto:ProgrammePhase ; rdfs:label "Phase"@en .
    id:period a time:ProperInterval .
    id:membership a org:Membership .
    id:membership-without-role a org:Membership .
    id:role a org:Role ; rdfs:label "Implementing Partner"@en .
    id:quote a paccto:Quotation .
    id:indicator a paccto:Indicator .
    id:indicator-2 a paccto:Indicator .
    id:measure a paccto:Measure ; rdfs:label "Member countries"@en .
    _:anonymous a paccto:Agency ; rdfs:label "No IRI"@en .
}

<graph/provenance> {
    src:doc-a a paccto:SourceDocument ; paccto:fileName "a.txt" .
    src:doc-b a paccto:SourceDocument ; paccto:fileName "b.txt" .
    <passage/doc-a/0-10> a paccto:Passage ;
        prov:wasDerivedFrom src:doc-a ; oa:start 0 ; oa:end 10 .
    <passage/doc-b/5-20> a paccto:Passage ;
        prov:wasDerivedFrom src:doc-b ; oa:start 5 ; oa:end 20 .
}

<passage/doc-b/5-20> {
    id:alpha paccto:cooperatesWith id:beta .
    id:membership org:member id:alpha .
    id:indicator paccto:value "12"^^xsd:decimal .
}

<passage/doc-a/0-10> {
    id:alpha paccto:cooperatesWith id:beta ; paccto:supports id:untitled .
    id:alpha paccto:budgetEUR "abc"^^xsd:integer ;
        paccto:plannedDuration "99999999999999999999"^^xsd:integer .
    id:beta paccto:budgetEUR "1.50"^^xsd:decimal ; paccto:foundingDate "2021-02-30"^^xsd:date .
    id:gamma paccto:budgetEUR "NaN"^^xsd:double ; paccto:foundingDate "2020"^^xsd:gYear ;
        paccto:plannedDuration "1.0E3"^^xsd:double ; dcterms:description "ambiguous"@en .
    id:speaker paccto:date "2020-01-01T00:00:00Z"^^xsd:dateTime .
    id:membership org:member id:alpha ; org:organization id:gamma ;
        org:role id:role ; org:memberDuring id:period .
    id:membership-without-role org:member id:beta ; org:organization id:gamma .
    id:period paccto:startDate "2020-01"^^xsd:gYearMonth ; paccto:endDate "2022"^^xsd:gYear .
    id:phase dcterms:temporal id:period .
    id:quote paccto:speaker id:speaker ; paccto:about id:alpha, id:beta ;
        paccto:quotedAt id:gamma ; paccto:date "2022-11"^^xsd:gYearMonth .
    id:indicator paccto:indicatorOf id:gamma ; paccto:measure id:measure ;
        paccto:value "10"^^xsd:decimal ; paccto:date "2022-05-31"^^xsd:date .
    id:indicator-2 paccto:indicatorOf id:gamma ; paccto:measure id:measure ;
        paccto:value "01"^^xsd:integer .
}

<graph/not-a-registered-passage> {
    id:beta paccto:supports id:gamma .
}

id:gamma paccto:supports id:alpha .
id:alpha paccto:cooperatesWith id:beta .
"""


# --- the store, laid out as a load lays it out, and rdflib's view of it ------------------------


def layout_store(dataset: Dataset) -> ox.Store:
    """The dataset in a store: its default graph's facts in ``graph/unattributed``, the
    default graph the merge of every named graph."""
    store = ox.Store()
    store.bulk_load(dataset.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS)
    unattributed = ox.NamedNode(str(IDS.unattributed_graph))
    default = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for quad in default:
        store.remove(quad)
        store.add(ox.Quad(quad.subject, quad.predicate, quad.object, unattributed))
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


class _LayoutView(OxigraphStore):  # type: ignore[misc]
    """oxrdflib over a store so laid out, shown as the dataset a load built in memory."""

    unattributed = IDS.unattributed_graph

    def add_graph(self, graph: Any) -> None:
        return None

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        if context is not None and context.identifier == DATASET_DEFAULT_GRAPH_ID:
            context = Graph(identifier=self.unattributed)
        yield from super().triples(triple_pattern, context)

    def contexts(self, triple: Any = None) -> Iterator[Any]:
        return (
            graph for graph in super().contexts(triple) if graph.identifier != self.unattributed
        )


def rdflib_view(store: ox.Store) -> Dataset:
    return Dataset(store=_LayoutView(store=store), default_union=True)


def contents(projection: Projection) -> tuple[Any, ...]:
    """Everything a projection answers from, in order: nodes, edges and each node's
    predecessors (the order of neighbours decides paths and drawings)."""
    graph = projection.graph
    return (
        list(graph.nodes(data=True)),
        list(graph.edges(keys=True, data=True)),
        [(node, list(graph.pred[node])) for node in graph],
        projection.relation_labels,
        projection.class_labels,
    )


def unordered(projection: Projection) -> tuple[Any, ...]:
    graph = projection.graph
    return (
        dict(graph.nodes(data=True)),
        {(u, v, key): data for u, v, key, data in graph.edges(keys=True, data=True)},
        projection.relation_labels,
        projection.class_labels,
    )


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = tmp_path_factory.mktemp("cases") / "cases.trig"
    path.write_text(CASES, encoding="utf-8")
    return build_dataset([path], IDS, ontology=ontology_file())


@pytest.fixture(scope="module")
def seeds() -> Dataset:
    return build_dataset(seed_files(), IDS, ontology=ontology_file())


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = synthetic_file(20_000, tmp_path_factory.mktemp("synthetic"))
    return build_dataset([path], IDS, ontology=ontology_file())


@pytest.fixture(scope="module", params=["cases", "seeds", "synthetic"])
def dataset(request: pytest.FixtureRequest) -> Dataset:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> ox.Store:
    return layout_store(dataset)


@pytest.fixture(scope="module")
def from_store(store: ox.Store) -> Projection:
    return build_projection_from_store(store, IDS)


# --- one folding, two readers ------------------------------------------------------------------


def test_the_store_and_rdflib_give_the_same_projection_in_the_same_order(
    store: ox.Store, from_store: Projection
) -> None:
    assert contents(from_store) == contents(build_projection(rdflib_view(store), IDS))


def test_a_store_on_disk_gives_the_same_projection_as_rdflib_reading_it(
    store: ox.Store, from_store: Projection, tmp_path: Path
) -> None:
    # A store on disk lists each graph's quads in its own order (by term identifiers).
    written = ox.Store(str(tmp_path / "store"))
    written.bulk_load(store.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)
    written.flush()
    del written
    on_disk = ox.Store.read_only(str(tmp_path / "store"))
    projection = build_projection_from_store(on_disk, IDS)
    assert contents(projection) == contents(build_projection(rdflib_view(on_disk), IDS))
    assert unordered(projection) == unordered(from_store)


def test_an_rdflib_dataset_of_the_same_quads_gives_the_same_nodes_and_edges(
    store: ox.Store, from_store: Projection
) -> None:
    # rdflib's own parse of the store's quads: its literals as rdflib writes them (the store's
    # reader writes them so too), its graphs' triples in rdflib's order.
    unattributed = str(IDS.unattributed_graph)
    quads = (
        ox.Quad(
            quad.subject,
            quad.predicate,
            quad.object,
            ox.DefaultGraph() if quad.graph_name.value == unattributed else quad.graph_name,
        )
        for quad in store.quads_for_pattern(None, None, None)
        if not isinstance(quad.graph_name, ox.DefaultGraph)
    )
    parsed = Dataset(default_union=True)
    parsed.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    assert unordered(from_store) == unordered(build_projection(parsed, IDS))


@pytest.mark.parametrize("name", ["seeds", "synthetic"])
def test_the_files_parsed_in_memory_give_the_same_nodes_and_edges(
    name: str, request: pytest.FixtureRequest
) -> None:
    """Their literals are written as the store writes them (not so the cases', some of which
    the store rewrites: Oxigraph types a ``nonNegativeInteger`` -1 as an integer)."""
    parsed = request.getfixturevalue(name)
    from_store = build_projection_from_store(layout_store(parsed), IDS)
    assert unordered(from_store) == unordered(build_projection(parsed, IDS))


def test_the_merged_default_graph_is_not_read(store: ox.Store, from_store: Projection) -> None:
    # The merge holds the entity descriptions too; read as facts, they would add attributes.
    without = ox.Store()
    without.extend(
        quad
        for quad in store.quads_for_pattern(None, None, None)
        if not isinstance(quad.graph_name, ox.DefaultGraph)
    )
    assert len(without) < len(store)
    assert unordered(build_projection_from_store(without, IDS)) == unordered(from_store)


# --- what the cases fold into ----------------------------------------------------------------


@pytest.fixture(scope="module")
def folded(cases: Dataset) -> nx.MultiDiGraph:
    return build_projection_from_store(layout_store(cases), IDS).graph


def test_a_fact_given_in_no_graph_has_no_source_and_passages_come_in_name_order(
    folded: nx.MultiDiGraph,
) -> None:
    edge = folded.edges[ID + "alpha", ID + "beta", "paccto:cooperatesWith"]
    assert [source["passage"] for source in edge["sources"]] == [
        DEFAULT_BASE_IRI + "passage/doc-a/0-10",
        DEFAULT_BASE_IRI + "passage/doc-b/5-20",
    ]
    assert edge["sources"][0] == {
        "passage": DEFAULT_BASE_IRI + "passage/doc-a/0-10", "document": "src:doc-a",
        "file": "a.txt", "start": 0, "end": 10,
    }  # fmt: skip
    assert folded.edges[ID + "gamma", ID + "alpha", "paccto:supports"]["sources"] == []
    unregistered = folded.edges[ID + "beta", ID + "gamma", "paccto:supports"]["sources"]
    assert unregistered == [
        {"passage": DEFAULT_BASE_IRI + "graph/not-a-registered-passage", "document": None}
    ]


def test_numbers_are_numbers_unless_ill_typed_or_not_finite(folded: nx.MultiDiGraph) -> None:
    alpha, beta, gamma = (folded.nodes[ID + name] for name in ("alpha", "beta", "gamma"))
    assert alpha["budget_eur"] == "abc"
    assert alpha["planned_duration"] == 99999999999999999999
    assert beta["budget_eur"] == 1.5 and isinstance(beta["budget_eur"], float)
    assert beta["founding_date"] == "2021-02-30"
    assert gamma["budget_eur"] == "nan"  # as rdflib writes it
    assert gamma["planned_duration"] == 1000 and isinstance(gamma["planned_duration"], int)
    assert gamma["founding_date"] == "2020"
    assert folded.nodes[ID + "speaker"]["date"] == "2020-01-01T00:00:00+00:00"


def test_names_and_descriptions(folded: nx.MultiDiGraph) -> None:
    alpha = folded.nodes[ID + "alpha"]
    assert alpha["labels"] == {"en": "Alpha", "es": "Alfa", "": "Alpha untagged"}
    assert alpha["label"] == "Alpha"
    assert (alpha["aliases"], alpha["search_terms"]) == (["A1", "Alpha Agency"], ["alfa"])
    assert (alpha["description"], alpha["iso_code"], alpha["name"]) == (
        "An agency", "AL", "Alpha Agency",
    )  # fmt: skip
    assert folded.nodes[ID + "gamma"]["label"] == "Gamma"
    assert folded.nodes[ID + "untitled"]["label"] == "id:untitled"
    assert folded.nodes[ID + "beta"]["class"] == "paccto:Agency"  # the more specific class
    assert all(not node.startswith(ID + "membership") for node in folded)
    assert len(folded) == 6  # not the blank node, nor the folded ones


def test_memberships_quotations_indicators_and_periods_fold(folded: nx.MultiDiGraph) -> None:
    membership = folded.edges[ID + "alpha", ID + "gamma", "org:memberOf/role"]
    assert membership["relation"] == "member of (implementing partner)"
    assert (membership["start"], membership["end"]) == ("2020-01", "2022")
    assert [source["document"] for source in membership["sources"]] == ["src:doc-a", "src:doc-b"]
    assert folded.edges[ID + "beta", ID + "gamma", "org:memberOf"]["role"] is None
    assert (folded.nodes[ID + "phase"]["start"], folded.nodes[ID + "phase"]["end"]) == (
        "2020-01", "2022",
    )  # fmt: skip
    quoted = {
        (v, data["relation"], data["start"])
        for _u, v, data in folded.out_edges(ID + "speaker", data=True)
    }
    assert quoted == {
        (ID + "alpha", "quoted about", "2022-11"),
        (ID + "beta", "quoted about", "2022-11"),
        (ID + "gamma", "quoted at", "2022-11"),
    }
    indicators = folded.nodes[ID + "gamma"]["indicators"]
    assert [(i["measure"], i["value"], i["date"]) for i in indicators] == [
        ("Member countries", 12, "2022-05-31"),  # the value of the passage read last
        ("Member countries", 1, None),
    ]
    assert [len(i["sources"]) for i in indicators] == [2, 1]


# --- literals: read from the store as rdflib reads them ----------------------------------------


@pytest.mark.parametrize(
    ("lexical", "datatype"),
    [
        (lexical, datatype)
        for datatype, lexicals in {
            "integer": ["0", "-0", "7", "-12", "012", "+5", "1_000", " 3", "999999999999999999",
                        "99999999999999999999", "3.0", "x"],
            "int": ["12", "99999999999999999999"],
            "decimal": ["1.50", "19000000", "1e3", ".5", "NaN"],
            "double": ["1.0E3", "1.5", "NaN", "INF", "-INF", "x"],
            "float": ["0.1", "1e40"],
            "nonNegativeInteger": ["-1", "4"],
            "date": ["2017-04-15", "2021-02-30", "2021-13-01", "0000-01-01", "2017-4-15",
                     "2017-04-15Z"],
            "gYear": ["2022", "0999", "22", "-0045"],
            "gYearMonth": ["2022-05", "2022-13", "2022-5"],
            "dateTime": ["2020-01-01T00:00:00Z", "2020-01-01T00:00:00"],
            "boolean": ["1", "true"],
            "hexBinary": ["0FB7"],
        }.items()
        for lexical in lexicals
    ],
)  # fmt: skip
def test_a_typed_literal_is_read_as_rdflib_reads_it(lexical: str, datatype: str) -> None:
    iri = str(XSD) + datatype
    expected = projection_module._literal_from_rdflib(Literal(lexical, datatype=URIRef(iri)))
    read = projection_module._typed_literal(lexical, iri)
    assert read == expected
    assert type(read.value) is type(expected.value)


# --- the saved projection ------------------------------------------------------------------------


def saved_contents(projection: Projection) -> tuple[Any, ...]:
    graph = projection.graph
    return (
        *contents(projection),
        [(node, list(graph.succ[node])) for node in graph],
        list(graph.in_edges(keys=True, data=True)),
        [
            (node, list(neighbours))
            for node, neighbours in graph.to_undirected(as_view=True).adj.items()
        ],
    )


def test_a_saved_projection_reads_back_as_it_was(from_store: Projection, tmp_path: Path) -> None:
    save_projection(from_store, tmp_path)
    read = read_projection(tmp_path)
    assert read is not None
    assert saved_contents(read) == saved_contents(from_store)
    assert nx.utils.graphs_equal(read.graph, from_store.graph)


def test_odd_attributes_and_edge_orders_survive_saving(tmp_path: Path) -> None:
    record = {"passage": "p", "document": None, "start": 1}
    graph = nx.MultiDiGraph()
    graph.add_node("lonely", label="é ☃", big=2**80, ratio=0.1, flag=True, nested={"a": [1, None]})
    for node in ("a", "b", "c"):
        graph.add_node(node)
    # Added in an order that makes c's predecessors (b, a) differ from the node order.
    graph.add_edge("b", "c", key="k", sources=[record])
    graph.add_edge("a", "b", key="k", sources=[record, {"passage": "q"}])
    graph.add_edge("a", "c", key="k", sources=[])
    graph.add_edge("a", "c", key="other", sources="not records")  # and not lists of records
    graph.add_edge("c", "c", key="loop", weights=[1, 2], sources=[{"nested": {"x": 1}}])
    graph.add_edge("c", "a", key="k", start=None, sources=[record])
    projection = Projection(graph=graph, relation_labels={"p": "P"}, class_labels={"c": "C"})
    save_projection(projection, tmp_path)
    read = read_projection(tmp_path)
    assert read is not None
    assert saved_contents(read) == saved_contents(projection)
    assert [type(value) for value in read.graph.nodes["lonely"].values()] == [
        str, int, float, bool, dict,
    ]  # fmt: skip
    # each edge has its own list of sources, as when built
    ab, bc = read.graph.edges["a", "b", "k"]["sources"], read.graph.edges["b", "c", "k"]["sources"]
    assert ab is not bc
    ab.append({"passage": "added"})
    assert bc == [record]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"{not json", id="not JSON"),
        pytest.param(lambda data: data.replace(b'"fingerprint":"', b'"fingerprint":"x'),
                     id="built by other code"),
        pytest.param(lambda data: b'{"nodes": 3}', id="wrong shape"),
        pytest.param(
            lambda data: msgspec.json.encode(
                {**msgspec.json.decode(data), "predecessors": [[] for _ in range(3)]}
            ),
            id="predecessors missing",
        ),
        pytest.param(
            lambda data: msgspec.json.encode(
                {**msgspec.json.decode(data), "successors": [[[0], [{}]]] * 3}
            ),
            id="links disagree",
        ),
    ],
)  # fmt: skip
def test_an_unusable_saved_projection_reads_as_none(tmp_path: Path, spoil: Any) -> None:
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b", key="k", sources=[])
    graph.add_edge("c", "b", key="k", sources=[])
    path = save_projection(Projection(graph=graph), tmp_path)
    assert read_projection(tmp_path) is not None
    path.write_bytes(spoil(path.read_bytes()))
    assert read_projection(tmp_path) is None


def test_no_saved_projection_reads_as_none(tmp_path: Path) -> None:
    assert not (tmp_path / PROJECTION_FILE).exists()
    assert read_projection(tmp_path) is None
