"""The HTTP benchmark (benchmarks/bench_http.py) runs to the end on the seeds.

Benchmarks print figures and are never timed assertions: this only checks that the script
starts both servers, measures both, prints the comparison and stops, in a short run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_http.py"

pytestmark = pytest.mark.server


def test_a_short_run_on_the_seeds_prints_both_servers_and_the_ratio(tmp_path: Path) -> None:
    figures = tmp_path / "http.json"
    finished = subprocess.run(
        [
            sys.executable, str(SCRIPT), "--duration", "1", "--concurrency", "2",
            "--no-validate", "--overhead-budget", "0.02", "--overhead-samples", "20",
            "--json", str(figures),
        ],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-3000:]
    printed = finished.stdout
    assert re.search(r"^\s*ours\s+[\d,]+\s", printed, re.MULTILINE), printed
    assert re.search(r"^\s*rdflib-endpoint\s+[\d,]+\s", printed, re.MULTILINE), printed
    assert re.search(r"throughput ratio ours / rdflib-endpoint: [\d,.]+x", printed), printed
    written = json.loads(figures.read_text())
    assert written["sparql_load"]["ours"]["ok"] > 0
    assert written["sparql_load"]["rdflib-endpoint"]["ok"] > 0
