"""Shared by the API tests: a live ``paccto serve`` process (the test client is in tests/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_servers import paccto_serve

#: The time limit the live server gives SPARQL queries: short, so the runaway test is quick.
LIVE_SERVER_SPARQL_TIMEOUT = 2.0


@pytest.fixture(scope="session")
def live_server_timeout() -> float:
    return LIVE_SERVER_SPARQL_TIMEOUT


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``paccto serve`` as a user starts it, in its own process on loopback; yields its URL."""
    with paccto_serve(
        tmp_path_factory.mktemp("server"),
        options=["--sparql-timeout", str(LIVE_SERVER_SPARQL_TIMEOUT), "--sparql-workers", "2"],
    ) as url:
        yield url
