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
    data = Path(__file__).resolve().parent.parent / "fixtures" / "loading" / "impossible_day.trig"
    result = run("validate", str(data), cwd=tmp_path)
    assert result.returncode == 1
    assert "2023-02-30" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_file_is_named(tmp_path: Path) -> None:
    result = run("validate", "nowhere.ttl", cwd=tmp_path)
    assert result.returncode == 1
    assert "nowhere.ttl: no such file" in result.stderr


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
        ("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }", "never fetched"),
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
        "import sys, paccto.graph.loading, paccto.graph.sparql, paccto.graph.statistics, "
        "paccto.graph.export; "
        "print(sorted(m for m in ('fastapi', 'typer', 'uvicorn', 'click') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
