"""The front ends see one QueryService, whichever store answers the queries."""

from __future__ import annotations

import inspect

import pytest

from paccto.graph.sparql.query_pool import QueryWorkerPool
from paccto.graph.sparql.remote_queries import RemoteQueryService
from paccto.graph.sparql.service import QueryService


@pytest.mark.parametrize("service", [QueryWorkerPool, RemoteQueryService])
@pytest.mark.parametrize("method", ["evaluate", "status", "close"])
def test_every_query_service_offers_the_whole_interface(service: type, method: str) -> None:
    wanted = inspect.signature(getattr(QueryService, method))
    offered = inspect.signature(getattr(service, method))
    assert list(offered.parameters) == list(wanted.parameters)
    for name, parameter in wanted.parameters.items():
        assert offered.parameters[name].kind == parameter.kind, name
        assert offered.parameters[name].default == parameter.default, name
