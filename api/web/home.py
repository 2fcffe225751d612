"""Service pages beside the explorer: what each problem type means, and a health check.

The home page itself is the explorer's (:mod:`paccto.api.web.explorer`).
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from paccto.api.web.dependencies import KG, Pool
from paccto.api.web.problems import PROBLEM_TYPES
from paccto.graph.stores.oxigraph_store import newer_version_available

__all__ = ["router"]

router = APIRouter(tags=["service"])

_STYLE = """<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#1b1b1b}code{background:#f2f2f2;padding:0 .2em}
dt{font-weight:600;margin-top:1rem}h1{margin-bottom:.2rem}</style>"""


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

    status: str = Field(
        description='"ok" when every SPARQL worker runs or is starting normally; "degraded" '
        "(answered with 503) when none runs or a worker could not be started."
    )
    quads: int = Field(description="Quads loaded, counting each graph separately.")
    sparql_workers: int = Field(description="General SPARQL worker processes running.")
    sparql_workers_idle: int = Field(description="Of those, how many are free.")
    sparql_quick_workers: int = Field(description="Workers kept for short queries, running.")
    sparql_queries_waiting: int = Field(description="Queries waiting for a worker.")
    sparql_worker_restarts: int = Field(description="Workers replaced after a time-out or crash.")
    sparql_network_isolation: str = Field(
        description='"network namespace" when the workers cannot open network connections; '
        "otherwise why not."
    )
    sparql_query_memory_mb: int = Field(
        description="MiB one query may use in a worker beyond the graph (0: unbounded)."
    )
    store_version: str | None = Field(
        None, description="The on-disk store version being served (oxigraph:PATH stores)."
    )
    newer_store_version: str | None = Field(
        None,
        description="A version loaded since the service started; a restart serves it (the "
        "running service keeps answering from the version it opened).",
    )
    problem: str | None = Field(None, description="Why the service is degraded, if it is.")


@router.get(
    "/health",
    response_model=HealthOut,
    summary="Health check",
    responses={503: {"model": HealthOut, "description": "Degraded: see `problem`."}},
)
def health(kg: KG, pool: Pool, response: Response) -> HealthOut:
    """For load balancers and monitoring: the graph is loaded and workers are running.

    A service whose workers cannot start answers 503, so that a balancer stops sending it
    queries it would refuse.
    """
    status = pool.status()
    problem = status.start_error
    if not status.workers and problem is None:
        problem = "no SPARQL worker is running"
    if problem is not None:
        response.status_code = 503
    return HealthOut(
        status="ok" if problem is None else "degraded",
        quads=len(kg),
        sparql_workers=status.workers,
        sparql_workers_idle=status.idle,
        sparql_quick_workers=status.quick_workers,
        sparql_queries_waiting=status.waiting,
        sparql_worker_restarts=status.restarts,
        sparql_network_isolation=status.network_isolation,
        sparql_query_memory_mb=status.query_memory_bytes // 2**20,
        store_version=kg.store_path.name if kg.store_path is not None else None,
        newer_store_version=newer_version_available(kg),
        problem=problem,
    )
