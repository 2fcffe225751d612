"""The route for paths: how is one entity connected to another, step by step, with sources.

Its parameters are made from :class:`paccto.graph.questions.paths.PathQuestion`, as the options
of ``paccto path`` are, so a path found on the command line is found here too. Class and
relation names are checked against the graph first, so that a misspelt one is a 422 naming the
parameter rather than a "no path" that only looks like an answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from paccto.api.web.dependencies import KG
from paccto.api.web.models import EntityRefOut, PathsOut
from paccto.api.web.problems import problem_responses
from paccto.api.web.questions import question_dependency
from paccto.graph.questions.paths import PathQuestion

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["paths"])


@router.get(
    "/paths",
    response_model=PathsOut,
    summary="How two entities are connected",
    responses=problem_responses(400, 404, 409, 422),
)
def get_paths(
    kg: KG, question: Annotated[PathQuestion, Depends(question_dependency(PathQuestion))]
) -> PathsOut:
    """The shortest path from `source` to `target` (or `k` alternatives, or `all` shortest),
    following relationships either way. Each step lists every relationship linking its two
    entities, with its direction, dates and the document spans stating it; a path through a
    hub names the hub. 404 `no-path` when nothing connects them under the options; 400 when
    both names are the same entity."""
    start = EntityRefOut.model_validate(kg.index.node(kg.index.resolve(question.source)))
    end = EntityRefOut.model_validate(kg.index.node(kg.index.resolve(question.target)))
    found = question.answer(kg)
    return PathsOut.model_validate(
        {
            "source": start,
            "target": end,
            "as_of": question.as_of,
            "total": len(found),
            "paths": found,
        }
    )
