"""What answers public SPARQL queries, wherever they are evaluated: one interface.

Two services stand behind ``/sparql``, the explorer's SPARQL page and the health check: the
worker processes over a graph held here (``QueryWorkerPool``) and the server of a ``sparql:URL``
store (``RemoteQueryService``). Front ends depend on this protocol, not on either class, so a
third kind of store needs no change in them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from paccto.graph.sparql.query_pool import WorkerPoolStatus
    from paccto.graph.sparql.query_worker import QueryReply

__all__ = ["QueryService"]


class QueryService(Protocol):
    """Evaluates read-only queries within the configured bounds, and says how it is doing."""

    def evaluate(
        self,
        query: str,
        formats: tuple[str, ...],
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        client: str | None = None,
    ) -> QueryReply:
        """The answer in the first of ``formats`` that fits it; raises the library's errors."""
        ...

    def status(self) -> WorkerPoolStatus:
        """Workers (or slots), how many are free, restarts, and why any cannot start."""
        ...

    def close(self) -> None:
        """Stop what the service started."""
        ...
