"""Schemathesis, with every check, against the OpenAPI document of a live server.

It generates requests from the schema (valid and invalid ones) and checks that no answer is a
server error, that every status code, content type, header and body is the one the schema
declares, that invalid input is refused and valid input accepted. ``schemathesis.toml`` holds
the few things a schema cannot say (realistic names, SPARQL's grammar). Bounded in examples and
time so it fits in CI; the seed is fixed so a failure can be replayed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

REPO_ROOT = Path(__file__).resolve().parents[3]
ST = shutil.which("st") or shutil.which("schemathesis")


@pytest.mark.skipif(ST is None, reason="schemathesis is not installed")
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(
    live_server: str, tmp_path: Path
) -> None:
    assert ST is not None
    result = subprocess.run(
        [
            ST, "--config-file", str(REPO_ROOT / "schemathesis.toml"), "--no-color", "run",
            f"{live_server}/openapi.json", "--checks", "all", "--max-examples", "15",
            "--phases", "examples,coverage,fuzzing", "--seed", "20261123", "--workers", "2",
            "--request-timeout", "20", "--report-dir", str(tmp_path),
        ],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
