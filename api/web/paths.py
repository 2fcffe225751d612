"""The route for paths: how is one entity connected to another, step by step, with sources.

It offers every option of ``paccto path``, with the same bounds and the same library calls, so
a path found on the command line is found here too. Class and relation names are checked
against the graph first, so that a misspelt one is a 422 naming the parameter rather than a
"no path" that only looks like an answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from paccto.api.web.dependencies import KG
from paccto.api.web.models import (
    AsOf,
    EntityRefOut,
    NameList,
    PathsOut,
    checked_classes,
    checked_relations,
)
from paccto.api.web.problems import ProblemError, problem_responses
from paccto.graph.questions.paths import (
    MAX_LENGTH,
    MAX_PATHS,
    PathOptions,
    all_shortest_paths,
    k_shortest_paths,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["paths"])

_NAME = "an identifier, label (any language) or acronym"


@router.get(
    "/paths",
    response_model=PathsOut,
    summary="How two entities are connected",
    responses=problem_responses(400, 404, 409, 422),
)
def get_paths(
    kg: KG,
    source: Annotated[str, Query(min_length=1, description=f"Where the path starts: {_NAME}.")],
    target: Annotated[str, Query(min_length=1, description=f"Where it ends: {_NAME}.")],
    k: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_PATHS,
            description=f"Up to k alternative simple paths, shortest first (1 to {MAX_PATHS}); "
            "not with `all`.",
        ),
    ] = None,
    all_shortest: Annotated[
        bool,
        Query(
            alias="all",
            description=f"Every path of the shortest length (at most {MAX_PATHS}); not with `k`.",
        ),
    ] = False,
    relations: Annotated[
        NameList,
        Query(
            alias="relation",
            description="Use only this relation (repeatable): a key, predicate name or label.",
        ),
    ] = None,
    avoid_relations: Annotated[
        NameList,
        Query(alias="avoid_relation", description="Never use this relation (repeatable)."),
    ] = None,
    avoid: Annotated[
        NameList,
        Query(description="Entity to route around (repeatable; 404 if unknown)."),
    ] = None,
    avoid_classes: Annotated[
        NameList,
        Query(
            alias="avoid_class",
            description="Route around entities of this class (repeatable): a label or compact "
            "name.",
        ),
    ] = None,
    avoid_hubs: Annotated[
        bool,
        Query(description="Route around hubs (the programme, its phases, the EU, the regions)."),
    ] = False,
    max_length: Annotated[
        int | None,
        Query(ge=1, le=MAX_LENGTH, description=f"At most this many steps (1 to {MAX_LENGTH})."),
    ] = None,
    as_of: AsOf = None,
) -> PathsOut:
    """The shortest path from `source` to `target` (or `k` alternatives, or `all` shortest),
    following relationships either way. Each step lists every relationship linking its two
    entities, with its direction, dates and the document spans stating it; a path through a
    hub names the hub. 404 `no-path` when nothing connects them under the options; 400 when
    both names are the same entity."""
    if k is not None and all_shortest:
        message = "use either k or all, not both"
        raise ProblemError(
            422,
            "invalid-parameters",
            f"query.k, query.all: {message}",
            errors=[
                {"location": "query.k", "message": message},
                {"location": "query.all", "message": message},
            ],
        )
    options = PathOptions.of(
        relations=checked_relations(kg, "relation", relations),
        avoid_relations=checked_relations(kg, "avoid_relation", avoid_relations),
        avoid=avoid or (),
        avoid_classes=checked_classes(kg, "avoid_class", avoid_classes) or (),
        avoid_hubs=avoid_hubs,
        as_of=as_of,
        max_length=max_length,
    )
    start = EntityRefOut.model_validate(kg.index.node(kg.index.resolve(source)))
    end = EntityRefOut.model_validate(kg.index.node(kg.index.resolve(target)))
    if k is not None:
        found = k_shortest_paths(kg, source, target, k, options)
    else:
        limit = MAX_PATHS if all_shortest else 1
        found = all_shortest_paths(kg, source, target, options, limit=limit)
    return PathsOut.model_validate(
        {"source": start, "target": end, "as_of": as_of, "total": len(found), "paths": found}
    )
