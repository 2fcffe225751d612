"""The front door: the home page, the explanation of every problem type, and a health check."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from paccto.api.dependencies import KG, Pool
from paccto.api.problems import PROBLEM_TYPES

__all__ = ["router"]

router = APIRouter(tags=["service"])

_STYLE = """<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#1b1b1b}code{background:#f2f2f2;padding:0 .2em}
dt{font-weight:600;margin-top:1rem}h1{margin-bottom:.2rem}</style>"""


@router.get("/", response_class=HTMLResponse, summary="Home page", include_in_schema=True)
def home(kg: KG) -> HTMLResponse:
    """What the service is, with links to the API documentation, SPARQL and the data."""
    entities = kg.projection.graph.number_of_nodes()
    relationships = kg.projection.graph.number_of_edges()
    examples = [
        ("/api/entities?q=clasi", "search for an entity by name"),
        ("/api/entities/clasi", "one entity with its facts and their sources"),
        ("/api/paths?source=spain&target=ameripol", "how two actors are connected"),
        ("/api/entities/clasi/members", "the members of a network"),
        ("/id/clasi", "an entity's linked-data page (also Turtle and JSON-LD)"),
        ("/sparql", "the SPARQL 1.1 endpoint and its service description"),
        ("/export?format=trig", "the whole graph with one named graph per cited passage"),
    ]
    items = "\n".join(
        f'<li><a href="{escape(href)}"><code>{escape(href)}</code></a>: {escape(text)}</li>'
        for href, text in examples
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PAcCTO Graph</title>{_STYLE}</head>
<body><h1>PAcCTO Graph</h1>
<p>A knowledge graph of who cooperates with whom against transnational organised crime between
Europe, Latin America and the Caribbean, around the EU programme EL PAcCTO (phase 1 2017-2022,
phase 2 2023-2027). Every relationship cites the source document and the character span that
states it.</p>
<p>{entities} entities and {relationships} relationships, {len(kg):,} quads in all.</p>
<h2>Use it</h2>
<ul>
<li><a href="/docs">API documentation</a> (interactive) and the
<a href="/openapi.json">OpenAPI document</a></li>
<li><a href="/sparql">SPARQL endpoint</a>: read-only SPARQL 1.1 for any client
(SPARQLWrapper, curl, YASGUI)</li>
<li><a href="/problems">Error types</a>: what each problem document means</li>
</ul>
<h2>Try</h2><ul>{items}</ul>
</body></html>"""
    return HTMLResponse(page)


@router.get("/problems", response_class=HTMLResponse, summary="The kinds of problem reported")
def problems() -> HTMLResponse:
    """The page every problem document's ``type`` points into (``/problems#unknown-entity``)."""
    entries = "\n".join(
        f'<dt id="{escape(slug)}">{escape(title)} <code>{escape(slug)}</code></dt>'
        f"<dd>{escape(text)}</dd>"
        for slug, (title, text) in PROBLEM_TYPES.items()
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PAcCTO Graph: problem types</title>
{_STYLE}</head><body><h1>Problem types</h1>
<p>Errors are answered as RFC 9457 problem documents (<code>application/problem+json</code>)
whose <code>type</code> points to one of these entries.</p><dl>{entries}</dl>
<p><a href="/">Home</a></p></body></html>"""
    return HTMLResponse(page)


class HealthOut(BaseModel):
    """Whether the service can answer, and how much it holds."""

    status: str = Field(description='"ok" when at least one SPARQL worker is running.')
    quads: int = Field(description="Quads loaded, counting each graph separately.")
    sparql_workers: int = Field(description="SPARQL worker processes running.")
    sparql_workers_idle: int = Field(description="Of those, how many are free.")
    sparql_worker_restarts: int = Field(description="Workers replaced after a time-out or crash.")


@router.get("/health", response_model=HealthOut, summary="Health check")
def health(kg: KG, pool: Pool) -> HealthOut:
    """For load balancers and monitoring: the graph is loaded and workers are running."""
    status = pool.status()
    return HealthOut(
        status="ok" if status.workers else "degraded",
        quads=len(kg),
        sparql_workers=status.workers,
        sparql_workers_idle=status.idle,
        sparql_worker_restarts=status.restarts,
    )
