"""SPARQL workers are real processes: without a network, with a memory bound, shared fairly.

Each test starts a real worker pool over the seeds; a test about the network uses a canary
listener on loopback to count connections.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from canary import Canary, canary_listener
from fastapi.testclient import TestClient

import paccto.graph.sparql.query_pool as query_pool
from paccto.api.web.app import create_app
from paccto.graph.errors import PacctoError, QueryTimeoutError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import get_settings
from paccto.graph.sparql.query import QueryScreen, canonical_query_text
from paccto.graph.sparql.query_pool import QueryWorkerPool
from paccto.graph.sparql.worker_confinement import NETWORK_ISOLATED
from paccto.graph.stores.oxigraph_store import open_oxigraph_store, write_oxigraph_store

#: Runs for as long as it is allowed to: 2,811 cubed solutions to count, nothing to hold.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: 90 bytes that grew one worker to 3 GiB before the memory bound.
MEMORY_BOMB = "SELECT ?a WHERE {?a ?b ?c . ?d ?e ?f . ?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1"
SIMPLE = "SELECT ?n WHERE { ?n a paccto:Network } LIMIT 3"


@pytest.fixture
def canary() -> Iterator[Canary]:
    with canary_listener() as listener:
        yield listener


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-in for a future gap in the query check: every text passes it unread."""
    monkeypatch.setattr(
        query_pool, "screen_query", lambda text, kg: QueryScreen(canonical_query_text(text))
    )


def _pool(kg: KnowledgeGraph, **options: object) -> QueryWorkerPool:
    settings = get_settings(**options)
    return QueryWorkerPool.for_graph(kg, settings)


@pytest.mark.usefixtures("unchecked")
def test_a_worker_asked_to_connect_gets_nothing(kg: KnowledgeGraph, canary: Canary) -> None:
    pool = _pool(kg, sparql_network_isolation="preferred", sparql_quick_workers=0)
    try:
        assert pool.status().network_isolation == NETWORK_ISOLATED
        service = f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
        with pytest.raises(PacctoError, match=r"[Nn]etwork is unreachable"):
            pool.evaluate(service, ("json",))
        # The worker is still there and answers what it can.
        assert pool.evaluate(SIMPLE, ("json",)).count == 3
    finally:
        pool.close()
    assert canary.connections == 0


@pytest.mark.usefixtures("unchecked")
def test_without_isolation_the_same_worker_would_have_connected(
    kg: KnowledgeGraph, canary: Canary
) -> None:
    """The control for the test above: it can see a connection when there is one."""
    pool = _pool(kg, sparql_network_isolation="off", sparql_quick_workers=0, sparql_timeout=5.0)
    try:
        service = f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
        with pytest.raises(PacctoError):
            pool.evaluate(service, ("json",))
    finally:
        pool.close()
    assert canary.connections >= 1


def test_a_query_past_the_memory_bound_is_stopped_with_a_problem(kg: KnowledgeGraph) -> None:
    settings = get_settings(sparql_query_memory_mb=256, sparql_timeout=60.0)
    with TestClient(create_app(kg, settings)) as client:
        response = client.get("/sparql", params={"query": MEMORY_BOMB})
        assert response.status_code == 503
        problem = response.json()
        assert problem["type"] == "/problems#query-memory"
        assert "256 MiB" in problem["detail"]
        # The worker that died is replaced; the service answers and reports itself healthy.
        deadline = time.monotonic() + 30
        while client.get("/health").json()["sparql_workers"] < 2:
            assert time.monotonic() < deadline, "the worker was not replaced"
            time.sleep(0.1)
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["sparql_query_memory_mb"] == 256
        assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200


def test_a_simple_query_answers_while_two_clients_run_runaways(kg: KnowledgeGraph) -> None:
    pool = _pool(kg, sparql_workers=2, sparql_quick_workers=1, sparql_timeout=6.0)
    outcomes: dict[str, object] = {}

    def runaway(client: str) -> None:
        try:
            pool.evaluate(RUNAWAY, ("json",), client=client)
        except PacctoError as error:
            outcomes[client] = error

    try:
        runners = [
            threading.Thread(target=runaway, args=(f"10.0.0.{n}",), daemon=True) for n in (1, 2)
        ]
        for runner in runners:
            runner.start()
        time.sleep(0.5)  # both runaways hold the general workers
        reply = pool.evaluate(SIMPLE, ("json",), client="10.0.0.9")
        assert reply.count == 3
        assert all(runner.is_alive() for runner in runners), "the simple query waited them out"
        for runner in runners:
            runner.join()
    finally:
        pool.close()
    assert all(isinstance(outcomes[f"10.0.0.{n}"], QueryTimeoutError) for n in (1, 2))


def test_a_client_whose_query_outruns_the_quick_lane_leaves_it(kg: KnowledgeGraph) -> None:
    """A runaway that starts on the quick worker moves to a general one, and its client's next
    query does not get the quick worker while a well-behaved client's does."""
    pool = _pool(kg, sparql_workers=1, sparql_quick_workers=1, sparql_timeout=4.0)
    try:
        blocker = threading.Thread(
            target=lambda: _quietly(pool.evaluate, RUNAWAY, ("json",), client="hog-1"),
            daemon=True,
        )
        blocker.start()
        time.sleep(0.3)  # hog-1 holds the general worker
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            # The quick lane gives it sparql_quick_seconds, then it waits for the general one.
            pool.evaluate(RUNAWAY, ("json",), client="hog-2")
        assert time.monotonic() - started >= 1.0
        blocker.join()
        assert pool.evaluate(SIMPLE, ("json",), client="polite").count == 3
    finally:
        pool.close()


def _quietly(function: object, *arguments: object, **options: object) -> None:
    with contextlib.suppress(PacctoError):
        function(*arguments, **options)  # type: ignore[operator]


def test_health_is_503_when_workers_cannot_start(kg: KnowledgeGraph, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    write_oxigraph_store(kg, folder)
    stored = open_oxigraph_store(folder)
    settings = get_settings(sparql_timeout=1.0, sparql_workers=1, sparql_quick_workers=0)
    with TestClient(create_app(stored, settings)) as client:
        assert client.get("/health").status_code == 200
        # The version the server opened disappears under it (by hand: no load would do this).
        assert stored.store_path is not None
        shutil.rmtree(stored.store_path)
        client.get("/sparql", params={"query": RUNAWAY})  # times out; its worker is replaced
        deadline = time.monotonic() + 20
        while "failed to start" not in ((health := client.get("/health")).json()["problem"] or ""):
            assert time.monotonic() < deadline, "/health never reported the failing workers"
            time.sleep(0.2)
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "degraded"
        assert "cannot open the graph" in body["problem"]


def test_a_runaway_on_the_quick_lane_yields_it_to_a_waiting_client(kg: KnowledgeGraph) -> None:
    """However long the quick lane would give a query, a new client's runaway leaves it as soon
    as another client waits for it."""
    pool = _pool(
        kg, sparql_workers=1, sparql_quick_workers=1, sparql_quick_seconds=30, sparql_timeout=6.0
    )
    try:
        hogs = [
            threading.Thread(
                target=lambda name=name: _quietly(pool.evaluate, RUNAWAY, ("json",), client=name),
                daemon=True,
            )
            for name in ("hog-1", "hog-2")
        ]
        hogs[0].start()
        time.sleep(0.3)  # hog-1 holds the general worker
        hogs[1].start()
        time.sleep(0.3)  # hog-2, new here, holds the quick worker
        assert pool.evaluate(SIMPLE, ("json",), client="polite").count == 3
        assert all(hog.is_alive() for hog in hogs), "the simple query waited the runaways out"
        for hog in hogs:
            hog.join()
    finally:
        pool.close()
