"""Read RDF files into rdflib graphs (or, for big files, pyoxigraph stores), turning parser
failures into one clear sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from . import resources
from .errors import InputError
from .namespaces import new_graph

Source = Path | Traversable


def _display_name(source: Source) -> str:
    return str(source) if isinstance(source, Path) else f"{source.name} (packaged)"


def parse_turtle(source: Source, into: Graph | None = None) -> Graph:
    """Parse one Turtle file; a syntax error names the file and the line."""
    graph = into if into is not None else new_graph()
    name = _display_name(source)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc}).") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}, line {line}: the file is not valid UTF-8.") from None
    try:
        graph.parse(data=text, format="turtle", publicID=_base_for(source))
    except BadSyntax as exc:
        raise InputError(f"{name}, line {exc.lines + 1}: Turtle syntax error: {exc._why}.") from None
    except Exception as exc:  # rdflib raises plain exceptions for bad IRIs, literals, prefixes
        raise InputError(f"{name}: Turtle cannot be read: {exc}.") from None
    return graph


def _base_for(source: Source) -> str:
    return Path(source).resolve().as_uri() if isinstance(source, Path) else f"file:///{source.name}"


@dataclass
class LoadedGraph:
    """A merged graph and, for each input file, the triples it contributed."""

    graph: Graph
    per_file: dict[str, Graph] = field(default_factory=dict)

    def files_asserting(self, triple: tuple) -> list[str]:
        return [name for name, part in self.per_file.items() if triple in part]


def load_files(sources: Iterable[Source]) -> LoadedGraph:
    merged = new_graph()
    per_file: dict[str, Graph] = {}
    for source in sources:
        part = parse_turtle(source)
        per_file[_display_name(source)] = part
        for triple in part:
            merged.add(triple)
    return LoadedGraph(merged, per_file)


def shipped_sources() -> list[Traversable]:
    return [resources.ontology_file(), *resources.fact_files()]


def load_ontology() -> Graph:
    return parse_turtle(resources.ontology_file())


def rdf_format_of(path: Path) -> ox.RdfFormat:
    """N-Triples for `.nt` files, Turtle (which N-Triples is a subset of) otherwise."""
    return ox.RdfFormat.N_TRIPLES if path.suffix.lower() == ".nt" else ox.RdfFormat.TURTLE


def load_into_store(store: ox.Store, sources: Iterable[Path]) -> None:
    """Bulk-load facts files into a pyoxigraph store, never through rdflib: what the server
    does with files of millions of triples. A syntax error names the file and the line."""
    for path in sources:
        rdf_format = rdf_format_of(path)
        try:
            store.bulk_load(path=str(path), format=rdf_format, base_iri=_base_for(path))
        except SyntaxError as exc:
            raise InputError(
                f"{path}, line {exc.lineno}, column {exc.offset}: "
                f"{rdf_format.name} syntax error: {_oxigraph_reason(exc)}."
            ) from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def _oxigraph_reason(error: SyntaxError) -> str:
    """The parser's message without the position it repeats ("Parser error at line 1
    column 24: ...") and without the file name Python appends."""
    reason = re.sub(r"^Parser error (at|between) .*?: ", "", error.msg or "")
    return reason.split(" (")[0].rstrip(".") or "invalid syntax"


def load_shipped(extra: Iterable[Path] = ()) -> LoadedGraph:
    """The ontology and the review's facts, plus any user files given."""
    return load_files([*shipped_sources(), *extra])
