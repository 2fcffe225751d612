"""Routes for the register of source documents, so every citation can be followed up.

Facts cite ``src:doc-003`` and a character span; these routes say what that document is (title,
publisher, date, file name, SHA-256 digest) and list its registered passages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from paccto.api.web.dependencies import KG
from paccto.api.web.models import SourceOut, SourcesOut
from paccto.api.web.problems import ProblemError, problem_responses
from paccto.graph.errors import UnknownSourceError
from paccto.graph.questions.sources import source_document, source_documents

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["sources"])


@router.get("/sources", response_model=SourcesOut, summary="Every registered source document")
def list_sources(kg: KG) -> SourcesOut:
    """Each registered source document with its metadata, how many distinct facts its passages
    state, and how many passages it has."""
    documents = source_documents(kg)
    return SourcesOut.model_validate({"total": len(documents), "items": documents})


@router.get(
    "/sources/{id}",
    response_model=SourceOut,
    summary="One source document and its passages",
    responses=problem_responses(404, 422),
)
def get_source(
    kg: KG,
    id: Annotated[
        str,
        Path(
            description="The document: its identifier (`doc-003`) or the compact form "
            "citations give (`src:doc-003`), in any case."
        ),
    ],
) -> SourceOut:
    """A registered source document with its passages in text order: each passage's IRI (the
    name of the graph holding its facts), span and number of facts."""
    try:
        return SourceOut.model_validate(source_document(kg, id))
    except UnknownSourceError as error:
        # Not an entity: "not found", with the closest identifiers as for an unknown entity.
        raise ProblemError(404, "not-found", str(error), suggestions=error.suggestions) from None
