"""The namespaces exoonto mints and the prefixes its files use."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VANN,
    VOID,
    XSD,
)

BASE = "https://w3id.org/exoonto/"
EXO = Namespace(BASE)
FINDING = Namespace(BASE + "finding/")
EXOSOME = Namespace(BASE + "exosome/")
REF = Namespace(BASE + "reference/")
REVIEW = Namespace(BASE + "review/")
DISCREPANCY = Namespace(BASE + "discrepancy/")
SHAPE = Namespace(BASE + "shape/")  # the SHACL shapes in shapes/
BIBO = Namespace("http://purl.org/ontology/bibo/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
SCHEMA = Namespace("https://schema.org/")

ONTOLOGY_IRI = BASE + "exoonto.owl"
IAO_DEFINITION = OBO["IAO_0000115"]

PREFIXES: dict[str, Namespace] = {
    "exo": EXO,
    "finding": FINDING,
    "exosome": EXOSOME,
    "ref": REF,
    "review": REVIEW,
    "discrepancy": DISCREPANCY,
    "shape": SHAPE,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "prov": Namespace(str(PROV)),
    "vann": Namespace(str(VANN)),
    "void": Namespace(str(VOID)),
    "dcat": Namespace(str(DCAT)),
    "sh": Namespace(str(SH)),
    "bibo": BIBO,
    "obo": OBO,
    "oboInOwl": OBOINOWL,
    "schema": SCHEMA,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind exoonto's prefixes, replacing any the parser brought, so output is stable."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def new_graph() -> Graph:
    return bind_prefixes(Graph(bind_namespaces="none"))
