"""The RDF serialisations the release writes of a graph (canonical Turtle, N-Triples,
JSON-LD, RDF/XML), all derived from one canonical copy of the graph.

Canonicalising a graph (stable blank-node labels, sorted triples) costs more than most of
its serialisations, so `GraphForms` makes the canonical copy once and computes each format
from it at most once; the release writers share one `GraphForms` per graph (see
`Release.ontology_forms` and `Release.kg_forms` in build.py). Every format is
deterministic: same graph, same text, whatever PYTHONHASHSEED is.
"""

from __future__ import annotations

import json
from functools import cached_property

from rdflib import Graph

from .canonical import canonical_copy, turtle_of_canonical_copy
from .namespaces import PREFIXES


class GraphForms:
    """One graph's canonical copy and its serialisations, each computed on first use.

    The graph must not change after the first serialisation is asked for."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @cached_property
    def canonical(self) -> Graph:
        """The graph with stable blank-node labels, triples in sorted insertion order and
        the canonical prefixes bound (`canonical.canonical_copy`)."""
        return canonical_copy(self.graph)

    @cached_property
    def turtle(self) -> str:
        """Canonical Turtle, the same text as `canonical.canonical_turtle(graph)`."""
        return turtle_of_canonical_copy(self.canonical)

    @cached_property
    def ntriples(self) -> str:
        """Sorted N-Triples, one line per triple, stable blank-node labels."""
        return sorted_ntriples(self.canonical)

    @cached_property
    def jsonld(self) -> str:
        return jsonld(self.canonical)

    @cached_property
    def rdfxml(self) -> str:
        return rdfxml_of_ntriples(self.ntriples)


def sorted_ntriples(stable: Graph) -> str:
    """N-Triples of a graph with stable blank-node labels, lines sorted and unique."""
    lines = sorted(set(stable.serialize(format="nt").splitlines()) - {""})
    return "\n".join(lines) + "\n"


def ntriples(graph: Graph) -> str:
    """Sorted N-Triples of `graph`, with stable blank-node labels."""
    return GraphForms(graph).ntriples


def rdfxml(graph: Graph) -> str:
    """Deterministic RDF/XML of `graph` (see `rdfxml_of_ntriples`)."""
    return GraphForms(graph).rdfxml


def rdfxml_of_ntriples(text: str) -> str:
    """Deterministic RDF/XML: Oxigraph's writer over sorted N-Triples (rdflib's pretty-xml
    output order depends on PYTHONHASHSEED)."""
    import pyoxigraph

    triples = pyoxigraph.parse(input=text, format=pyoxigraph.RdfFormat.N_TRIPLES)
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=prefixes)
    return data.decode("utf-8").replace("\r\n", "\n")


# ----------------------------------------------------------------------- JSON-LD


def jsonld(stable: Graph) -> str:
    """Deterministic JSON-LD of a `sorted_copy` (canonical blank-node labels): a fixed
    @context (the project prefixes), nodes sorted by @id, property values sorted (RDF lists
    keep their order), keys sorted, UTF-8, LF."""
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    text = stable.serialize(format="json-ld", context=context, auto_compact=True)
    data = json.loads(text)
    nodes = data.get("@graph")
    if nodes is None:  # a single node is emitted without @graph
        nodes = [{k: v for k, v in data.items() if k != "@context"}] if len(data) > 1 else []
    nodes = sorted((_normalise_json(n) for n in nodes), key=_json_key)
    out = {"@context": context, "@graph": nodes}
    return json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _json_key(value) -> tuple[int, str, str]:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, dict) and "@id" in value:
        return (0, str(value["@id"]), text)
    return (1, "", text)


def _normalise_json(value, ordered: bool = False):
    if isinstance(value, dict):
        return {
            key: _normalise_json(item, ordered=(key == "@list"))
            for key, item in value.items()
        }
    if isinstance(value, list):
        items = [_normalise_json(item) for item in value]
        return items if ordered else sorted(items, key=_json_key)
    return value
