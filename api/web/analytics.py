"""Routes for whole-graph measures: rankings, communities, cross-Atlantic bridges, statistics.

They call the :mod:`paccto.graph.questions.analytics` and
:mod:`paccto.graph.questions.statistics` functions that
``paccto rank``, ``communities``, ``bridges`` and ``stats`` call, with the same options and
bounds, and return their answers as they are.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from paccto.api.web.dependencies import KG
from paccto.api.web.models import (
    BridgesOut,
    ClassFilter,
    CommunitiesOut,
    RankingOut,
    StatisticsOut,
    invalid_parameter,
)
from paccto.api.web.problems import problem_responses
from paccto.graph.questions.analytics import (
    bridging_entities,
    bridging_links,
    brokers,
    communities,
    rank_entities,
)
from paccto.graph.questions.statistics import graph_statistics

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["analytics"])


@router.get(
    "/rank",
    response_model=RankingOut,
    summary="The most central entities",
    responses=problem_responses(422),
)
def get_ranking(
    kg: KG,
    classes: ClassFilter,
    by: Annotated[
        Literal["degree", "betweenness", "brokerage"],
        Query(
            description="`degree`: distinct partners; `betweenness`: share of shortest paths "
            "through the entity; `brokerage`: betweenness on paths between the EU and the "
            "Latin American and Caribbean sides (not with `class`)."
        ),
    ] = "degree",
    top: Annotated[int, Query(ge=1, le=1000, description="How many to list.")] = 20,
) -> RankingOut:
    """Who is most connected, who lies on most paths, who brokers between the two regions.
    Equal scores share a rank; each entity says which side of the Atlantic it stands on."""
    if by == "brokerage":
        if classes:
            raise invalid_parameter("class", "class does not apply to by=brokerage")
        ranking = brokers(kg.projection, top=top)
    else:
        ranking = rank_entities(kg.projection, by=by, top=top, classes=classes)
    return RankingOut.model_validate({"by": by, "classes": sorted(classes or ()), "items": ranking})


@router.get(
    "/communities",
    response_model=CommunitiesOut,
    summary="Groups of closely linked entities",
    responses=problem_responses(422),
)
def get_communities(
    kg: KG,
    seed: Annotated[
        int,
        Query(
            ge=0,
            le=2**32 - 1,
            description="Seed of the Louvain method: the same seed gives the same answer.",
        ),
    ] = 42,
) -> CommunitiesOut:
    """Groups of entities more linked among themselves than with the rest (Louvain), largest
    first, each named after its best connected member."""
    found = communities(kg.projection, seed=seed)
    return CommunitiesOut.model_validate({"seed": seed, "total": len(found), "communities": found})


@router.get("/bridges", response_model=BridgesOut, summary="Ties across the Atlantic")
def get_bridges(kg: KG) -> BridgesOut:
    """The stated relationships between an EU-side and a Latin American or Caribbean entity,
    and the entities with neighbours on both sides."""
    return BridgesOut.model_validate(
        {"links": bridging_links(kg.projection), "entities": bridging_entities(kg.projection)}
    )


@router.get("/statistics", response_model=StatisticsOut, summary="What the graph holds")
def get_statistics(kg: KG) -> StatisticsOut:
    """Entities per class, relationships per property and facts per source document."""
    return StatisticsOut.model_validate(graph_statistics(kg))
