"""Who may write an on-disk store, and which of its versions are in use, told by file locks.

Why: a store folder holds versions and a ``current`` link
(:mod:`paccto.graph.stores.oxigraph_store`),
and a load removes the versions no longer needed. Without locks, two loads at once each removed
the version the other was writing or had just switched to (the store was lost), and a load under
a running server removed the version the server and its SPARQL workers read; RocksDB opens table
files lazily, so readers then fail ("Corruption ... .sst: No such file"). Two locks settle it:

* the writer lock: an exclusive ``flock`` on ``paccto-load.lock`` in the store folder, held by a
  load from before it reads its files until it has switched the link and cleaned up. A second
  load is refused at once, told the holder's process, host and start time, which the holder
  writes into the file. The kernel drops a flock when its process ends, however it ends, so a
  lock whose holder died is simply taken; the file then still names the dead holder (a clean
  release empties it), and the takeover is reported;
* a lease on each version: a shared ``flock`` on ``paccto-readers.lease`` inside it, held by
  every process that has the version open (the opener for the life of its graph, each SPARQL
  worker for its own life) and by the load writing it. Clean-up, done only under the writer
  lock, removes a version only if it can lock that file exclusively without waiting, and renames
  it away while it holds that lock: a reader arriving in between finds the name gone once it
  gets its lease, lets go and opens the version ``current`` names instead.

Only the standard library is used, because a SPARQL worker takes its lease before anything else
and must start in a fraction of a second. The locks are between processes of one machine (or of
the machines sharing a file system whose locks span them, as NFS's do).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from paccto.graph.errors import StoreLockedError, StoreVersionGoneError, StoreWriteError

__all__ = [
    "LEASE_FILE",
    "LOCK_FILE",
    "LockHolder",
    "VersionLease",
    "WriterLock",
    "lease_version",
    "process_is_gone",
    "remove_unless_leased",
    "writer_lock",
]

LOCK_FILE = "paccto-load.lock"
LEASE_FILE = "paccto-readers.lease"

#: The writer lock is held only across a rename; a reader waits this long for it at most.
_LEASE_WAIT = 10.0
#: A refused load reads the holder's name; the holder writes it just after it took the lock.
_HOLDER_WAIT = 1.0

logger = logging.getLogger("paccto.store")


@dataclass(frozen=True)
class LockHolder:
    """The load holding a writer lock, as its lock file names it."""

    pid: int
    host: str
    since: str

    @classmethod
    def for_this_process(cls) -> LockHolder:
        return cls(
            os.getpid(), socket.gethostname(), datetime.now(UTC).isoformat(timespec="seconds")
        )

    def is_running(self) -> bool:
        """Whether the process may still run: only a process of this host can be known gone."""
        return not process_is_gone(self.host, self.pid)

    def __str__(self) -> str:
        return f"process {self.pid} on {self.host}, started {self.since}"


def process_is_gone(host: str, pid: int) -> bool:
    """Whether process ``pid`` of ``host`` is known to have ended; a process of another host
    never is, as nothing here can tell. The one liveness test of every lock holder."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


def _read_holder(descriptor: int) -> LockHolder | None:
    """The holder the lock file names; None if empty or not (yet) a whole record."""
    size = os.fstat(descriptor).st_size
    try:
        return LockHolder(**json.loads(os.pread(descriptor, size, 0)))
    except (ValueError, TypeError):
        return None


class WriterLock:
    """A held writer lock. ``taken_over`` names a holder that died without releasing it."""

    def __init__(self, folder: Path, descriptor: int, taken_over: LockHolder | None) -> None:
        self.folder = folder
        self.taken_over = taken_over
        self._descriptor = descriptor
        self._owner = threading.get_ident()
        self._depth = 1

    def release(self) -> None:
        """Empty the file first: a file that still names its holder means that holder died."""
        with contextlib.suppress(OSError):
            os.ftruncate(self._descriptor, 0)
        os.close(self._descriptor)  # closing drops the flock


_held: dict[str, WriterLock] = {}
_held_guard = threading.Lock()


def _acquire(folder: Path) -> WriterLock:
    path = folder / LOCK_FILE
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise StoreWriteError(f"cannot create the lock {str(path)!r}: {error.strerror}") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(descriptor)
        deadline = time.monotonic() + _HOLDER_WAIT
        while holder is None and time.monotonic() < deadline:
            time.sleep(0.02)
            holder = _read_holder(descriptor)
        os.close(descriptor)
        raise StoreLockedError(
            f"another load is writing the store in {str(folder)!r}: "
            f"{holder or 'a process that has not yet recorded itself'}; wait for it to end, "
            f"then load again (its lock, {path.name}, is released when that process ends)"
        ) from None
    except OSError as error:
        os.close(descriptor)
        raise StoreWriteError(
            f"cannot lock {str(path)!r} ({error.strerror}): this file system does not support "
            "the locks that keep two loads apart; put the store on a local disk"
        ) from None
    previous = _read_holder(descriptor)
    mine = LockHolder.for_this_process()
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(asdict(mine)).encode(), 0)
    if previous is not None:
        state = "ended" if not previous.is_running() else "no longer holds it"
        logger.warning(
            "took over the lock of process %s on %s (started %s), which %s without releasing "
            "it; what its load left in %s is removed",
            previous.pid, previous.host, previous.since, state, folder,
        )  # fmt: skip
    return WriterLock(folder, descriptor, previous)


@contextlib.contextmanager
def writer_lock(folder: Path) -> Iterator[WriterLock]:
    """Hold the writer lock of the store in ``folder`` (which must exist) for the block.

    Taken again by the thread that holds it, it is the same lock (a load holds it from before
    parsing and writing a version takes it too); any other taker is refused without waiting.

    Raises
    ------
    StoreLockedError
        Another load holds it; the message names that load.
    StoreWriteError
        The lock file cannot be created or locked.
    """
    key = os.path.realpath(folder)
    with _held_guard:
        lock = _held.get(key)
        if lock is not None and lock._owner == threading.get_ident():
            lock._depth += 1
        else:
            lock = None
    if lock is None:
        lock = _acquire(folder)  # refused here too if another thread of ours holds it
        with _held_guard:
            _held[key] = lock
    try:
        yield lock
    finally:
        with _held_guard:
            lock._depth -= 1
            last = lock._depth == 0
            if last:
                del _held[key]
        if last:
            lock.release()


class VersionLease:
    """A shared lock on one version, which clean-up respects; held until released or dropped."""

    def __init__(self, version: Path, descriptor: int | None) -> None:
        self.version = version
        #: False where the lease file could not be made (a read-only copy of an older store):
        #: no load can write there either.
        self.held = descriptor is not None
        self._close = weakref.finalize(self, _close, descriptor)

    def release(self) -> None:
        self._close()


def _close(descriptor: int | None) -> None:
    if descriptor is not None:
        with contextlib.suppress(OSError):
            os.close(descriptor)


def _open_lease_file(version: Path) -> int | None:
    """The version's lease file, made if a store written before leases lacks it; None if it
    cannot be made. FileNotFoundError: the version is not there."""
    path = version / LEASE_FILE
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        if not version.is_dir():
            raise
    try:
        return os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        raise
    except OSError:
        return None


def lease_version(version: Path | str) -> VersionLease:
    """Take a reader's lease on ``version``, a version folder of a store.

    Raises
    ------
    StoreVersionGoneError
        The version is not there, or a load removed it as the lease was taken.
    """
    version = Path(version)
    try:
        descriptor = _open_lease_file(version)
    except (FileNotFoundError, NotADirectoryError):
        raise StoreVersionGoneError(f"the store version {str(version)!r} is gone") from None
    if descriptor is None:
        logger.info("no lease file in %s and none can be made: read without a lease", version)
        return VersionLease(version, None)
    deadline = time.monotonic() + _LEASE_WAIT
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
            break
        except BlockingIOError:  # a clean-up is renaming it away, or was killed doing so
            if time.monotonic() > deadline:
                os.close(descriptor)
                raise StoreVersionGoneError(
                    f"the store version {str(version)!r} is being removed"
                ) from None
            time.sleep(0.01)
        except OSError:  # no locks on this file system: no load can keep out of the way either
            return VersionLease(version, descriptor)
    # Locked, but perhaps on the file of a version renamed away (and being deleted) meanwhile.
    try:
        same = os.path.samestat(os.stat(version / LEASE_FILE), os.fstat(descriptor))
    except OSError:
        same = False
    if not same:
        os.close(descriptor)
        raise StoreVersionGoneError(f"the store version {str(version)!r} was removed")
    return VersionLease(version, descriptor)


def remove_unless_leased(version: Path, trash: Path) -> bool:
    """Remove ``version`` if no process holds its lease; whether it was removed.

    For a load's clean-up, under the writer lock: the version is renamed to ``trash`` while its
    lease file is locked exclusively, so no reader can lease it from then on, then deleted.
    """
    try:
        descriptor = _open_lease_file(version)
    except OSError:
        return False
    if descriptor is None:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(version, trash)
    except OSError:  # in use (or cannot be renamed): kept for a later load
        return False
    finally:
        os.close(descriptor)
    shutil.rmtree(trash, ignore_errors=True)
    return True
