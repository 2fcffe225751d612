"""Tests for paccto.graph.load.validation: the shapes evaluated natively answer as pySHACL does.

``shape:TypedEntity`` and ``shape:EnglishLabel`` are evaluated by set arithmetic for speed, the
rest of ``ontology/shapes.ttl`` by pySHACL. ``native=False`` hands every shape to pySHACL, which is
the reference: on the seeds, on each loading fixture and on a synthetic graph, both must report the
same violations.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from paccto.graph.errors import Violation
from paccto.graph.load.loading import build_dataset
from paccto.graph.load.resources import ontology_file, seed_files
from paccto.graph.load.validation import PROVENANCE_RULE, provenance_violations, shacl_violations
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.settings import DEFAULT_BASE_IRI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loading"
SYNTHETIC = Path(__file__).resolve().parents[3] / "benchmarks" / "synthetic.py"
#: Fixtures refused before validation (a syntax error, a write into the ontology's graph).
UNBUILDABLE = {"syntax_error.trig", "fact_in_ontology_graph.trig"}
IDS = Identifiers(DEFAULT_BASE_IRI)
UNDECLARED = "is used in a fact but never declared: no rdf:type (a misspelt identifier?)"


def _both_ways(files: list[Path]) -> tuple[list[Violation], list[Violation]]:
    dataset = build_dataset(files, IDS, ontology=ontology_file())
    return shacl_violations(dataset, IDS), shacl_violations(dataset, IDS, native=False)


def _key(violation: Violation) -> tuple[str, str, str, str, str, str]:
    # The shape too: problems are counted by shape, so both ways must name the same one.
    return (
        violation.focus,
        violation.path or "",
        violation.message,
        violation.value or "",
        violation.severity,
        violation.shape or "",
    )


@pytest.mark.parametrize(
    "fixture",
    [None, *sorted(p.name for p in FIXTURES.iterdir() if p.name not in UNBUILDABLE)],
    ids=lambda name: name or "seeds only",
)
def test_the_native_shapes_report_what_pyshacl_reports(fixture: str | None) -> None:
    files = [*seed_files(), *([FIXTURES / fixture] if fixture else [])]
    native, reference = _both_ways(files)
    assert sorted(map(_key, native)) == sorted(map(_key, reference))


def test_they_agree_on_a_synthetic_graph(tmp_path: Path) -> None:
    generated = tmp_path / "syn.trig"
    subprocess.run(
        [sys.executable, str(SYNTHETIC), "--triples", "3000", "--seed", "3", "-o", str(generated)],
        check=True,
        capture_output=True,
    )
    # Break it the ways the native shapes look for, in a graph of thousands of entities.
    with generated.open("a", encoding="utf-8") as out:
        out.write(
            "<graph/entities> {\n"
            "  id:spanish-only a paccto:Agency ; rdfs:label 'Sólo en español'@es .\n"
            "  id:misspelt-subject skos:altLabel 'untyped' .\n"
            "}\n"
        )
    native, reference = _both_ways([generated])
    assert sorted(map(_key, native)) == sorted(map(_key, reference))
    assert {v.focus for v in native} == {"id:spanish-only", "id:misspelt-subject"}


def test_the_edges_of_the_native_shapes() -> None:
    native, _ = _both_ways([*seed_files(), FIXTURES / "labels_and_declarations.trig"])
    english = "has no English (@en) label"
    undeclared = "is used in a fact but never declared: no rdf:type (a misspelt identifier?)"
    assert {(v.focus, v.path, v.message) for v in native} == {
        ("id:spanish-only-agency", "rdfs:label", english),
        ("id:iri-label-agency", "rdfs:label", english),
        ("id:iri-label-agency", "rdfs:label", "has no rdfs:label"),
        ("id:plain-label-agency", "rdfs:label", english),
        ("id:undeclared-subject", "rdf:type", undeclared),
        ("id:undeclared-partner", "rdf:type", undeclared),
    }


def test_each_problem_names_the_shape_it_is_counted_under() -> None:
    # pySHACL reports a blank property shape; the count needs the named shape holding it.
    native, _ = _both_ways([*seed_files(), FIXTURES / "labels_and_declarations.trig"])

    assert {(v.path, v.message, v.shape) for v in native} == {
        ("rdfs:label", "has no English (@en) label", "shape:EnglishLabel"),
        ("rdfs:label", "has no rdfs:label", "shape:LabelledEntity"),
        ("rdf:type", UNDECLARED, "shape:TypedEntity"),
    }


def test_every_fact_without_provenance_is_reported_under_the_provenance_rule(
    tmp_path: Path,
) -> None:
    # Not five and a summary line: the counts by rule and property must be the real ones.
    facts = tmp_path / "default_graph.ttl"
    facts.write_text(
        "@prefix id: <id/> .\n@prefix paccto: <https://w3id.org/paccto-graph/ontology#> .\n"
        + "".join(f"id:clasi paccto:cooperatesWith id:partner-{n} .\n" for n in range(40))
    )
    dataset = build_dataset([facts], IDS, ontology=ontology_file())

    violations = provenance_violations(dataset, IDS)

    assert len(violations) == 40
    assert {(v.focus, v.path, v.shape) for v in violations} == {
        ("id:clasi", "paccto:cooperatesWith", PROVENANCE_RULE)
    }
