"""Read RDF files into rdflib graphs or, for big files and for validation, into pyoxigraph
stores, turning parser failures into one clear sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

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
        """The files that assert the triple (None in it matches any term)."""
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


# ------------------------------------------------------------------ a Store, for validation


@dataclass
class LoadedStore:
    """The input files for validation. The engine reads them as one N-Triples text
    (`ntriples`); the pyoxigraph Store, each file's triples in a named graph of its own, is
    loaded only when asked for (`store`): to name the files behind a result, to show the
    focus nodes, or when a file needs the readers' fallbacks. The graph names tell which
    files assert a triple."""

    sources: list[Source]
    per_file: dict[str, ox.NamedNode] = field(default_factory=dict)  # file -> its graph

    @cached_property
    def store(self) -> ox.Store:
        store = ox.Store()
        for source in self.sources:
            _load_one(store, source, self.per_file[_display_name(source)])
        return store

    def ntriples(self) -> str | None:
        """The union of the files as one N-Triples text, or None when a file cannot be read
        this way (the Store's loader then reads it, or says why it cannot). The first `.nt`
        file is passed on as it is, without a parse: its syntax is checked by the engine
        that reads the text (about 2 s less at 10^6 triples). Every other file is parsed
        with its blank nodes renamed, so that the labels of two files never meet."""
        parts: list[str] = []
        passed_as_is = False
        for source in self.sources:
            try:
                data = source.read_bytes()
                text = data.decode("utf-8")  # Oxigraph lets invalid UTF-8 in comments pass
                if not passed_as_is and _is_ntriples(source):
                    parts.append(text)
                    passed_as_is = True
                else:
                    quads = ox.parse(
                        input=data, format=_format_of(source), base_iri=_base_for(source),
                        rename_blank_nodes=True,
                    )
                    parts.append(ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
            except (OSError, UnicodeDecodeError, SyntaxError):
                return None
            if parts[-1] and not parts[-1].endswith("\n"):
                parts.append("\n")
        return "".join(parts)

    def files_asserting(self, triple: tuple) -> list[str]:
        """The files that assert the triple (None in it matches any term)."""
        try:
            pattern = [None if term is None else oxigraph_term(term) for term in triple]
        except ValueError:  # not a term the store can hold
            return []
        graphs = {quad.graph_name for quad in self.store.quads_for_pattern(*pattern)}
        return [name for name, graph in self.per_file.items() if graph in graphs]

    def graph(self, subjects: Iterable[Node] | None = None) -> Graph:
        """The union as an rdflib graph: all of it, or the triples about some subjects."""
        graph = new_graph()
        if subjects is None:
            quads = iter(self.store)
        else:
            quads = (
                q for s in subjects for q in self.store.quads_for_pattern(oxigraph_term(s), None, None)
            )
        for q in quads:
            graph.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
        return graph


def _is_ntriples(source: Source) -> bool:
    return isinstance(source, Path) and rdf_format_of(source) == ox.RdfFormat.N_TRIPLES


def _format_of(source: Source) -> ox.RdfFormat:
    return ox.RdfFormat.N_TRIPLES if _is_ntriples(source) else ox.RdfFormat.TURTLE


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = ox.NamedNode(term.datatype) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype)
    raise ValueError(f"not an RDF term: {term!r}")


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """A pyoxigraph term as an rdflib term; `"x"^^xsd:string` as the simple literal `"x"`."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:  # a simple literal, as rdflib's parsers make it
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def load_files_to_store(sources: Iterable[Source]) -> LoadedStore:
    """The files for validation (see LoadedStore: the Store is loaded when first used)."""
    loaded = LoadedStore(list(sources))
    for source in loaded.sources:
        loaded.per_file.setdefault(_display_name(source), ox.NamedNode(_base_for(source)))
    return loaded


def _load_one(store: ox.Store, source: Source, graph: ox.NamedNode) -> None:
    """Like parse_turtle, with Oxigraph's parser (much faster than rdflib's). A file it
    refuses is read by parse_turtle: the error then names the file and line in the words of
    the other commands, and what rdflib accepts is still read. A file named `.nt` is tried
    with Oxigraph's N-Triples parser first (about 1 s less than its Turtle parser at 10^6
    triples), then as Turtle as before: what is read does not change, only the time."""
    formats = [ox.RdfFormat.TURTLE]
    if _is_ntriples(source):
        formats.insert(0, ox.RdfFormat.N_TRIPLES)
    try:
        data = source.read_bytes()
        data.decode("utf-8")  # Oxigraph lets invalid UTF-8 in comments pass
        for rdf_format in formats:
            try:  # Store.load is atomic: a refused file adds nothing
                store.load(input=data, format=rdf_format, base_iri=_base_for(source), to_graph=graph)
                return
            except SyntaxError:
                if rdf_format == formats[-1]:
                    raise
    except (OSError, UnicodeDecodeError, SyntaxError):
        part = parse_turtle(source)
        try:
            store.extend(ox.Quad(*map(oxigraph_term, triple), graph) for triple in part)
        except ValueError as exc:
            raise InputError(f"{_display_name(source)}: Turtle cannot be read: {exc}.") from None


def load_shipped_to_store(extra: Iterable[Path] = ()) -> LoadedStore:
    """The ontology and the review's facts, plus any user files given, in a Store."""
    return load_files_to_store([*shipped_sources(), *extra])
