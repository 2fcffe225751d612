"""Each competency question is answered by a query kept in queries/, with the exact answer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from paccto.graph.load.resources import query_files
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.sparql.query import run_query

QUERIES = {path.stem: path for path in query_files()}


def _ids(kg: KnowledgeGraph, name: str, column: str) -> list[str]:
    result = run_query(kg, QUERIES[name].read_text(encoding="utf-8"))
    return [
        kg.ids.local_id(str(record[column])) or str(record[column]) for record in result.records()
    ]


def test_every_question_has_a_query() -> None:
    assert {name[:4] for name in QUERIES if name.startswith("cq")} == {
        f"cq{n:02d}" for n in range(1, 11)
    }


def test_cq01_phase_1_covered_eighteen_latin_american_countries(kg: KnowledgeGraph) -> None:
    result = run_query(kg, QUERIES["cq01-phase-1-countries"].read_text())
    names = [str(record["name"]) for record in result.records()]
    assert names == [
        "Argentina", "Bolivia", "Brazil", "Chile", "Colombia", "Costa Rica", "Cuba", "Ecuador",
        "El Salvador", "Guatemala", "Honduras", "Mexico", "Nicaragua", "Panama", "Paraguay",
        "Peru", "Uruguay", "Venezuela",
    ]  # fmt: skip


def test_cq02_implementers_and_partners_of_phase_1(kg: KnowledgeGraph) -> None:
    result = run_query(kg, QUERIES["cq02-phase-1-implementers"].read_text())
    answer = {
        (kg.ids.local_id(str(r["agency"])), str(r["role"]), str(r["country"]))
        for r in result.records()
    }
    assert answer == {
        ("fiiapp", "Implementing agency", "Spain"),
        ("expertise-france", "Implementing agency", "France"),
        ("iila", "European partner", "Italy"),
        ("instituto-camoes", "European partner", "Portugal"),
    }


def test_cq03_five_member_states_carry_out_phase_2(kg: KnowledgeGraph) -> None:
    assert _ids(kg, "cq03-phase-2-member-states", "state") == [
        "france", "italy", "netherlands", "portugal", "spain",
    ]  # fmt: skip


def test_cq04_phase_dates_and_budgets(kg: KnowledgeGraph) -> None:
    result = run_query(kg, QUERIES["cq04-phase-dates-budgets"].read_text())
    answer = {
        kg.ids.local_id(str(r["phase"])): (
            str(r["start"]),
            str(r["end"]),
            r["budgetEUR"].toPython(),
        )
        for r in result.records()
    }
    assert answer == {
        "phase-1": ("2017-04-15", "2022", Decimal("19000000")),
        "phase-2": ("2023-11", "2027-12", Decimal("58800000")),
    }


def test_cq05_networks_phase_2_consolidates(kg: KnowledgeGraph) -> None:
    assert set(_ids(kg, "cq05-phase-2-networks", "network")) == {
        "cibela", "jaguar-network", "elipsia", "uella", "lynx", "arco",
        "anti-narcotics-working-group", "aiamp-networks",
    }  # fmt: skip


def test_cq06_clasi_counterparts(kg: KnowledgeGraph) -> None:
    assert set(_ids(kg, "cq06-clasi-counterparts", "counterpart")) == {"jha-council", "cosi"}


def test_cq07_paso_canoas_links_costa_rica_and_panama(kg: KnowledgeGraph) -> None:
    assert _ids(kg, "cq07-costa-rica-panama", "link") == ["paso-canoas-centre"]


def test_cq08_phase_2_criminal_markets(kg: KnowledgeGraph) -> None:
    assert set(_ids(kg, "cq08-phase-2-crime-areas", "area")) == {
        "drug-trafficking", "firearms-trafficking", "human-trafficking",
        "cultural-goods-trafficking", "cybercrime", "environmental-crime",
    }  # fmt: skip


def test_cq09_quoted_people_with_post_and_institution(kg: KnowledgeGraph) -> None:
    result = run_query(kg, QUERIES["cq09-quoted-people"].read_text())
    answer = {
        kg.ids.local_id(str(r["person"])): (
            None if r["post"] is None else str(r["post"]),
            str(r["institution"]),
        )
        for r in result.records()
    }
    ministry_of = "Ministry of {} of Argentina".format
    assert answer == {
        "anibal-fernandez": ("Minister of Security of Argentina", ministry_of("Security")),
        "maria-laura-garrigos": (
            "Undersecretary for Penitentiary Affairs (Argentina)",
            ministry_of("Justice and Human Rights"),
        ),
        "pablo-tettamanti": ("Vice Chancellor of Argentina", ministry_of("Foreign Affairs")),
        "jorge-de-la-caballeria": (None, "Directorate-General for International Partnerships"),
        "josep-borrell": (
            "High Representative of the Union for Foreign Affairs and Security Policy",
            "European Union",
        ),
        "jutta-urpilainen": (
            "European Commissioner for International Partnerships",
            "European Commission",
        ),
        "pilar-cancela": (
            "Secretary of State for International Cooperation (Spain)",
            "Ministry of Foreign Affairs, European Union and Cooperation",
        ),
        "xavier-cousquer": ("Co-director of EL PAcCTO", "EL PAcCTO"),
    }


def test_cq10_what_phase_1_helped_create_and_when(kg: KnowledgeGraph) -> None:
    result = run_query(kg, QUERIES["cq10-phase-1-creations"].read_text())
    answer = {
        kg.ids.local_id(str(r["outcome"])): None if r["founded"] is None else str(r["founded"])
        for r in result.records()
    }
    assert answer == {
        "clasi": "2022",
        "prison-academies-network": "2021",
        "covid-channel": "2020-04",
        "joint-investigation-teams": None,
        "bi-regional-networks": None,
        "paso-canoas-centre": None,
        "multidisciplinary-teams": None,
        "technical-committees": None,
        "justice-policy-cycle": None,
        "security-policy-cycle": None,
    }


def test_provenance_which_documents_say_spain_takes_part_in_phase_2(kg: KnowledgeGraph) -> None:
    result = run_query(kg, QUERIES["provenance-spain-phase-2"].read_text())
    answer = [(str(r["file"]), int(r["start"]), int(r["end"])) for r in result.records()]
    assert answer == [("004_4b98458d8fa5f663.txt", 11, 199)]


def test_spain_phase_2_span_names_spain(kg: KnowledgeGraph, source_documents: Path) -> None:
    text = (source_documents / "004_4b98458d8fa5f663.txt").read_text(encoding="utf-8")
    assert "Spain" in text[11:199] and "second phase" in text[11:199]


@pytest.mark.parametrize("base", ["https://example.org/kg/", "http://localhost:8000/"])
def test_stored_queries_follow_a_configured_base_iri(base: str) -> None:
    from paccto.graph.load.loading import load_knowledge_graph
    from paccto.graph.settings import get_settings

    other = load_knowledge_graph(get_settings(base_iri=base))
    result = run_query(other, QUERIES["cq06-clasi-counterparts"].read_text())
    assert {str(r["counterpart"]) for r in result.records()} == {
        f"{base}id/jha-council",
        f"{base}id/cosi",
    }
