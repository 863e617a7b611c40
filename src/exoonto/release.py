"""The linked-data release: every file `exoonto build` writes besides the ontology and the
knowledge graph in Turtle/RDF-XML (those are in build.py).

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
    write_figure                figure1.svg
    write_docs                  docs/*.html, docs/style.css
    write_void                  void.ttl
    write_versioned_copy        releases/VERSION/... (a copy of all of the above)
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, VOID, XSD

from .errors import InputError
from .query import StoredQuery
from .namespaces import (
    BASE,
    EXO,
    EXOSOME,
    FINDING,
    IAO_DEFINITION,
    ONTOLOGY_IRI,
    PREFIXES,
    REF,
    REVIEW,
    SCHEMA,
    new_graph,
)

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


def jsonld(stable: Graph) -> str:
    """Deterministic JSON-LD of a `sorted_graph` (canonical blank-node labels): a fixed
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


def _ntriples_of_sorted(stable: Graph) -> str:
    """build.ntriples() for a graph that is already a `sorted_graph` (saves canonicalising
    the knowledge graph twice; the output is the same)."""
    lines = sorted(set(stable.serialize(format="nt").splitlines()) - {""})
    return "\n".join(lines) + "\n"


def write_jsonld_and_ntriples(release: Release, out: Path) -> None:
    from .build import sorted_graph

    _write(out / "exoonto.jsonld", jsonld(sorted_graph(release.ontology)))
    stable_kg = sorted_graph(release.knowledge_graph)
    _write(out / "exoonto-kg.nt", _ntriples_of_sorted(stable_kg))
    _write(out / "exoonto-kg.jsonld", jsonld(stable_kg))


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


# ----------------------------------------------------------------------- Figure 1

# The figure's edges: one per (exosome source, target, direction). The source is the class
# of the cell (or tissue) the preparation was derived from; a preparation with no stated
# origin is its own source. Directions: positive (promotes, upregulates), negative
# (inhibits, downregulates), unstated (every other effect).
FIGURE_QUERY = """
PREFIX exo: <https://w3id.org/exoonto/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?finding ?source ?target ?effect WHERE {
  ?finding rdf:type exo:Finding ;
           exo:hasExosomeSource ?preparation ;
           exo:hasEffect ?effect ;
           exo:hasTarget ?target .
  OPTIONAL {
    ?preparation exo:derivedFrom ?origin .
    ?origin rdf:type ?originClass .
    FILTER (isIRI(?originClass) && ?originClass != owl:NamedIndividual && ?originClass != owl:Thing)
  }
  BIND (COALESCE(?originClass, ?preparation) AS ?source)
}
"""

COLOURS = {"positive": "#1f78b4", "negative": "#d95f02", "unstated": "#8c8c8c"}
DIRECTION_TEXT = {
    "positive": "promotes / upregulates",
    "negative": "inhibits / downregulates",
    "unstated": "no stated direction",
}


def effect_direction(effect) -> str:
    if effect in POSITIVE_EFFECTS:
        return "positive"
    if effect in NEGATIVE_EFFECTS:
        return "negative"
    return "unstated"


@dataclass(frozen=True)
class FigureEdge:
    source: URIRef
    target: URIRef
    direction: str
    findings: tuple[str, ...]


def figure_edges(graph: Graph) -> list[FigureEdge]:
    grouped: dict[tuple[URIRef, URIRef, str], set[str]] = defaultdict(set)
    for row in graph.query(FIGURE_QUERY):
        finding, source, target, effect = row  # type: ignore[misc]
        if not isinstance(target, URIRef) or not isinstance(source, URIRef):
            continue
        grouped[(source, target, effect_direction(effect))].add(str(finding))
    return [
        FigureEdge(s, t, d, tuple(sorted(f, key=_natural_key)))
        for (s, t, d), f in sorted(grouped.items())
    ]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def figure_svg(graph: Graph) -> str:
    """Figure 1 redrawn from the graph: sources left, targets right, both sorted by label."""
    edges = figure_edges(graph)
    esc = html.escape

    def sort_key(node: URIRef) -> tuple:
        return (_label(graph, node, "en").casefold(), str(node))

    sources = sorted({e.source for e in edges}, key=sort_key)
    targets = sorted({e.target for e in edges}, key=sort_key)
    row_h, box_w, box_h = 48, 300, 38
    top, left_x, right_x = 110, 30, 630
    width = right_x + box_w + 30
    rows = max(len(sources), len(targets), 1)
    legend_y = top + rows * row_h + 20
    height = legend_y + 4 * 22 + 20
    y_source = {n: top + i * row_h for i, n in enumerate(sources)}
    y_target = {n: top + i * row_h for i, n in enumerate(targets)}
    font = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{esc(font)}" font-size="12">',
        "<title>图1 外泌体对骨重塑的调控作用 / Fig. 1 Effect of exosomes in bone remodelling "
        "(redrawn from the exoonto knowledge graph)</title>",
        "<defs>",
    ]
    for direction, colour in COLOURS.items():
        out.append(
            f'<marker id="arrow-{direction}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out += [
        "</defs>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width // 2}" y="30" text-anchor="middle" font-size="17" font-weight="bold">'
        "图1 外泌体对骨重塑的调控作用</text>",
        f'<text x="{width // 2}" y="52" text-anchor="middle" font-size="14">'
        "Fig. 1 Effect of exosomes in bone remodelling (redrawn from the knowledge graph)</text>",
        f'<text x="{left_x}" y="{top - 22}" font-weight="bold">exosome source (origin) / 外泌体来源</text>',
        f'<text x="{right_x}" y="{top - 22}" font-weight="bold">target cell or tissue / 靶细胞或组织</text>',
    ]
    # edges first, so the boxes are drawn over their ends
    out.append('<g id="edges" fill="none" stroke-width="2">')
    for edge in edges:
        pair = [e.direction for e in edges if e.source == edge.source and e.target == edge.target]
        offset = (pair.index(edge.direction) - (len(pair) - 1) / 2) * 6
        y1 = y_source[edge.source] + box_h / 2 + offset
        y2 = y_target[edge.target] + box_h / 2 + offset
        x1, x2 = left_x + box_w, right_x - 2
        mid = (x1 + x2) / 2
        colour = COLOURS[edge.direction]
        dash = ' stroke-dasharray="5,4"' if edge.direction == "unstated" else ""
        tooltip = (
            f"{_label(graph, edge.source)} → {_label(graph, edge.target)}: "
            f"{DIRECTION_TEXT[edge.direction]} ({', '.join(_local_name(f) for f in edge.findings)})"
        )
        out.append(
            f'<path class="edge edge-{edge.direction}" data-source="{esc(str(edge.source))}" '
            f'data-target="{esc(str(edge.target))}" data-direction="{edge.direction}" '
            f'data-findings="{esc(" ".join(edge.findings))}" '
            f'd="M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
            f'stroke="{colour}"{dash} marker-end="url(#arrow-{edge.direction})">'
            f"<title>{esc(tooltip)}</title></path>"
        )
    out.append("</g>")
    for nodes, ys, x, role in ((sources, y_source, left_x, "source"), (targets, y_target, right_x, "target")):
        out.append(f'<g id="{role}s">')
        for node in nodes:
            y = ys[node]
            en = _label(graph, node, "en")
            zh = _first(graph, node, RDFS.label, "zh")
            fill = "#eef5ee" if role == "source" else "#f3f0f8"
            out.append(
                f'<g class="node node-{role}" data-iri="{esc(str(node))}">'
                f"<title>{esc(en)}{' / ' + esc(zh) if zh else ''} &lt;{esc(str(node))}&gt;</title>"
                f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" '
                f'fill="{fill}" stroke="#555555"/>'
            )
            if zh:
                out.append(f'<text x="{x + 10}" y="{y + 16}">{esc(_clip(en, 44))}</text>')
                out.append(
                    f'<text x="{x + 10}" y="{y + 31}" font-size="11" fill="#444444">'
                    f"{esc(_clip(zh, 24))}</text>"
                )
            else:
                out.append(f'<text x="{x + 10}" y="{y + 23}">{esc(_clip(en, 44))}</text>')
            out.append("</g>")
        out.append("</g>")
    out.append(f'<g id="legend" transform="translate({left_x},{legend_y})">')
    out.append('<text x="0" y="0" font-weight="bold">Effect reported by the finding / 效应</text>')
    for i, (direction, colour) in enumerate(COLOURS.items()):
        y = 20 + i * 22
        dash = ' stroke-dasharray="5,4"' if direction == "unstated" else ""
        out.append(
            f'<line x1="0" y1="{y}" x2="50" y2="{y}" stroke="{colour}" stroke-width="2"{dash} '
            f'marker-end="url(#arrow-{direction})"/>'
            f'<text x="60" y="{y + 4}">{esc(DIRECTION_TEXT[direction])}</text>'
        )
    out.append(
        f'<text x="0" y="{20 + 3 * 22 + 4}" font-size="11" fill="#444444">'
        f"{len(edges)} edges from {sum(len(e.findings) for e in edges)} finding-target pairs; "
        "hover an edge for its findings.</text>"
    )
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_figure(release: Release, out: Path) -> None:
    _write(out / FIGURE_FILE, figure_svg(release.knowledge_graph))


# ----------------------------------------------------------------------- HTML documentation

STYLE_CSS = """\
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
       sans-serif; margin: 0 auto; max-width: 62rem; padding: 1rem 1.5rem; line-height: 1.45;
       color: #222; }
nav { border-bottom: 1px solid #ccc; padding-bottom: .5rem; margin-bottom: 1rem; }
nav a { margin-right: 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-bottom: .3rem; }
section.term, section.finding, section.reference, section.discrepancy, section.exosome
  { border-top: 1px solid #e3e3e3; padding-top: .4rem; margin-top: 1rem; }
dl { display: grid; grid-template-columns: 13rem 1fr; gap: .15rem 1rem; margin: .3rem 0; }
dt { color: #555; } dd { margin: 0; }
code, .iri { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; color: #444; }
.zh { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; }
.hedged { background: #fff2cc; border: 1px solid #e0b400; padding: 0 .3rem; border-radius: 3px; }
.reported { background: #e6f2e6; border: 1px solid #6a9f6a; padding: 0 .3rem; border-radius: 3px; }
.flag { background: #fde0dc; border: 1px solid #d9534f; padding: 0 .3rem; border-radius: 3px; }
.positive { color: #1f78b4; } .negative { color: #d95f02; } .unstated { color: #666; }
ul.toc { columns: 3; font-size: .9rem; }
blockquote { margin: .2rem 0 .2rem 0; padding-left: .8rem; border-left: 3px solid #ccc; }
img.figure { max-width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2rem .5rem; }
"""

PAGES = (
    ("index.html", "Overview"),
    ("classes.html", "Classes"),
    ("properties.html", "Properties"),
    ("individuals.html", "Individuals"),
    ("findings.html", "Findings"),
    ("references.html", "References"),
    ("discrepancies.html", "Discrepancies"),
)

DEFINITION_PROPERTIES = (IAO_DEFINITION, SKOS.definition)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
CHARACTERISTICS = (
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)


def _is_term(node) -> bool:
    """An IRI directly in the exo: namespace (not finding/, reference/, ...)."""
    return isinstance(node, URIRef) and str(node).startswith(BASE) and "/" not in str(node)[len(BASE):]


def anchor(node: URIRef) -> str:
    """An HTML id for an IRI: its local name, made safe."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", _local_name(str(node)))


class Site:
    """The ontology and knowledge graph, indexed for the documentation pages."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.onto = release.ontology
        self.kg = release.knowledge_graph
        onto, kg = self.onto, self.kg
        self.classes = sorted(
            {c for c in onto.subjects(RDF.type, OWL.Class) if _is_term(c)}, key=self.sort_key
        )
        self.properties = {
            kind: sorted({p for p in onto.subjects(RDF.type, kind) if _is_term(p)}, key=self.sort_key)
            for kind in PROPERTY_TYPES
        }
        known = set(self.classes) | {p for ps in self.properties.values() for p in ps}
        self.individuals = sorted(
            {
                s
                for s, o in onto.subject_objects(RDF.type)
                if _is_term(s) and s not in known and o != OWL.Ontology
            },
            key=self.sort_key,
        )
        self.findings = self._instances(EXO.Finding, FINDING)
        self.background = self._instances(EXO.BackgroundStatement, FINDING)
        self.exosomes = sorted(
            {s for s in kg.subjects(RDF.type, EXO.Exosome) if str(s).startswith(str(EXOSOME))},
            key=lambda n: _natural_key(_local_name(str(n))),
        )
        self.references = sorted(
            {s for s in kg.subjects(None, None) if isinstance(s, URIRef) and str(s).startswith(str(REF))
             and (s, RDF.type, EXO.Authorship) not in kg
             and kg.value(s, EXO.referenceNumber) is not None},
            key=self.reference_key,
        )
        self.discrepancies = sorted(
            {s for s in kg.subjects(RDF.type, EXO.Discrepancy) if isinstance(s, URIRef)},
            key=lambda n: _natural_key(_local_name(str(n))),
        )
        self.href: dict[URIRef, str] = {}
        for c in self.classes:
            self.href[c] = f"classes.html#{anchor(c)}"
        for ps in self.properties.values():
            for p in ps:
                self.href[p] = f"properties.html#{anchor(p)}"
        for i in self.individuals:
            self.href[i] = f"individuals.html#{anchor(i)}"
        for f in self.findings + self.background:
            self.href[f] = f"findings.html#{anchor(f)}"
        for e in self.exosomes:
            self.href[e] = f"findings.html#exosome-{anchor(e)}"
        for r in self.references:
            self.href[r] = f"references.html#{anchor(r)}"
        for d in self.discrepancies:
            self.href[d] = f"discrepancies.html#{anchor(d)}"

    def _instances(self, cls: URIRef, namespace) -> list[URIRef]:
        return sorted(
            {s for s in self.kg.subjects(RDF.type, cls) if str(s).startswith(str(namespace))},
            key=lambda n: _natural_key(_local_name(str(n))),
        )

    def sort_key(self, node) -> tuple:
        return (_label(self.onto, node, "en").casefold(), str(node))

    def reference_key(self, node) -> tuple:
        number = self.kg.value(node, EXO.referenceNumber)
        try:
            return (int(number), str(node))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return (10**9, str(node))

    # -- rendering helpers

    def label(self, node, lang: str = "en") -> str:
        return _label(self.kg, node, lang)

    def link(self, node, graph: Graph | None = None) -> str:
        """A link to the node's page, or to the external IRI, with its label."""
        esc = html.escape
        if isinstance(node, Literal):
            lang = f' lang="{esc(node.language)}"' if node.language else ""
            cls = ' class="zh"' if (node.language or "").startswith("zh") else ""
            return f"<span{lang}{cls}>{esc(str(node))}</span>"
        if isinstance(node, BNode):
            return esc(self.expression(node, graph or self.kg))
        text = self.label(node) if (self.kg.value(node, RDFS.label) is not None) else curie(str(node))
        href = self.href.get(node)
        if href:
            return f'<a href="{esc(href)}">{esc(text)}</a>'
        css = "" if text != str(node) and ":" not in text.split(" ")[0] else ' class="iri"'
        return f'<a href="{esc(str(node))}"{css}>{esc(text)}</a>'

    def links(self, nodes: Iterable, graph: Graph | None = None) -> str:
        items = sorted(set(nodes), key=lambda n: (isinstance(n, BNode), self.label(n).casefold(), str(n)))
        return ", ".join(self.link(n, graph) for n in items)

    def expression(self, node, graph: Graph) -> str:
        """A class expression in Manchester-like syntax."""
        if isinstance(node, URIRef):
            return self.label(node) if _is_term(node) else curie(str(node))
        if not isinstance(node, BNode):
            return str(node)
        g = graph

        def items(prop) -> list:
            head = g.value(node, prop)
            return list(g.items(head)) if head is not None else []

        if g.value(node, OWL.intersectionOf) is not None:
            return " and ".join(self._paren(i, g) for i in items(OWL.intersectionOf))
        if g.value(node, OWL.unionOf) is not None:
            return " or ".join(self._paren(i, g) for i in items(OWL.unionOf))
        if g.value(node, OWL.oneOf) is not None:
            return "{" + ", ".join(self.expression(i, g) for i in items(OWL.oneOf)) + "}"
        if g.value(node, OWL.complementOf) is not None:
            return "not " + self._paren(g.value(node, OWL.complementOf), g)
        prop = g.value(node, OWL.onProperty)
        if prop is not None:
            p = self.expression(prop, g)
            for key, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
                filler = g.value(node, key)
                if filler is not None:
                    return f"{p} {word} {self._paren(filler, g)}"
            value = g.value(node, OWL.hasValue)
            if value is not None:
                return f"{p} value {self.expression(value, g)}"
            for key, word in (
                (OWL.cardinality, "exactly"), (OWL.qualifiedCardinality, "exactly"),
                (OWL.minCardinality, "min"), (OWL.minQualifiedCardinality, "min"),
                (OWL.maxCardinality, "max"), (OWL.maxQualifiedCardinality, "max"),
            ):
                n = g.value(node, key)
                if n is not None:
                    on = g.value(node, OWL.onClass) or g.value(node, OWL.onDataRange)
                    return f"{p} {word} {n}" + (f" {self._paren(on, g)}" if on is not None else "")
        return "(anonymous class expression)"

    def _paren(self, node, graph: Graph) -> str:
        text = self.expression(node, graph)
        return f"({text})" if isinstance(node, BNode) and " " in text and not text.startswith("{") else text


def _page(site: Site, name: str, title: str, body: list[str]) -> str:
    esc = html.escape
    nav = " ".join(f'<a href="{page}">{esc(label)}</a>' for page, label in PAGES)
    onto_title = _first(site.onto, ontology_node(site.onto), DCTERMS.title, "en") or "exoonto"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)} · {esc(onto_title)} {esc(site.release.version)}</title>",
            '<link rel="stylesheet" href="style.css">',
            "</head>",
            "<body>",
            f"<nav>{nav}</nav>",
            f"<h1>{esc(title)}</h1>",
            *body,
            f'<footer><p><small>exoonto {esc(site.release.version)} · generated from the release '
            f'graph · <a href="{esc(str(CC_BY_4))}">CC BY 4.0</a></small></p></footer>',
            "</body>",
            "</html>",
        ]
    ) + "\n"


def _dl(rows: list[tuple[str, str]]) -> str:
    inner = "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f"<dl>{inner}</dl>"


def _labels_rows(site: Site, node, graph: Graph) -> list[tuple[str, str]]:
    esc = html.escape
    rows = [("IRI", f'<code>{esc(str(node))}</code>')]
    en = [str(v) for v in _literals(graph, node, RDFS.label, "en")]
    zh = [str(v) for v in _literals(graph, node, RDFS.label, "zh")]
    rows.append(("label (en)", esc(" | ".join(en))))
    rows.append(("label (zh)", f'<span class="zh" lang="zh">{esc(" | ".join(zh))}</span>' if zh else ""))
    for prop in DEFINITION_PROPERTIES:
        for value in _literals(graph, node, prop):
            lang = value.language or ""
            cls = ' class="zh"' if lang.startswith("zh") else ""
            rows.append((f"definition{f' ({lang})' if lang else ''}",
                         f'<span lang="{esc(lang)}"{cls}>{esc(str(value))}</span>'))
    for value in _literals(graph, node, SKOS.altLabel):
        rows.append((f"synonym ({value.language or ''})", esc(str(value))))
    for value in _literals(graph, node, RDFS.comment):
        rows.append((f"comment ({value.language or ''})", esc(str(value))))
    for value in _literals(graph, node, SKOS.scopeNote) + _literals(graph, node, SKOS.editorialNote):
        rows.append(("note", esc(str(value))))
    for predicate in MAPPING_PREDICATES:
        targets = sorted(o for o in graph.objects(node, predicate) if isinstance(o, URIRef))
        if targets:
            rows.append((
                f"mapping ({curie(str(predicate))})",
                ", ".join(f'<a href="{esc(str(t))}" class="iri">{esc(curie(str(t)))}</a>' for t in targets),
            ))
    return rows


def _toc(site: Site, nodes: list[URIRef]) -> str:
    esc = html.escape
    items = "".join(
        f'<li><a href="#{anchor(n)}">{esc(site.label(n))}</a></li>' for n in nodes
    )
    return f'<ul class="toc">{items}</ul>'


def classes_page(site: Site) -> str:
    onto, inferred = site.onto, site.release.inferred
    body = [f"<p>{len(site.classes)} classes.</p>", _toc(site, site.classes)]
    for cls in site.classes:
        rows = _labels_rows(site, cls, onto)
        supers = [o for o in onto.objects(cls, RDFS.subClassOf)]
        rows.append(("subclass of", site.links(supers, onto)))
        inferred_supers = [o for o in inferred.objects(cls, RDFS.subClassOf) if o not in supers]
        rows.append(("inferred subclass of", site.links(inferred_supers)))
        rows.append(("equivalent to", site.links(onto.objects(cls, OWL.equivalentClass), onto)))
        rows.append(("disjoint with", site.links(onto.objects(cls, OWL.disjointWith), onto)))
        subs = [s for s in onto.subjects(RDFS.subClassOf, cls) if isinstance(s, URIRef)]
        rows.append(("subclasses", site.links(subs)))
        body.append(
            f'<section class="term" id="{anchor(cls)}"><h3>{html.escape(site.label(cls))}</h3>'
            f"{_dl(rows)}</section>"
        )
    return _page(site, "classes.html", "Classes", body)


def properties_page(site: Site) -> str:
    onto = site.onto
    body = []
    titles = {
        OWL.ObjectProperty: "Object properties",
        OWL.DatatypeProperty: "Datatype properties",
        OWL.AnnotationProperty: "Annotation properties",
    }
    for kind in PROPERTY_TYPES:
        props = site.properties[kind]
        body.append(f"<h2>{titles[kind]} ({len(props)})</h2>")
        body.append(_toc(site, props))
        for prop in props:
            rows = _labels_rows(site, prop, onto)
            rows.append(("subproperty of", site.links(onto.objects(prop, RDFS.subPropertyOf), onto)))
            rows.append(("inverse of", site.links(onto.objects(prop, OWL.inverseOf), onto)))
            rows.append(("domain", site.links(onto.objects(prop, RDFS.domain), onto)))
            rows.append(("range", site.links(onto.objects(prop, RDFS.range), onto)))
            traits = [_local_name(str(c)) for c in CHARACTERISTICS if (prop, RDF.type, c) in onto]
            rows.append(("characteristics", html.escape(", ".join(traits))))
            body.append(
                f'<section class="term" id="{anchor(prop)}"><h3>{html.escape(site.label(prop))}</h3>'
                f"{_dl(rows)}</section>"
            )
    return _page(site, "properties.html", "Properties", body)


def individuals_page(site: Site) -> str:
    onto = site.onto
    body = [
        f"<p>{len(site.individuals)} named individuals of the ontology (enumerations such as "
        "the effects and statement statuses).</p>",
        _toc(site, site.individuals),
    ]
    for ind in site.individuals:
        rows = _labels_rows(site, ind, onto)
        types = [t for t in onto.objects(ind, RDF.type) if t != OWL.NamedIndividual]
        rows.append(("type", site.links(types, onto)))
        body.append(
            f'<section class="term" id="{anchor(ind)}"><h3>{html.escape(site.label(ind))}</h3>'
            f"{_dl(rows)}</section>"
        )
    return _page(site, "individuals.html", "Individuals", body)


ZH_CLASS = ' class="zh"'

# The slots of a finding, in display order.
FINDING_SLOTS = (
    ("exosome source", EXO.hasExosomeSource),
    ("effect", EXO.hasEffect),
    ("process", EXO.affectsProcess),
    ("marker", EXO.affectsMarker),
    ("target", EXO.hasTarget),
    ("cargo", EXO.hasCargo),
    ("pathway", EXO.viaPathway),
    ("pathway direction", EXO.hasPathwayDirection),
    ("disorder", EXO.inDisorderContext),
    ("model", EXO.inModel),
    ("species", EXO.inSpecies),
    ("experimental setting", EXO.hasExperimentalSetting),
    ("condition", EXO.hasCondition),
    ("about", EXO.isAbout),
    ("released by", EXO.releasedBy),
    ("detected in", EXO.detectedIn),
    ("differentiates into", EXO.differentiatesInto),
    ("originates from", EXO.originatesFrom),
    ("transfer mechanism", EXO.transferMechanism),
    ("min. diameter (nm)", EXO.minDiameterNm),
    ("max. diameter (nm)", EXO.maxDiameterNm),
    ("evidence code", EXO.evidenceCode),
)


def _statement_section(site: Site, node: URIRef) -> str:
    kg, esc = site.kg, html.escape
    rows: list[tuple[str, str]] = [("IRI", f"<code>{esc(str(node))}</code>")]
    for title, prop in FINDING_SLOTS:
        values = list(kg.objects(node, prop))
        if prop == EXO.hasEffect:
            rows.append((title, " ".join(
                f'<span class="{effect_direction(v)}">{site.link(v)}</span>' for v in sorted(values)
            )))
        else:
            rows.append((title, site.links(values)))
    refs = sorted(kg.objects(node, EXO.citesStudy), key=site.reference_key)
    rows.append(("study", ", ".join(
        f'<a href="{esc(site.href[r])}">[{esc(str(kg.value(r, EXO.referenceNumber) or ""))}] '
        f"{esc(_first(kg, r, EXO.shortCitation))}</a>" if r in site.href else site.link(r)
        for r in refs
    )))
    rows.append(("section", site.links(kg.objects(node, EXO.inSection))))
    statuses = sorted(kg.objects(node, EXO.hasStatementStatus))
    status_html = []
    for status in statuses:
        hedged = status == EXO.hedgedStatement
        cues = ", ".join(str(c) for c in _literals(kg, node, EXO.hedgeCue))
        text = esc(site.label(status)) + (
            f' — cue <span class="zh" lang="zh">{esc(cues)}</span>' if hedged and cues else ""
        )
        status_html.append(f'<span class="{"hedged" if hedged else "reported"}">{text}</span>')
    if (node, EXO.supportedOnlyByReferenceTitle, Literal(True)) in kg:
        status_html.append('<span class="flag">supported only by the reference title</span>')
    rows.append(("status", " ".join(status_html)))
    discrepancies = sorted(kg.objects(node, EXO.hasDiscrepancy))
    rows.append(("discrepancy", " ".join(
        f'<span class="flag">{site.link(d)}</span>' for d in discrepancies
    )))
    sentences = "".join(
        f'<blockquote lang="{lang}"{ZH_CLASS if lang == "zh" else ""}>{esc(str(s))}</blockquote>'
        for lang in ("zh", "en")
        for s in _literals(kg, node, EXO.evidenceSentence, lang)
    )
    kind = "finding" if (node, RDF.type, EXO.Finding) in kg else "background statement"
    return (
        f'<section class="finding" id="{anchor(node)}">'
        f"<h3>{esc(_local_name(str(node)))}: {esc(site.label(node))}</h3>"
        f"<p><small>{kind}</small></p>{_dl(rows)}"
        f"<p><strong>Evidence (the review's sentence, zh; English rendering, en):</strong></p>"
        f"{sentences}</section>"
    )


def findings_page(site: Site) -> str:
    esc = html.escape
    hedged = sum(1 for f in site.findings if (f, EXO.hasStatementStatus, EXO.hedgedStatement) in site.kg)
    body = [
        f"<p>{len(site.findings)} findings ({hedged} hedged: the review says “may” / 可能 or "
        f"“is thought to” / 被认为), {len(site.background)} background statements and "
        f"{len(site.exosomes)} exosome preparations.</p>",
        "<h2>Findings</h2>",
        '<ul class="toc">' + "".join(
            f'<li><a href="#{anchor(f)}">{esc(_local_name(str(f)))}</a></li>' for f in site.findings
        ) + "</ul>",
        *(_statement_section(site, f) for f in site.findings),
        "<h2>Background statements</h2>",
        '<ul class="toc">' + "".join(
            f'<li><a href="#{anchor(f)}">{esc(_local_name(str(f)))}</a></li>' for f in site.background
        ) + "</ul>",
        *(_statement_section(site, f) for f in site.background),
        "<h2>Exosome preparations</h2>",
    ]
    kg = site.kg
    for prep in site.exosomes:
        origins = [t for o in kg.objects(prep, EXO.derivedFrom) for t in kg.objects(o, RDF.type)]
        types = [t for t in kg.objects(prep, RDF.type) if t not in (EXO.Exosome, OWL.NamedIndividual)]
        used_by = sorted(kg.subjects(EXO.hasExosomeSource, prep), key=lambda n: _natural_key(_local_name(str(n))))
        rows = [
            ("IRI", f"<code>{esc(str(prep))}</code>"),
            ("label (zh)", esc(_first(kg, prep, RDFS.label, "zh"))),
            ("derived from", site.links(origins)),
            ("classified as", site.links(types)),
            ("species", site.links(kg.objects(prep, EXO.inSpecies))),
            ("findings", ", ".join(site.link(f) for f in used_by)),
        ]
        body.append(
            f'<section class="exosome" id="exosome-{anchor(prep)}"><h3>{esc(site.label(prep))}</h3>'
            f"{_dl(rows)}</section>"
        )
    return _page(site, "findings.html", "Findings", body)


def references_page(site: Site) -> str:
    kg, esc = site.kg, html.escape
    body = [f"<p>The review's {len(site.references)} references, as printed.</p>"]
    for ref in site.references:
        citing = sorted(
            kg.subjects(EXO.citesStudy, ref), key=lambda n: _natural_key(_local_name(str(n)))
        )
        issued = _first(kg, ref, DCTERMS.issued)
        rows = [
            ("IRI", f"<code>{esc(str(ref))}</code>"),
            ("authors", esc(_first(kg, ref, EXO.authorsAsPrinted) + (
                " et al." if (ref, EXO.hasEtAl, Literal(True)) in kg
                and "et al" not in _first(kg, ref, EXO.authorsAsPrinted) else ""))),
            ("title", esc(_first(kg, ref, DCTERMS.title))),
            ("journal", esc(_first(kg, ref, EXO.journalTitle))),
            ("year", esc(issued)),
            ("volume (issue): pages", esc(
                _first(kg, ref, PREFIXES["bibo"].volume)
                + (f"({_first(kg, ref, PREFIXES['bibo'].issue)})" if _first(kg, ref, PREFIXES["bibo"].issue) else "")
                + (f": {_first(kg, ref, PREFIXES['bibo'].pages)}" if _first(kg, ref, PREFIXES["bibo"].pages) else "")
            )),
            ("DOI", esc(_first(kg, ref, PREFIXES["bibo"].doi))),
            ("PMID", esc(_first(kg, ref, PREFIXES["bibo"].pmid))),
            ("statements citing it", ", ".join(site.link(f) for f in citing)),
            ("discrepancies", ", ".join(
                site.link(d) for d in site.discrepancies if (d, EXO.concernsReference, ref) in kg
            )),
        ]
        number = kg.value(ref, EXO.referenceNumber)
        body.append(
            f'<section class="reference" id="{anchor(ref)}"><h3>[{esc(str(number))}] '
            f"{esc(_first(kg, ref, EXO.shortCitation))}</h3>{_dl(rows)}</section>"
        )
    return _page(site, "references.html", "References", body)


def discrepancies_page(site: Site) -> str:
    kg, esc = site.kg, html.escape
    body = [
        f"<p>{len(site.discrepancies)} places where the review's text and its reference list (or "
        "its Chinese and English front matter) disagree.</p>"
    ]
    for node in site.discrepancies:
        flagged = sorted(kg.subjects(EXO.hasDiscrepancy, node), key=lambda n: _natural_key(_local_name(str(n))))
        rows = [
            ("IRI", f"<code>{esc(str(node))}</code>"),
            ("text says", "<br>".join(site.link(v) for v in _literals(kg, node, EXO.textSays))),
            ("reference says", "<br>".join(site.link(v) for v in _literals(kg, node, EXO.referenceSays))),
            ("comment", "<br>".join(site.link(v) for v in _literals(kg, node, RDFS.comment))),
            ("concerns", site.links(
                list(kg.objects(node, EXO.concernsReference)) + list(kg.objects(node, EXO.concernsReview))
            )),
            ("flagged statements", ", ".join(site.link(f) for f in flagged)),
        ]
        body.append(
            f'<section class="discrepancy" id="{anchor(node)}"><h3>{esc(site.label(node))}</h3>'
            f"{_dl(rows)}</section>"
        )
    return _page(site, "discrepancies.html", "Discrepancies", body)


def index_page(site: Site) -> str:
    onto, esc = site.onto, html.escape
    node = ontology_node(onto)
    version = site.release.version
    title_en = _first(onto, node, DCTERMS.title, "en") or "exoonto"
    title_zh = _first(onto, node, DCTERMS.title, "zh")
    description = _first(onto, node, DCTERMS.description, "en") or _first(onto, node, RDFS.comment, "en")
    downloads = [
        ("exoonto.ttl", "ontology, Turtle"),
        ("exoonto.owl", "ontology, RDF/XML"),
        ("exoonto.jsonld", "ontology, JSON-LD"),
        ("exoonto-kg.ttl", "knowledge graph (ontology + facts + inferences), Turtle"),
        ("exoonto-kg.nt", "knowledge graph, N-Triples"),
        ("exoonto-kg.jsonld", "knowledge graph, JSON-LD"),
        (VOID_FILE, "VoID and DCAT description"),
        (EXAMPLES_FILE, "stored SPARQL queries as SHACL executables"),
        (SSSOM_FILE, "mappings to external ontologies, SSSOM TSV"),
        (FIGURE_FILE, "Figure 1 redrawn from the graph, SVG"),
    ]
    review = URIRef(str(REVIEW) + "guo2018")
    counts = [
        ("classes", len(site.classes), "classes.html"),
        ("properties", sum(len(p) for p in site.properties.values()), "properties.html"),
        ("named individuals", len(site.individuals), "individuals.html"),
        ("findings", len(site.findings), "findings.html"),
        ("background statements", len(site.background), "findings.html"),
        ("references", len(site.references), "references.html"),
        ("discrepancies", len(site.discrepancies), "discrepancies.html"),
    ]
    body = [
        f'<p class="zh" lang="zh">{esc(title_zh)}</p>' if title_zh else "",
        f"<p>{esc(description)}</p>" if description else "",
        _dl([
            ("ontology IRI", f"<code>{esc(str(node))}</code>"),
            ("version IRI", f"<code>{esc(_version_iri(onto, version))}</code>"),
            ("version", esc(version)),
            ("date", esc(ontology_date(onto))),
            ("license", f'<a href="{esc(str(CC_BY_4))}">CC BY 4.0</a>'),
            ("source", f"{esc(_label(site.kg, review, 'en'))} / "
                       f'<span class="zh" lang="zh">{esc(_label(site.kg, review, "zh"))}</span>'
             if (review, None, None) in site.kg else ""),
            ("SPARQL endpoint", f"<code>{esc(sparql_endpoint())}</code>"),
        ]),
        "<h2>Contents</h2>",
        "<ul>" + "".join(
            f'<li><a href="{href}">{esc(name)}</a>: {n}</li>' for name, n, href in counts
        ) + "</ul>",
        "<h2>Figure 1</h2>",
        '<p>The review\'s Figure 1 (图1 外泌体对骨重塑的调控作用), redrawn from the knowledge graph: '
        "exosome sources (left), the cells and tissues the findings report them acting on (right).</p>",
        f'<p><a href="../{FIGURE_FILE}"><img class="figure" src="../{FIGURE_FILE}" '
        'alt="Figure 1: exosome sources and their targets, coloured by effect"></a></p>',
        "<h2>Downloads</h2>",
        "<ul>" + "".join(
            f'<li><a href="../{name}">{esc(name)}</a>: {esc(what)} '
            f'(<code>{esc(str(release_iri(version, name)))}</code>)</li>'
            for name, what in downloads
        ) + "</ul>",
    ]
    return _page(site, "index.html", title_en, [b for b in body if b])


def write_docs(release: Release, out: Path) -> None:
    site = Site(release)
    docs = out / DOCS_DIR
    _write(docs / "style.css", STYLE_CSS)
    _write(docs / "index.html", index_page(site))
    _write(docs / "classes.html", classes_page(site))
    _write(docs / "properties.html", properties_page(site))
    _write(docs / "individuals.html", individuals_page(site))
    _write(docs / "findings.html", findings_page(site))
    _write(docs / "references.html", references_page(site))
    _write(docs / "discrepancies.html", discrepancies_page(site))


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
    g.add((kg_node, VOID.triples, Literal(len(kg))))
    subjects = {s for s in kg.subjects()}
    g.add((kg_node, VOID.entities, Literal(sum(
        1 for s in subjects if isinstance(s, URIRef) and str(s).startswith(BASE)
    ))))
    g.add((kg_node, VOID.distinctSubjects, Literal(len(subjects))))
    g.add((kg_node, VOID.distinctObjects, Literal(len(set(kg.objects())))))
    g.add((kg_node, VOID.properties, Literal(len(set(kg.predicates())))))
    g.add((kg_node, VOID.classes, Literal(len({o for o in kg.objects(None, RDF.type)}))))
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

    class_members: dict[URIRef, set] = defaultdict(set)
    for s, o in kg.subject_objects(RDF.type):
        if isinstance(o, URIRef):
            class_members[o].add(s)
    for cls in sorted(class_members):
        node = _void_node(version, "class-" + _partition_id(str(cls)))
        g.add((kg_node, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, Literal(len(class_members[cls]))))
    property_counts: dict[URIRef, int] = defaultdict(int)
    for _, p, _ in kg:
        property_counts[p] += 1  # type: ignore[index]
    for prop in sorted(property_counts):
        node = _void_node(version, "property-" + _partition_id(str(prop)))
        g.add((kg_node, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, Literal(property_counts[prop])))

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


RELEASE_WRITERS = [
    write_jsonld_and_ntriples,
    write_sparql_examples,
    write_sssom,
    write_figure,
    write_docs,
    write_void,
    write_versioned_copy,  # keep last: it copies what the writers before it wrote
]
