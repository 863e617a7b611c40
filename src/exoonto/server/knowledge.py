"""The server's read-only view of the release graph: descriptions of IRIs, labels, counts.

These are queries the server itself writes, on a graph of a few thousand triples, so they
run in the server process on its own pyoxigraph store (user queries go to workers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import BASE, PREFIXES

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
LABEL_PREDICATES = (RDFS_LABEL, SKOS_PREF)
PREFIX_STRINGS = {name: str(ns) for name, ns in PREFIXES.items()}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIX_STRINGS.items())

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def curie(iri: str) -> str:
    """The shortest prefixed name for `iri`, or the IRI itself."""
    best = None
    for prefix, ns in PREFIX_STRINGS.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(PREFIX_STRINGS[best])):
            best = prefix
    if best is None:
        return iri
    local = iri[len(PREFIX_STRINGS[best]) :]
    return f"{best}:{local}"


def local_path(iri: str) -> str | None:
    """The path this server answers `iri` at, for IRIs under the uriSpace."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) and len(iri) > len(BASE) else None


@dataclass
class Counts:
    triples: int
    findings: int
    background: int
    references: int
    classes: int
    properties: int
    discrepancies: int
    exosomes: int


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.triples)


class Knowledge:
    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._label_cache: dict[tuple[str, str], str | None] = {}

    # ------------------------------------------------------------------ basics
    def select(self, query: str, **bindings: Term) -> list[dict[str, Term]]:
        result = self.store.query(
            SPARQL_PREFIXES + query,
            substitutions={ox.Variable(k): v for k, v in bindings.items()} or None,
        )
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def exists(self, iri: str) -> bool:
        try:
            node = ox.NamedNode(iri)
        except ValueError:  # not a valid IRI (a space, a bad %-escape, ...): nothing known
            return False
        return any(True for _ in self.store.quads_for_pattern(node, None, None))

    def objects(self, subject: str, predicate: str) -> list[Term]:
        return [
            q.object
            for q in self.store.quads_for_pattern(
                ox.NamedNode(subject), ox.NamedNode(predicate), None
            )
        ]

    def label(self, iri: str, lang: str = "en") -> str | None:
        key = (iri, lang)
        if key not in self._label_cache:
            self._label_cache[key] = self._label(iri, lang)
        return self._label_cache[key]

    def _label(self, iri: str, lang: str) -> str | None:
        node = ox.NamedNode(iri)
        fallback = None
        for predicate in LABEL_PREDICATES:
            for quad in self.store.quads_for_pattern(node, predicate, None):
                lit = quad.object
                if not isinstance(lit, ox.Literal):
                    continue
                if lit.language == lang:
                    return lit.value
                if lang == "en" and fallback is None and lit.language in (None, ""):
                    fallback = lit.value
        return fallback

    def labels(self, iri: str) -> dict[str, list[str]]:
        """Every label of `iri`, by language tag ("" for none)."""
        found: dict[str, list[str]] = {}
        for quad in self.store.quads_for_pattern(ox.NamedNode(iri), RDFS_LABEL, None):
            if isinstance(quad.object, ox.Literal):
                found.setdefault(quad.object.language or "", []).append(quad.object.value)
        return found

    def display(self, iri: str) -> str:
        return self.label(iri) or self.label(iri, "zh") or curie(iri)

    # ------------------------------------------------------------------ descriptions
    def describe(self, iri: str, with_labels: bool = True) -> Description:
        """The concise bounded description of `iri` (its triples, following blank nodes),
        plus the labels of the IRIs it refers to."""
        described = Description(iri)
        seen: set[Term] = set()
        todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for quad in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                described.triples.append(quad.triple)
                if isinstance(quad.object, ox.BlankNode):
                    todo.append(quad.object)
        if with_labels and described.triples:
            referenced = {
                term
                for t in described.triples
                for term in (t.predicate, t.object)
                if isinstance(term, ox.NamedNode) and term.value != iri
            }
            present = set(described.triples)
            for term in sorted(referenced, key=lambda n: n.value):
                for predicate in LABEL_PREDICATES:
                    for quad in self.store.quads_for_pattern(
                        term, predicate, None, ox.DefaultGraph()
                    ):
                        if quad.triple not in present:
                            described.triples.append(quad.triple)
                            present.add(quad.triple)
        main = ox.NamedNode(iri)
        rdf_type = RDF_TYPE

        def order(t: ox.Triple) -> tuple:
            group = 0 if t.subject == main else 1 if isinstance(t.subject, ox.BlankNode) else 2
            return (group, str(t.subject), t.predicate != rdf_type, str(t.predicate), str(t.object))

        described.triples.sort(key=order)
        return described

    def inbound(self, iri: str, limit: int = 500) -> list[tuple[str, str]]:
        """(subject, predicate) pairs of named subjects that point at `iri`."""
        pairs = []
        for quad in self.store.quads_for_pattern(None, None, ox.NamedNode(iri), ox.DefaultGraph()):
            if isinstance(quad.subject, ox.NamedNode):
                pairs.append((quad.subject.value, quad.predicate.value))
                if len(pairs) >= limit:
                    break
        return sorted(pairs)

    def types(self, iri: str) -> list[str]:
        return sorted(
            o.value for o in self.objects(iri, str(RDF_TYPE.value)) if isinstance(o, ox.NamedNode)
        )

    # ------------------------------------------------------------------ the landing page
    def counts(self) -> Counts:
        row = self.select("SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }")[0]

        def count(where: str) -> int:
            rows = self.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
            return int(rows[0]["n"].value) if rows else 0

        under_base = f'FILTER(STRSTARTS(STR(?x), "{BASE}"))'
        return Counts(
            triples=int(row["triples"].value),
            findings=count("?x a exo:Finding"),
            background=count("?x a exo:BackgroundStatement"),
            references=count("?x exo:referenceNumber ?n"),
            classes=count(f"?x a owl:Class {under_base}"),
            properties=count(
                "VALUES ?k { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } "
                f"?x a ?k {under_base}"
            ),
            discrepancies=count("?x a exo:Discrepancy"),
            exosomes=count(f'?x a ?t FILTER(STRSTARTS(STR(?x), "{BASE}exosome/"))'),
        )

    def statements_mentioning(self, iri: str) -> list[tuple[str, str]]:
        """(statement, predicate) for findings and background statements that use `iri`."""
        rows = self.select(
            """SELECT DISTINCT ?f ?p ?term WHERE {
                 ?f ?p ?term .
                 VALUES ?kind { exo:Finding exo:BackgroundStatement }
                 ?f a ?kind .
               } ORDER BY ?f ?p""",
            term=ox.NamedNode(iri),
        )
        return [(r["f"].value, r["p"].value) for r in rows]

    def terms(self, prefix: str = BASE) -> Iterable[str]:
        rows = self.select(
            "SELECT DISTINCT ?s ?base WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?base)) }",
            base=ox.Literal(prefix),
        )
        return sorted(r["s"].value for r in rows)
