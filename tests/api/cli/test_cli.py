"""The installed ``paccto`` command, run as a user runs it: a real process, from another folder."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACCTO = shutil.which("paccto")
pytestmark = pytest.mark.skipif(PACCTO is None, reason="the paccto command is not installed")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PACCTO is not None
    return subprocess.run(
        [PACCTO, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_validate_the_embedded_default_from_any_folder(tmp_path: Path) -> None:
    result = run("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "valid:" in result.stdout


def test_validate_reports_a_syntax_error_with_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\nex:a ex:b "x" ex:d .\n')
    result = run("validate", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{bad}:3:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_validate_reports_shape_violations_readably(tmp_path: Path) -> None:
    data = tmp_path / "unlabelled.trig"
    data.write_text(
        "@prefix id: <id/> .\n@prefix paccto: <https://w3id.org/paccto-graph/ontology#> .\n"
        "<graph/entities> { id:nameless a paccto:Network . }\n"
    )
    result = run("validate", str(data), cwd=tmp_path)
    assert result.returncode == 1
    assert "id:nameless" in result.stderr
    assert "rdfs:label" in result.stderr


def test_an_impossible_date_is_reported_without_a_traceback(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[2] / "fixtures" / "loading" / "impossible_day.trig"
    result = run("validate", str(data), cwd=tmp_path)
    assert result.returncode == 1
    assert "2023-02-30" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_file_is_named(tmp_path: Path) -> None:
    result = run("validate", "nowhere.ttl", cwd=tmp_path)
    assert result.returncode == 1
    assert "nowhere.ttl: no such file" in result.stderr


# --- many problems, huge literals ----------------------------------------------------------------

#: 20,000 typed entities without a label: each breaks two shapes, 40,000 problems in all.
NAMELESS = 20_000
HEADER = (
    "@prefix id: <id/> .\n@prefix paccto: <https://w3id.org/paccto-graph/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


def _nameless(folder: Path, count: int) -> Path:
    path = folder / "nameless.trig"
    path.write_text(
        f"{HEADER}<graph/entities> {{\n"
        + "".join(f"  id:nameless-{n} a paccto:Network .\n" for n in range(count))
        + "}\n"
    )
    return path


@pytest.fixture(scope="module")
def nameless(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _nameless(tmp_path_factory.mktemp("nameless"), NAMELESS)


def test_validate_shows_twenty_problems_and_counts_forty_thousand(nameless: Path) -> None:
    # Named from its own folder, so that the table's narrow "where" column holds file:line whole.
    result = run("validate", nameless.name, cwd=nameless.parent)

    assert result.returncode == 1
    assert result.stdout == ""
    # 5,580,864 bytes before the problems were bounded.
    assert len(result.stderr.encode()) < 10_000
    assert "40,000 validation problem(s); nothing was loaded; the first 20" in result.stderr
    assert result.stderr.count("│ id:nameless-") == 20
    assert "│ nameless.trig:5 " in result.stderr  # where id:nameless-0 is declared
    counts = [line.split("│")[1:4] for line in result.stderr.splitlines() if "20,000" in line]
    assert sorted([cell.strip() for cell in row] for row in counts) == [
        ["shape:EnglishLabel", "rdfs:label", "20,000"],
        ["shape:LabelledEntity", "rdfs:label", "20,000"],
    ]
    assert "39,980 more not shown" in result.stderr
    assert "--all" in result.stderr
    assert "--json" in result.stderr


def test_validate_all_lists_every_problem_one_per_line(nameless: Path, tmp_path: Path) -> None:
    result = run("validate", "--all", str(nameless), cwd=tmp_path)

    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{nameless}:")]
    assert len(lines) == 2 * NAMELESS
    assert f"{nameless}:{5 + NAMELESS - 1}: [Violation] id:nameless-{NAMELESS - 1} rdfs:label" in (
        result.stderr
    )


def test_validate_json_holds_every_problem_and_the_counts(nameless: Path, tmp_path: Path) -> None:
    result = run("validate", "--json", str(nameless), cwd=tmp_path)

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["problems"] == 2 * NAMELESS
    assert len(report["violations"]) == 2 * NAMELESS
    assert report["counts"] == [
        {
            "shape": "shape:EnglishLabel",
            "property": "rdfs:label",
            "problems": NAMELESS,
            "message": "has no English (@en) label",
        },
        {
            "shape": "shape:LabelledEntity",
            "property": "rdfs:label",
            "problems": NAMELESS,
            "message": "has no rdfs:label",
        },
    ]
    seven = [v for v in report["violations"] if v["focus"] == "id:nameless-7"]
    assert sorted(seven, key=lambda v: v["shape"]) == [
        {
            "shape": shape,
            "focus": "id:nameless-7",
            "property": "rdfs:label",
            "message": message,
            "value": None,
            "severity": "Violation",
            "where": [{"file": str(nameless), "line": 12}],
        }
        for shape, message in [
            ("shape:EnglishLabel", "has no English (@en) label"),
            ("shape:LabelledEntity", "has no rdfs:label"),
        ]
    ]


def test_validate_limit_sets_how_many_problems_are_listed(tmp_path: Path) -> None:
    data = _nameless(tmp_path, 30)

    three = run("validate", "--limit", "3", str(data), cwd=tmp_path)
    none = run("validate", "--limit", "0", str(data), cwd=tmp_path)

    assert three.returncode == none.returncode == 1
    assert three.stderr.count("│ id:nameless-") == 3
    assert "57 more not shown" in three.stderr
    assert "id:nameless-" not in none.stderr
    assert "│ shape:LabelledEntity │ rdfs:label │       30 │" in none.stderr


def test_every_command_bounds_the_problems_of_a_failed_load(tmp_path: Path) -> None:
    data = _nameless(tmp_path, 30)

    result = run("--data", str(data), "stats", cwd=tmp_path)

    assert result.returncode == 1
    assert "60 validation problem(s); nothing was loaded; the first 20" in result.stderr
    assert result.stderr.count("│ id:nameless-") == 20
    assert "Problems by shape and property" in result.stderr


def test_validate_json_reports_a_syntax_error_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\nex:a ex:b "x" ex:d .\n')

    result = run("validate", "--json", str(bad), cwd=tmp_path)

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["valid"], report["file"], report["line"]) == (False, str(bad), 3)
    assert report["error"].startswith(f"{bad}:3:")


def test_validate_accepts_a_literal_over_16_mib(tmp_path: Path) -> None:
    data = tmp_path / "huge.trig"
    data.write_text(
        f"{HEADER}<graph/entities> {{\n  id:huge-report a paccto:Network ;\n"
        f'    rdfs:label "Huge report"@en ;\n    rdfs:comment """{"x" * 17 * 2**20}"""@en .\n}}\n'
    )

    result = run("--no-seeds", "validate", str(data), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "valid:" in result.stdout


def test_an_iri_over_16_mib_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    data = tmp_path / "huge_iri.ttl"
    data.write_text(f"{HEADER}\nid:a rdfs:seeAlso <{'x' * 17 * 2**20}> .\n")

    result = run("--no-seeds", "validate", str(data), cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {data}:5:19: a token (an IRI, a name or a number)")
    assert "16 MiB" in result.stderr
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_stats_json_counts_the_graph(tmp_path: Path) -> None:
    result = run("stats", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["sources"] == 5
    assert figures["entities_per_class"]["paccto:Country"] == 23
    assert set(figures["facts_per_source"]) == {f"src:doc-00{n}" for n in range(5)}
    assert figures["relationships_per_property"]["org:member"] >= 30


def test_stats_table_for_people(tmp_path: Path) -> None:
    result = run("stats", cwd=tmp_path)
    assert result.returncode == 0
    assert "Facts per source document" in result.stdout
    assert "paccto:Country" in result.stdout


def test_sparql_csv_with_predeclared_prefixes(tmp_path: Path) -> None:
    query = "SELECT ?iso WHERE { ?m org:organization id:phase-2 ; org:member/paccto:isoCode ?iso }"
    result = run("sparql", query, "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["iso"] for row in rows} == {"FR", "IT", "NL", "PT", "ES"}


def test_sparql_json_from_a_query_file(tmp_path: Path) -> None:
    query = tmp_path / "ask.rq"
    query.write_text("ASK { id:ameripol paccto:inspiredBy id:europol }")
    result = run("sparql", "--file", str(query), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["boolean"] is True


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { ?s ?p }", "malformed SPARQL query at line 1"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ],
)
def test_sparql_refuses_bad_and_unsafe_queries(tmp_path: Path, query: str, message: str) -> None:
    result = run("sparql", query, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("fmt", "needle"), [("trig", "<"), ("nt", " ."), ("jsonld", "@id")])
def test_export_writes_a_parseable_file(tmp_path: Path, fmt: str, needle: str) -> None:
    import rdflib

    target = tmp_path / f"graph.{fmt}"
    result = run("export", "--format", fmt, "-o", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert needle in target.read_text(encoding="utf-8")
    parsed = rdflib.Dataset()
    parsed.parse(target, format={"trig": "trig", "nt": "nt", "jsonld": "json-ld"}[fmt])
    assert len(parsed) > 2000 or sum(len(g) for g in parsed.graphs()) > 2000


def test_export_trig_keeps_the_passage_graphs(tmp_path: Path) -> None:
    result = run("export", "--format", "trig", cwd=tmp_path)
    assert result.returncode == 0
    assert "passage/doc-004/11-199" in result.stdout


def test_base_iri_option_renames_identifiers(tmp_path: Path) -> None:
    result = run(
        "--base-iri", "https://example.org/kg", "sparql",
        "SELECT ?x WHERE { ?x paccto:counterpartOf ?y } LIMIT 1", "--format", "csv",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "https://example.org/kg/id/" in result.stdout


def test_invalid_base_iri_is_a_clear_error(tmp_path: Path) -> None:
    result = run("--base-iri", "not-an-iri", "stats", cwd=tmp_path)
    assert result.returncode == 1
    assert "base IRI" in result.stderr and "Traceback" not in result.stderr


def test_the_core_library_does_not_import_front_end_packages() -> None:
    code = (
        "import sys, paccto.graph.load.loading, paccto.graph.sparql.query, "
        "paccto.graph.questions.statistics, "
        "paccto.graph.publish.export; "
        "print(sorted(m for m in ('fastapi', 'typer', 'uvicorn', 'click') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
