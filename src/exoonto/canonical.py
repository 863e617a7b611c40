"""One canonical Turtle serialization for every committed RDF file, so diffs stay readable."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from rdflib import BNode, Graph

from .load import parse_turtle
from .namespaces import PREFIXES, bind_prefixes

HEADER = "# Canonical exoonto Turtle: rewrite with `exoonto fmt FILE` after editing.\n"


def stable_labels(triples: list[tuple]) -> dict[BNode, BNode]:
    """A stable label for every blank node in `triples`: a hash of what the node says and,
    recursively, of the labels of the nodes it hangs from, so that equal inputs give equal
    labels across runs.

    This is linear in the graph's size, unlike rdflib's `to_canonical_graph` (which solves
    the general graph-isomorphism labelling and took seconds here). It is exact for the
    tree-shaped blank nodes of OWL axioms, lists and typed anonymous individuals; blank
    nodes it cannot tell apart get a running suffix in the order of their content."""
    outgoing: dict[BNode, list[tuple]] = defaultdict(list)
    incoming: dict[BNode, list[tuple]] = defaultdict(list)
    for s, p, o in triples:
        if isinstance(s, BNode):
            outgoing[s].append((p, o))
        if isinstance(o, BNode):
            incoming[o].append((s, p))
    content: dict[BNode, str] = {}

    def describe(node: BNode, path: frozenset = frozenset()) -> str:
        if node in content:
            return content[node]
        if node in path:  # a cycle through blank nodes
            return "_:cycle"
        parts = sorted(
            f"{p.n3()} {describe(o, path | {node}) if isinstance(o, BNode) else o.n3()}"
            for p, o in outgoing[node]
        )
        content[node] = hashlib.sha1("\n".join(parts).encode()).hexdigest()
        return content[node]

    labels: dict[BNode, str] = {}
    taken: dict[str, int] = defaultdict(int)

    def label(node: BNode, path: frozenset = frozenset()) -> str:
        # a node's label covers its content and, recursively, the labels of the nodes it
        # hangs from, so that equal sub-structures in different places get different labels
        if node in labels:
            return labels[node]
        where = sorted(f"{_parent(s, path | {node})} {p.n3()}" for s, p in incoming[node])
        key = hashlib.sha1((describe(node) + "|" + "\n".join(where)).encode()).hexdigest()[:20]
        taken[key] += 1  # true duplicates (same content, same place) get a running suffix
        labels[node] = f"b{key}{taken[key] - 1 if taken[key] > 1 else ''}"
        return labels[node]

    def _parent(node, path: frozenset) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        return "_:cycle" if node in path else label(node, path)

    for node in sorted(set(outgoing) | set(incoming), key=describe):
        label(node)
    return {node: BNode(text) for node, text in labels.items()}


def stable_triples(graph: Graph) -> list[tuple]:
    """The triples of `graph` with their blank nodes relabelled by `stable_labels`."""
    triples = list(graph)
    labels = stable_labels(triples)
    return [(labels.get(s, s), p, labels.get(o, o)) for s, p, o in triples]


def sorted_copy(graph: Graph) -> Graph:
    """Stable blank-node labels, and triples inserted in sorted order, so that rdflib's
    serialisers (which follow insertion order) emit a fixed order.

    The copy is only read and serialised, never parsed into, so it lives in rdflib's
    SimpleMemory store, which skips the default store's named-graph bookkeeping: filling
    it is about three times faster, and the serialisers' lookups are faster too."""
    stable = bind_prefixes(Graph(store="SimpleMemory", bind_namespaces="none"))
    for triple in sorted(stable_triples(graph)):
        stable.add(triple)
    return stable


def canonical_copy(graph: Graph) -> Graph:
    """`sorted_copy` with exoonto's prefixes bound, and those of the source file's own
    prefixes that exoonto does not define: the graph that canonical Turtle is written from."""
    stable = sorted_copy(graph)  # exoonto's prefixes are bound already
    ours = {str(ns) for _, ns in stable.namespaces()}
    for prefix, namespace in sorted(graph.namespaces()):
        if str(namespace) not in ours and prefix not in PREFIXES:
            stable.bind(prefix, namespace)  # keep a source file's own prefixes
    return stable


def turtle_of_canonical_copy(stable: Graph) -> str:
    """Sorted long-form Turtle of a `canonical_copy`."""
    body = stable.serialize(format="longturtle")
    return HEADER + body.rstrip("\n") + "\n"


def canonical_turtle(graph: Graph) -> str:
    """Serialise deterministically: stable blank-node labels, sorted long-form Turtle."""
    return turtle_of_canonical_copy(canonical_copy(graph))


def is_canonical(path: Path) -> bool:
    # parse first: parse_turtle turns unreadable or non-UTF-8 files into one InputError
    text = canonical_turtle(parse_turtle(path))
    return path.read_text(encoding="utf-8") == text


def rewrite_canonical(path: Path) -> bool:
    """Rewrite a file in canonical form; True if it changed. The file is parsed first, so a
    file with a syntax error is left untouched."""
    return write_if_changed(path, canonical_turtle(parse_turtle(path)))


def write_if_changed(path: Path, text: str) -> bool:
    """Replace `path` with `text` (atomically, through a temporary file); True if changed."""
    if path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True
