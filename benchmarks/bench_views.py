"""How long views take to build and draw, on the seeds and on synthetic graphs; prints a table.

    python benchmarks/bench_views.py                      # seeds + synthetic 100 k
    python benchmarks/bench_views.py --sizes 100000 1000000
    python benchmarks/bench_views.py --browser            # also time to a still drawing in Chromium

For each view: the time to pick its entities (``build``), to write the interactive page
(``html``, with its size), and to draw the SVG and PNG images, each the median of ``--repeat``
runs. With ``--browser`` the standalone page is opened in Debian's Chromium (no network) and the
time from loading it to the physics having settled and stopped is measured, with the number of
nodes read back from the vis-network object. Synthetic graphs load without SHACL validation (as
``bench_queries.py`` does), since only the views are measured here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bench_queries  # a sibling script: its folder is on sys.path when this one runs


def _median_ms(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def _load(target: str) -> Any:
    from paccto.graph.load.loading import build_dataset, load_knowledge_graph
    from paccto.graph.load.resources import ontology_file
    from paccto.graph.model.identifiers import Identifiers
    from paccto.graph.model.knowledge_graph import KnowledgeGraph
    from paccto.graph.settings import DEFAULT_BASE_IRI

    if target == "seeds":
        return load_knowledge_graph()
    ids = Identifiers(DEFAULT_BASE_IRI)
    files = [Path(target)]
    return KnowledgeGraph(
        dataset=build_dataset(files, ids, ontology=ontology_file()), ids=ids, files=files
    )


def _views(kg: Any, target: str) -> list[tuple[str, Callable[[], Any]]]:
    from paccto.graph.render.views import (
        ViewFilter,
        entity_view,
        graph_view,
        members_view,
        path_view,
        phase_view,
    )

    if target == "seeds":
        return [
            ("entity clasi depth 1", lambda: entity_view(kg, "clasi")),
            ("entity clasi depth 2", lambda: entity_view(kg, "clasi", depth=2)),
            ("path spain-ameripol k=3", lambda: path_view(kg, "spain", "ameripol", k=3)),
            ("members european-union", lambda: members_view(kg, "european-union")),
            ("phase 2", lambda: phase_view(kg, "2")),
            ("whole graph", lambda: graph_view(kg)),
        ]
    graph = kg.projection.graph
    by_degree = sorted(graph.degree(), key=lambda pair: (-pair[1], pair[0]))
    hub = by_degree[0][0]
    middle = by_degree[len(by_degree) // 2][0]
    far = by_degree[len(by_degree) // 3][0]
    networks = [iri for iri, data in graph.nodes(data=True) if "paccto:Network" in data["classes"]]
    network = max(networks, key=graph.in_degree) if networks else hub
    return [
        (f"entity hub (degree {by_degree[0][1]}) depth 1", lambda: entity_view(kg, hub)),
        ("entity median depth 2", lambda: entity_view(kg, middle, depth=2)),
        ("path median-third k=3", lambda: path_view(kg, middle, far, k=3)),
        ("members largest network", lambda: members_view(kg, network)),
        ("graph, networks only",
         lambda: graph_view(kg, view_filter=ViewFilter.of(classes=["Network"]))),
        ("whole graph (refused)", lambda: graph_view(kg)),
    ]  # fmt: skip


def _browser_ready_ms(html: str) -> tuple[float, int]:
    """Load the page in Chromium with every request refused; ms until the drawing is still."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda route: route.abort())
        started = time.perf_counter()
        page.set_content(html)
        page.wait_for_selector("body[data-state=ready]", timeout=300_000)
        elapsed = (time.perf_counter() - started) * 1000
        drawn = int(page.evaluate("Object.keys(network.getPositions()).length"))
        browser.close()
    return elapsed, drawn


def measure(target: str, repeat: int, browser: bool) -> list[dict[str, Any]]:
    from paccto.graph.render.interactive import render_html
    from paccto.graph.render.static_image import render_png, render_svg
    from paccto.graph.render.views import ViewTooLargeError

    started = time.perf_counter()
    kg = _load(target)
    kg.index  # noqa: B018 (projection and index, as serve builds them at start-up)
    print(f"{target}: loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows = []
    for name, build in _views(kg, target):
        try:
            build_ms, view = _median_ms(build, repeat)
        except ViewTooLargeError as error:
            refused_ms, _ = _median_ms(lambda b=build: _refusal(b), repeat)
            rows.append({"graph": target, "view": name, "nodes": "refused", "build": refused_ms,
                         "note": str(error).split(";")[0]})  # fmt: skip
            continue
        html_ms, html = _median_ms(lambda v=view: render_html(v), repeat)
        svg_ms, _ = _median_ms(lambda v=view: render_svg(v), repeat)
        png_ms, _ = _median_ms(lambda v=view: render_png(v), repeat)
        row = {
            "graph": target, "view": name, "nodes": len(view.nodes), "edges": len(view.edges),
            "build": build_ms, "html": html_ms, "html_kb": len(html.encode()) / 1024,
            "svg": svg_ms, "png": png_ms,
        }  # fmt: skip
        if browser:
            row["browser"], row["drawn"] = _browser_ready_ms(html)
        rows.append(row)
    return rows


def _refusal(build: Callable[[], Any]) -> None:
    from paccto.graph.render.views import ViewTooLargeError

    try:
        build()
    except ViewTooLargeError:
        return


def print_table(rows: Sequence[dict[str, Any]], browser: bool) -> None:
    columns = ["graph", "view", "nodes", "edges", "build", "html", "html_kb", "svg", "png"]
    if browser:
        columns += ["browser", "drawn"]
    units = {"build": "ms", "html": "ms", "svg": "ms", "png": "ms", "browser": "ms"}
    header = [f"{c} ({units[c]})" if c in units else c for c in columns]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column, "")
            cells.append(f"{value:,.1f}" if isinstance(value, float) else str(value))
        print("| " + " | ".join(cells) + " |")
    for row in rows:
        if "note" in row:
            print(f"- {row['graph']} / {row['view']}: {row['note']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000],
                        help="synthetic graph sizes in triples (default 100000)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()),
                        help="where synthetic graphs are generated and kept")  # fmt: skip
    args = parser.parse_args(argv)
    targets = ["seeds"]
    for size in args.sizes:
        targets.append(str(bench_queries.synthetic_file(size, args.data_dir, 0)))
    rows: list[dict[str, Any]] = []
    for target in targets:
        rows += measure(target, args.repeat, args.browser)
    print_table(rows, args.browser)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
