"""Shared by the API tests: a live ``paccto serve`` process (the test client is in tests/)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

#: The time limit the live server gives SPARQL queries: short, so the runaway test is quick.
LIVE_SERVER_SPARQL_TIMEOUT = 2.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server_timeout() -> float:
    return LIVE_SERVER_SPARQL_TIMEOUT


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``paccto serve`` as a user starts it, in its own process on loopback; yields its URL."""
    paccto = shutil.which("paccto")
    if paccto is None:
        pytest.skip("the paccto command is not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [paccto, "serve", "--port", str(port), "--sparql-timeout",
             str(LIVE_SERVER_SPARQL_TIMEOUT), "--sparql-workers", "2"],
            cwd=log.parent, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"paccto serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
