"""SHACL validation of the shipped graph (and users' facts) with pySHACL."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph

from . import resources
from .load import LoadedGraph, parse_turtle
from .namespaces import new_graph


@dataclass
class ValidationResult:
    conforms: bool
    report_graph: Graph
    results: list = field(default_factory=list)


def load_shapes() -> Graph:
    shapes = new_graph()
    for source in resources.shape_files():
        parse_turtle(source, into=shapes)
    return shapes


def validate_graph(data: Graph, shapes: Graph | None = None) -> ValidationResult:
    from pyshacl import validate

    shapes = shapes if shapes is not None else load_shapes()
    conforms, report, _text = validate(
        data, shacl_graph=shapes, advanced=True, allow_warnings=True, inference="none"
    )
    from rdflib.namespace import SH

    results = list(report.subjects(predicate=None, object=SH.ValidationResult))
    return ValidationResult(bool(conforms), report, results)


def validate_loaded(loaded: LoadedGraph) -> ValidationResult:
    return validate_graph(loaded.graph)
