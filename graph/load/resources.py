"""Where the packaged ontology, shapes, seed facts and queries live once installed.

They are read through :mod:`importlib.resources`, so the installed ``paccto`` command finds them
from any working directory, from an editable or a plain install alike.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

__all__ = ["ontology_file", "query_files", "seed_files", "shapes_file"]


def _packaged(package: str, name: str) -> Path:
    with as_file(files(package) / name) as path:
        return Path(path)


def ontology_file() -> Path:
    """The OWL ontology in Turtle."""
    return _packaged("paccto.ontology", "paccto.ttl")


def shapes_file() -> Path:
    """The SHACL shapes the facts must satisfy."""
    return _packaged("paccto.ontology", "shapes.ttl")


def seed_files() -> list[Path]:
    """The curated facts: entity descriptions first, then one file per source document."""
    folder = files("paccto.seeds")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".trig"))
    names.sort(key=lambda name: name != "entities.trig")
    return [_packaged("paccto.seeds", name) for name in names]


def query_files() -> list[Path]:
    """The SPARQL queries kept with the project (one per competency question)."""
    folder = files("paccto.queries")
    return sorted(
        _packaged("paccto.queries", entry.name)
        for entry in folder.iterdir()
        if entry.name.endswith(".rq")
    )
