"""Where the graph lives, named by one setting: ``memory``, ``oxigraph:PATH`` or ``sparql:URL``.

One short string works the same as a command-line flag, an environment variable and a line in a
deployment file, and says everything needed to reach the data. Reading it here, once, means a
typo is reported before anything is loaded, with the forms that are accepted. It sits below the
settings, which check the address when they are read, and below every store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from paccto.graph.errors import PacctoError

__all__ = ["STORE_FORMS", "StoreSpec", "parse_store"]

STORE_FORMS = "memory, oxigraph:PATH (a folder) or sparql:URL (an http(s) SPARQL endpoint)"


@dataclass(frozen=True)
class StoreSpec:
    """A parsed store setting. ``location`` is the folder or the endpoint URL."""

    kind: str
    location: str | None = None

    @property
    def path(self) -> Path:
        if self.kind != "oxigraph" or self.location is None:
            raise PacctoError(f"the {self.kind} store has no folder")
        return Path(self.location)

    def __str__(self) -> str:
        return self.kind if self.location is None else f"{self.kind}:{self.location}"


def parse_store(text: str) -> StoreSpec:
    """Read a store setting.

    Raises
    ------
    PacctoError
        The text is none of the accepted forms; the message lists them.
    """
    value = text.strip()
    if value == "memory":
        return StoreSpec("memory")
    kind, _, location = value.partition(":")
    if kind == "oxigraph" and location:
        return StoreSpec("oxigraph", str(Path(location).expanduser()))
    if kind == "sparql" and location:
        parts = urlsplit(location)
        if parts.scheme in ("http", "https") and parts.netloc:
            return StoreSpec("sparql", location)
        raise PacctoError(f"store {text!r}: the SPARQL endpoint must be an http(s) URL")
    raise PacctoError(f"store {text!r} is not one of: {STORE_FORMS}")
