"""Server-rendered HTML: the landing page, term, finding and resource pages, the query page.

Plain strings and html.escape; one local stylesheet; JavaScript only on the query page."""

from __future__ import annotations

from collections import defaultdict
from html import escape

import pyoxigraph as ox

from .. import __version__
from ..namespaces import BASE, ONTOLOGY_IRI
from .knowledge import Knowledge, curie, local_path

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
IAO_DEFINITION = "http://purl.obolibrary.org/obo/IAO_0000115"
HAS_DBXREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"
EXO = BASE

LABEL = RDFS + "label"
TYPE = RDF + "type"
DEFINITIONS = (IAO_DEFINITION, SKOS + "definition")
MAPPINGS = (
    SKOS + "exactMatch",
    SKOS + "closeMatch",
    SKOS + "broadMatch",
    SKOS + "narrowMatch",
    SKOS + "relatedMatch",
    HAS_DBXREF,
    OWL + "equivalentClass",
    RDFS + "seeAlso",
)
STATEMENT_KINDS = (EXO + "Finding", EXO + "BackgroundStatement")

FORMAT_LINKS = (("ttl", "Turtle"), ("rdf", "RDF/XML"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))


def e(text: object) -> str:
    return escape(str(text), quote=True)


def layout(title: str, body: str, *, script: str | None = None) -> str:
    scripts = f'<script src="/static/{e(script)}" defer></script>' if script else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · exoonto</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
{scripts}
</head>
<body>
<header class="site">
  <a class="brand" href="/">exoonto</a>
  <nav>
    <a href="/query">Query</a>
    <a href="/queries">Stored queries</a>
    <a href="/exoonto.owl">Ontology</a>
    <a href="/openapi.json">OpenAPI</a>
  </nav>
</header>
<main>
{body}
</main>
<footer class="site">exoonto {e(__version__)} · the review <i>外泌体对骨重塑的调控作用 /
Regulation of Exosomes on Bone Remodelling</i> (Guo et al. 2018) as linked data ·
SPARQL endpoint at <code>/sparql</code></footer>
</body>
</html>
"""


class Renderer:
    def __init__(self, knowledge: Knowledge) -> None:
        self.kg = knowledge

    # ------------------------------------------------------------------ terms as HTML
    def link(self, iri: str, text: str | None = None) -> str:
        text = text if text is not None else self.kg.display(iri)
        path = local_path(iri)
        href = path if path is not None else iri
        return f'<a href="{e(href)}" title="{e(curie(iri))}">{e(text)}</a>'

    def literal(self, lit: ox.Literal) -> str:
        lang = lit.language
        if lang:
            return (
                f'<span lang="{e(lang)}">{e(lit.value)}</span> <span class="tag">@{e(lang)}</span>'
            )
        dt = lit.datatype.value
        if dt.endswith("#string"):
            return e(lit.value)
        return f'{e(lit.value)} <span class="tag">{e(curie(dt))}</span>'

    def value(self, term, by_subject: dict | None = None, depth: int = 0) -> str:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if isinstance(term, ox.BlankNode) and by_subject is not None and depth < 6:
            rows = by_subject.get(term, [])
            inner = "".join(
                f'<li><span class="pred">{self.predicate(p.value)}</span> '
                f"{self.value(o, by_subject, depth + 1)}</li>"
                for p, o in rows
            )
            return f'<ul class="bnode">{inner}</ul>' if inner else "[ ]"
        return "[ ]"

    def predicate(self, iri: str) -> str:
        label = self.kg.label(iri)
        return self.link(iri, label or curie(iri))

    def statements_table(
        self, iri: str, triples: list[ox.Triple], skip: set[str] = frozenset()
    ) -> str:
        """All statements about `iri` (blank nodes nested), except predicates in `skip`."""
        by_subject: dict = defaultdict(list)
        for t in triples:
            by_subject[t.subject].append((t.predicate, t.object))
        subject = ox.NamedNode(iri)
        grouped: dict[str, list] = defaultdict(list)
        for p, o in by_subject.get(subject, []):
            if p.value not in skip:
                grouped[p.value].append(o)
        if not grouped:
            return ""
        rows = []
        for p in sorted(grouped, key=lambda x: (x != TYPE, x != LABEL, curie(x))):
            values = sorted(grouped[p], key=lambda o: (type(o).__name__, str(o)))
            cells = "".join(f"<li>{self.value(o, by_subject)}</li>" for o in values)
            rows.append(
                f'<tr><th scope="row">{self.predicate(p)}</th><td><ul>{cells}</ul></td></tr>'
            )
        return f'<table class="statements"><tbody>{"".join(rows)}</tbody></table>'

    def downloads(self, path: str) -> str:
        links = " ".join(f'<a href="{e(path)}?format={k}">{n}</a>' for k, n in FORMAT_LINKS)
        return f'<p class="formats">This page as data: {links}</p>'

    def heading(self, iri: str, kind: str) -> str:
        labels = self.kg.labels(iri)
        if not labels:  # the ontology has a title, not a label
            for lit in self.literals(iri, ("http://purl.org/dc/terms/title",)):
                labels.setdefault(lit.language or "", []).append(lit.value)
        en = (labels.get("en") or labels.get("") or [curie(iri)])[0]
        zh = labels.get("zh", [])
        zh_html = "".join(f' <span class="zh" lang="zh">{e(z)}</span>' for z in zh)
        types = " ".join(f'<span class="badge">{self.link(t)}</span>' for t in self.kg.types(iri))
        return (
            f'<p class="kind">{e(kind)}</p><h1>{e(en)}{zh_html}</h1>'
            f'<p class="iri"><code>{e(iri)}</code> · <code>{e(curie(iri))}</code> {types}</p>'
        )

    def literals(self, iri: str, predicates: tuple[str, ...]) -> list[ox.Literal]:
        found = []
        for p in predicates:
            found += [o for o in self.kg.objects(iri, p) if isinstance(o, ox.Literal)]
        return found

    # ------------------------------------------------------------------ pages
    def landing(self, base_url: str) -> str:
        c = self.kg.counts()
        endpoint = base_url.rstrip("/") + "/sparql"
        query = (
            "PREFIX exo: <https://w3id.org/exoonto/>\n"
            "SELECT (COUNT(?r) AS ?references) WHERE { ?r exo:referenceNumber ?n }"
        )
        curl = (
            f"curl -s {endpoint} \\\n  -H 'Accept: text/csv' \\\n  --data-urlencode 'query={query}'"
        )
        wrapper = (
            "from SPARQLWrapper import SPARQLWrapper, JSON\n\n"
            f'sparql = SPARQLWrapper("{endpoint}")\n'
            'sparql.setQuery("""\n'
            f"{query}\n"
            '""")\n'
            "sparql.setReturnFormat(JSON)\n"
            'for row in sparql.queryAndConvert()["results"]["bindings"]:\n'
            '    print(row["references"]["value"])'
        )
        stats = [
            (c.findings, "findings", "reported effects of exosomes, one per study and effect"),
            (c.background, "background statements", "the review's own general statements"),
            (c.references, "references", "the review's cited studies"),
            (c.exosomes, "exosome preparations", "what each study used"),
            (c.classes, "classes", "of the ontology, mapped to CL, GO, UBERON, MONDO, ..."),
            (c.properties, "properties", ""),
            (c.discrepancies, "discrepancies", "where the text and its references disagree"),
            (c.triples, "triples", "in the release graph, with materialised inferences"),
        ]
        cards = "".join(
            f'<div class="stat"><span class="n">{n:,}</span><span class="what">{e(w)}</span>'
            f'<span class="note">{e(note)}</span></div>'
            for n, w, note in stats
        )
        body = f"""
<section class="intro">
<h1>Exosomes in bone remodelling, as linked data</h1>
<p>This server holds the review <i lang="zh">外泌体对骨重塑的调控作用</i>
(<i>Regulation of Exosomes on Bone Remodelling</i>, Guo, Zou, Wang, Chen, 2018): an OWL
ontology of the cells, exosomes, processes and markers it names, and the findings it reports,
each with its evidence sentence in Chinese and English, the cited study and its hedging.</p>
</section>
<section class="stats">{cards}</section>
<section>
<h2>Look around</h2>
<ul class="links">
<li>{self.link(ONTOLOGY_IRI, "The ontology")} (Protégé can open <code>{e(base_url.rstrip("/"))}/exoonto.owl</code>)</li>
<li><a href="/query">Query page</a>: write SPARQL or run a stored query</li>
<li><a href="/queries">Stored queries</a> as a web API, described by <a href="/openapi.json">OpenAPI</a></li>
<li>{self.link(BASE + "Osteoclast", "A term: osteoclast")} ·
    {self.link(BASE + "finding/R27-01", "a finding: R27-01")} ·
    {self.link(BASE + "reference/R27", "a reference: [27]")}</li>
</ul>
<p>Every IRI under <code>{e(BASE)}</code> is served at the same path here, as HTML, Turtle,
RDF/XML, JSON-LD or N-Triples by the <code>Accept</code> header.</p>
</section>
<section>
<h2>Query it</h2>
<p>The SPARQL 1.1 endpoint is <code>{e(endpoint)}</code> (GET or POST; results as JSON,
XML, CSV or TSV; graphs as Turtle, N-Triples, RDF/XML or JSON-LD). It is read-only, and each
query has a time limit.</p>
<h3>curl</h3>
<pre><code>{e(curl)}</code></pre>
<h3>Python, with SPARQLWrapper</h3>
<pre><code>{e(wrapper)}</code></pre>
</section>
"""
        return layout("Home", body)

    def term(self, iri: str, triples: list[ox.Triple]) -> str:
        path = local_path(iri) or "/"
        definitions = self.literals(iri, DEFINITIONS)
        defs = (
            "".join(
                f'<p class="definition" lang="{e(d.language or "en")}">{e(d.value)}</p>'
                for d in definitions
            )
            or '<p class="muted">No definition.</p>'
        )
        mappings = []
        for p in MAPPINGS:
            for o in self.kg.objects(iri, p):
                if isinstance(o, ox.NamedNode):
                    mappings.append(
                        f'<li><span class="pred">{e(curie(p))}</span> '
                        f'<a href="{e(o.value)}">{e(curie(o.value))}</a></li>'
                    )
                elif isinstance(o, ox.Literal):
                    mappings.append(
                        f'<li><span class="pred">{e(curie(p))}</span> {e(o.value)}</li>'
                    )
        mapping_html = (
            f'<ul class="mappings">{"".join(mappings)}</ul>'
            if mappings
            else '<p class="muted">None.</p>'
        )
        supers = [
            o.value
            for o in self.kg.objects(iri, RDFS + "subClassOf")
            if isinstance(o, ox.NamedNode)
        ]
        subs = [s for s, p in self.kg.inbound(iri) if p == RDFS + "subClassOf"]
        hierarchy = ""
        if supers or subs:
            hierarchy = (
                '<h2>Hierarchy</h2><dl class="hier">'
                + (
                    f"<dt>is a</dt><dd>{', '.join(self.link(s) for s in sorted(supers))}</dd>"
                    if supers
                    else ""
                )
                + (
                    f"<dt>more specific</dt><dd>{', '.join(self.link(s) for s in sorted(subs))}</dd>"
                    if subs
                    else ""
                )
                + "</dl>"
            )
        mentions = self.kg.statements_mentioning(iri)
        if mentions:
            rows = "".join(
                f"<tr><td>{self.link(f, curie(f))}</td><td>{e(self.kg.display(f))}</td>"
                f'<td><span class="pred">{e(self.kg.label(p) or curie(p))}</span></td></tr>'
                for f, p in mentions
            )
            mention_html = (
                f'<h2>Findings that mention it <span class="count">{len(mentions)}</span></h2>'
                f'<table class="list"><thead><tr><th>statement</th><th>summary</th><th>as</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>"
            )
        else:
            mention_html = '<h2>Findings that mention it</h2><p class="muted">None.</p>'
        body = (
            self.heading(iri, "Term")
            + "<h2>Definition</h2>"
            + defs
            + "<h2>Mappings</h2>"
            + mapping_html
            + hierarchy
            + mention_html
            + "<details><summary>All statements</summary>"
            + self.statements_table(iri, triples)
            + "</details>"
            + self.downloads(path)
        )
        return layout(self.kg.display(iri), body)

    def finding(self, iri: str, triples: list[ox.Triple]) -> str:
        path = local_path(iri) or "/"
        sentences = self.literals(iri, (EXO + "evidenceSentence",))
        sentences.sort(key=lambda lit: (lit.language != "zh", lit.language or ""))
        evidence = (
            "".join(
                f'<blockquote lang="{e(s.language or "")}"><span class="tag">{e(s.language or "")}</span>'
                f"{e(s.value)}</blockquote>"
                for s in sentences
            )
            or '<p class="muted">No evidence sentence.</p>'
        )
        studies = []
        for ref in self.kg.objects(iri, EXO + "citesStudy"):
            if isinstance(ref, ox.NamedNode):
                cite = [o.value for o in self.kg.objects(ref.value, EXO + "shortCitation")]
                title = [
                    o.value for o in self.kg.objects(ref.value, "http://purl.org/dc/terms/title")
                ]
                number = [o.value for o in self.kg.objects(ref.value, EXO + "referenceNumber")]
                studies.append(
                    "<li>"
                    + self.link(
                        ref.value,
                        f"[{number[0] if number else '?'}] {cite[0] if cite else curie(ref.value)}",
                    )
                    + (f" — <i>{e(title[0])}</i>" if title else "")
                    + "</li>"
                )
        study_html = (
            f"<ul>{''.join(studies)}</ul>" if studies else '<p class="muted">No cited study.</p>'
        )
        status = [
            o.value
            for o in self.kg.objects(iri, EXO + "hasStatementStatus")
            if isinstance(o, ox.NamedNode)
        ]
        cues = [
            o.value for o in self.kg.objects(iri, EXO + "hedgeCue") if isinstance(o, ox.Literal)
        ]
        title_only = [o.value for o in self.kg.objects(iri, EXO + "supportedOnlyByReferenceTitle")]
        status_html = (
            ", ".join(self.link(s) for s in status)
            + "".join(f' · hedge cue <q lang="zh">{e(c)}</q>' for c in cues)
            + (" · supported only by the reference's title" if "true" in title_only else "")
        ) or '<span class="muted">not stated</span>'
        discrepancies = []
        for d in self.kg.objects(iri, EXO + "hasDiscrepancy"):
            if not isinstance(d, ox.NamedNode):
                continue
            parts = []
            for p, name in (
                (EXO + "textSays", "the text says"),
                (EXO + "referenceSays", "the reference says"),
                (RDFS + "comment", "note"),
            ):
                for lit in self.kg.objects(d.value, p):
                    if isinstance(lit, ox.Literal):
                        parts.append(f"<dt>{e(name)}</dt><dd>{self.literal(lit)}</dd>")
            discrepancies.append(
                f'<div class="discrepancy"><h3>{self.link(d.value, curie(d.value))}</h3><dl>{"".join(parts)}</dl></div>'
            )
        disc_html = "<h2>Discrepancies</h2>" + "".join(discrepancies) if discrepancies else ""
        shown = {EXO + "evidenceSentence", LABEL, TYPE}
        body = (
            self.heading(iri, "Finding" if EXO + "Finding" in self.kg.types(iri) else "Statement")
            + "<h2>Evidence</h2>"
            + evidence
            + "<h2>Study</h2>"
            + study_html
            + f"<h2>Status</h2><p>{status_html}</p>"
            + disc_html
            + "<h2>All slots</h2>"
            + self.statements_table(iri, triples, skip=shown)
            + self.downloads(path)
        )
        return layout(self.kg.display(iri), body)

    def resource(self, iri: str, triples: list[ox.Triple]) -> str:
        path = local_path(iri) or "/"
        inbound = self.kg.inbound(iri)
        inbound_html = ""
        if inbound:
            rows = "".join(
                f'<tr><td>{self.link(s)}</td><td><span class="pred">{e(self.kg.label(p) or curie(p))}</span></td></tr>'
                for s, p in inbound
            )
            inbound_html = (
                f'<h2>Referred to by <span class="count">{len(inbound)}</span></h2>'
                f'<table class="list"><tbody>{rows}</tbody></table>'
            )
        kind = "Ontology" if iri == ONTOLOGY_IRI else "Resource"
        body = (
            self.heading(iri, kind)
            + "<h2>Statements</h2>"
            + self.statements_table(iri, triples)
            + inbound_html
            + self.downloads(path)
        )
        return layout(self.kg.display(iri), body)

    def page_for(self, iri: str, triples: list[ox.Triple]) -> str:
        types = set(self.kg.types(iri))
        if types & set(STATEMENT_KINDS):
            return self.finding(iri, triples)
        rest = iri[len(BASE) :]
        if "/" not in rest and iri != ONTOLOGY_IRI:
            return self.term(iri, triples)
        return self.resource(iri, triples)

    def query_page(self, endpoint: str) -> str:
        body = f"""
<h1>Query</h1>
<form id="query-form" class="query" method="get" action="/sparql">
  <div class="row">
    <label for="stored">Stored query</label>
    <select id="stored" name="stored"><option value="">— write your own —</option></select>
  </div>
  <p id="stored-summary" class="muted"></p>
  <div id="params" class="params"></div>
  <label for="query" class="editor-label">SPARQL</label>
  <textarea id="query" name="query" rows="14" spellcheck="false">PREFIX exo: &lt;https://w3id.org/exoonto/&gt;
PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;

SELECT ?finding ?label WHERE {{
  ?finding a exo:Finding ; rdfs:label ?label .
}} ORDER BY ?finding LIMIT 20</textarea>
  <div class="row">
    <button type="submit" id="run">Run</button>
    <span id="status" class="muted" role="status"></span>
  </div>
</form>
<p class="muted">Endpoint: <code>{e(endpoint)}</code></p>
<div id="results" class="results"></div>
"""
        return layout("Query", body, script="query.js")

    def queries_page(self, catalogue: list[dict]) -> str:
        rows = []
        for q in catalogue:
            params = ", ".join(
                f"<code>{e(p['name'])}</code>" + ("" if p.get("required", True) else "?")
                for p in q.get("params", [])
            )
            rows.append(
                f'<tr><td><a href="/queries/{e(q["id"])}"><code>{e(q["id"])}</code></a></td>'
                f"<td>{e(q.get('summary', ''))}</td><td>{params}</td></tr>"
            )
        body = (
            "<h1>Stored queries</h1><p>Each stored query is a web API: "
            "<code>GET /queries/ID?param=value</code>, results by <code>Accept</code> "
            '(JSON, XML, CSV, TSV). The API is described at <a href="/openapi.json">/openapi.json</a>; '
            'run them interactively on the <a href="/query">query page</a>.</p>'
            '<table class="list"><thead><tr><th>id</th><th>summary</th><th>parameters</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        return layout("Stored queries", body)

    def error(self, status: int, title: str, text: str) -> str:
        return layout(title, f"<h1>{e(status)} {e(title)}</h1><p>{e(text)}</p>")
