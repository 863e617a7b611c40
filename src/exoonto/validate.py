"""SHACL validation of the shipped graph (and users' facts).

Two engines with pySHACL's `validate()` API: pyshacl-turbo (a Rust engine, about 20x
faster here, the default) and pySHACL (the reference; `--engine pyshacl`). The tests check
that both give the same results, and that pySHACL agrees with Jena SHACL.

The shapes live in the packaged ``shapes/`` folder, one concern a file. The data graph is
the ontology together with the facts (the class-valued annotations of a finding are checked
against the ontology's class hierarchy), validated with no inference. Warnings
(``sh:Warning``) are reported but do not make the graph non-conforming.

The data come as an rdflib graph (the build's) or, from `exoonto validate`, as the input
files' union in one N-Triples text, which pyshacl-turbo parses itself (a pyoxigraph Store
with one named graph per file is loaded only to trace results back to files). pyshacl-turbo
can run the shapes in several threads (`jobs`): the shapes with targets are dealt into
groups, each validated by one engine run on its own copy of the data, and the reports are
merged. A SHACL report is the union of every shape's results, so the merged report is the
one a single run gives; the engine's fixed cost (parsing and indexing the data, about 12 s
at 10^6 triples) is paid in each thread, side by side.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pyoxigraph import Store
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from . import resources
from .load import LoadedGraph, LoadedStore, parse_turtle
from .namespaces import new_graph

SEVERITY_WORDS = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass
class Result:
    """One sh:ValidationResult of the report, with the files behind its focus node."""

    node: Node  # the result node in the report graph
    focus: Node
    path: Node | None
    value: Node | None
    message: str
    severity: URIRef
    component: URIRef
    source_shape: Node
    files: list[str] = field(default_factory=list)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation


@dataclass
class ValidationResult:
    conforms: bool  # no sh:Violation (warnings allowed)
    report_graph: Graph
    results: list[Result] = field(default_factory=list)  # violations only
    warnings: list[Result] = field(default_factory=list)
    data_graph: Graph | None = None

    @property
    def all_results(self) -> list[Result]:
        return [*self.results, *self.warnings]


def load_shapes() -> Graph:
    shapes = new_graph()
    for source in resources.shape_files():
        parse_turtle(source, into=shapes)
    return shapes


ENGINES = ("turbo", "pyshacl")

Data = Graph | Store | str  # str: an N-Triples text, for pyshacl-turbo


def default_jobs() -> int:
    """Two threads where there are two cores: each thread holds a copy of the data (about
    0.6 GB at 10^6 triples) and pays the engine's fixed cost again, so more threads buy
    little time for their memory."""
    return min(2, os.cpu_count() or 1)


def run_pyshacl(
    data: Data, shapes: Graph, engine: str = "pyshacl", use_shapes: list[str] | None = None
) -> tuple[bool, Graph]:
    """pySHACL (or pyshacl-turbo, same API) as the project runs it: no inference, SHACL-AF
    on (SPARQL targets), warnings allowed, all the shapes with targets or only those named
    in `use_shapes`. The report graph is returned as the engine made it. A pyoxigraph
    Store or an N-Triples text is for pyshacl-turbo only."""
    if engine == "turbo":
        from pyshacl_turbo import Input, validate

        if isinstance(data, str):
            data = Input(data, "nt", None, {}, preserve_ids=True)
    else:
        from pyshacl import validate

    conforms, report, _text = validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
        use_shapes=use_shapes,
    )
    return bool(conforms), report


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
CLASS_TYPES = (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class"))


def shape_groups(shapes: Graph, jobs: int) -> list[list[str]] | None:
    """The shapes with targets (explicit, or implicit: a shape that is also a class) dealt
    into at most `jobs` groups, or None when they cannot be split: one job, or a blank node
    shape with a target (the engine selects shapes by IRI)."""
    if jobs < 2:
        return None
    targeted = {shape for target in TARGETS for shape in shapes.subjects(target, None)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        targeted |= {s for s in shapes.subjects(RDF.type, kind)
                     if any((s, RDF.type, c) in shapes for c in CLASS_TYPES)}
    if len(targeted) < 2 or any(not isinstance(s, URIRef) for s in targeted):
        return None
    names = sorted(str(shape) for shape in targeted)
    return [names[i::jobs] for i in range(min(jobs, len(names)))]


def run_turbo(data: Data, shapes: Graph, jobs: int = 1) -> tuple[bool, Graph]:
    """pyshacl-turbo, the shapes split over `jobs` threads (the engine releases the
    interpreter lock while it validates) and the reports merged into one."""
    groups = shape_groups(shapes, jobs)
    if groups is None:
        return run_pyshacl(data, shapes, "turbo")
    # each thread reads its own copy of the shapes: rdflib graphs are not made for threads
    copies = [_copy(shapes) for _ in groups]
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        runs = list(pool.map(lambda copy, group: run_pyshacl(data, copy, "turbo", group),
                             copies, groups))
    return merge_reports(runs)


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace)
    copy += graph
    return copy


def merge_reports(runs: list[tuple[bool, Graph]]) -> tuple[bool, Graph]:
    """One sh:ValidationReport with the results of all the runs. Blank nodes are renamed
    apart, so that two runs' labels never meet."""
    merged = Graph()
    for prefix, namespace in runs[0][1].namespaces():
        merged.bind(prefix, namespace)
    report = BNode()
    conforms = all(run_conforms for run_conforms, _ in runs)
    merged.add((report, RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, Literal(conforms)))
    for _, part in runs:
        fresh: defaultdict[Node, BNode] = defaultdict(BNode)

        def renamed(term: Node) -> Node:
            return fresh[term] if isinstance(term, BNode) else term

        reports = set(part.subjects(RDF.type, SH.ValidationReport))
        for s, p, o in part:
            if s not in reports:
                merged.add((renamed(s), p, renamed(o)))
            elif p == SH.result:
                merged.add((report, p, renamed(o)))
    return conforms, merged


def top_level_results(report: Graph) -> list[Node]:
    """The report's results, without the nested sh:detail results of sh:node and friends."""
    return sorted(
        {r for report_node in report.subjects(RDF.type, SH.ValidationReport)
         for r in report.objects(report_node, SH.result)},
        key=str,
    )


def _message(report: Graph, shapes: Graph, result: Node, shape: Node, component: Node) -> str:
    for message in report.objects(result, SH.resultMessage):
        return str(message)
    messages = list(shapes.objects(shape, SH.message))
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    if english or messages:
        return str((english or messages)[0])
    return f"violates {str(component).rsplit('#', 1)[-1]}"


def _results(
    report: Graph, shapes: Graph, loaded: LoadedGraph | LoadedStore | None
) -> list[Result]:
    out = []
    for node in top_level_results(report):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        component = report.value(node, SH.sourceConstraintComponent)
        result = Result(
            node=node,
            focus=focus,
            path=path,
            value=value,
            message=_message(report, shapes, node, shape, component),
            severity=report.value(node, SH.resultSeverity) or SH.Violation,
            component=component,
            source_shape=shape,
        )
        if loaded is not None:
            result.files = files_behind(loaded, result)
        out.append(result)
    return out


def files_behind(loaded: LoadedGraph | LoadedStore, result: Result) -> list[str]:
    """The input files that assert the offending triple; failing that, those that describe
    the focus node."""
    focus, path, value = result.focus, result.path, result.value
    patterns = []
    if isinstance(path, URIRef) and value is not None:
        patterns.append((focus, path, value))
    if isinstance(path, URIRef):
        patterns.append((focus, path, None))
    if isinstance(value, URIRef):  # an undeclared property is reported as the value
        patterns.append((focus, value, None))
    if value is not None:
        patterns.append((focus, None, value))
    patterns.append((focus, None, None))
    patterns.append((None, None, focus))
    for pattern in patterns:
        files = loaded.files_asserting(pattern)
        if files:
            return [_display_file(name) for name in files]
    return []


def _display_file(name: str) -> str:
    """Packaged files as 'facts/section1.ttl (packaged)' rather than a site-packages path."""
    try:
        root = str(resources.local_path(resources.data_root()))
    except RuntimeError:
        return name
    if name.startswith(root + "/"):
        return f"{name[len(root) + 1:]} (packaged)"
    return name


def validate_graph(
    data: Data, shapes: Graph | None = None,
    loaded: LoadedGraph | LoadedStore | None = None, engine: str = "turbo", jobs: int = 1,
) -> ValidationResult:
    """Validate `data` against the shapes (the packaged ones by default). `jobs` threads
    share the shapes when the engine is pyshacl-turbo; pySHACL runs in one."""
    shapes = shapes if shapes is not None else load_shapes()
    if engine == "turbo":
        _conforms, report = run_turbo(data, shapes, jobs)
    else:
        _conforms, report = run_pyshacl(data, shapes, engine)
    if isinstance(data, (Store, str)):
        report = _simple_literals(report)
    results = _results(report, shapes, loaded)
    violations = [r for r in results if r.is_violation]
    warnings = [r for r in results if not r.is_violation]
    if isinstance(loaded, LoadedStore):  # what the report shows of the data: the focus nodes
        data = loaded.graph(subjects={r.focus for r in results}) if results else new_graph()
    return ValidationResult(not violations, report, violations, warnings, data)


def _simple_literals(report: Graph) -> Graph:
    """"x" rather than "x"^^xsd:string in the report, as rdflib reads and writes simple
    literals (RDF 1.1 makes them the same term; the engine spells out the datatype for data
    that came from a Store or a text)."""
    for s, p, o in list(report):
        if isinstance(o, Literal) and o.datatype == XSD.string:
            report.remove((s, p, o))
            report.add((s, p, Literal(str(o))))
    return report


def validate_loaded(
    loaded: LoadedGraph | LoadedStore, shapes: Graph | None = None, engine: str = "turbo",
    jobs: int = 1,
) -> ValidationResult:
    if isinstance(loaded, LoadedGraph):
        return validate_graph(loaded.graph, shapes, loaded, engine, jobs)
    if engine != "turbo":
        return validate_graph(loaded.graph(), shapes, loaded, engine)
    text = loaded.ntriples()
    if text is not None:
        try:
            return validate_graph(text, shapes, loaded, engine, jobs)
        except ValueError as exc:  # pyshacl-turbo's words for text its parser refuses
            if not str(exc).startswith("RDF parse error"):
                raise
    # a file the text could not carry: the Store's loader reads it or says why it cannot
    return validate_graph(loaded.store, shapes, loaded, engine, jobs)


# ------------------------------------------------------------------ reports


def _short(graph: Graph, term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return graph.namespace_manager.normalizeUri(term)
    if isinstance(term, Literal):
        return term.n3(graph.namespace_manager)
    return f"[{', '.join('a ' + _short(graph, t) for t in graph.objects(term, RDF.type)) or 'blank node'}]"


def _describe_path(graph: Graph, path: Node | None, report: Graph) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return _short(graph, path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _short(graph, inverse)
    return "(a path)"


def _label(data: Graph | None, focus: Node) -> str | None:
    if data is None:
        return None
    labels = sorted(data.objects(focus, RDFS.label))  # the same one every run
    english = [label for label in labels if getattr(label, "language", None) == "en"]
    chosen = (english or labels)[:1]
    return str(chosen[0]) if chosen else None


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def human_report(result: ValidationResult, display: Graph | None = None) -> str:
    """The report for people: results grouped by focus node, with its label, the rule in
    words, the path and value, the shape, and the files the offending triples came from."""
    names = display if display is not None else new_graph()
    data = result.data_graph
    everything = result.all_results
    if result.conforms:
        head = "conforms"
        if result.warnings:
            head += f" ({_count(len(result.warnings), 'warning')})"
    else:
        nodes = {r.focus for r in result.results}
        head = (
            f"does not conform: {_count(len(result.results), 'violation')} "
            f"on {_count(len(nodes), 'node')}"
        )
        if result.warnings:
            head += f", {_count(len(result.warnings), 'warning')}"
    lines = [head]
    by_focus: dict[Node, list[Result]] = {}
    for r in everything:
        by_focus.setdefault(r.focus, []).append(r)

    def order(item: tuple[Node, list[Result]]) -> tuple:
        focus, rs = item
        return (all(not r.is_violation for r in rs), isinstance(focus, BNode), str(focus))

    for focus, rs in sorted(by_focus.items(), key=order):
        label = _label(data, focus)
        lines.append("")
        lines.append(_short(names, focus) + (f'  "{label}"' if label else ""))
        for r in sorted(rs, key=lambda r: (not r.is_violation, str(r.source_shape), str(r.value))):
            lines.append(f"  {SEVERITY_WORDS.get(r.severity, 'result')}: {r.message}")
            details = []
            path = _describe_path(names, r.path, result.report_graph)
            if path:
                details.append(f"path {path}")
            if r.value is not None and r.value != r.focus:
                details.append(f"value {_short(names, r.value)}")
            shape = _short(names, r.source_shape) if isinstance(r.source_shape, URIRef) else None
            component = str(r.component).rsplit("#", 1)[-1] if r.component else ""
            details.append(f"rule {shape} ({component})" if shape else f"rule {component}")
            lines.append("    " + "; ".join(details))
            if r.files:
                lines.append(f"    in {', '.join(r.files)}")
    return "\n".join(lines) + "\n"


def report_turtle(result: ValidationResult) -> str:
    graph = new_graph()
    for triple in result.report_graph:
        graph.add(triple)
    return graph.serialize(format="turtle")


def report_jsonld(result: ValidationResult) -> str:
    graph = new_graph()
    for triple in result.report_graph:
        graph.add(triple)
    context = {prefix: str(ns) for prefix, ns in graph.namespaces()}
    text = graph.serialize(format="json-ld", context=context, indent=2)
    json.loads(text)  # always valid JSON
    return text
