"""Figure 1 of the review, redrawn from the graph as SVG: exosome sources, their target
cells and tissues, and the effects, coloured by direction. Nothing is drawn by hand."""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from .release import (
    FIGURE_FILE,
    NEGATIVE_EFFECTS,
    POSITIVE_EFFECTS,
    _first,
    _label,
    _local_name,
    _natural_key,
    _write,
)

if TYPE_CHECKING:
    from .build import Release


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

FIGURE_VARIABLES = ("finding", "source", "target", "effect")

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


def figure_edges(ntriples: str) -> list[FigureEdge]:
    """The edges FIGURE_QUERY finds in a graph given as N-Triples. The query runs on
    Oxigraph, which answers it in milliseconds (rdflib's SPARQL engine first spends about
    0.4 s importing and parsing)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    grouped: dict[tuple[URIRef, URIRef, str], set[str]] = defaultdict(set)
    solutions = store.query(FIGURE_QUERY)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)  # a SELECT query
    for row in solutions:
        finding, source, target, effect = (row[v] for v in FIGURE_VARIABLES)
        if not all(isinstance(node, pyoxigraph.NamedNode) for node in (source, target)):
            continue
        key = (URIRef(source.value), URIRef(target.value), effect_direction(_rdflib_term(effect)))
        grouped[key].add(finding.value)
    return [
        FigureEdge(s, t, d, tuple(sorted(f, key=_natural_key)))
        for (s, t, d), f in sorted(grouped.items())
    ]


def _rdflib_term(term) -> URIRef | None:
    """An Oxigraph IRI as an rdflib URIRef (effects are IRIs; anything else has no direction)."""
    import pyoxigraph

    return URIRef(term.value) if isinstance(term, pyoxigraph.NamedNode) else None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def figure_svg(graph: Graph, ntriples: str) -> str:
    """Figure 1 redrawn from the graph (the edges queried from its N-Triples, the labels
    read from the graph): sources left, targets right, both sorted by label."""
    edges = figure_edges(ntriples)
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
    _write(out / FIGURE_FILE, figure_svg(release.knowledge_graph, release.kg_forms.ntriples))
