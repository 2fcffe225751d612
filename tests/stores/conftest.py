"""Fixtures for tests against real SPARQL servers: one Virtuoso per test session, holding exactly
the quads the embedded store holds.

Virtuoso takes about 10 s to start, so it is started once and shared; tests must only read from
it, or write into graphs of their own that no other test counts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from virtuoso_server import VirtuosoServer, load_nquads, running_virtuoso

from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.publish.export import export_graph
from paccto.graph.settings import get_settings
from paccto.graph.store_address import parse_store
from paccto.graph.store_registry import STORE_KINDS, open_knowledge_graph, write_store
from paccto.graph.stores.sparql_client import SparqlClient
from paccto.graph.stores.sparql_loader import merge_graph_update
from paccto.graph.stores.write_options import WriteOptions

#: Set by ``.ci/run``: there a missing Virtuoso is a broken machine, not an optional extra.
REQUIRE_VIRTUOSO = os.environ.get("PACCTO_REQUIRE_VIRTUOSO") == "1"


@pytest.fixture(scope="session")
def virtuoso(
    kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VirtuosoServer]:
    """A running Virtuoso loaded with the seed facts, the ontology graph included.

    The data goes through the project's own N-Quads export, the file ``paccto export --format
    nq`` writes: every named graph of the embedded dataset, and no default-graph triples (the
    loader puts every quad in a named graph, so rdflib's default graph is empty).
    """
    _require_virtuoso()
    folder = tmp_path_factory.mktemp("virtuoso")
    seed = folder / "paccto-graph.nq"
    seed.write_bytes(export_graph(kg, "nq"))
    with running_virtuoso(folder / "database") as server:
        load_nquads(server, seed)
        # What docs/stores.md asks after a bulk load: the merge graph a `paccto load` writes.
        writer = SparqlClient(
            query_url=server.sparql_url, prefixes={}, user=server.user,
            password=server.password, auth="digest", update_url=server.auth_url,
        )  # fmt: skip
        writer.update(merge_graph_update(kg.ids.base))
        yield server


@pytest.fixture(scope="module")
def empty_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso of the module's own, holding nothing, for tests that write to the server."""
    _require_virtuoso()
    with running_virtuoso(tmp_path_factory.mktemp("empty-virtuoso")) as server:
        yield server


def _require_virtuoso() -> None:
    missing = [name for name in ("virtuoso-t", "isql-vt") if shutil.which(name) is None]
    if missing:
        reason = (
            f"{' and '.join(missing)} not installed; "
            "apt-get install virtuoso-opensource to run the Virtuoso tests"
        )
        if REQUIRE_VIRTUOSO:
            pytest.fail(f"PACCTO_REQUIRE_VIRTUOSO=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module", params=list(STORE_KINDS))
def seeded_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, KnowledgeGraph]:
    """The seeds on a store of each kind of the registry, written by its writer where it has
    one and opened through the registry: its address and the graph. A new kind joins every
    suite by one branch here."""
    kind = request.param
    if kind == "memory":
        address = "memory"
    elif kind == "oxigraph":
        address = f"oxigraph:{tmp_path_factory.mktemp('seeded') / 'graph'}"
        write_store(parse_store(address), get_settings(), [], WriteOptions())
    elif kind == "sparql":
        address = f"sparql:{request.getfixturevalue('virtuoso').sparql_url}"
    else:  # pragma: no cover - a new kind must say here how the suites reach it
        pytest.fail(f"the suites do not know how to fill a {kind} store")
    graph = open_knowledge_graph(get_settings(store=address))
    assert graph.store_kind == kind
    return address, graph
