"""Find the packaged ontology, facts, shapes and queries with importlib.resources."""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

ONTOLOGY_FILE = "exoonto.ttl"


def data_root() -> Traversable:
    root = files("exoonto") / "data"
    if not root.is_dir():
        raise RuntimeError(
            "exoonto's data files are missing: install the package with 'pip install .' "
            "(an editable install does not carry ontology/, facts/, shapes/ and queries/)."
        )
    return root


def _files_in(folder: str, suffix: str) -> list[Traversable]:
    directory = data_root() / folder
    return sorted(
        (item for item in directory.iterdir() if item.name.endswith(suffix)),
        key=lambda item: item.name,
    )


def ontology_file() -> Traversable:
    return data_root() / "ontology" / ONTOLOGY_FILE


def fact_files() -> list[Traversable]:
    return _files_in("facts", ".ttl")


def shape_files() -> list[Traversable]:
    return _files_in("shapes", ".ttl")


def query_files() -> list[Traversable]:
    return _files_in("queries", ".rq")


def local_path(resource: Traversable) -> Path:
    """A real filesystem path for a packaged resource (wheels are unpacked, so this is cheap)."""
    with as_file(resource) as path:
        return Path(path)
