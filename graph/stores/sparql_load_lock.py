"""One ``paccto load`` at a time on a SPARQL server, by a lock kept on the server itself.

Why: a load begins by removing the staging graphs that killed loads left behind. A second load
started while a first one stages would remove the first one's staging graphs too, and a first
load already past its count check would then switch to an empty graph. The lock is one quad in
a graph of its own, outside every base IRI, so no reader of a store sees it. It is taken by a
conditional insert (written only if no quad is there), and it names its holder: a token, the
host, the process id and when it was taken.

A load that dies without releasing it (killed, or its machine lost) leaves the lock behind. A
lock whose holder ran on this host and whose process is gone is taken over; one from another
host is removed only when asked (``paccto load --break-lock``). Two loads that send their
conditional inserts at the very same moment can both be told they hold it, on a server that
does not isolate the two requests; the guard is for the common case, a load started while
another one runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from paccto.graph.errors import StoreWriteError
from paccto.graph.stores.sparql_client import SparqlClient
from paccto.graph.stores.store_lease import process_is_gone

__all__ = ["LOCK_GRAPH", "LockHolder", "release_load_lock", "take_load_lock"]

LOCK_GRAPH = "urn:x-paccto-load-lock"
_SUBJECT = f"<{LOCK_GRAPH}>"
_HELD_BY = "<urn:x-paccto:heldBy>"


@dataclass(frozen=True)
class LockHolder:
    """Who holds the lock: enough to tell a live holder from a dead one, and to name it."""

    token: str
    host: str
    pid: int
    since: str

    @classmethod
    def for_this_process(cls) -> LockHolder:
        return cls(
            token=uuid.uuid4().hex,
            host=socket.gethostname(),
            pid=os.getpid(),
            since=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    @property
    def literal(self) -> str:
        """The holder as the SPARQL literal the lock quad carries."""
        return str(ox.Literal(json.dumps(asdict(self), sort_keys=True)))

    def is_gone(self) -> bool:
        """Whether the holder is known to be dead: it ran here and its process is no more."""
        return process_is_gone(self.host, self.pid)

    def __str__(self) -> str:
        return f"process {self.pid} on {self.host}, since {self.since}"


def _holders(client: SparqlClient) -> list[tuple[str, LockHolder | None]]:
    """Each lock quad's literal, with its holder (None for a literal that is not ours)."""
    rows = client.select(f"SELECT ?h WHERE {{ GRAPH {_SUBJECT} {{ {_SUBJECT} {_HELD_BY} ?h }} }}")
    found: list[tuple[str, LockHolder | None]] = []
    for (value,) in rows:
        if value is None:
            continue
        try:
            holder: LockHolder | None = LockHolder(**json.loads(str(value)))
        except (ValueError, TypeError):
            holder = None
        found.append((str(ox.Literal(str(value))), holder))
    return found


def _remove(client: SparqlClient, literal: str) -> None:
    client.update(f"DELETE DATA {{ GRAPH {_SUBJECT} {{ {_SUBJECT} {_HELD_BY} {literal} }} }}")


def take_load_lock(client: SparqlClient, *, break_lock: bool = False) -> LockHolder:
    """Take the server's load lock for this process; ``break_lock`` removes any holder first.

    Raises
    ------
    StoreWriteError
        Another load holds the lock and may still be running; the message names it and says
        how to remove a lock whose load is known to be gone.
    QueryError, StoreUnavailableError
        The server refused the update (this is a load's first one: no rights, wrong URL).
    """
    mine = LockHolder.for_this_process()
    if break_lock:
        every = f"GRAPH {_SUBJECT} {{ ?s ?p ?o }}"
        client.update(f"DELETE {{ {every} }} WHERE {{ {every} }}")
    # A lock already held is seen before anything is written: the conditional insert below is
    # not enough on its own, as Virtuoso 7.2 was seen to insert despite its FILTER NOT EXISTS,
    # and the tie-break after it is only for loads that really started at the same moment.
    for literal, holder in _holders(client):
        _refuse_unless_gone(client, literal, holder)
    client.update(
        f"INSERT {{ GRAPH {_SUBJECT} {{ {_SUBJECT} {_HELD_BY} {mine.literal} }} }} "
        f"WHERE {{ FILTER NOT EXISTS {{ GRAPH {_SUBJECT} {{ {_SUBJECT} {_HELD_BY} ?anyone }} }} }}"
    )
    holders = _holders(client)
    if any(holder == mine for _literal, holder in holders):
        if len(holders) == 1:
            return mine
        # Taken at the same moment as another load: the earlier, then the smaller literal
        # wins, on both sides.
        winner = min(holders, key=lambda found: (found[1].since if found[1] else "", found[0]))[0]
        if winner == mine.literal:
            return mine
        _remove(client, mine.literal)
        holders = [(literal, holder) for literal, holder in holders if literal == winner]
    literal, holder = holders[0]
    _refuse_unless_gone(client, literal, holder)
    return take_load_lock(client)


def _refuse_unless_gone(client: SparqlClient, literal: str, holder: LockHolder | None) -> None:
    """Remove the lock of a holder known to be dead; refuse to go on past any other."""
    if holder is not None and holder.is_gone():
        _remove(client, literal)
        return
    raise StoreWriteError(
        f"another paccto load is writing to the server at {client.query_url} "
        f"({holder or 'a holder this version cannot read'}), and two loads at once would undo "
        "each other; nothing was written. Wait for it to finish. If it is known to be gone (it "
        "ran on another machine and was killed), remove its lock with `paccto load --break-lock`"
    )


def release_load_lock(client: SparqlClient, holder: LockHolder) -> None:
    """Give the lock back; a failure to do so must not hide the load's own outcome."""
    # If it stays, the next load on this host takes over a dead holder's lock.
    with contextlib.suppress(Exception):
        _remove(client, holder.literal)
