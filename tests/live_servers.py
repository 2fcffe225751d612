"""A real ``paccto serve`` process for tests that need one: started as a user starts it, on a
free loopback port, waited for until it answers, and stopped however the test ends."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

__all__ = ["free_port", "paccto_serve"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def paccto_serve(
    log_dir: Path, *, before: Sequence[str] = (), options: Sequence[str] = ()
) -> Iterator[str]:
    """Run ``paccto [before] serve --host 127.0.0.1 --port N [options]``; yields its base URL.

    The server's output goes to ``log_dir/serve.log``, whose end is shown if it fails to start.
    """
    paccto = shutil.which("paccto")
    if paccto is None:
        pytest.skip("the paccto command is not installed")
    port = free_port()
    log = log_dir / "serve.log"
    command = [paccto, *before, "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=log_dir, stdout=output, stderr=subprocess.STDOUT)
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
            process.wait(timeout=10)
