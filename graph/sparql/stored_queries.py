"""The SPARQL queries kept with the project, each with the question it answers.

Every ``.rq`` file under ``queries/`` answers one competency question and opens with it as a
comment (``# CQ1: Which ...?``). Reading the title from the file itself, rather than from a list
kept elsewhere, means a new query shows up in every front end (the explorer's SPARQL examples,
``paccto sparql --file``) as soon as the file is added, under the question it was written for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from paccto.graph.errors import PacctoError
from paccto.graph.load.resources import query_files
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.sparql.query import localise_query

__all__ = ["StoredQuery", "stored_queries", "stored_query"]


@dataclass(frozen=True, slots=True)
class StoredQuery:
    """One stored query: ``name`` is the file's stem (``cq01-phase-1-countries``), ``title``
    its first comment line, ``description`` the comment lines after it, if any."""

    name: str
    title: str
    description: str
    text: str


def _parse(name: str, text: str) -> StoredQuery:
    comments: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        comments.append(stripped.lstrip("#").strip())
    title = comments[0] if comments and comments[0] else name
    return StoredQuery(name=name, title=title, description=" ".join(comments[1:]), text=text)


@cache
def _read_all() -> tuple[StoredQuery, ...]:
    # The packaged files never change while the process runs; read them once.
    return tuple(_parse(path.stem, path.read_text(encoding="utf-8")) for path in query_files())


def stored_queries(kg: KnowledgeGraph | None = None) -> list[StoredQuery]:
    """Every stored query, by file name, pointed at ``kg``'s base IRI when ``kg`` is given.

    The files name entities under the default base so that they run as they are in any SPARQL
    tool; a graph loaded under another base needs them rewritten before they find anything.

    Examples
    --------
    >>> stored_queries()[0].title
    'CQ1: Which Latin American countries did phase 1 of EL PAcCTO cover?'
    """
    queries = list(_read_all())
    if kg is None:
        return queries
    return [
        StoredQuery(q.name, q.title, q.description, localise_query(q.text, kg)) for q in queries
    ]


def stored_query(name: str, kg: KnowledgeGraph | None = None) -> StoredQuery:
    """The stored query called ``name`` (its file stem).

    Raises
    ------
    PacctoError
        No stored query has that name; the message lists those there are.
    """
    for query in stored_queries(kg):
        if query.name == name:
            return query
    known = ", ".join(query.name for query in _read_all())
    raise PacctoError(f"No stored query is called {name!r}. Stored queries: {known}.")
