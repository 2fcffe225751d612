"""Loads and start-ups of PAcCTO Graph next to pyoxigraph doing the same work, in one run.

    python benchmarks/bench_engine.py                         # /tmp/syn-1m.trig, made if missing
    python benchmarks/bench_engine.py --data /tmp/syn-100k.trig --repeat 3

Every figure is a whole process, as a user runs it, with its peak resident memory (``VmHWM``,
polled from /proc), and beside it the process that does only pyoxigraph's part:

* ``load``: ``paccto --no-seeds load --store oxigraph:DIR FILE`` (parse into the new version's
  database, validation there, the merge, the ontology, the saved projection and name index)
  against a script that ``bulk_load``\\s the same file into a fresh on-disk store;
* ``memory start``: ``paccto --no-seeds --data FILE stats`` (load into memory, validate, count)
  against a script that ``bulk_load``\\s it into an in-memory store;
* ``seed start-up``: ``paccto stats`` on the embedded seeds, against ``python -c pass``.

The issue's targets are printed beside the ratios: load at most 2x, peak under 1.5 GB; memory
start at most 2x; seed start-up under 0.5 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_stores  # sibling script: its folder is on sys.path when this one runs

PACCTO = [sys.executable, "-m", "paccto.api.cli"]
_BULK_LOAD = (
    "import sys, pyoxigraph as ox\n"
    "store = ox.Store(sys.argv[2]) if sys.argv[2] != '-' else ox.Store()\n"
    "store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.TRIG, base_iri=sys.argv[3])\n"
    "store.flush() if sys.argv[2] != '-' else None\n"
)


def _measured(command: list[str], repeat: int, before: str | None = None) -> tuple[float, float]:
    """Median seconds and largest peak MiB of ``repeat`` runs; ``before`` is removed first."""
    runs = []
    for _ in range(repeat):
        if before:
            shutil.rmtree(before, ignore_errors=True)
        runs.append(bench_stores._run_measured(command))
    return statistics.median(run[0] for run in runs), max(run[1] for run in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/syn-1m.trig"))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    from paccto.graph.settings import DEFAULT_BASE_IRI

    if not args.data.exists():
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("synthetic.py")),
                "--triples",
                "1000000",
                "-o",
                str(args.data),
            ],
            check=True,
        )
    work = Path(tempfile.mkdtemp(prefix="paccto-bench-engine-"))
    try:
        store, raw = work / "store", work / "raw"
        rows = [
            (
                "load (oxigraph store)",
                _measured(
                    [*PACCTO, "--no-seeds", "load", "--store", f"oxigraph:{store}", str(args.data)],
                    args.repeat,
                    str(store),
                ),
                _measured(
                    [sys.executable, "-c", _BULK_LOAD, str(args.data), str(raw), DEFAULT_BASE_IRI],
                    args.repeat,
                    str(raw),
                ),
                "<= 2x, < 1536 MiB",
            ),
            (
                "memory start (stats)",
                _measured([*PACCTO, "--no-seeds", "--data", str(args.data), "stats"], args.repeat),
                _measured(
                    [sys.executable, "-c", _BULK_LOAD, str(args.data), "-", DEFAULT_BASE_IRI],
                    args.repeat,
                ),
                "<= 2x",
            ),
            (
                "seed start-up (stats)",
                _measured([*PACCTO, "stats"], max(args.repeat, 3)),
                _measured([sys.executable, "-c", "pass"], 3),
                "< 0.5 s",
            ),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"data: {args.data} ({args.data.stat().st_size / 2**20:.0f} MiB)")
    print(
        f"{'task':<24}{'paccto s':>10}{'peak MiB':>10}{'pyoxigraph s':>14}{'peak MiB':>10}"
        f"{'ratio':>8}  target"
    )
    for name, (ours, ours_peak), (theirs, theirs_peak), target in rows:
        print(
            f"{name:<24}{ours:>10.2f}{ours_peak:>10.0f}{theirs:>14.2f}{theirs_peak:>10.0f}"
            f"{ours / theirs:>8.1f}  {target}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
