"""A persistent graph on disk in Oxigraph: written whole or not at all, opened without parsing.

pyoxigraph's ``bulk_load`` is fast but not transactional: a load that fails or is killed half
way leaves a half-written store. So a store folder holds versions, each a complete Oxigraph
database with a manifest, and a ``current`` symbolic link naming the one in use. A load writes
a new version beside the others and only then replaces the link, which is one atomic rename:
readers see the old graph or the new one, never a mixture, and an interrupted load leaves the
previous version in place (its leftovers are removed by the next load that succeeds).

Opening reads the manifest and opens the current version read-only, which takes milliseconds
and lets any number of processes (the server, its SPARQL workers, a command in another
terminal) read it at once; rdflib sees it through oxrdflib, so every library function works on
it unchanged. Each version also keeps its networkx projection, built when it was written
(:mod:`paccto.graph.saved_projection`), so that no open has to read every quad to build it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import XSD, Dataset, Literal

from paccto.graph.errors import PacctoError
from paccto.graph.identifiers import Identifiers
from paccto.graph.knowledge_graph import KnowledgeGraph
from paccto.graph.saved_projection import read_projection, save_projection

__all__ = ["CURRENT", "StoreManifest", "open_oxigraph_store", "write_oxigraph_store"]

#: The link naming the version in use, inside the store folder.
CURRENT = "current"
_MANIFEST = "paccto-store.json"
_FORMAT = 1


@dataclass(frozen=True)
class StoreManifest:
    """What a version holds, written last, so a version without one is known to be unfinished."""

    format: int
    base_iri: str
    quads: int
    graphs: int
    files: list[str]
    created: str


class _ReadOnlyOxigraphStore(OxigraphStore):
    """oxrdflib over a read-only Oxigraph store.

    rdflib asks its store to add a graph whenever code names one (``Dataset.graph(name)``),
    which a read-only store refuses; naming a graph is not a write, so that request is ignored
    (a graph that is not there simply has no triples).
    """

    def add_graph(self, graph: Any) -> None:
        return None

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        """As oxrdflib's, with simple literals given back as rdflib writes them.

        Oxigraph returns a plain string literal typed ``xsd:string`` (the same literal in RDF
        1.1), which rdflib neither compares equal to its own plain literal nor serialises the
        same way; without this, an export from the store would differ from one from memory.
        """
        for (subject, predicate, obj), contexts in super().triples(triple_pattern, context):
            if isinstance(obj, Literal) and obj.datatype == XSD.string:
                obj = Literal(str(obj))
            yield (subject, predicate, obj), contexts


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        return
    if not folder.is_dir():
        raise PacctoError(f"store folder {str(folder)!r} is a file, not a folder")
    # A first load that was interrupted leaves only a version folder: still ours.
    ours = (folder / CURRENT).is_symlink() or any(
        path.name.startswith("v-") for path in folder.iterdir()
    )
    if any(folder.iterdir()) and not ours:
        raise PacctoError(
            f"{str(folder)!r} is not empty and is not a PAcCTO Graph store; "
            "give a new or empty folder"
        )


def write_oxigraph_store(kg: KnowledgeGraph, folder: Path) -> StoreManifest:
    """Write a loaded, validated graph as the new current version of the store in ``folder``.

    The folder is created if needed. On any failure (or if the process is killed) the version
    in use stays what it was.
    """
    _check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    version = folder / f"v-{stamp}-{os.getpid()}"
    try:
        store = ox.Store(str(version))
        data = kg.dataset.serialize(format="nquads", encoding="utf-8")
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        store.flush()
        # From the version as written, not from ``kg``: the store gives each graph's triples in
        # its own order, and the projection keeps the order it reads edges in.
        from paccto.graph.projection import build_projection

        written = KnowledgeGraph(dataset=_dataset(store, kg.ids), ids=kg.ids)
        save_projection(build_projection(written), version)
        manifest = StoreManifest(
            format=_FORMAT,
            base_iri=kg.ids.base,
            quads=len(store),
            graphs=sum(1 for _ in store.named_graphs()),
            files=[str(path) for path in kg.files],
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        del store
        _write_durably(version / _MANIFEST, json.dumps(asdict(manifest), indent=2))
        link = folder / f".{CURRENT}-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(version.name, target_is_directory=True)
        os.replace(link, folder / CURRENT)  # the switch: one atomic rename
        _sync_directory(folder)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _remove_other_versions(folder, keep=version)
    return manifest


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


def _remove_other_versions(folder: Path, keep: Path) -> None:
    """Older versions and the leftovers of interrupted loads; a reader that still has an old
    version open keeps its files until it closes them (POSIX unlink semantics)."""
    for path in folder.iterdir():
        if path.name.startswith("v-") and path != keep:
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f".{CURRENT}-") and path.is_symlink():
            path.unlink(missing_ok=True)


def read_manifest(folder: Path) -> StoreManifest:
    """The manifest of the current version.

    Raises
    ------
    PacctoError
        There is no store in ``folder`` (the message says how to make one).
    """
    current = folder / CURRENT
    manifest = current / _MANIFEST
    if not manifest.is_file():
        raise PacctoError(
            f"no PAcCTO Graph store in {str(folder)!r}; create one with "
            f"`paccto load --store oxigraph:{folder} [FILES]`"
        )
    return StoreManifest(**json.loads(manifest.read_text(encoding="utf-8")))


def open_oxigraph_store(folder: Path, base_iri: str | None = None) -> KnowledgeGraph:
    """The graph stored in ``folder``, opened read-only in place.

    Raises
    ------
    PacctoError
        There is no store there, or it was written for another base IRI than ``base_iri``.
    """
    manifest = read_manifest(folder)
    if base_iri is not None and Identifiers(base_iri).base != manifest.base_iri:
        raise PacctoError(
            f"the store in {str(folder)!r} was written with base IRI {manifest.base_iri}, "
            f"not {base_iri}; load it again with that base IRI"
        )
    version = (folder / CURRENT).resolve()
    ids = Identifiers(manifest.base_iri)
    return KnowledgeGraph(
        dataset=_dataset(ox.Store.read_only(str(version)), ids),
        ids=ids,
        files=[Path(name) for name in manifest.files],
        quad_count=manifest.quads,
        store_path=version,
        saved_projection=lambda: read_projection(version),
    )


def _dataset(store: ox.Store, ids: Identifiers) -> Dataset:
    """rdflib's view of an Oxigraph store, with the prefixes a memory load binds."""
    dataset = Dataset(store=_ReadOnlyOxigraphStore(store=store), default_union=True)
    for prefix, namespace in ids.prefixes().items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    return dataset
