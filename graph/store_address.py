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

__all__ = ["STORE_ADDRESSES", "STORE_FORMS", "StoreSpec", "parse_store"]

#: What follows each kind's name in its address: nothing, a folder, or an http(s) URL.
STORE_ADDRESSES: dict[str, str | None] = {"memory": None, "oxigraph": "PATH", "sparql": "URL"}
_MEANING = {"PATH": "a folder", "URL": "an http(s) SPARQL endpoint"}

_FORMS = [
    kind if place is None else f"{kind}:{place} ({_MEANING[place]})"
    for kind, place in STORE_ADDRESSES.items()
]
STORE_FORMS = ", ".join(_FORMS[:-1]) + " or " + _FORMS[-1]


@dataclass(frozen=True)
class StoreSpec:
    """A parsed store setting. ``location`` is the folder or the endpoint URL."""

    kind: str
    location: str | None = None

    @property
    def path(self) -> Path:
        if STORE_ADDRESSES.get(self.kind) != "PATH" or self.location is None:
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
    kind, _, location = value.partition(":")
    if kind not in STORE_ADDRESSES or bool(location) != (STORE_ADDRESSES[kind] is not None):
        raise PacctoError(f"store {text!r} is not one of: {STORE_FORMS}")
    if STORE_ADDRESSES[kind] == "PATH":
        return StoreSpec(kind, str(Path(location).expanduser()))
    if STORE_ADDRESSES[kind] == "URL":
        parts = urlsplit(location)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PacctoError(f"store {text!r}: the SPARQL endpoint must be an http(s) URL")
    return StoreSpec(kind, location or None)
