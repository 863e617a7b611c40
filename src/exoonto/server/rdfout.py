"""Serialise a list of pyoxigraph triples as Turtle, N-Triples, RDF/XML or JSON-LD."""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import PREFIXES

PREFIX_STRINGS = {name: str(ns) for name, ns in PREFIXES.items()}
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}


def used_prefixes(ntriples: bytes, prefixes: dict[str, str] | None = None) -> dict[str, str]:
    prefixes = PREFIX_STRINGS if prefixes is None else prefixes
    return {name: iri for name, iri in prefixes.items() if b"<" + iri.encode() in ntriples}


def serialize_triples(triples: list[ox.Triple], key: str, out=None, prefixes=None) -> bytes | None:
    """`key` is ttl, nt, rdf or jsonld. Writes to `out` when given, else returns bytes."""
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if key == "nt":
        data: bytes = nt
    elif key == "jsonld":
        from rdflib import Graph  # only JSON-LD needs rdflib

        graph = Graph(bind_namespaces="none")
        graph.parse(data=nt.decode("utf-8"), format="nt")
        text = graph.serialize(
            format="json-ld", context=used_prefixes(nt, prefixes), auto_compact=True, indent=2
        )
        data = text.encode("utf-8")
    else:
        data = ox.serialize(triples, format=OX_FORMATS[key], prefixes=used_prefixes(nt, prefixes))
    if out is None:
        return data
    out.write(data)
    return None
