"""Members of X, what Y belongs to, members by phase, and what A and B share."""

from __future__ import annotations

from datetime import date

import pytest

from paccto.graph.errors import PacctoError
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.membership import (
    common_memberships,
    members_by_phase,
    members_of,
    memberships_of,
)


def test_direct_members_of_the_small_umbrella(small: KnowledgeGraph) -> None:
    # ordered by role, then label: Eta Prisons, Nandu Agency, Theta Prosecutors
    assert [m.member for m in members_of(small, "umbrella")] == ["eta", "alpha", "theta"]


def test_transitive_members_come_through_sub_organisations(small: KnowledgeGraph) -> None:
    found = {m.member: m.via for m in members_of(small, "umbrella", transitive=True)}
    assert found == {"alpha": [], "eta": [], "theta": [], "zeta": ["branch"]}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2016, 1, 1), ["eta", "alpha"]),
        (date(2019, 6, 30), ["eta", "alpha"]),
        (date(2019, 7, 1), ["alpha"]),
        (date(2020, 1, 15), ["alpha", "theta"]),
    ],
)
def test_as_of_keeps_memberships_valid_that_day(
    small: KnowledgeGraph, as_of: date, expected: list[str]
) -> None:
    assert [m.member for m in members_of(small, "umbrella", as_of=as_of)] == expected


def test_memberships_of_include_sub_organisation_links(small: KnowledgeGraph) -> None:
    assert [(m.organisation, m.kind) for m in memberships_of(small, "branch")] == [
        ("umbrella", "sub-organisation")
    ]


def test_the_five_member_states_of_phase_2(kg: KnowledgeGraph) -> None:
    states = members_of(kg, "EL PAcCTO 2.0", role="implementing EU member state")
    assert [m.member for m in states] == ["france", "italy", "netherlands", "portugal", "spain"]
    assert {(m.start, m.end) for m in states} == {("2023-11", "2027-12")}
    assert all(m.documents[0]["document"] == "src:doc-004" for m in states)


def test_phase_2_also_has_its_beneficiary_regions(kg: KnowledgeGraph) -> None:
    regions = members_of(kg, "phase-2", role="beneficiary region")
    assert {m.member for m in regions} == {"lac", "caribbean"}


def test_members_by_phase(kg: KnowledgeGraph) -> None:
    phases = members_by_phase(kg, "EL PAcCTO")
    assert list(phases) == ["phase-1", "phase-2"]
    first = {m.member for m in phases["phase-1"] if m.role == "Beneficiary country"}
    assert len(first) == 18
    assert {m.member for m in phases["phase-1"] if m.role == "Implementing agency"} == {
        "fiiapp",
        "expertise-france",
    }


def test_memberships_of_spain_as_of_dates(kg: KnowledgeGraph) -> None:
    now = {(m.organisation, m.role) for m in memberships_of(kg, "Spain")}
    assert ("phase-2", "Implementing EU member state") in now
    assert ("european-union", "Member state") in now
    before = {m.organisation for m in memberships_of(kg, "Spain", as_of=date(2020, 1, 1))}
    assert "phase-2" not in before


def test_participation_in_events_counts(kg: KnowledgeGraph) -> None:
    kinds = {(m.organisation, m.kind) for m in memberships_of(kg, "FIIAPP")}
    assert ("high-level-meeting-2022", "participation") in kinds
    assert ("phase-1", "membership") in kinds


def test_common_memberships_of_costa_rica_and_panama(kg: KnowledgeGraph) -> None:
    shared = common_memberships(kg, "Costa Rica", "Panama")
    assert [(c.organisation, c.first.role, c.second.role) for c in shared] == [
        ("phase-1", "Beneficiary country", "Beneficiary country")
    ]


def test_common_with_itself_is_refused(kg: KnowledgeGraph) -> None:
    with pytest.raises(PacctoError, match="same entity"):
        common_memberships(kg, "Spain", "España")


def test_a_programme_without_phases_is_a_clear_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(PacctoError, match="has no phases"):
        members_by_phase(kg, "Spain")
