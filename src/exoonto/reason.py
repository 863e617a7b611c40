"""Reasoning: HermiT through owlready2 for consistency and classification, and a small
structural classifier that materialises, without a JVM, the inferences the queries need."""

from __future__ import annotations

import io
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from .errors import CheckFailed, MissingTool
from .load import oxigraph_term, rdflib_term
from .namespaces import EXO

DERIVED_FROM = EXO.derivedFrom
EXOSOME = EXO.Exosome


@dataclass
class ReasonerReport:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_subclasses: list[tuple[str, str]] = field(default_factory=list)
    inferred_types: list[tuple[str, str]] = field(default_factory=list)
    explanation: str = ""


def require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise MissingTool(
            "HermiT needs a Java runtime and none is on PATH: install one "
            "(Debian: apt-get install default-jre-headless) and run again."
        )
    return java


def run_hermit(graph: Graph) -> ReasonerReport:
    """Classify `graph` with HermiT; report consistency, unsatisfiable classes and the
    subclass and type assertions HermiT added."""
    require_java()
    import owlready2  # heavy: imported only when reasoning

    world = owlready2.World()
    data = with_individual_declarations(graph).serialize(format="nt", encoding="utf-8")
    onto = world.get_ontology("https://w3id.org/exoonto/reasoning-input").load(
        fileobj=io.BytesIO(data), format="ntriples"
    )
    before_sub = _named_subclass_pairs(world)
    before_types = _named_type_pairs(world)
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return ReasonerReport(consistent=False, explanation="HermiT found the ontology inconsistent.")
    except owlready2.base.OwlReadyJavaError as exc:
        raise MissingTool(f"HermiT could not run: {str(exc).splitlines()[0]}") from None
    unsat = sorted(
        c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing and c.iri
    )
    after_sub = _named_subclass_pairs(world)
    after_types = _named_type_pairs(world)
    return ReasonerReport(
        consistent=True,
        unsatisfiable=unsat,
        inferred_subclasses=sorted(after_sub - before_sub),
        inferred_types=sorted(after_types - before_types),
    )


def individual_declarations(graph: Graph) -> Graph:
    """`owl:NamedIndividual` declarations for every IRI typed with a declared class.
    OWL API infers them, but owlready2 ignores an individual that has none."""
    declared = Graph()
    classes = set(graph.subjects(RDF.type, OWL.Class))
    for subject, cls in graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and cls in classes and subject not in classes:
            declared.add((subject, RDF.type, OWL.NamedIndividual))
    return declared


def with_individual_declarations(graph: Graph) -> Graph:
    return graph + individual_declarations(graph)


def _named_subclass_pairs(world) -> set[tuple[str, str]]:
    import owlready2

    pairs = set()
    for cls in world.classes():
        for parent in cls.is_a:
            if isinstance(parent, owlready2.ThingClass) and parent is not owlready2.Thing:
                pairs.add((cls.iri, parent.iri))
    return pairs


def _named_type_pairs(world) -> set[tuple[str, str]]:
    import owlready2

    pairs = set()
    for individual in world.individuals():
        for cls in individual.is_a:
            if isinstance(cls, owlready2.ThingClass) and cls is not owlready2.Thing:
                pairs.add((individual.iri, cls.iri))
    return pairs


def check_consistent(graph: Graph) -> ReasonerReport:
    report = run_hermit(graph)
    if not report.consistent:
        raise CheckFailed("HermiT found the graph inconsistent: no model satisfies its axioms.")
    if report.unsatisfiable:
        raise CheckFailed(
            "HermiT found unsatisfiable classes: " + ", ".join(report.unsatisfiable) + "."
        )
    return report


# --- structural classification, no JVM -------------------------------------------------


def origin_defined_classes(graph: Graph) -> dict[URIRef, URIRef]:
    """Classes defined as `Exosome and (derivedFrom some X)`, mapped to X."""
    defined: dict[URIRef, URIRef] = {}
    for cls, expr in graph.subject_objects(OWL.equivalentClass):
        if not isinstance(cls, URIRef) or not isinstance(expr, BNode):
            continue
        members = _list_items(graph, graph.value(expr, OWL.intersectionOf))
        named = [m for m in members if isinstance(m, URIRef)]
        restrictions = [m for m in members if isinstance(m, BNode)]
        if named != [EXOSOME] or len(restrictions) != 1:
            continue
        restriction = restrictions[0]
        filler = graph.value(restriction, OWL.someValuesFrom)
        if graph.value(restriction, OWL.onProperty) == DERIVED_FROM and isinstance(filler, URIRef):
            defined[cls] = filler
    return defined


def _list_items(graph: Graph, head) -> list:
    return list(graph.items(head)) if head is not None else []


def superclass_closure(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Each named class mapped to itself and all its asserted named superclasses."""
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for child, parent in graph.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents[child].add(parent)
    closure: dict[URIRef, set[URIRef]] = {}

    def ancestors(cls: URIRef, seen: frozenset = frozenset()) -> set[URIRef]:
        if cls in closure:
            return closure[cls]
        result = {cls}
        for parent in parents.get(cls, ()):
            if parent not in seen:
                result |= ancestors(parent, seen | {cls})
        closure[cls] = result
        return result

    for cls in list(parents):
        ancestors(cls)
    return closure


def classify(graph: Graph) -> Graph:
    """Subsumption between origin-defined exosome classes, and the defined classes of each
    exosome preparation. Sound for the pattern `Exosome ⊓ ∃derivedFrom.X`; the tests check
    it agrees with HermiT on the shipped graph."""
    defined = origin_defined_classes(graph)
    closure = superclass_closure(graph)
    inferred = defined_class_subsumptions(defined, closure)
    origin_types = (
        (preparation, origin_type)
        for preparation, origin in graph.subject_objects(DERIVED_FROM)
        if (preparation, RDF.type, EXOSOME) in graph
        for origin_type in graph.objects(origin, RDF.type)
    )
    inferred += preparation_types(origin_types, defined, closure)
    return inferred


Closure = dict[URIRef, set[URIRef]]


def defined_class_subsumptions(defined: dict[URIRef, URIRef], closure: Closure) -> Graph:
    """`A ⊑ B` when A's origin is a subclass of B's, and every defined class ⊑ Exosome."""
    inferred = Graph()
    for sub, sub_origin in defined.items():
        for sup, sup_origin in defined.items():
            if sub != sup and sup_origin in closure.get(sub_origin, {sub_origin}):
                inferred.add((sub, RDFS.subClassOf, sup))
        inferred.add((sub, RDFS.subClassOf, EXOSOME))
    return inferred


def preparation_types(
    origin_types: Iterable[tuple[Node, Node]], defined: dict[URIRef, URIRef], closure: Closure
) -> Graph:
    """`preparation a C` for each defined class C whose origin class the type of the
    preparation's origin falls under; `origin_types` pairs each exosome preparation with
    a type of the cell it is derived from."""
    inferred = Graph()
    for preparation, origin_type in origin_types:
        if not isinstance(origin_type, URIRef):
            continue
        for cls, cls_origin in defined.items():
            if cls_origin in closure.get(origin_type, {origin_type}):
                inferred.add((preparation, RDF.type, cls))
    return inferred


def subclass_closure_triples(graph: Graph) -> Graph:
    """`C rdfs:subClassOf A` for every named class C and each of its named ancestors A,
    C itself included (RDFS entailment rules rdfs10 and rdfs11). With these, queries ask
    `?c rdfs:subClassOf exo:X` instead of the property path `rdfs:subClassOf*`, which some
    stores (Virtuoso 7) evaluate wrongly."""
    closed = Graph()
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    closure = superclass_closure(graph)
    for cls in classes:
        for ancestor in closure.get(cls, {cls}):
            closed.add((cls, RDFS.subClassOf, ancestor))
    return closed


def class_hierarchy(*graphs: Graph) -> Graph:
    """The `rdf:type owl:Class` and `rdfs:subClassOf` triples of `graphs`: all that
    `subclass_closure_triples` reads, without copying the rest of the graph."""
    hierarchy = Graph()
    for graph in graphs:
        for cls in graph.subjects(RDF.type, OWL.Class):
            hierarchy.add((cls, RDF.type, OWL.Class))
        for child, parent in graph.subject_objects(RDFS.subClassOf):
            hierarchy.add((child, RDFS.subClassOf, parent))
    return hierarchy


def materialise(graph: Graph) -> Graph:
    """The inferences the stored queries rely on, as a separate graph: the classification
    of the origin-defined exosome classes and preparations (`classify`), the
    reflexive-transitive closure of rdfs:subClassOf over it, and owl:NamedIndividual
    declarations for owlready2 users."""
    inferred = classify(graph)
    inferred += subclass_closure_triples(class_hierarchy(graph, inferred))
    inferred += individual_declarations(graph)
    for triple in list(inferred):
        if triple in graph:
            inferred.remove(triple)
    return inferred


# --- the same materialisation over a pyoxigraph store, for graphs too big for rdflib -----

SCHEMA_PREDICATES = (
    RDFS.subClassOf, OWL.equivalentClass, OWL.intersectionOf, OWL.onProperty,
    OWL.someValuesFrom, RDF.first, RDF.rest,
)

PREPARATION_ORIGIN_TYPES = f"""
SELECT DISTINCT ?preparation ?type WHERE {{
    ?preparation <{DERIVED_FROM}> ?origin ; a <{EXOSOME}> .
    ?origin a ?type .
}}"""

UNDECLARED_INDIVIDUALS = f"""
SELECT DISTINCT ?individual WHERE {{
    ?individual a ?class . ?class a <{OWL.Class}> .
    FILTER (isIRI(?individual))
    FILTER NOT EXISTS {{ ?individual a <{OWL.Class}> }}
}}"""


def materialise_store(store: ox.Store) -> int:
    """`materialise()` on a pyoxigraph store, in place; returns the number of triples added.

    The class-level triples (a few thousand however many findings there are) are copied
    into rdflib and reasoned by the functions above; the per-instance parts run as SPARQL
    on the store, so a graph of millions of triples never passes through rdflib."""
    schema = schema_graph(store)
    defined = origin_defined_classes(schema)
    closure = superclass_closure(schema)
    inferred = defined_class_subsumptions(defined, closure)
    origin_types = (
        (rdflib_term(row["preparation"]), rdflib_term(row["type"]))
        for row in store.query(PREPARATION_ORIGIN_TYPES)
    )
    inferred += preparation_types(origin_types, defined, closure)
    inferred += subclass_closure_triples(schema + inferred)
    for row in store.query(UNDECLARED_INDIVIDUALS):
        inferred.add((rdflib_term(row["individual"]), RDF.type, OWL.NamedIndividual))
    before = len(store)
    store.extend(ox.Quad(*map(oxigraph_term, triple)) for triple in inferred)
    return len(store) - before


def schema_graph(store: ox.Store) -> Graph:
    """The store's class axioms (subclass, equivalence, restriction, RDF list triples) and
    `owl:Class` declarations, as an rdflib graph."""
    schema = Graph()
    patterns = [(None, ox.NamedNode(str(p)), None) for p in SCHEMA_PREDICATES]
    patterns.append((None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.Class))))
    for subject, predicate, obj in patterns:
        for quad in store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph()):
            schema.add(tuple(rdflib_term(term) for term in quad.triple))
    return schema
