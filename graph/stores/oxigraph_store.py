"""A persistent graph on disk in Oxigraph: written whole or not at all, opened without parsing.

pyoxigraph's ``bulk_load`` is fast but not transactional: a load that fails or is killed half
way leaves a half-written store. So a store folder holds versions, each a complete Oxigraph
database with a manifest, and a ``current`` symbolic link naming the one in use. A load writes
a new version beside the others and only then replaces the link, which is one atomic rename:
readers see the old graph or the new one, never a mixture, and an interrupted load leaves the
previous version in place.

Versions are removed only by a load, and only those nobody uses
(:mod:`paccto.graph.stores.store_lease`):
a load holds the store's writer lock from before it reads its files to the end, so a second one
is refused; every process that opens a version holds a lease on it, so a running server (and its
SPARQL workers) keeps reading the version it opened, whatever is loaded meanwhile, and reads the
new one when restarted (:func:`newer_version_available` tells it one is there). Each load first
removes what earlier loads left: versions killed or failed half-way, versions no longer leased.

Opening reads the manifest and opens the current version read-only, which takes milliseconds
and lets any number of processes (the server, its SPARQL workers, a command in another
terminal) read it at once; rdflib sees it through oxrdflib, so every library function works on
it unchanged. Each version also keeps its networkx projection, built when it was written
(:mod:`paccto.graph.stores.saved_projection`), so that no open has to read every quad to build it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from paccto.graph.errors import PacctoError, StoreVersionGoneError
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.oxigraph_dataset import dataset_over
from paccto.graph.settings import Settings
from paccto.graph.store_address import StoreSpec
from paccto.graph.stores.local_store import LocalStoreGraph
from paccto.graph.stores.query_store import STORE_FOLDER
from paccto.graph.stores.saved_parts import SavedParts, save_parts
from paccto.graph.stores.saved_projection import read_projection, save_projection
from paccto.graph.stores.store_lease import (
    LOCK_FILE,
    VersionLease,
    WriterLock,
    lease_version,
    remove_unless_leased,
    writer_lock,
)
from paccto.graph.stores.write_options import WriteOptions, refuse_options

__all__ = [
    "CURRENT",
    "StoreManifest",
    "newer_version_available",
    "open_oxigraph_store",
    "store_writer",
    "write_oxigraph_store",
    "write_to_oxigraph_store",
]

#: The link naming the version in use, inside the store folder.
CURRENT = "current"
_MANIFEST = "paccto-store.json"
#: 3: one Oxigraph database per version (``oxigraph/``), its default graph the merge.
_FORMAT = 3

#: A version being deleted is first renamed, so that no reader can lease it any more.
_REMOVING = ".removing-"
#: Tries at opening: a load may remove the version named just before the lease on it is taken.
_OPEN_ATTEMPTS = 20


@dataclass(frozen=True)
class StoreManifest:
    """What a version holds, written last, so a version without one is known to be unfinished."""

    format: int
    base_iri: str
    quads: int
    graphs: int
    files: list[str]
    created: str


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        return
    if not folder.is_dir():
        raise PacctoError(f"store folder {str(folder)!r} is a file, not a folder")
    # A first load that was interrupted leaves only a version folder or its lock: still ours.
    ours = (folder / CURRENT).is_symlink() or any(
        path.name.startswith(("v-", _REMOVING)) or path.name == LOCK_FILE
        for path in folder.iterdir()
    )
    if any(folder.iterdir()) and not ours:
        raise PacctoError(
            f"{str(folder)!r} is not empty and is not a PAcCTO Graph store; "
            "give a new or empty folder"
        )


@contextmanager
def store_writer(folder: Path) -> Iterator[WriterLock]:
    """Hold the writer lock of the store in ``folder`` for a whole load, and clear first what
    earlier loads left (nothing of theirs can be in use: they held this lock while writing).

    A load takes it before parsing, so a second load is refused at once rather than after its
    own parse; :func:`write_oxigraph_store` takes it again (the same lock) if the caller has not.
    The folder is created if needed.

    Raises
    ------
    StoreLockedError
        Another load is writing the store; the message names it.
    PacctoError
        The folder is not one a store can be written to.
    """
    _check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with writer_lock(folder) as lock:
        _remove_unused_versions(folder)
        yield lock


def write_to_oxigraph_store(
    spec: StoreSpec, settings: Settings, files: Sequence[Path], options: WriteOptions
) -> str:
    """``paccto load`` for this store: the writer lock is taken before the parse, so that a
    second load is refused at once rather than after its own parse and validation."""
    refuse_options(str(spec), options, "break_lock", "update_url")
    with store_writer(spec.path):
        kg = load_knowledge_graph(settings.model_copy(update={"store": "memory"}), files)
        manifest = write_oxigraph_store(kg, spec.path)
    return f"{manifest.quads} quads in {manifest.graphs} graphs"


def write_oxigraph_store(kg: KnowledgeGraph, folder: Path) -> StoreManifest:
    """Write a loaded, validated graph as the new current version of the store in ``folder``.

    The folder is created if needed. On any failure (or if the process is killed) the version
    in use stays what it was.

    Raises
    ------
    StoreLockedError
        Another load is writing the store; the message names it.
    """
    with store_writer(folder):
        manifest = _write_version(kg, folder)
        _remove_unused_versions(folder)
    return manifest


def _write_version(kg: KnowledgeGraph, folder: Path) -> StoreManifest:
    """A new version holding ``kg``'s store as it is laid out, with its saved projection and
    manifest, made current once complete.

    The graph is loaded, validated and projected in memory first, and its store then written in
    one bulk load: Oxigraph's on-disk store is several times slower to update (the merge) and to
    read back (the projection) than its memory store, and its bulk loader is the fast way in.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    version = folder / f"v-{stamp}-{os.getpid()}"
    version.mkdir()
    own = lease_version(version)  # leased while written: no clean-up can take it from under us
    try:
        projection = kg.projection
        source = kg.query_store()
        # From bytes: pyoxigraph's reader of a path holds at most 16 MiB for one token, so a
        # valid graph with one long literal would load elsewhere but not here.
        nquads = source.dump(format=ox.RdfFormat.N_QUADS) or b""
        # Oxigraph writes the database without holding the interpreter, so the saved
        # projection and parts are written meanwhile.
        with ThreadPoolExecutor(max_workers=1) as writer:
            written = writer.submit(_write_database, version / STORE_FOLDER, nquads)
            save_projection(projection, version)
            save_parts(projection, version)
            written.result()
        del nquads
        manifest = StoreManifest(
            format=_FORMAT,
            base_iri=kg.ids.base,
            quads=len(kg),
            graphs=sum(1 for _ in source.named_graphs()),
            files=[str(path) for path in kg.files],
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        _write_durably(version / _MANIFEST, json.dumps(asdict(manifest), indent=2))
        link = folder / f".{CURRENT}-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(version.name, target_is_directory=True)
        os.replace(link, folder / CURRENT)  # the switch: one atomic rename
        _sync_directory(folder)
    except BaseException:
        own.release()
        shutil.rmtree(version, ignore_errors=True)
        raise
    own.release()
    return manifest


def _write_database(folder: Path, nquads: bytes) -> None:
    database = ox.Store(str(folder))
    database.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    database.flush()
    # closed when this returns, before anyone opens it read-only


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as output:
        output.write(text)
        output.flush()
        os.fsync(output.fileno())


def _sync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_unused_versions(folder: Path) -> None:
    """Older versions and the leftovers of interrupted loads, under the writer lock.

    Never the current version, nor one a process has open (it holds a lease): RocksDB opens a
    version's files lazily, so one deleted under a reader breaks it even though POSIX keeps the
    files it already has open. A version left by a load killed half-way is no one's any more
    (that load held the writer lock, which died with it), so it goes too.
    """
    link = folder / CURRENT
    current = Path(os.readlink(link)).name if link.is_symlink() else None
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith("v-") and name != current:
            remove_unless_leased(path, folder / f"{_REMOVING}{name}")
        elif name.startswith(_REMOVING):  # a clean-up killed while deleting
            shutil.rmtree(path, ignore_errors=True)
        elif name.startswith(f".{CURRENT}-") and path.is_symlink():
            path.unlink(missing_ok=True)


def read_manifest(folder: Path) -> StoreManifest:
    """The manifest of the current version.

    Raises
    ------
    PacctoError
        There is no store in ``folder`` (the message says how to make one).
    """
    return _version_manifest(folder, folder / CURRENT)


def _version_manifest(folder: Path, version: Path) -> StoreManifest:
    manifest = version / _MANIFEST
    if not manifest.is_file():
        raise PacctoError(
            f"no PAcCTO Graph store in {str(folder)!r}; create one with "
            f"`paccto load --store oxigraph:{folder} [FILES]`"
        )
    found = StoreManifest(**json.loads(manifest.read_text(encoding="utf-8")))
    if found.format != _FORMAT:
        raise PacctoError(
            f"the store in {str(folder)!r} was written by another version of PAcCTO Graph "
            f"(store format {found.format}, this one reads {_FORMAT}); write it again with "
            f"`paccto load --store oxigraph:{folder} [FILES]`"
        )
    return found


def _lease_current(folder: Path) -> VersionLease:
    """A lease on the version ``current`` names, which a load may replace as it is taken."""
    gone: StoreVersionGoneError | None = None
    for _attempt in range(_OPEN_ATTEMPTS):
        version = (folder / CURRENT).resolve()
        _version_manifest(folder, version)  # a clear message where there is no store
        try:
            return lease_version(version)
        except StoreVersionGoneError as error:  # replaced and removed meanwhile: the new one
            gone = error
    assert gone is not None
    raise gone


def open_oxigraph_store(folder: Path, base_iri: str | None = None) -> KnowledgeGraph:
    """The graph stored in ``folder``, opened read-only in place.

    The version opened is leased for as long as the graph lives: loads meanwhile leave it in
    place, and :func:`newer_version_available` tells when one has replaced it.

    Raises
    ------
    PacctoError
        There is no store there, or it was written for another base IRI than ``base_iri``.
    """
    lease = _lease_current(folder)
    version = lease.version
    try:
        manifest = _version_manifest(folder, version)
        if base_iri is not None and Identifiers(base_iri).base != manifest.base_iri:
            raise PacctoError(
                f"the store in {str(folder)!r} was written with base IRI {manifest.base_iri}, "
                f"not {base_iri}; load it again with that base IRI"
            )
        store = ox.Store.read_only(str(version / STORE_FOLDER))
    except BaseException:
        lease.release()
        raise
    ids = Identifiers(manifest.base_iri)
    return LocalStoreGraph(
        dataset=dataset_over(store, ids, keep_alive=lease),
        ids=ids,
        store=store,
        files=[Path(name) for name in manifest.files],
        quad_count=manifest.quads,
        store_path=version,
        saved_projection=lambda: read_projection(version),
        saved_parts=lambda: SavedParts.open(version),
    )


def newer_version_available(kg: KnowledgeGraph) -> str | None:
    """The version a load has made current since ``kg`` was opened, or None.

    A graph opened from a store keeps reading the version it opened (a server's answers must
    not change under its clients); this tells a server that a restart would serve a newer one.
    None too for a graph not read from an on-disk store.
    """
    if kg.store_path is None:
        return None
    try:
        current = (kg.store_path.parent / CURRENT).resolve(strict=True)
    except OSError:
        return None
    if current == kg.store_path or not (current / _MANIFEST).is_file():
        return None
    return current.name
