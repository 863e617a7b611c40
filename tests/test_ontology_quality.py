"""Quality rules for ontology/exoonto.ttl (and the facts that use it).

* every exo: class, property and individual has exactly one rdfs:label @en, exactly one @zh and
  exactly one English definition (IAO_0000115);
* no two exo: terms share an English label;
* no punning: an IRI is never both a class and an individual or a property, nor two kinds of property;
* every property used in ontology/*.ttl and facts/*.ttl is declared with an OWL property type;
* every exo: term the facts use is declared in the ontology;
* the header (title, description, licence, creator, version IRI, namespace, source) is complete;
* the enumerations are closed (owl:oneOf of named individuals, owl:AllDifferent);
* the origin-defined exosome classes are defined by an equivalence, not by asserted subclass axioms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = REPO / "ontology" / "exoonto.ttl"
EXO = "https://w3id.org/exoonto/"
ONTOLOGY_IRI = URIRef(EXO + "exoonto.owl")
VERSION_IRI = URIRef(EXO + "releases/0.1.0/exoonto.owl")
DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
DCT = "http://purl.org/dc/terms/"
VANN = "http://purl.org/vocab/vann/"

PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))

ENUMERATIONS = {
    "Effect": {"promotes", "inhibits", "upregulates", "downregulates", "changesExpressionOf",
               "regulatesWithoutStatedDirection", "isTakenUpBy", "transfersCargoTo", "isAssociatedWith", "bindsTo"},
    "PathwayDirection": {"activated", "suppressed", "noStatedDirection"},
    "ExperimentalSetting": {"inVitro", "inVitro2D", "inVitro3D", "inVivo", "notStated"},
    "StatementStatus": {"reportedResult", "hedgedStatement"},
}


def is_exo_term(node) -> bool:
    """An IRI of the exo: vocabulary itself (not finding:, exosome:, ref:, review: ... data)."""
    return isinstance(node, URIRef) and str(node).startswith(EXO) and "/" not in str(node)[len(EXO):] \
        and node != ONTOLOGY_IRI


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def facts() -> dict[Path, Graph]:
    return {p: Graph().parse(p) for p in sorted((REPO / "facts").glob("*.ttl"))}


@pytest.fixture(scope="module")
def everything(onto, facts) -> Graph:
    g = Graph()
    for graph in (onto, *facts.values()):
        for t in graph:
            g.add(t)
    return g


def exo_terms(graph: Graph) -> set[URIRef]:
    kinds = PROPERTY_TYPES | {OWL.Class, OWL.NamedIndividual}
    return {s for s, o in graph.subject_objects(RDF.type) if o in kinds and is_exo_term(s)}


def kinds_of(graph: Graph) -> dict:
    """IRI -> set of OWL entity kinds it is declared or used as."""
    classes = set(graph.subjects(RDF.type, OWL.Class)) | set(graph.subjects(RDF.type, RDFS.Class))
    kinds: dict = defaultdict(set)
    for c in classes:
        kinds[c].add("class")
    for t, kind in ((OWL.ObjectProperty, "object property"), (OWL.DatatypeProperty, "datatype property"),
                    (OWL.AnnotationProperty, "annotation property")):
        for p in graph.subjects(RDF.type, t):
            kinds[p].add(kind)
    for s, o in graph.subject_objects(RDF.type):
        if o == OWL.NamedIndividual or (o in classes and o not in (OWL.Class, RDFS.Class)) \
                or (isinstance(o, URIRef) and str(o).startswith(EXO)):
            kinds[s].add("individual")
    # objects of object properties are individuals
    for p in graph.subjects(RDF.type, OWL.ObjectProperty):
        for o in graph.objects(None, p):
            kinds[o].add("individual")
    return {k: v for k, v in kinds.items() if isinstance(k, URIRef)}


# --------------------------------------------------------------------------- labels and definitions


def test_vocabulary_is_not_empty(onto):
    terms = exo_terms(onto)
    assert len([t for t in terms if (t, RDF.type, OWL.Class) in onto]) >= 150
    assert len(terms) >= 200


def test_every_term_has_one_english_and_one_chinese_label(onto):
    problems = []
    for term in sorted(exo_terms(onto)):
        langs = Counter(lab.language for lab in onto.objects(term, RDFS.label) if isinstance(lab, Literal))
        if langs.get("en") != 1 or langs.get("zh") != 1 or set(langs) - {"en", "zh"}:
            problems.append(f"{term}: labels {dict(langs)}")
    assert not problems, "\n".join(problems)


def test_every_term_has_one_english_definition(onto):
    problems = []
    for term in sorted(exo_terms(onto)):
        defs = [d for d in onto.objects(term, DEFINITION) if isinstance(d, Literal)]
        en = [d for d in defs if d.language == "en" and str(d).strip()]
        if len(en) != 1 or any(d.language not in ("en", "zh") for d in defs):
            problems.append(f"{term}: {len(en)} English definitions, languages {[d.language for d in defs]}")
    assert not problems, "\n".join(problems)


def test_english_labels_are_unique(onto):
    seen = defaultdict(list)
    for term in exo_terms(onto):
        for lab in onto.objects(term, RDFS.label):
            if isinstance(lab, Literal) and lab.language == "en":
                seen[str(lab).strip().lower()].append(str(term))
    duplicates = {k: v for k, v in seen.items() if len(v) > 1}
    assert not duplicates, duplicates


def test_synonyms_are_language_tagged(onto):
    oio = "http://www.geneontology.org/formats/oboInOwl#"
    bad = []
    for p in ("hasExactSynonym", "hasRelatedSynonym", "hasNarrowSynonym", "hasBroadSynonym"):
        for s, o in onto.subject_objects(URIRef(oio + p)):
            if not isinstance(o, Literal) or o.language not in ("en", "zh"):
                bad.append(f"{s} {p} {o!r}")
    assert not bad, "\n".join(bad)


# --------------------------------------------------------------------------- punning and declarations


def test_no_punning_in_ontology(onto):
    punned = {str(k): sorted(v) for k, v in kinds_of(onto).items() if len(v) > 1}
    assert not punned, punned


def test_no_punning_in_ontology_and_facts(everything):
    punned = {str(k): sorted(v) for k, v in kinds_of(everything).items() if len(v) > 1}
    assert not punned, punned


def test_every_used_property_is_declared(onto, facts):
    declared = {p for t in PROPERTY_TYPES for p in onto.subjects(RDF.type, t)}
    missing = defaultdict(set)
    for path, graph in [(ONTOLOGY_FILE, onto), *facts.items()]:
        for p in set(graph.predicates()):
            if str(p).startswith(BUILTIN_NAMESPACES):
                continue
            if p not in declared:
                missing[str(p)].add(path.name)
    assert not missing, {k: sorted(v) for k, v in missing.items()}


def test_every_exo_term_used_in_facts_is_declared(onto, facts):
    declared = exo_terms(onto)
    missing = defaultdict(set)
    for path, graph in facts.items():
        for triple in graph:
            for node in triple:
                if is_exo_term(node) and node not in declared:
                    missing[str(node)].add(path.name)
    assert not missing, {k: sorted(v) for k, v in missing.items()}


def test_negative_punning_is_detected():
    g = Graph()
    x = URIRef(EXO + "Osteoblast")
    g.add((x, RDF.type, OWL.Class))
    g.add((x, RDF.type, OWL.NamedIndividual))
    assert kinds_of(g)[x] == {"class", "individual"}


# --------------------------------------------------------------------------- header


def test_header(onto):
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in onto
    for prop in ("title", "description"):
        langs = {lit.language for lit in onto.objects(o, URIRef(DCT + prop))}
        assert {"en", "zh"} <= langs, f"dcterms:{prop} needs @en and @zh, has {langs}"
    assert (o, URIRef(DCT + "license"), URIRef("https://creativecommons.org/licenses/by/4.0/")) in onto
    assert list(onto.objects(o, URIRef(DCT + "creator")))
    assert (o, URIRef(DCT + "source"),
            URIRef("http://kns.cnki.net/kcms/detail/31.2035.Q.20180601.1638.024.html")) in onto
    versions = list(onto.objects(o, OWL.versionIRI))
    assert versions == [VERSION_IRI]
    assert versions[0] != o
    assert [str(v) for v in onto.objects(o, OWL.versionInfo)] == ["0.1.0"]
    assert [str(v) for v in onto.objects(o, URIRef(VANN + "preferredNamespacePrefix"))] == ["exo"]
    assert [str(v) for v in onto.objects(o, URIRef(VANN + "preferredNamespaceUri"))] == [EXO]
    comments = " ".join(str(c) for c in onto.objects(o, RDFS.comment))
    assert "w3id.org" in comments and "exoonto serve" in comments


def test_only_one_ontology_header(onto):
    assert list(onto.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


# --------------------------------------------------------------------------- logical structure


@pytest.mark.parametrize("enum, members", sorted(ENUMERATIONS.items()))
def test_enumerations_are_closed(onto, enum, members):
    cls = URIRef(EXO + enum)
    lists = list(onto.objects(cls, OWL.oneOf))
    assert len(lists) == 1
    listed = {str(m)[len(EXO):] for m in Collection(onto, lists[0])}
    assert members <= listed, members - listed
    for m in listed:
        assert (URIRef(EXO + m), RDF.type, OWL.NamedIndividual) in onto
        assert (URIRef(EXO + m), RDF.type, cls) in onto
    different = [set(Collection(onto, lst)) for ad in onto.subjects(RDF.type, OWL.AllDifferent)
                 for lst in onto.objects(ad, OWL.distinctMembers)]
    assert {URIRef(EXO + m) for m in listed} in different


def test_derived_from_is_functional(onto):
    d = URIRef(EXO + "derivedFrom")
    assert (d, RDF.type, OWL.ObjectProperty) in onto
    assert (d, RDF.type, OWL.FunctionalProperty) in onto


def test_defined_exosome_classes(onto):
    exosome = URIRef(EXO + "Exosome")
    defined = []
    for cls, eq in onto.subject_objects(OWL.equivalentClass):
        if not isinstance(eq, BNode):
            continue
        parts = list(Collection(onto, next(onto.objects(eq, OWL.intersectionOf))))
        assert exosome in parts
        restriction = next(p for p in parts if isinstance(p, BNode))
        assert (restriction, OWL.onProperty, URIRef(EXO + "derivedFrom")) in onto
        assert next(onto.objects(restriction, OWL.someValuesFrom), None) is not None
        defined.append(cls)
        # asserted parents: only exo:Exosome (the rest is left to the reasoner)
        assert set(onto.objects(cls, RDFS.subClassOf)) <= {exosome}, cls
    assert URIRef(EXO + "OsteoclastDerivedExosome") in defined
    assert len(defined) >= 17


def test_bone_cell_types_are_disjoint(onto):
    groups = [set(Collection(onto, lst)) for ad in onto.subjects(RDF.type, OWL.AllDisjointClasses)
              for lst in onto.objects(ad, OWL.members)]
    wanted = {URIRef(EXO + n) for n in ("Osteoblast", "Osteoclast", "Osteocyte")}
    assert any(wanted <= g for g in groups)
