"""What ``paccto load`` may ask of a store's writer beyond the files to write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paccto.graph.errors import PacctoError

__all__ = ["WriteOptions", "refuse_options"]


@dataclass(frozen=True)
class WriteOptions:
    """Options that only some stores take; each writer refuses by name the ones it has no use
    for, rather than ignore them."""

    #: A SPARQL server's update endpoint, when it is not the query URL.
    update_url: str | None = None
    #: Remove the lock of an earlier load known to be gone before taking it.
    break_lock: bool = False
    #: Told how many quads have been written so far, and of how many.
    progress: Callable[[int, int], None] | None = None


def refuse_options(store: str, options: WriteOptions, *names: str) -> None:
    """Refuse the options among ``names`` that were given, saying which store takes them."""
    for name in names:
        if getattr(options, name):
            raise PacctoError(
                f"{name.replace('_', '-')} is for sparql:URL stores; the {store} store has no "
                "use for it"
            )
