"""One canonical Turtle serialization for every committed RDF file, so diffs stay readable."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from .load import parse_turtle
from .namespaces import bind_prefixes, new_graph

HEADER = "# Canonical exoonto Turtle: rewrite with `exoonto fmt FILE` after editing.\n"


def canonical_turtle(graph: Graph) -> str:
    """Serialise deterministically: canonical blank-node labels, sorted long-form Turtle."""
    stable = new_graph()
    for triple in sorted(to_canonical_graph(graph)):
        stable.add(triple)
    bind_prefixes(stable)
    body = stable.serialize(format="longturtle")
    return HEADER + body.rstrip("\n") + "\n"


def is_canonical(path: Path) -> bool:
    return path.read_text(encoding="utf-8") == canonical_turtle(parse_turtle(path))


def rewrite_canonical(path: Path) -> bool:
    """Rewrite a file in canonical form; True if it changed. The file is parsed first, so a
    file with a syntax error is left untouched."""
    text = canonical_turtle(parse_turtle(path))
    if path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True
