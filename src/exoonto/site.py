"""The release's static HTML documentation (`docs/`): the ontology's classes and properties
with both labels, definitions and mappings; the findings with their evidence sentences;
the references; the figure. No JavaScript, nothing loaded from another host."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from .figure import effect_direction
from .namespaces import (
    BASE,
    EXO,
    EXOSOME,
    FINDING,
    IAO_DEFINITION,
    PREFIXES,
    REF,
    REVIEW,
)
from .release import (
    CC_BY_4,
    DOCS_DIR,
    EXAMPLES_FILE,
    FIGURE_FILE,
    MAPPING_PREDICATES,
    SSSOM_FILE,
    VOID_FILE,
    _first,
    _label,
    _literals,
    _local_name,
    _natural_key,
    _version_iri,
    _write,
    curie,
    ontology_date,
    ontology_node,
    release_iri,
    sparql_endpoint,
)

if TYPE_CHECKING:
    from .build import Release


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


def _by_local_name(node) -> tuple:
    """Sort key for IRIs of one kind: their local names in natural order (R2 before R10)."""
    return _natural_key(_local_name(str(node)))


class Site:
    """The ontology and knowledge graph, indexed for the documentation pages."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.onto = release.ontology
        self.kg = release.knowledge_graph
        # the pages name the same terms thousands of times: label and link each IRI once
        self._labels: dict[tuple[Node, str], str] = {}
        self._iri_links: dict[URIRef, str] = {}
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
            key=_by_local_name,
        )
        self.references = sorted(
            {s for s in kg.subjects(EXO.referenceNumber)
             if isinstance(s, URIRef) and str(s).startswith(str(REF))
             and (s, RDF.type, EXO.Authorship) not in kg},
            key=self.reference_key,
        )
        self.discrepancies = sorted(
            {s for s in kg.subjects(RDF.type, EXO.Discrepancy) if isinstance(s, URIRef)},
            key=_by_local_name,
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
            key=_by_local_name,
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
        key = (node, lang)
        if key not in self._labels:
            self._labels[key] = _label(self.kg, node, lang)
        return self._labels[key]

    def link(self, node, graph: Graph | None = None) -> str:
        """A link to the node's page, or to the external IRI, with its label."""
        esc = html.escape
        if isinstance(node, Literal):
            lang = f' lang="{esc(node.language)}"' if node.language else ""
            cls = ' class="zh"' if (node.language or "").startswith("zh") else ""
            return f"<span{lang}{cls}>{esc(str(node))}</span>"
        if isinstance(node, BNode):
            return esc(self.expression(node, graph or self.kg))
        if node not in self._iri_links:
            self._iri_links[node] = self._iri_link(node)
        return self._iri_links[node]

    def _iri_link(self, node: URIRef) -> str:
        esc = html.escape
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
        used_by = sorted(kg.subjects(EXO.hasExosomeSource, prep), key=_by_local_name)
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
            kg.subjects(EXO.citesStudy, ref), key=_by_local_name
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
        f"<p>{len(site.discrepancies)} places where the review's text and its reference list "
        "disagree, a detail appears only in a reference's title, or the review disagrees with "
        "itself or misprints a term; each has its kind.</p>"
    ]
    for node in site.discrepancies:
        flagged = sorted(kg.subjects(EXO.hasDiscrepancy, node), key=_by_local_name)
        rows = [
            ("IRI", f"<code>{esc(str(node))}</code>"),
            ("kind", site.links(kg.objects(node, EXO.hasDiscrepancyKind))),
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
