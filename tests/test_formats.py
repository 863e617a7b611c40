"""The release's serialisations (exoonto.formats): the JSON-LD written straight from the
triples reads back as the same graph, and is byte for byte what rdflib's JSON-LD serialiser
(followed by the same normalisation) writes, except where rdflib loses data."""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from exoonto.build import assemble
from exoonto.canonical import sorted_copy
from exoonto.formats import JSONLD_CONTEXT, _json_key, _normalise_json, jsonld


def rdflib_jsonld(stable: Graph) -> str:
    """The reference: rdflib's JSON-LD serialiser with the exoonto prefixes as context,
    then nodes and values sorted as `exoonto.formats.jsonld` sorts them."""
    text = stable.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    data = json.loads(text)
    nodes = data.get("@graph")
    if nodes is None:  # a single node is emitted without @graph
        nodes = [{k: v for k, v in data.items() if k != "@context"}] if len(data) > 1 else []
    nodes = sorted((_normalise_json(n) for n in nodes), key=_json_key)
    out = {"@context": JSONLD_CONTEXT, "@graph": nodes}
    return json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


EX = "http://example.org/"
EXO = "https://w3id.org/exoonto/"

EDGE_CASES = f"""
@prefix ex: <{EX}> .
@prefix exo: <{EXO}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

exo:A a owl:Class , ex:OutsideTheContext ;
    owl:equivalentClass [
        owl:intersectionOf ( exo:B [ owl:onProperty exo:p ; owl:someValuesFrom exo:C ] )
    ] ;
    owl:unionOf ( ( exo:B exo:C ) ( ) ) ;
    rdfs:label "A"@en , "甲"@zh , "plain" , "typed"^^xsd:string ;
    exo:count 7 , -3 ;
    exo:ratio 1.5e0 , 1e300 ;
    exo:flag true , "1"^^xsd:boolean ;
    exo:decimal 2.50 ;
    exo:date "2018-05-01"^^xsd:date ;
    exo:custom "x"^^ex:Datatype ;
    exo:empty rdf:nil ;
    <{EXO}> exo:A ;
    exo:iri <{EX}> , <{EXO}> , <urn:isbn:123> .

ex:typedByBlankNode a [ a owl:Class ] .
ex:malformed ex:list [ rdf:first ex:x ; rdf:rest [ rdf:first ex:y ] ] .
ex:extra ex:list [ rdf:first ex:x ; rdf:rest rdf:nil ; ex:note "not a list" ] .
ex:shared ex:p _:s ; ex:q _:s .
ex:other ex:p _:s .
_:s ex:label "shared" ; ex:next [ ex:label "deeper" ] .
[ ex:label "an unreferenced blank node" ; ex:points ex:shared ] .
"""


def test_edge_cases_are_written_as_rdflib_writes_them():
    graph = Graph().parse(data=EDGE_CASES, format="turtle")
    stable = sorted_copy(graph)
    assert jsonld(stable) == rdflib_jsonld(stable)


@pytest.mark.parametrize(
    "triples",
    [
        [],
        [(URIRef(EX + "a"), RDFS.label, Literal("one node"))],
        [(BNode(), RDF.type, OWL.Class)],
    ],
    ids=["empty", "one-node", "one-blank-node"],
)
def test_small_graphs_are_written_as_rdflib_writes_them(triples):
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    stable = sorted_copy(graph)
    assert jsonld(stable) == rdflib_jsonld(stable)


def test_the_release_graphs_are_written_as_rdflib_writes_them():
    release, _loaded = assemble()
    for forms in (release.ontology_forms, release.kg_forms):
        assert forms.jsonld == rdflib_jsonld(forms.canonical)


# rdflib 7's writer drops a falsy first value ("", 0, false) when a second value follows,
# writes a NaN or infinite double as null, an ill-typed literal as a plain string, drops
# `rdf:type rdf:List` from a list node and leaves out a cycle of blank nodes; exoonto's
# writer keeps them.
LOSSY_IN_RDFLIB = f"""
@prefix ex: <{EX}> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:illTyped ex:count "many"^^xsd:integer .
ex:typedList ex:list [ a rdf:List ; rdf:first 1 ; rdf:rest rdf:nil ] .
_:cycle1 ex:next _:cycle2 .
_:cycle2 ex:next _:cycle1 .
ex:falsy ex:number 0 , 1 ; ex:flag false , true ; ex:text "" , "x" ; ex:label ""^^xsd:string , "y" .
ex:infinite ex:ratio "INF"^^xsd:double , "-INF"^^xsd:double , "NaN"^^xsd:double .
"""


@pytest.mark.parametrize("turtle", [EDGE_CASES, LOSSY_IN_RDFLIB], ids=["edge-cases", "lossy-in-rdflib"])
def test_jsonld_reads_back_as_the_same_graph(turtle):
    from rdflib.compare import isomorphic

    graph = Graph().parse(data=turtle, format="turtle")
    read_back = Graph().parse(data=jsonld(sorted_copy(graph)), format="json-ld")
    assert len(read_back) == len(graph)
    assert isomorphic(_simple_strings(read_back), _simple_strings(graph))


def _simple_strings(graph: Graph) -> Graph:
    """`"x"^^xsd:string` as `"x"`: the same literal in RDF 1.1, two terms in rdflib."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def test_values_rdflib_would_lose_are_kept():
    graph = Graph().parse(data=LOSSY_IN_RDFLIB, format="turtle")
    nodes = {n["@id"]: n for n in json.loads(jsonld(sorted_copy(graph)))["@graph"]}
    assert sorted(nodes[EX + "falsy"][EX + "number"]) == [0, 1]
    assert sorted(nodes[EX + "falsy"][EX + "text"]) == ["", "x"]
    assert {v["@value"] for v in nodes[EX + "infinite"][EX + "ratio"]} == {"INF", "-INF", "NaN"}
    assert nodes[EX + "illTyped"][EX + "count"] == {"@type": "xsd:integer", "@value": "many"}
