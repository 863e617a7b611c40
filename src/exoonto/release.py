"""The linked-data release: the RDF files `exoonto build` writes besides the ontology and
the knowledge graph in Turtle/RDF-XML (those are in build.py), and the helpers that the
figure (figure.py) and the HTML documentation (site.py) share with them.

Each writer takes the assembled `Release` and the (staging) output folder and writes its
files deterministically: same sources, byte-identical output, whatever PYTHONHASHSEED is.
Nothing here reads the clock, the environment's locale or the network; the one
configurable value is the SPARQL endpoint named in void.ttl and sparql-examples.ttl
(environment variable EXOONTO_SPARQL_ENDPOINT, default http://127.0.0.1:8000/sparql).

Writers, in the order build.py runs them (order matters: void.ttl records the byte size of
the files written before it, and the versioned copy copies everything written before it):

    write_jsonld_and_ntriples   exoonto.jsonld, exoonto-kg.nt, exoonto-kg.jsonld
    write_sparql_examples       sparql-examples.ttl
    write_sssom                 mappings.sssom.tsv
    write_figure                figure1.svg                    (figure.py)
    write_docs                  docs/*.html, docs/style.css    (site.py)
    write_void                  void.ttl
    write_versioned_copy        releases/VERSION/... (a copy of all of the above)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, VOID, XSD

from .errors import InputError
from .namespaces import (
    BASE,
    EXO,
    FINDING,
    ONTOLOGY_IRI,
    PREFIXES,
    REF,
    REVIEW,
    SCHEMA,
    new_graph,
)
from .query import StoredQuery

if TYPE_CHECKING:  # build.py imports this module at its end; avoid a circular import
    from .build import Release

RELEASES_BASE = BASE + "releases/"
QUERY_BASE = BASE + "query/"
DEFAULT_SPARQL_ENDPOINT = "http://127.0.0.1:8000/sparql"
ENDPOINT_VARIABLE = "EXOONTO_SPARQL_ENDPOINT"
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
SEMAPV_MANUAL = "semapv:ManualMappingCuration"
IANA = "https://www.iana.org/assignments/media-types/"
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; not in rdflib's DCAT 2 namespace

MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".owl": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".tsv": "text/tab-separated-values",
    ".svg": "image/svg+xml",
    ".html": "text/html",
}

# The files void.ttl describes, each with the dataset it belongs to (see write_void).
ONTOLOGY_FILES = ("exoonto.ttl", "exoonto.owl", "exoonto.jsonld")
KG_FILES = ("exoonto-kg.ttl", "exoonto-kg.nt", "exoonto-kg.jsonld")
EXAMPLES_FILE = "sparql-examples.ttl"
SSSOM_FILE = "mappings.sssom.tsv"
FIGURE_FILE = "figure1.svg"
VOID_FILE = "void.ttl"
DOCS_DIR = "docs"

MAPPING_PREDICATES = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.narrowMatch,
    SKOS.broadMatch,
    SKOS.relatedMatch,
)

POSITIVE_EFFECTS = frozenset({EXO.promotes, EXO.upregulates})
NEGATIVE_EFFECTS = frozenset({EXO.inhibits, EXO.downregulates})


# ----------------------------------------------------------------------- small helpers


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="\n": the same bytes on every platform
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def sparql_endpoint() -> str:
    """The SPARQL endpoint the release advertises (void:sparqlEndpoint, schema:target)."""
    endpoint = os.environ.get(ENDPOINT_VARIABLE, "").strip() or DEFAULT_SPARQL_ENDPOINT
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", endpoint):
        raise InputError(
            f"{ENDPOINT_VARIABLE} must be an absolute http(s) IRI, not {endpoint!r}."
        )
    return endpoint


def release_iri(version: str, name: str = "") -> URIRef:
    """The download IRI of a release file: https://w3id.org/exoonto/releases/VERSION/NAME."""
    return URIRef(f"{RELEASES_BASE}{version}/{name}")


def _natural_key(text: str) -> tuple:
    """'R9-02' < 'R27-01': numbers compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def _literals(graph: Graph, node, prop, lang: str | None = None) -> list[Literal]:
    values = [o for o in graph.objects(node, prop) if isinstance(o, Literal)]
    if lang is not None:
        values = [v for v in values if (v.language or "").lower().startswith(lang)]
    return sorted(values, key=lambda v: (str(v), v.language or "", str(v.datatype or "")))


def _first(graph: Graph, node, prop, lang: str | None = None) -> str:
    values = _literals(graph, node, prop, lang)
    return str(values[0]) if values else ""


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _label(graph: Graph, node, lang: str = "en") -> str:
    """The node's rdfs:label in `lang`, else any label, else its local name."""
    return (
        _first(graph, node, RDFS.label, lang)
        or _first(graph, node, SKOS.prefLabel, lang)
        or _first(graph, node, RDFS.label)
        or (_local_name(str(node)) if isinstance(node, URIRef) else "")
    )


# Namespaces of external identifiers the ontology maps to, as CURIE prefixes (bioregistry
# style); OBO PURLs and identifiers.org IRIs are handled generally in `curie`.
EXTERNAL_PREFIXES = {
    "EFO": "http://www.ebi.ac.uk/efo/EFO_",
    "HGNC": "https://identifiers.org/hgnc:",
}


def curie(iri: str) -> str:
    """A compact IRI: OBO PURLs as CL:0000062, identifiers.org as HGNC:10472, the project's
    prefixes as exo:Osteoblast; otherwise the IRI itself."""
    for prefix, namespace in EXTERNAL_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    obo = str(PREFIXES["obo"])
    if iri.startswith(obo):
        local = iri[len(obo):]
        match = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)_(\w+)", local)
        if match:
            return f"{match.group(1)}:{match.group(2)}"
    match = re.fullmatch(r"https?://identifiers\.org/([A-Za-z][\w.]*):(\S+)", iri)
    if match:
        return f"{match.group(1)}:{match.group(2)}"
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if iri.startswith(ns) and len(ns) > len(best):
            local = iri[len(ns):]
            if local and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", local) and "/" not in local:
                best, best_prefix = ns, prefix
    if best:
        return f"{best_prefix}:{iri[len(best):]}"
    return iri


def ontology_node(graph: Graph) -> URIRef:
    nodes = sorted(o for o in graph.subjects(RDF.type, OWL.Ontology) if isinstance(o, URIRef))
    return URIRef(ONTOLOGY_IRI) if URIRef(ONTOLOGY_IRI) in nodes or not nodes else nodes[0]


def ontology_date(graph: Graph) -> str:
    """The ontology's own date (modified, issued, date, created), never today's date."""
    node = ontology_node(graph)
    for prop in (DCTERMS.modified, DCTERMS.issued, DCTERMS.date, DCTERMS.created):
        values = _literals(graph, node, prop)
        if values:
            return str(values[-1])[:10]
    return ""


def _turtle(graph: Graph) -> str:
    from .canonical import canonical_turtle

    return canonical_turtle(graph)


# ----------------------------------------------------------------------- JSON-LD, N-Triples


def write_jsonld_and_ntriples(release: Release, out: Path) -> None:
    _write(out / "exoonto.jsonld", release.ontology_forms.jsonld)
    _write(out / "exoonto-kg.nt", release.kg_forms.ntriples)
    _write(out / "exoonto-kg.jsonld", release.kg_forms.jsonld)


# ----------------------------------------------------------------------- SPARQL examples


QUERY_FORM = re.compile(r"^\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


def query_form(text: str) -> str:
    """SelectQuery, ConstructQuery, AskQuery or DescribeQuery, from the first form keyword
    at the start of a line (the stored queries put it there, after their prologue)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    match = QUERY_FORM.search(body)
    return f"{match.group(1).capitalize()}Query" if match else "SelectQuery"


def without_metadata(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip() + "\n"


_EXECUTABLE = {
    "SelectQuery": (SH.SPARQLSelectExecutable, SH.select),
    "ConstructQuery": (SH.SPARQLConstructExecutable, SH.construct),
    "AskQuery": (SH.SPARQLAskExecutable, SH.ask),
    "DescribeQuery": (SH.SPARQLExecutable, SCHEMA.query),  # SHACL has no sh:describe
}


def sparql_examples_graph(queries: Iterable[StoredQuery], endpoint: str) -> Graph:
    """sib-swiss/sparql-examples style: one sh:SPARQLExecutable per stored query."""
    graph = new_graph()
    for query in queries:
        identifier = query.source.removesuffix(".rq")
        node = URIRef(QUERY_BASE + identifier)
        kind, text_property = _EXECUTABLE[query_form(query.text)]
        comment = " ".join(p.strip() for p in (query.summary, query.description) if p.strip())
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, kind))
        graph.add((node, RDFS.label, Literal(identifier)))
        graph.add((node, RDFS.comment, Literal(comment or identifier, lang="en")))
        graph.add((node, text_property, Literal(without_metadata(query.text))))
        graph.add((node, SCHEMA.target, URIRef(endpoint)))
        graph.add((node, DCTERMS.identifier, Literal(identifier)))
        graph.add((node, DCTERMS.license, CC_BY_4))
        for tag in query.tags:
            graph.add((node, SCHEMA.keywords, Literal(tag, lang="en")))
    return graph


def write_sparql_examples(release: Release, out: Path) -> None:
    from .query import stored_queries

    graph = sparql_examples_graph(stored_queries().values(), sparql_endpoint())
    _write(out / EXAMPLES_FILE, _turtle(graph))


# ----------------------------------------------------------------------- SSSOM


SSSOM_COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
)


def mapping_triples(ontology: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """Every skos:*Match triple between IRIs in the ontology."""
    rows = set()
    for predicate in MAPPING_PREDICATES:
        for subject, obj in ontology.subject_objects(predicate):
            if isinstance(subject, URIRef) and isinstance(obj, URIRef):
                rows.add((subject, predicate, obj))
    return sorted(rows, key=lambda t: (curie(t[0]), curie(t[1]), curie(t[2])))


def _curie_prefix_map(iris: Iterable[str]) -> dict[str, str]:
    """The prefixes the CURIEs of `iris` use, each with the IRI prefix it expands to."""
    used: dict[str, str] = {"semapv": "https://w3id.org/semapv/vocab/", "skos": str(SKOS)}
    for iri in iris:
        compact = curie(iri)
        if compact == iri:
            raise InputError(f"the mapping target {iri} has no known CURIE prefix: add one to "
                             "EXTERNAL_PREFIXES in exoonto/release.py.")
        prefix, local = compact.split(":", 1)
        used[prefix] = iri[: len(iri) - len(local)]
    return dict(sorted(used.items()))


def _tsv_cell(text: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def sssom_tsv(release: Release) -> str:
    ontology = release.ontology
    rows = mapping_triples(ontology)
    curie_map = _curie_prefix_map(str(iri) for row in rows for iri in row)
    version = release.version
    header = {
        "mapping_set_id": str(release_iri(version, SSSOM_FILE)),
        "mapping_set_version": version,
        "mapping_set_title": "exoonto mappings to external ontologies",
        "license": str(CC_BY_4),
        "subject_source": ONTOLOGY_IRI,
        "subject_source_version": _version_iri(ontology, version),
    }
    date = ontology_date(ontology)
    if date:
        header["mapping_date"] = date
    lines = ["#curie_map:"]
    lines += [f"#  {prefix}: {json.dumps(ns)}" for prefix, ns in curie_map.items()]
    for key, value in header.items():
        lines.append(f"#{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("\t".join(SSSOM_COLUMNS))
    for subject, predicate, obj in rows:
        object_label = _first(ontology, obj, RDFS.label, "en") or _first(ontology, obj, RDFS.label)
        lines.append(
            "\t".join(
                _tsv_cell(cell)
                for cell in (
                    curie(subject),
                    _label(ontology, subject, "en"),
                    curie(predicate),
                    curie(obj),
                    object_label,
                    SEMAPV_MANUAL,
                )
            )
        )
    return "\n".join(lines) + "\n"


def _version_iri(ontology: Graph, version: str) -> str:
    value = ontology.value(ontology_node(ontology), OWL.versionIRI)
    return str(value) if value is not None else str(release_iri(version, "exoonto.owl"))


def write_sssom(release: Release, out: Path) -> None:
    _write(out / SSSOM_FILE, sssom_tsv(release))


# ----------------------------------------------------------------------- VoID + DCAT


def _void_node(version: str, fragment: str) -> URIRef:
    return URIRef(f"{release_iri(version, VOID_FILE)}#{fragment}")


def _partition_id(iri: str) -> str:
    compact = curie(iri)
    if compact != iri:
        return re.sub(r"[^A-Za-z0-9_.\-]", "-", compact)
    return hashlib.sha1(iri.encode("utf-8")).hexdigest()[:12]


def _count_triples(path: Path) -> int:
    """Triples in a Turtle file written by this build (for the examples subset)."""
    return len(Graph().parse(path, format="turtle"))


@dataclass
class GraphStatistics:
    """What VoID says about the size of a graph, gathered in one pass over its triples."""

    triples: int = 0
    subjects: set = field(default_factory=set)
    objects: set = field(default_factory=set)
    property_triples: dict[URIRef, int] = field(default_factory=lambda: defaultdict(int))
    types: set = field(default_factory=set)  # every object of rdf:type
    class_members: dict[URIRef, set] = field(default_factory=lambda: defaultdict(set))


def graph_statistics(graph: Graph) -> GraphStatistics:
    stats = GraphStatistics()
    for s, p, o in graph:
        stats.triples += 1
        stats.subjects.add(s)
        stats.objects.add(o)
        stats.property_triples[p] += 1  # type: ignore[index]
        if p == RDF.type:
            stats.types.add(o)
            if isinstance(o, URIRef):
                stats.class_members[o].add(s)
    return stats


def void_graph(release: Release, out: Path) -> Graph:
    version = release.version
    kg, onto = release.knowledge_graph, release.ontology
    g = new_graph()
    description = URIRef(str(release_iri(version, VOID_FILE)))
    kg_node = _void_node(version, "kg")
    onto_node = _void_node(version, "ontology")
    examples_node = _void_node(version, "sparql-examples")
    mappings_node = _void_node(version, "mappings")
    figure_node = _void_node(version, "figure1")
    endpoint = URIRef(sparql_endpoint())
    date = ontology_date(onto)

    g.add((description, RDF.type, VOID.DatasetDescription))
    g.add((description, DCTERMS.title, Literal(f"VoID description of exoonto {version}", lang="en")))
    g.add((description, FOAF.primaryTopic, kg_node))

    review = URIRef(str(REVIEW) + "guo2018")

    def dataset(node: URIRef, title_en: str, title_zh: str, about: str) -> None:
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.title, Literal(title_en, lang="en")))
        g.add((node, DCTERMS.title, Literal(title_zh, lang="zh")))
        g.add((node, DCTERMS.description, Literal(about, lang="en")))
        g.add((node, DCTERMS.license, CC_BY_4))
        g.add((node, OWL.versionInfo, Literal(version)))
        g.add((node, DCAT_VERSION, Literal(version)))
        g.add((node, DCTERMS.source, review))
        if date:
            g.add((node, DCTERMS.issued, Literal(date, datatype=XSD.date)))

    def distribution(dataset_node: URIRef, name: str, dump: bool) -> None:
        path = out / name
        if not path.is_file():
            raise RuntimeError(f"void.ttl describes {name}, but the build did not write it")
        node = _void_node(version, "distribution-" + name)
        iri = release_iri(version, name)
        media = MEDIA_TYPES[path.suffix]
        g.add((dataset_node, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(name)))
        g.add((node, DCAT.downloadURL, iri))
        g.add((node, DCAT.accessURL, iri))
        g.add((node, DCAT.mediaType, URIRef(IANA + media)))
        g.add((node, DCTERMS.format, Literal(media)))
        g.add((node, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        g.add((node, DCTERMS.license, CC_BY_4))
        if dump:
            g.add((dataset_node, VOID.dataDump, iri))

    # the knowledge graph
    dataset(
        kg_node, "exoonto knowledge graph", "外泌体对骨重塑的调控作用 知识图谱",
        "The review 'Regulation of Exosomes on Bone Remodelling' (Guo et al. 2018) as linked "
        "data: the exoonto ontology, the review's findings with provenance, its references, "
        "and the materialised inferences.",
    )
    g.add((kg_node, RDF.type, VOID.Dataset))
    g.add((kg_node, VOID.uriSpace, Literal(BASE)))
    g.add((kg_node, VOID.sparqlEndpoint, endpoint))
    g.add((kg_node, VOID.vocabulary, URIRef(BASE)))
    g.add((kg_node, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((kg_node, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    g.add((kg_node, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    g.add((kg_node, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
    stats = graph_statistics(kg)
    g.add((kg_node, VOID.triples, Literal(stats.triples)))
    g.add((kg_node, VOID.entities, Literal(sum(
        1 for s in stats.subjects if isinstance(s, URIRef) and str(s).startswith(BASE)
    ))))
    g.add((kg_node, VOID.distinctSubjects, Literal(len(stats.subjects))))
    g.add((kg_node, VOID.distinctObjects, Literal(len(stats.objects))))
    g.add((kg_node, VOID.properties, Literal(len(stats.property_triples))))
    g.add((kg_node, VOID.classes, Literal(len(stats.types))))
    findings = sorted(
        (s for s in kg.subjects(RDF.type, EXO.Finding) if str(s).startswith(str(FINDING))),
        key=lambda n: _natural_key(str(n)),
    )
    if findings:
        g.add((kg_node, VOID.exampleResource, findings[0]))
    for example in (URIRef(str(REF) + "R27"), URIRef(BASE + "Osteoblast")):
        if (example, None, None) in kg:
            g.add((kg_node, VOID.exampleResource, example))
    g.add((kg_node, DCAT.landingPage, release_iri(version, f"{DOCS_DIR}/index.html")))
    g.add((kg_node, FOAF.depiction, release_iri(version, FIGURE_FILE)))
    g.add((kg_node, VOID.subset, onto_node))
    for name in KG_FILES:
        distribution(kg_node, name, dump=True)

    for cls in sorted(stats.class_members):
        node = _void_node(version, "class-" + _partition_id(str(cls)))
        g.add((kg_node, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, Literal(len(stats.class_members[cls]))))
    for prop in sorted(stats.property_triples):
        node = _void_node(version, "property-" + _partition_id(str(prop)))
        g.add((kg_node, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, Literal(stats.property_triples[prop])))

    # the ontology, a subset of the knowledge graph
    dataset(
        onto_node, "exoonto ontology", "外泌体骨重塑本体",
        "The OWL 2 DL ontology (schema) of exoonto, with English and Chinese labels and "
        "mappings to external ontologies.",
    )
    g.add((onto_node, RDF.type, VOID.Dataset))
    g.add((onto_node, VOID.triples, Literal(len(onto))))
    g.add((onto_node, FOAF.primaryTopic, URIRef(ONTOLOGY_IRI)))
    g.add((onto_node, DCAT.landingPage, release_iri(version, f"{DOCS_DIR}/classes.html")))
    for name in ONTOLOGY_FILES:
        distribution(onto_node, name, dump=True)

    # the stored queries
    dataset(
        examples_node, "exoonto SPARQL examples", "exoonto SPARQL 查询示例",
        "The stored SPARQL queries, one per competency question, as SHACL SPARQL executables "
        "(sib-swiss/sparql-examples convention).",
    )
    g.add((examples_node, RDF.type, VOID.Dataset))
    g.add((examples_node, VOID.triples, Literal(_count_triples(out / EXAMPLES_FILE))))
    distribution(examples_node, EXAMPLES_FILE, dump=True)

    # the mappings
    dataset(
        mappings_node, "exoonto mappings (SSSOM)", "exoonto 映射 (SSSOM)",
        "Every SKOS mapping of the ontology to an external ontology as an SSSOM mapping set.",
    )
    g.add((mappings_node, DCTERMS.conformsTo, URIRef("https://w3id.org/sssom/")))
    distribution(mappings_node, SSSOM_FILE, dump=False)

    # the figure
    dataset(
        figure_node, "Figure 1 redrawn from the knowledge graph", "图1 外泌体对骨重塑的调控作用 (由知识图谱重绘)",
        "The review's Figure 1 drawn by a SPARQL query over the knowledge graph: exosome "
        "sources, their target cells and tissues, and the direction of each reported effect.",
    )
    distribution(figure_node, FIGURE_FILE, dump=False)
    return g


def write_void(release: Release, out: Path) -> None:
    _write(out / VOID_FILE, _turtle(void_graph(release, out)))


# ----------------------------------------------------------------------- versioned copy


def write_versioned_copy(release: Release, out: Path) -> None:
    """Copy everything written so far to releases/VERSION/, the paths of the download IRIs
    https://w3id.org/exoonto/releases/VERSION/FILE."""
    target = out / "releases" / release.version
    files = sorted(
        p for p in out.rglob("*")
        if p.is_file() and p.relative_to(out).parts[0] != "releases" and not p.name.startswith(".")
    )
    for path in files:
        destination = target / path.relative_to(out)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
