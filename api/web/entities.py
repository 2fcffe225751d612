"""Routes for entities and their memberships: list and search, describe, neighbours, members.

Each handler resolves names and calls one :mod:`paccto.graph` function, the same one the
matching ``paccto`` command calls, and validates its answer into a response model. Names are
resolved by the one resolver every front end shares, so ``CLASI``, ``clasi``, ``id:clasi`` and
``Comité Latinoamericano de Seguridad Interior`` reach the same entity here as on the command
line.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from paccto.api.web.dependencies import KG
from paccto.api.web.models import (
    AsOf,
    ClassFilter,
    CommonOut,
    EntityListOut,
    EntityOut,
    EntityRefOut,
    MembershipsOut,
    MembersOut,
    NeighbourhoodOut,
    PhaseMembersOut,
)
from paccto.api.web.problems import problem_responses
from paccto.api.web.questions import question_dependency
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.questions.description import describe_entity
from paccto.graph.questions.membership import (
    MembersQuestion,
    common_memberships,
    memberships_of,
)
from paccto.graph.questions.neighbourhood import NeighbourhoodQuestion

__all__ = ["router"]

router = APIRouter(prefix="/api")

_NAMES = (
    "an identifier (`clasi`, `id:clasi`), a label in any language (`Comité Latinoamericano de "
    "Seguridad Interior`) or an acronym (`CLASI`); case, accents and punctuation are ignored"
)

EntityName = Annotated[str, Path(description=f"The entity: {_NAMES}.")]


def _entity(kg: KnowledgeGraph, name: str) -> EntityRefOut:
    """The entity ``name`` resolves to, so that an answer says whom it is about."""
    return EntityRefOut.model_validate(kg.index.node(kg.index.resolve(name)))


@router.get(
    "/entities",
    response_model=EntityListOut,
    tags=["entities"],
    summary="List or search entities",
    responses=problem_responses(422),
)
def list_entities(
    kg: KG,
    classes: ClassFilter,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Words to look for in names, aliases and acronyms, in any language; "
            "without it, every entity is listed by label.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="How many items to return.")] = 20,
    offset: Annotated[int, Query(ge=0, description="How many items to skip (paging).")] = 0,
) -> EntityListOut:
    """Entities whose names match `q`, best first, each with the name that matched and its
    score; without `q`, every entity by label. Either way `total` counts all matches, so a
    client can page with `limit` and `offset`."""
    if q is None:
        found: list[Any] = kg.index.entities(classes)
    else:
        everything = kg.catalogue.graph.number_of_nodes()
        found = kg.index.search(q, limit=everything, classes=set(classes) if classes else None)
    return EntityListOut.model_validate(
        {
            "query": q,
            "classes": sorted(classes or ()),
            "total": len(found),
            "limit": limit,
            "offset": offset,
            "items": found[offset : offset + limit],
        }
    )


@router.get(
    "/entities/{name}",
    response_model=EntityOut,
    tags=["entities"],
    summary="Describe one entity",
    responses=problem_responses(404, 409, 422),
)
def get_entity(kg: KG, name: EntityName) -> EntityOut:
    """Everything the graph says about one entity: names, class, description, figures, and
    each relationship in either direction with its dates and the document spans stating it."""
    return EntityOut.model_validate(describe_entity(kg, name))


@router.get(
    "/entities/{name}/neighbours",
    response_model=NeighbourhoodOut,
    tags=["entities"],
    summary="The ego network of one entity",
    responses=problem_responses(404, 409, 422),
)
def get_neighbours(
    kg: KG,
    question: Annotated[NeighbourhoodQuestion, Depends(question_dependency(NeighbourhoodQuestion))],
) -> NeighbourhoodOut:
    """Entities within `depth` steps of the entity, either way along relationships, and the
    stated relationships among them. `class` only filters what is shown (distances still run
    through every entity); `relation` and `as_of` limit what may be walked."""
    found = question.answer(kg)
    return NeighbourhoodOut.model_validate(found)


@router.get(
    "/entities/{name}/members",
    response_model=MembersOut,
    tags=["memberships"],
    summary="Members of an organisation",
    responses=problem_responses(400, 404, 409, 422),
)
def get_members(
    kg: KG,
    question: Annotated[MembersQuestion, Depends(question_dependency(MembersQuestion))],
) -> MembersOut:
    """Who belongs to a network, body, bloc, programme or phase, in which role and since when,
    with the documents stating each membership."""
    organisation = _entity(kg, question.organisation)
    phases = None
    if question.by_phase:
        by_phase_records = question.answer_by_phase(kg)
        phases = [
            PhaseMembersOut.model_validate({"phase": phase, "members": records})
            for phase, records in by_phase_records.items()
        ]
        records = [record for group in by_phase_records.values() for record in group]
    else:
        records = question.answer(kg)
    return MembersOut.model_validate(
        {
            "organisation": organisation,
            "transitive": question.transitive,
            "role": question.role,
            "as_of": question.as_of,
            "total": len(records),
            "members": records,
            "phases": phases,
        }
    )


@router.get(
    "/entities/{name}/memberships",
    response_model=MembershipsOut,
    tags=["memberships"],
    summary="What an entity belongs to",
    responses=problem_responses(404, 409, 422),
)
def get_memberships(kg: KG, name: EntityName, as_of: AsOf = None) -> MembershipsOut:
    """What a country, institution or person belongs to, is a sub-organisation of, or took
    part in (events count from their date on)."""
    member = _entity(kg, name)
    records = memberships_of(kg, name, as_of=as_of)
    return MembershipsOut.model_validate(
        {"member": member, "as_of": as_of, "total": len(records), "memberships": records}
    )


@router.get(
    "/common",
    response_model=CommonOut,
    tags=["memberships"],
    summary="What two entities share",
    responses=problem_responses(400, 404, 409, 422),
)
def get_common(
    kg: KG,
    first: Annotated[str, Query(min_length=1, description=f"One entity: {_NAMES}.")],
    second: Annotated[str, Query(min_length=1, description="The other entity (400 if the same).")],
    as_of: AsOf = None,
) -> CommonOut:
    """Organisations, phases, networks and events that both entities belong to or took part
    in, with each one's membership."""
    first_entity, second_entity = _entity(kg, first), _entity(kg, second)
    shared = common_memberships(kg, first, second, as_of=as_of)
    return CommonOut.model_validate(
        {
            "first": first_entity,
            "second": second_entity,
            "as_of": as_of,
            "total": len(shared),
            "items": shared,
        }
    )
