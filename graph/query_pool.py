"""Placeholder: SPARQL worker pool (being written)."""

from __future__ import annotations

from typing import Any


class QueryWorkerPool:
    @classmethod
    def for_graph(cls, kg: Any, settings: Any) -> QueryWorkerPool:
        return cls()

    def close(self) -> None:
        pass
