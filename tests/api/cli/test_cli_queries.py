"""The path, membership and search commands of the installed ``paccto``, as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PACCTO = shutil.which("paccto")
pytestmark = pytest.mark.skipif(PACCTO is None, reason="the paccto command is not installed")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PACCTO is not None
    return subprocess.run(
        [PACCTO, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        env={"COLUMNS": "200", "PATH": str(Path(PACCTO).parent)},
    )  # fmt: skip


def run_json(*args: str, cwd: Path) -> object:
    result = run(*args, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_show_lists_facts_with_sources(tmp_path: Path) -> None:
    result = run("show", "CLASI", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Latin American Committee for Internal Security" in result.stdout
    assert "counterpart of" in result.stdout and "src:doc-003[" in result.stdout


def test_show_json_has_figures_and_facts(tmp_path: Path) -> None:
    entity = run_json("show", "phase 1", cwd=tmp_path)
    assert entity["id"] == "phase-1"  # type: ignore[index]
    assert entity["attributes"]["budget_eur"] == 19_000_000  # type: ignore[index]
    assert any(f["other"] == "clasi" for f in entity["facts"])  # type: ignore[index]


def test_search_ranks_matches_with_their_class(tmp_path: Path) -> None:
    hits = run_json("search", "prison", cwd=tmp_path)
    assert hits[0]["id"] == "component-prisons"  # type: ignore[index]
    assert {"id", "label", "cls", "class_label", "score"} <= set(hits[0])  # type: ignore[index]


@pytest.mark.parametrize("spelling", ["Country", "country", "paccto:Country"])
def test_search_filters_by_class_in_any_spelling(tmp_path: Path, spelling: str) -> None:
    hits = run_json("search", "a", "--class", spelling, "--limit", "200", cwd=tmp_path)
    assert len(hits) >= 18  # type: ignore[arg-type]
    assert {hit["cls"] for hit in hits} == {"paccto:Country"}  # type: ignore[union-attr,index]


def test_path_table_explains_each_step(tmp_path: Path) -> None:
    result = run("path", "Costa Rica", "Panamá", "--avoid-hubs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Paso Canoas binational police cooperation centre" in result.stdout
    assert "connects" in result.stdout and "src:doc-000[" in result.stdout


def test_path_through_a_hub_says_so(tmp_path: Path) -> None:
    result = run("path", "Costa Rica", "Panama", cwd=tmp_path)
    assert result.returncode == 0
    assert "through hub(s) latin-america" in result.stdout
    assert "--avoid-hubs" in result.stderr


def test_k_paths_json(tmp_path: Path) -> None:
    paths = run_json("path", "Spain", "CLASI", "-k", "3", "--avoid-hubs", cwd=tmp_path)
    assert len(paths) == 3  # type: ignore[arg-type]
    lengths = [p["length"] for p in paths]  # type: ignore[union-attr]
    assert lengths == sorted(lengths)
    assert all(p["hubs"] == [] for p in paths)  # type: ignore[union-attr]


def test_path_with_no_answer_exits_1_with_a_message(tmp_path: Path) -> None:
    result = run("path", "Spain", "Argentina", "--relations", "counterpart of", cwd=tmp_path)
    assert result.returncode == 1
    assert "no path between Spain and Argentina" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "Atlantis"), "No entity is called 'Atlantis'"),
        (("path", "Spain", "Europoll"), "Did you mean: europol"),
        (("members", "phase 2", "--as-of", "2023-13-01"), "invalid date"),
        (("path", "Spain", "España"), "same entity"),
    ],
)
def test_bad_names_and_dates_are_clear_errors(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_members_of_phase_2_by_role(tmp_path: Path) -> None:
    members = run_json(
        "members", "EL PAcCTO 2.0", "--role", "implementing EU member state", cwd=tmp_path
    )
    assert [m["member"] for m in members] == ["france", "italy", "netherlands", "portugal", "spain"]  # type: ignore[union-attr]


def test_members_by_phase(tmp_path: Path) -> None:
    phases = run_json("members", "EL PAcCTO", "--by-phase", cwd=tmp_path)
    assert list(phases) == ["phase-1", "phase-2"]  # type: ignore[arg-type]


def test_memberships_as_of_a_date(tmp_path: Path) -> None:
    now = run_json("memberships", "Spain", cwd=tmp_path)
    before = run_json("memberships", "Spain", "--as-of", "2020", cwd=tmp_path)
    assert "phase-2" in {m["organisation"] for m in now}  # type: ignore[union-attr]
    assert "phase-2" not in {m["organisation"] for m in before}  # type: ignore[union-attr]


def test_common_memberships(tmp_path: Path) -> None:
    shared = run_json("common", "Costa Rica", "Panama", cwd=tmp_path)
    assert [c["organisation"] for c in shared] == ["phase-1"]  # type: ignore[union-attr]


def test_neighbours_of_clasi(tmp_path: Path) -> None:
    found = run_json("neighbours", "CLASI", cwd=tmp_path)
    ids = {node["id"] for node in found["nodes"]}  # type: ignore[index]
    assert {"clasi", "cosi", "jha-council", "phase-1"} <= ids
    assert all(node["distance"] <= 1 for node in found["nodes"])  # type: ignore[index]


def test_neighbours_filtered_by_class_at_depth_two(tmp_path: Path) -> None:
    found = run_json(
        "neighbours", "Paso Canoas centre", "--depth", "2", "--class", "Country", cwd=tmp_path
    )
    nodes = found["nodes"]  # type: ignore[index]
    assert {n["id"] for n in nodes if n["distance"] == 1} == {"costa-rica", "panama"}
    assert {n["class_label"] for n in nodes[1:]} == {"Country"}


def test_unknown_class_lists_the_classes(tmp_path: Path) -> None:
    result = run("neighbours", "CLASI", "--class", "Nonsense", cwd=tmp_path)
    assert result.returncode == 1
    assert "Classes in the graph:" in result.stderr and "Country" in result.stderr


@pytest.mark.parametrize("by", ["degree", "betweenness", "brokerage"])
def test_rank_puts_phase_1_first(tmp_path: Path, by: str) -> None:
    ranking = run_json("rank", "--by", by, "--top", "5", cwd=tmp_path)
    assert ranking[0]["id"] == "phase-1"  # type: ignore[index]
    assert len(ranking) == 5  # type: ignore[arg-type]


def test_bridges_and_communities(tmp_path: Path) -> None:
    bridges = run_json("bridges", cwd=tmp_path)
    pairs = {(b["source"], b["target"]) for b in bridges["links"]}  # type: ignore[index]
    assert ("clasi", "cosi") in pairs
    groups = run_json("communities", cwd=tmp_path)
    assert sum(group["size"] for group in groups) == 147  # type: ignore[union-attr]


def test_path_refuses_a_misspelt_relation_or_class_instead_of_ignoring_it(tmp_path: Path) -> None:
    result = run("path", "spain", "clasi", "--relations", "teleports to", cwd=tmp_path)
    assert result.returncode == 1
    assert "No relationship is called 'teleports to'" in result.stderr
    result = run("path", "spain", "clasi", "--avoid-class", "spaceship", cwd=tmp_path)
    assert result.returncode == 1 and "No entity has the class 'spaceship'" in result.stderr
    result = run("path", "Costa Rica", "Panamá", "--avoid-class", "region", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
