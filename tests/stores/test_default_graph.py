"""One dataset, one answer: every front end on every store answers a query as the SPARQL
dataset definition says, with the default graph the RDF merge of all graphs.

Each query (with and without DISTINCT, COUNT, GROUP BY, ORDER BY, OPTIONAL, a property path,
GRAPH ?g, ASK, CONSTRUCT) is asked through the library (``run_query``), the command line
(``paccto sparql``, a real process) and ``/sparql`` (a real ``paccto serve`` process, through
SPARQLWrapper) on each kind of store, and every answer is compared with rdflib's over the graph
loaded from the files: an independent engine whose union default graph is a set.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_servers import paccto_serve
from rdflib import Dataset, Graph
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from paccto.graph.load.loading import build_dataset
from paccto.graph.load.resources import ontology_file, seed_files
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.sparql.query import run_query
from paccto.graph.sparql.stored_queries import stored_query

PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX paccto: <https://w3id.org/paccto-graph/ontology#>
PREFIX id: <https://w3id.org/paccto-graph/id/>
"""

#: name -> (query, whether the answer's order is part of it)
QUERIES: dict[str, tuple[str, bool]] = {
    "count": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", False),
    "count-per-graph": ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", False),
    "labels-without-distinct": (
        "SELECT ?x ?label WHERE { ?x a paccto:Country ; rdfs:label ?label }",
        False,
    ),
    "members-without-distinct": (
        "SELECT ?member WHERE { ?m org:organization id:phase-1 ; org:member ?member }",
        False,
    ),
    "group-by": (
        "SELECT ?organisation (COUNT(?m) AS ?n) WHERE { ?m a org:Membership ; "
        "org:organization ?organisation } GROUP BY ?organisation ORDER BY DESC(?n) ?organisation",
        True,
    ),
    "optional": (
        "SELECT ?m ?role WHERE { ?m a org:Membership . OPTIONAL { ?m org:role ?role } }",
        False,
    ),
    "property-path": (
        "SELECT ?lower ?upper WHERE { ?lower org:subOrganizationOf+ ?upper }",
        False,
    ),
    "graphs": (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a paccto:Country } } GROUP BY ?g",
        False,
    ),
    "ask": ("ASK { id:clasi paccto:counterpartOf id:cosi }", False),
    "construct": (
        "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x a paccto:Network ; rdfs:label ?l }",
        False,
    ),
    "stored-statements": (stored_query("statements-counted").text, False),
    "stored-memberships": (stored_query("memberships-per-organisation").text, True),
}


#: What the sparql:URL store still answers otherwise on Virtuoso 7.2, the server the tests run.
#: Its default graph is the merge graph a load writes (Virtuoso's pragma), as on the other
#: stores; but GRAPH ?g ranges over that merge graph and Virtuoso's system graphs too (the
#: pragma that would leave a graph out empties the default graph), and it refuses a property
#: path with neither end given. Strict, so that a fix shows. See docs/stores.md.
VIRTUOSO_DIFFERS = {
    "count-per-graph": "GRAPH ?g ranges over the merge graph and Virtuoso's system graphs",
    "graphs": "GRAPH ?g ranges over the merge graph too",
    "property-path": "Virtuoso refuses a transitive path with neither end given",
    "stored-statements": "GRAPH ?g ranges over the merge graph and Virtuoso's system graphs",
}


@pytest.fixture(scope="module")
def store(seeded_store: tuple[str, KnowledgeGraph]) -> tuple[str, KnowledgeGraph]:
    """The seeds on a store of each kind (``conftest.py``): its address and its graph."""
    return seeded_store


def _lexical(value: Any) -> str | None:
    return None if value is None else str(value)


@pytest.fixture(scope="module")
def rdflib_reference(kg: KnowledgeGraph) -> Dataset:
    """The same files in rdflib's own memory store, evaluated by rdflib's own engine: an
    independent reference, whose default graph is the union as a set."""
    return build_dataset(seed_files(), kg.ids, ontology=ontology_file())


def _reference(dataset: Dataset, kg: KnowledgeGraph, text: str) -> Any:
    """rdflib's answer, its engine over its memory store."""
    result = dataset.query(PREFIXES + text, initNs=kg.ids.prefixes())
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type == "SELECT":
        return [tuple(_lexical(value) for value in row) for row in result]
    return sorted(tuple(map(str, triple)) for triple in result)


def _normal(answer: Any, ordered: bool) -> Any:
    return answer if ordered or not isinstance(answer, list) else sorted(answer, key=repr)


def _library(kg: KnowledgeGraph, text: str) -> Any:
    result = run_query(kg, PREFIXES + text)
    if result.kind == "ASK":
        return result.boolean
    if result.kind == "SELECT":
        return [tuple(_lexical(value) for value in row) for row in result.rows]
    assert result.graph is not None
    return sorted(tuple(map(str, triple)) for triple in result.graph)


def _from_json(document: dict[str, Any]) -> Any:
    if "boolean" in document:
        return document["boolean"]
    names = document["head"]["vars"]
    return [
        tuple(binding[name]["value"] if name in binding else None for name in names)
        for binding in document["results"]["bindings"]
    ]


def _command_line(address: str, text: str, tmp_path: Path) -> Any:
    command = shutil.which("paccto")
    assert command is not None
    construct = text.lstrip().upper().startswith("CONSTRUCT")
    done = subprocess.run(
        [command, "--store", address, "sparql", PREFIXES + text,
         "--format", "nt" if construct else "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    if construct:
        graph = Graph().parse(data=done.stdout, format="nt")
        return sorted(tuple(map(str, triple)) for triple in graph)
    return _from_json(json.loads(done.stdout))


@pytest.fixture(scope="module")
def endpoint(
    store: tuple[str, KnowledgeGraph], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with paccto_serve(tmp_path_factory.mktemp("serve"), before=("--store", store[0])) as base:
        yield f"{base}/sparql"


def _endpoint(url: str, text: str) -> Any:
    client = SPARQLWrapper(url)
    client.setQuery(PREFIXES + text)
    if text.lstrip().upper().startswith("CONSTRUCT"):
        client.setReturnFormat(TURTLE)
        body = client.query().response.read()
        return sorted(
            tuple(map(str, triple)) for triple in Graph().parse(data=body, format="turtle")
        )
    client.setReturnFormat(JSON)
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    return _from_json(answer)


@pytest.mark.parametrize("name", list(QUERIES))
def test_every_front_end_gives_the_rdf_merge_answer(
    name: str,
    store: tuple[str, KnowledgeGraph],
    endpoint: str,
    kg: KnowledgeGraph,
    rdflib_reference: Dataset,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    text, ordered = QUERIES[name]
    address, graph = store
    if graph.store_kind == "sparql" and name in VIRTUOSO_DIFFERS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=VIRTUOSO_DIFFERS[name]))
    expected = _normal(_reference(rdflib_reference, kg, text), ordered)
    assert expected not in ([], None), "a query with no answer would prove nothing"
    assert _normal(_library(graph, text), ordered) == expected, "library"
    assert _normal(_command_line(address, text, tmp_path), ordered) == expected, "command line"
    assert _normal(_endpoint(endpoint, text), ordered) == expected, "/sparql"


def test_the_merge_counts_a_triple_once_and_graphs_count_it_per_passage(
    kg: KnowledgeGraph, rdflib_reference: Dataset
) -> None:
    """The figures the seeds give, pinned: 2,753 distinct statements, 2,811 stated in graphs."""
    assert _reference(rdflib_reference, kg, QUERIES["stored-statements"][0]) == [("2753", "2811")]
