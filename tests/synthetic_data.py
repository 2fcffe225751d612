"""Synthetic graphs for tests, written by the benchmarks' generator (benchmarks/synthetic.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "synthetic.py"


def synthetic_file(triples: int, folder: Path) -> Path:
    """A TriG file of about ``triples`` synthetic triples in ``folder``, the same every time."""
    spec = importlib.util.spec_from_file_location("paccto_synthetic", _GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    path = folder / "synthetic.trig"
    with path.open("w", encoding="utf-8") as out:
        module.generate(triples, out, seed=1)
    return path
