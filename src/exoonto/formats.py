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
import math
from collections import defaultdict
from functools import cached_property, lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

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
        """JSON-LD with the exoonto prefixes as context, nodes and values sorted."""
        return jsonld(self.canonical)

    @cached_property
    def rdfxml(self) -> str:
        """RDF/XML written by Oxigraph from the sorted N-Triples."""
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
    assert data is not None  # no output file given: the bytes are returned
    return data.decode("utf-8").replace("\r\n", "\n")


# ----------------------------------------------------------------------- JSON-LD

JSONLD_CONTEXT = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
# namespace IRI -> prefix (a later prefix for the same namespace wins, as in rdflib)
_PREFIX_OF = {namespace: prefix for prefix, namespace in JSONLD_CONTEXT.items()}
# literals of these datatypes are written as JSON strings, numbers and booleans
_NATIVE_DATATYPES = frozenset({XSD.boolean, XSD.integer, XSD.double, XSD.string})
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = RDF.type, RDF.first, RDF.rest, RDF.nil


def jsonld(stable: Graph) -> str:
    """Deterministic JSON-LD of a `sorted_copy` (canonical blank-node labels): a fixed
    @context (the project prefixes), nodes sorted by @id, property values sorted (RDF lists
    keep their order), keys sorted, UTF-8, LF.

    The nodes are those rdflib 7's JSON-LD serialiser makes of the graph with this context
    (see `JsonLdNodes`), built straight from the triples: rdflib's serialiser took most of
    the time of writing exoonto-kg.jsonld. A test checks that the two agree."""
    nodes = sorted((_normalise_json(n) for n in JsonLdNodes(stable).nodes()), key=_json_key)
    out = {"@context": JSONLD_CONTEXT, "@graph": nodes}
    return json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _split_iri(iri: str) -> tuple[str, str | None]:
    """rdflib's JSON-LD split: after the last '#', else the last '/', else the last ':'."""
    for delimiter in ("#", "/", ":"):
        at = iri.rfind(delimiter)
        if at > -1:
            return iri[: at + 1], iri[at + 1 :]
    return iri, None


@lru_cache(maxsize=1 << 16)
def compact_iri(iri: str) -> str:
    """An IRI as `prefix:local` when its namespace is a context prefix (for @id values)."""
    namespace, local = _split_iri(iri)
    prefix = _PREFIX_OF.get(namespace)
    return f"{prefix}:{local}" if prefix else iri


@lru_cache(maxsize=1 << 16)
def compact_term(iri: str) -> str:
    """An IRI as a property key, @type or datatype: a namespace IRI itself becomes its
    prefix, otherwise as `compact_iri`."""
    return _PREFIX_OF.get(str(iri)) or compact_iri(iri)


class JsonLdNodes:
    """The JSON-LD node objects of a graph, as rdflib's JSON-LD serialiser (rdflib 7,
    `from_rdf` with the exoonto prefixes as context and `auto_compact`) makes them:

    - one node per IRI subject and per blank-node subject that is no triple's object;
      other blank nodes become nodes when a node refers to them, or at the end if none
      does (a cycle of blank nodes, which rdflib leaves out);
    - `rdf:type` IRIs under `@type` as compact IRIs; other properties as compact keys;
    - IRIs as `{"@id": ...}`, blank nodes as `{"@id": "_:label"}`;
    - literals of xsd:string, integer, double and boolean as JSON values (their Python
      value; a NaN or infinite double as a typed value, which JSON cannot hold), other
      typed literals as `{"@type", "@value"}`, language-tagged ones as
      `{"@language", "@value"}`, plain ones as strings;
    - a well-formed RDF list as `{"@list": [...]}` in place of its first node;
    - one value under a key as the value itself, several as an array. (rdflib 7 drops a
      first value that is falsy in Python, "" or 0 or false, when a second follows; this
      writer keeps every value.)

    Triples are read in the graph's order (sorted, for a `sorted_copy`)."""

    def __init__(self, graph: Graph) -> None:
        self.outgoing: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        referenced: set[Node] = set()
        for s, p, o in graph:
            self.outgoing[s].append((p, o))
            referenced.add(o)
        self.roots = [
            s for s in self.outgoing
            if isinstance(s, URIRef) or (isinstance(s, BNode) and s not in referenced)
        ]
        self.nodemap: dict[str, dict] = {}
        self.list_nodes: set[Node] = set()  # written inline as @list, not as nodes

    def nodes(self) -> list[dict]:
        for subject in self.roots:
            self._node(subject)
        for subject in self.outgoing:  # blank nodes only on a cycle (rdflib loses them)
            if subject not in self.list_nodes:
                self._node(subject)
        return list(self.nodemap.values())

    def _node(self, subject: Node) -> None:
        node_id = compact_iri(subject) if isinstance(subject, URIRef) else subject.n3()
        if node_id in self.nodemap:
            return
        node: dict = {"@id": node_id}
        self.nodemap[node_id] = node
        for p, o in self.outgoing[subject]:
            if p == RDF_TYPE:
                key = "@type"
                value = compact_term(o) if isinstance(o, URIRef) else self._value(o)
            else:
                key = compact_term(p)
                value = self._value(o)
            if key in node:
                previous = node[key]
                node[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                node[key] = value

    def _value(self, term: Node | None):
        items = self._list_items(term)
        if items is not None:
            return {"@list": [self._value(item) for item in items]}
        if isinstance(term, BNode):
            self._node(term)
            return {"@id": term.n3()}
        if isinstance(term, URIRef):
            return {"@id": compact_iri(term)}
        if isinstance(term, Literal):
            return _literal_value(term)
        return None

    def _first(self, term: Node | None, predicate: URIRef) -> Node | None:
        for p, o in self.outgoing.get(term, ()):  # type: ignore[arg-type]
            if p == predicate:
                return o
        return None

    def _list_items(self, head: Node | None) -> list | None:
        """The items of the RDF list starting at `head`, or None if it is not a
        well-formed list (rdflib's rules: rdf:nil is the empty list; every node has
        rdf:first and rdf:rest and nothing else; no IRI nodes, no cycles). rdflib also
        accepts `rdf:type rdf:List` on a node and then drops that triple; this writer
        keeps such a list as nodes, so nothing is lost."""
        if head is None or (head != RDF_NIL and not self._first(head, RDF_FIRST)):
            return None
        items: list = []
        chain: set[Node | None] = {head}
        node: Node | None = head
        while node:
            if node == RDF_NIL:
                self.list_nodes |= chain
                return items
            if isinstance(node, URIRef):
                return None
            first = rest = None
            for p, o in self.outgoing.get(node, ()):
                if not first and p == RDF_FIRST:
                    first = o
                elif not rest and p == RDF_REST:
                    rest = o
                else:
                    return None
            items.append(first)
            node = rest
            if node in chain:
                return None
            chain.add(node)
        return None


def _literal_value(literal: Literal):
    if literal.datatype in _NATIVE_DATATYPES:
        value = literal.toPython()
        if isinstance(value, float) and not math.isfinite(value):
            # JSON has no NaN or infinity (rdflib writes null, losing the value)
            lexical = "NaN" if math.isnan(value) else "INF" if value > 0 else "-INF"
            return {"@type": compact_term(literal.datatype), "@value": lexical}
        if not isinstance(value, Literal):
            return value
        # an ill-typed literal such as "many"^^xsd:integer: rdflib writes a plain string
    if literal.datatype:
        return {"@type": compact_term(literal.datatype), "@value": str(literal)}
    if literal.language:
        return {"@language": literal.language, "@value": str(literal)}
    return str(literal)


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
