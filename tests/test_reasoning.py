"""HermiT over the ontology and the facts; the JVM-free classifier agrees with it."""

from __future__ import annotations

import os
import subprocess

import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import OWL, RDF

from exoonto.build import assemble
from exoonto.load import load_ontology
from exoonto.namespaces import EXO
from exoonto.reason import classify, materialise, run_hermit

# Subsumptions that follow from the origin definitions and the cell hierarchy, not from any
# asserted subClassOf between the exosome classes (checked below).
EXPECTED_DEFINED_SUBSUMPTIONS = [
    ("BMSCDerivedExosome", "MSCDerivedExosome"),
    ("AdiposeMSCDerivedExosome", "MSCDerivedExosome"),
    ("SynovialMSCDerivedExosome", "MSCDerivedExosome"),
    ("EmbryonicMSCDerivedExosome", "MSCDerivedExosome"),
    ("ProstateCancerCellDerivedExosome", "TumourCellDerivedExosome"),
    ("MineralizingOsteoblastDerivedExosome", "OsteoblastDerivedExosome"),
]


@pytest.fixture(scope="module")
def kg_report(java):
    """HermiT over the ontology and the facts as asserted (without our materialisation)."""
    _, loaded = assemble()
    return loaded.graph, run_hermit(loaded.graph)


def test_expected_subsumptions_are_not_asserted():
    ontology = load_ontology()
    from rdflib.namespace import RDFS

    for sub, sup in EXPECTED_DEFINED_SUBSUMPTIONS:
        assert (EXO[sub], RDFS.subClassOf, EXO[sup]) not in ontology


def test_ontology_and_facts_are_consistent_with_no_unsatisfiable_class(kg_report):
    _, report = kg_report
    assert report.consistent
    assert report.unsatisfiable == []


@pytest.mark.parametrize("sub, sup", EXPECTED_DEFINED_SUBSUMPTIONS)
def test_hermit_classifies_defined_exosome_classes(kg_report, sub, sup):
    _, report = kg_report
    assert (str(EXO[sub]), str(EXO[sup])) in report.inferred_subclasses


def test_structural_classifier_agrees_with_hermit(kg_report):
    asserted, report = kg_report
    inferred = classify(asserted)
    ours_sub = {(str(s), str(o)) for s, _, o in inferred.triples((None, None, None)) if _ != RDF.type}
    ours_types = {(str(s), str(o)) for s, o in inferred.subject_objects(RDF.type)}
    defined = {str(c) for c in asserted.subjects(OWL.equivalentClass, None)}
    hermit_sub = {(s, o) for s, o in report.inferred_subclasses if s in defined and o in defined}
    hermit_types = {(i, c) for i, c in report.inferred_types if c in defined}
    # owlready2 reports direct parents only; compare the transitive closures
    assert _closure({p for p in ours_sub if p[1] in defined}) == _closure(hermit_sub)
    assert hermit_types, "HermiT classified no exosome preparation under a defined class"
    ours_defined_types = {p for p in ours_types if p[1] in defined}
    for individual, cls in hermit_types:
        assert (individual, cls) in ours_defined_types
    # and every type we add is entailed: it is HermiT's type or one of its ancestors
    hermit_closure = _closure(hermit_sub | {(s, o) for s, o in report.inferred_subclasses})
    for individual, cls in ours_defined_types:
        direct = {c for i, c in hermit_types if i == individual}
        assert cls in direct or any((d, cls) in hermit_closure for d in direct), (individual, cls)


def _closure(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    closure = set(pairs)
    while True:
        extra = {(a, d) for a, b in closure for c, d in closure if b == c} - closure
        if not extra:
            return closure
        closure |= extra


def test_inconsistent_addition_is_caught(java):
    _, loaded = assemble()
    graph = loaded.graph
    # One exosome released by an osteoblast and by an osteoclast: derivedFrom is functional
    # and the two lineages are disjoint, so no model exists.
    bad = URIRef("https://w3id.org/exoonto/exosome/test-impossible")
    for cell_class in (EXO.Osteoblast, EXO.Osteoclast):
        cell = BNode()
        graph.add((cell, RDF.type, cell_class))
        graph.add((bad, EXO.derivedFrom, cell))
    graph.add((bad, RDF.type, EXO.Exosome))
    assert run_hermit(graph).consistent is False


def test_reason_command_reports_inconsistency_with_exit_1(tmp_path, java):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix exo: <https://w3id.org/exoonto/> .\n"
        "<https://w3id.org/exoonto/test/cell> a exo:Osteoblast , exo:Osteoclast .\n",
        encoding="utf-8",
    )
    result = subprocess.run(["exoonto", "reason", str(bad)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "inconsistent" in result.stderr


def test_reason_without_java_says_so_in_one_sentence(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no java on PATH
    exoonto = subprocess.run(["which", "exoonto"], capture_output=True, text=True).stdout.strip()
    result = subprocess.run([exoonto, "reason"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 3
    assert result.stderr.strip().startswith("error: HermiT needs a Java runtime")
    assert "Traceback" not in result.stderr


def test_materialised_subclass_closure_is_reflexive_and_transitive():
    _, loaded = assemble()
    inferred = materialise(loaded.graph)
    both = loaded.graph + inferred
    from rdflib.namespace import RDFS

    assert (EXO.Osteoclast, RDFS.subClassOf, EXO.Osteoclast) in both
    # BMSC-derived exosome ⊑ MSC-derived exosome (classified) ⊑ Exosome ⊑ extracellular vesicle
    assert (EXO.BMSCDerivedExosome, RDFS.subClassOf, EXO.ExtracellularVesicle) in both
    assert (EXO.ST2Cell, RDFS.subClassOf, EXO.Cell) in both


# --- the same materialisation on a pyoxigraph store (exoonto serve with big extra files) ---


def _store_of(*graphs):
    import pyoxigraph

    store = pyoxigraph.Store()
    for graph in graphs:
        store.load(graph.serialize(format="nt", encoding="utf-8"),
                   format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _named_triples(store) -> set:
    import pyoxigraph

    return {q.triple for q in store
            if not any(isinstance(t, pyoxigraph.BlankNode) for t in q.triple)}


def test_store_materialisation_equals_the_rdflib_one_on_the_shipped_graph():
    from exoonto.reason import materialise_store

    _, loaded = assemble()
    inferred = materialise(loaded.graph)
    store = _store_of(loaded.graph)
    added = materialise_store(store)
    assert added == len(inferred) > 800
    assert _named_triples(store) == _named_triples(_store_of(loaded.graph, inferred))


def test_store_materialisation_classifies_new_preparations_and_classes():
    """A user's facts file with a new cell class and an exosome preparation from it: the
    preparation gets the origin-defined classes and the new class the subclass closure."""
    from rdflib import Graph
    from rdflib.namespace import RDFS

    from exoonto.reason import materialise_store

    _, loaded = assemble()
    addition = Graph().parse(format="turtle", data="""
        @prefix exo: <https://w3id.org/exoonto/> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        exo:MyOsteoclastLine a owl:Class ; rdfs:subClassOf exo:Osteoclast .
        <https://w3id.org/exoonto/cell/my-line> a exo:MyOsteoclastLine .
        <https://w3id.org/exoonto/exosome/my-line-exosome> a exo:Exosome ;
            exo:derivedFrom <https://w3id.org/exoonto/cell/my-line> .
    """)
    store = _store_of(loaded.graph, addition)
    materialise_store(store)
    expected = _named_triples(_store_of(loaded.graph, addition, materialise(loaded.graph + addition)))
    assert _named_triples(store) == expected

    import pyoxigraph

    prep = pyoxigraph.NamedNode("https://w3id.org/exoonto/exosome/my-line-exosome")
    osteoclast_exosome = pyoxigraph.NamedNode(str(EXO.OsteoclastDerivedExosome))
    assert pyoxigraph.Triple(prep, pyoxigraph.NamedNode(str(RDF.type)), osteoclast_exosome) in {
        q.triple for q in store}
    new_class = pyoxigraph.NamedNode(str(EXO.MyOsteoclastLine))
    assert pyoxigraph.Triple(new_class, pyoxigraph.NamedNode(str(RDFS.subClassOf)),
                             pyoxigraph.NamedNode(str(EXO.Cell))) in {q.triple for q in store}
