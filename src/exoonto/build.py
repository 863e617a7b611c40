"""`exoonto build`: write the release, atomically and byte-for-byte deterministically."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from . import __version__
from .canonical import canonical_turtle
from .errors import CheckFailed
from .load import LoadedGraph, load_shipped
from .namespaces import new_graph
from .reason import materialise


@dataclass
class Release:
    ontology: Graph
    knowledge_graph: Graph  # ontology + facts + materialised inferences
    inferred: Graph
    version: str


def assemble(extra: tuple[Path, ...] = ()) -> tuple[Release, LoadedGraph]:
    from .load import load_ontology

    loaded = load_shipped(extra)
    ontology = load_ontology()
    inferred = materialise(loaded.graph)
    kg = new_graph()
    for triple in loaded.graph:
        kg.add(triple)
    for triple in inferred:
        kg.add(triple)
    return Release(ontology, kg, inferred, __version__), loaded


def sorted_graph(graph: Graph) -> Graph:
    """A copy with triples inserted in a fixed order, so serialisers emit a fixed order."""
    from rdflib.compare import to_canonical_graph

    stable = new_graph()
    for triple in sorted(to_canonical_graph(graph)):
        stable.add(triple)
    return stable


def ntriples(graph: Graph) -> str:
    lines = sorted(set(sorted_graph(graph).serialize(format="nt").splitlines()) - {""})
    return "\n".join(lines) + "\n"


def rdfxml(graph: Graph) -> str:
    return sorted_graph(graph).serialize(format="pretty-xml")


Writer = Callable[[Release, Path], None]


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_ontology(release: Release, out: Path) -> None:
    _write_text(out / "exoonto.ttl", canonical_turtle(release.ontology))
    _write_text(out / "exoonto.owl", rdfxml(release.ontology))


def write_knowledge_graph(release: Release, out: Path) -> None:
    _write_text(out / "exoonto-kg.ttl", canonical_turtle(release.knowledge_graph))


WRITERS: list[Writer] = [write_ontology, write_knowledge_graph]


def validate_release(release: Release, loaded: LoadedGraph) -> None:
    from .validate import validate_loaded

    result = validate_loaded(loaded)
    if not result.conforms:
        raise CheckFailed(
            f"the graph does not conform to the shapes ({len(result.results)} violations); "
            "no release was written: run 'exoonto validate' for the details."
        )


def build(out: Path, extra: tuple[Path, ...] = (), validate: bool = True) -> list[Path]:
    """Build the release into `out`. Everything is written to a temporary folder beside
    `out` and moved into place only when every step succeeded, so a failed build leaves the
    previous release untouched."""
    release, loaded = assemble(extra)
    if validate:
        validate_release(release, loaded)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        for writer in WRITERS:
            writer(release, staging)
        _swap_into_place(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return sorted(p for p in out.rglob("*") if p.is_file())


def _swap_into_place(staging: Path, out: Path) -> None:
    previous = out.with_name(f".{out.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if out.exists():
        out.rename(previous)
    staging.rename(out)
    if previous.exists():
        shutil.rmtree(previous)
