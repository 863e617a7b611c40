"""The linked-data release `exoonto build` writes: every file, parsed by independent parsers,
counted against each other, and checked against the graph it was made from."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, OWL, RDF, RDFS, SH, SKOS, VOID, XSD

from exoonto import __version__, resources
from exoonto import build as build_module
from exoonto.build import RELEASE_MARKER, build
from exoonto.cli import main
from exoonto.errors import InputError

EXO = "https://w3id.org/exoonto/"
SCHEMA_TARGET = URIRef("https://schema.org/target")
RELEASE_IRI = f"https://w3id.org/exoonto/releases/{__version__}/"

ONTOLOGY_FILES = ["exoonto.ttl", "exoonto.owl", "exoonto.jsonld"]
KG_FILES = ["exoonto-kg.ttl", "exoonto-kg.nt", "exoonto-kg.jsonld"]
RDF_FILES = [*ONTOLOGY_FILES, *KG_FILES, "void.ttl", "sparql-examples.ttl"]
OTHER_FILES = ["mappings.sssom.tsv", "figure1.svg", "docs/index.html", RELEASE_MARKER]
DOC_PAGES = [
    "index.html", "classes.html", "properties.html", "individuals.html",
    "findings.html", "references.html", "discrepancies.html",
]

# file extension -> (rdflib format, pyoxigraph format, rapper syntax or None)
PARSERS = {
    ".ttl": ("turtle", pyoxigraph.RdfFormat.TURTLE, "turtle"),
    ".nt": ("nt", pyoxigraph.RdfFormat.N_TRIPLES, "ntriples"),
    ".owl": ("xml", pyoxigraph.RdfFormat.RDF_XML, "rdfxml"),
    ".jsonld": ("json-ld", pyoxigraph.RdfFormat.JSON_LD, None),  # raptor has no JSON-LD parser
}


def _parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format=PARSERS[path.suffix][0])


def _oxigraph_count(path: Path) -> int:
    return sum(1 for _ in pyoxigraph.parse(path=str(path), format=PARSERS[path.suffix][1]))


def _rapper_count(path: Path, syntax: str) -> int:
    result = subprocess.run(
        ["rapper", "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return int(result.stderr.strip().split("returned")[1].split()[0])


def _value_normalised(graph: rdflib.Graph) -> rdflib.Graph:
    """Numeric literals by value ("30"^^xsd:decimal and 30.0 are the same value; the canonical
    Turtle writer prints decimals in the second form)."""
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in (XSD.decimal, XSD.double, XSD.float):
            try:
                o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=o.datatype)
            except InvalidOperation:
                pass
        out.add((s, p, o))
    return out


class _ParsedFiles(dict):
    """Release files parsed by rdflib on first use, so one unreadable file fails only the
    tests that read it."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def __missing__(self, name: str) -> rdflib.Graph:
        graph = _parse(self.folder / name)
        self[name] = graph
        return graph


@pytest.fixture(scope="module")
def graphs(release_dir) -> dict[str, rdflib.Graph]:
    return _ParsedFiles(release_dir)


@pytest.fixture(scope="module")
def kg(graphs) -> rdflib.Graph:
    return graphs["exoonto-kg.nt"]


@pytest.fixture(scope="module")
def ontology(graphs) -> rdflib.Graph:
    return graphs["exoonto.ttl"]


# ------------------------------------------------------------------ files and parsers


@pytest.mark.parametrize("name", [*RDF_FILES, *OTHER_FILES])
def test_release_file_exists_and_is_not_empty(release_dir, name):
    path = release_dir / name
    assert path.is_file(), f"the release has no {name}"
    assert path.stat().st_size > 0


def test_versioned_copy_holds_every_file_byte_for_byte(release_dir):
    versioned = release_dir / "releases" / __version__
    top = sorted(
        p.relative_to(release_dir) for p in release_dir.rglob("*")
        if p.is_file() and p.relative_to(release_dir).parts[0] != "releases"
        and p.name != RELEASE_MARKER
    )
    copied = sorted(p.relative_to(versioned) for p in versioned.rglob("*") if p.is_file())
    assert top == copied
    for rel in top:
        assert (release_dir / rel).read_bytes() == (versioned / rel).read_bytes(), rel


@pytest.mark.parametrize("name", RDF_FILES)
def test_rdf_file_parses_alike_in_rdflib_oxigraph_and_rapper(release_dir, graphs, name):
    path = release_dir / name
    count = len(graphs[name])
    assert count > 10
    assert _oxigraph_count(path) == count
    syntax = PARSERS[path.suffix][2]
    if syntax is not None:
        assert shutil.which("rapper"), "raptor2-utils is required (.ci/run installs it)"
        assert _rapper_count(path, syntax) == count


def test_ontology_files_hold_the_same_triples(graphs):
    counts = {name: len(graphs[name]) for name in ONTOLOGY_FILES}
    assert len(set(counts.values())) == 1, counts
    reference = _value_normalised(graphs["exoonto.ttl"])
    for name in ONTOLOGY_FILES[1:]:
        assert isomorphic(reference, _value_normalised(graphs[name])), name


def test_knowledge_graph_files_hold_the_same_triples(graphs):
    counts = {name: len(graphs[name]) for name in KG_FILES}
    assert len(set(counts.values())) == 1, counts
    reference = _value_normalised(graphs["exoonto-kg.nt"])
    for name in ("exoonto-kg.ttl", "exoonto-kg.jsonld"):
        assert isomorphic(reference, _value_normalised(graphs[name])), name


def test_knowledge_graph_contains_the_ontology(graphs):
    kg_graph = _value_normalised(graphs["exoonto-kg.nt"])
    onto = _value_normalised(graphs["exoonto.ttl"])
    assert len(kg_graph) > len(onto)
    missing = [
        (s, p, o) for s, p, o in onto
        if not isinstance(s, rdflib.BNode) and not isinstance(o, rdflib.BNode)
        and (s, p, o) not in kg_graph
    ]
    assert missing == []


def test_jsonld_uses_the_project_prefixes(release_dir):
    import json

    from exoonto.namespaces import PREFIXES

    for name in ("exoonto.jsonld", "exoonto-kg.jsonld"):
        data = json.loads((release_dir / name).read_text(encoding="utf-8"))
        assert data["@context"] == {p: str(ns) for p, ns in PREFIXES.items()}
        ids = [node.get("@id", "") for node in data["@graph"]]
        assert ids == sorted(ids), f"{name}: @graph is not sorted by @id"


# ------------------------------------------------------------------ VoID and DCAT


def test_void_triples_equal_the_knowledge_graph(graphs, kg):
    void = graphs["void.ttl"]
    dataset = URIRef(RELEASE_IRI + "void.ttl#kg")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert int(void.value(dataset, VOID.triples)) == len(kg)
    assert str(void.value(dataset, VOID.uriSpace)) == EXO
    assert void.value(dataset, VOID.sparqlEndpoint) is not None
    assert (dataset, rdflib.namespace.DCTERMS.license,
            URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    onto = URIRef(RELEASE_IRI + "void.ttl#ontology")
    assert (dataset, VOID.subset, onto) in void
    assert int(void.value(onto, VOID.triples)) == len(graphs["exoonto.ttl"])


def test_void_partitions_count_the_knowledge_graph(graphs, kg):
    void = graphs["void.ttl"]
    dataset = URIRef(RELEASE_IRI + "void.ttl#kg")
    classes = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    expected_classes = {}
    for cls in set(kg.objects(None, RDF.type)):
        expected_classes[cls] = len(set(kg.subjects(RDF.type, cls)))
    assert classes == expected_classes
    properties = {
        void.value(p, VOID.property): int(void.value(p, VOID.triples))
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    expected_properties: dict = {}
    for _, p, _ in kg:
        expected_properties[p] = expected_properties.get(p, 0) + 1
    assert properties == expected_properties
    assert sum(properties.values()) == len(kg)


@pytest.mark.parametrize("name", [*ONTOLOGY_FILES, *KG_FILES, "sparql-examples.ttl",
                                  "mappings.sssom.tsv", "figure1.svg"])
def test_void_describes_each_file_as_a_distribution(release_dir, graphs, name):
    void = graphs["void.ttl"]
    iri = URIRef(RELEASE_IRI + name)
    distributions = list(void.subjects(DCAT.downloadURL, iri))
    assert len(distributions) == 1, f"void.ttl has no dcat:Distribution for {name}"
    dist = distributions[0]
    assert (dist, RDF.type, DCAT.Distribution) in void
    assert int(void.value(dist, DCAT.byteSize)) == (release_dir / name).stat().st_size
    assert str(void.value(dist, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
    if name.endswith((".ttl", ".nt", ".owl", ".jsonld")):
        assert list(void.subjects(VOID.dataDump, iri)), f"no void:dataDump for {name}"
        # the download IRI resolves to the versioned copy in the release folder
        assert (release_dir / "releases" / __version__ / name).is_file()


# ------------------------------------------------------------------ SPARQL examples


def test_one_sparql_executable_per_stored_query(graphs):
    examples = graphs["sparql-examples.ttl"]
    stored = sorted(q.name[: -len(".rq")] for q in resources.query_files())
    executables = sorted(
        str(s)[len(EXO + "query/"):] for s in examples.subjects(RDF.type, SH.SPARQLExecutable)
    )
    assert executables == stored
    for node in examples.subjects(RDF.type, SH.SPARQLExecutable):
        comments = list(examples.objects(node, RDFS.comment))
        assert comments and all(c.language == "en" for c in comments), node
        assert examples.value(node, SCHEMA_TARGET) is not None, node
        text = (examples.value(node, SH.select) or examples.value(node, SH.construct)
                or examples.value(node, SH.ask))
        assert text is not None, node
        if (node, RDF.type, SH.SPARQLSelectExecutable) in examples:
            assert examples.value(node, SH.select) is not None
        pyoxigraph.Store().query(str(text))  # parses (and runs on an empty store)


# ------------------------------------------------------------------ SSSOM


def _read_sssom(path: Path) -> tuple[str, list[dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = "\n".join(line[1:] for line in lines if line.startswith("#"))
    body = [line for line in lines if not line.startswith("#")]
    columns = body[0].split("\t")
    return header, [dict(zip(columns, row.split("\t"), strict=True)) for row in body[1:]]


def test_sssom_has_one_row_per_mapping_triple(release_dir, ontology):
    header, rows = _read_sssom(release_dir / "mappings.sssom.tsv")
    import yaml

    meta = yaml.safe_load(header)
    for key in ("curie_map", "mapping_set_id", "license"):
        assert key in meta, key
    assert meta["license"] == "https://creativecommons.org/licenses/by/4.0/"
    curie_map = meta["curie_map"]

    def expand(curie: str) -> str:
        prefix, local = curie.split(":", 1)
        assert prefix in curie_map, f"{prefix} is not in the curie_map"
        return curie_map[prefix] + local

    found = {(expand(r["subject_id"]), expand(r["predicate_id"]), expand(r["object_id"])) for r in rows}
    assert len(found) == len(rows), "duplicate SSSOM rows"
    expected = {
        (str(s), str(p), str(o))
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.narrowMatch, SKOS.broadMatch, SKOS.relatedMatch)
        for s, o in ontology.subject_objects(p)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    }
    assert found == expected
    for row in rows:
        assert row["mapping_justification"] == "semapv:ManualMappingCuration"
        assert row["subject_label"], row


# ------------------------------------------------------------------ Figure 1

# Written independently of exoonto.release.FIGURE_QUERY: the source of an edge is the class
# of the cell the preparation derives from (or the preparation itself when it has no stated
# origin); the direction comes from the finding's effect.
EXPECTED_EDGES_QUERY = """
PREFIX exo: <https://w3id.org/exoonto/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?source ?target ?direction WHERE {
  ?f a exo:Finding ; exo:hasExosomeSource ?prep ; exo:hasEffect ?effect ; exo:hasTarget ?target .
  FILTER isIRI(?target)
  {
    ?prep exo:derivedFrom ?cell . ?cell a ?source .
    FILTER (isIRI(?source) && ?source NOT IN (owl:NamedIndividual, owl:Thing))
  } UNION {
    ?anyFinding exo:hasExosomeSource ?prep .
    FILTER NOT EXISTS {
      ?prep exo:derivedFrom ?c . ?c a ?t .
      FILTER (isIRI(?t) && ?t NOT IN (owl:NamedIndividual, owl:Thing))
    }
    BIND (?prep AS ?source)
  }
  BIND (IF(?effect IN (exo:promotes, exo:upregulates), "positive",
        IF(?effect IN (exo:inhibits, exo:downregulates), "negative", "unstated")) AS ?direction)
}
"""

SVG = "{http://www.w3.org/2000/svg}"


def test_figure_is_well_formed_svg_with_one_edge_per_source_target_direction(release_dir):
    tree = ET.parse(release_dir / "figure1.svg")
    root = tree.getroot()
    assert root.tag == SVG + "svg"
    edges = [e for e in root.iter(SVG + "path") if "edge" in (e.get("class") or "").split()]
    drawn = [(e.get("data-source"), e.get("data-target"), e.get("data-direction")) for e in edges]
    assert len(drawn) == len(set(drawn)), "an edge is drawn twice"

    store = pyoxigraph.Store()
    store.bulk_load(path=str(release_dir / "exoonto-kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    expected = {
        (row["source"].value, row["target"].value, row["direction"].value)
        for row in store.query(EXPECTED_EDGES_QUERY)
    }
    assert expected, "the graph has no finding with a source and a target"
    assert set(drawn) == expected
    # every source and target is drawn once, with its label
    nodes = [g for g in root.iter(SVG + "g") if "node" in (g.get("class") or "").split()]
    iris = [(g.get("class"), g.get("data-iri")) for g in nodes]
    assert len(iris) == len(set(iris))
    assert {i for c, i in iris if "node-source" in c} == {s for s, _, _ in expected}
    assert {i for c, i in iris if "node-target" in c} == {t for _, t, _ in expected}
    # colour by direction, with a legend
    colours = {e.get("data-direction"): e.get("stroke") for e in edges}
    assert len(set(colours.values())) == len(colours)
    assert root.find(f".//{SVG}g[@id='legend']") is not None


# ------------------------------------------------------------------ HTML documentation


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: set[str] = set()
        self.srcs: set[str] = set()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("href"):
            self.hrefs.add(attrs["href"])
        if attrs.get("src"):
            self.srcs.add(attrs["src"])


@pytest.fixture(scope="module")
def pages(release_dir) -> dict[str, _LinkCollector]:
    collected = {}
    for name in DOC_PAGES:
        parser = _LinkCollector()
        parser.feed((release_dir / "docs" / name).read_text(encoding="utf-8"))
        collected[name] = parser
    return collected


def _links_to(pages, page: str, fragment: str) -> bool:
    target = f"{page}#{fragment}"
    return any(
        target in p.hrefs or (name == page and f"#{fragment}" in p.hrefs)
        for name, p in pages.items()
    )


def _local(iri) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", re.split(r"[/#]", str(iri))[-1])


def test_docs_are_static_and_self_contained(release_dir, pages):
    for name, page in pages.items():
        assert "script" not in page.tags, name
        for href in page.hrefs | page.srcs:
            if href.startswith(("http://", "https://")):
                continue  # links out to IRIs are fine; nothing is loaded from them
            path = href.split("#")[0]
            if path:
                assert (release_dir / "docs" / path).resolve().is_file(), f"{name}: broken link {href}"
        assert 'rel="stylesheet" href="style.css"' in (release_dir / "docs" / name).read_text()
    for name, page in pages.items():  # every in-site anchor exists
        for href in page.hrefs:
            if "#" in href and not href.startswith(("http://", "https://")):
                target, fragment = href.split("#", 1)
                assert fragment in pages[target or name].ids, f"{name}: no anchor for {href}"
    assert "../figure1.svg" in pages["index.html"].srcs
    for name in DOC_PAGES[1:]:
        assert name in pages["index.html"].hrefs


def test_docs_link_to_every_class(pages, ontology):
    classes = {
        c for c in ontology.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and str(c).startswith(EXO) and "/" not in str(c)[len(EXO):]
    }
    assert classes
    for cls in classes:
        assert _local(cls) in pages["classes.html"].ids, cls
        assert _links_to(pages, "classes.html", _local(cls)), cls


def test_docs_show_every_finding_with_its_evidence_and_status(release_dir, pages, kg):
    import html

    text = (release_dir / "docs" / "findings.html").read_text(encoding="utf-8")
    findings = set(kg.subjects(RDF.type, URIRef(EXO + "Finding")))
    assert findings
    for finding in findings:
        assert _local(finding) in pages["findings.html"].ids, finding
        assert _links_to(pages, "findings.html", _local(finding)), finding
        for sentence in kg.objects(finding, URIRef(EXO + "evidenceSentence")):
            assert html.escape(str(sentence)) in text, (finding, sentence.language)
    hedged = set(kg.subjects(URIRef(EXO + "hasStatementStatus"), URIRef(EXO + "hedgedStatement")))
    assert text.count('class="hedged"') >= len(hedged & findings)
    references = set(kg.subjects(URIRef(EXO + "referenceNumber"), None))
    for ref in references:
        assert _local(ref) in pages["references.html"].ids, ref


# ------------------------------------------------------------------ determinism


@pytest.mark.slow
def test_build_is_byte_identical_with_different_hash_seeds(tmp_path):
    outputs = []
    for seed in ("0", "4242"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-m", "exoonto.cli", "build", "--out", str(out)],
            env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        outputs.append({
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        })
    assert sorted(outputs[0]) == sorted(outputs[1])
    assert len(outputs[0]) >= len(RDF_FILES) + len(OTHER_FILES)
    different = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert different == [], f"these files differ between two builds: {different}"


# ------------------------------------------------------------------ never replace a user's folder


def test_build_refuses_a_non_empty_folder_that_is_not_a_release(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="not an exoonto release"):
        build(home)
    assert sorted(p.name for p in home.iterdir()) == ["thesis.tex"]
    assert (home / "thesis.tex").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"], "build left files behind"


def test_build_refuses_a_file(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep", encoding="utf-8")
    with pytest.raises(InputError):
        build(target)
    assert target.read_text(encoding="utf-8") == "keep"


def test_cli_refusal_is_one_sentence_with_exit_code_2(tmp_path):
    (tmp_path / "keep.txt").write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path)])
    assert result.exit_code == 2
    message = result.output.strip()
    assert "not an exoonto release" in message
    assert "Traceback" not in message and len(message.splitlines()) == 1
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "keep"


def test_failed_build_leaves_the_previous_release_byte_identical(release_dir, tmp_path, monkeypatch):
    previous = tmp_path / "dist"
    shutil.copytree(release_dir, previous)
    before = {p.relative_to(previous): p.read_bytes() for p in previous.rglob("*") if p.is_file()}

    def broken_writer(release, out):
        (out / "half-written.txt").write_text("partial", encoding="utf-8")
        raise RuntimeError("writer failed")

    writers = list(build_module.WRITERS)
    monkeypatch.setattr(build_module, "WRITERS", [*writers[:-2], broken_writer, *writers[-2:]])
    monkeypatch.setattr(build_module, "validate_release", lambda *args: None)
    with pytest.raises(RuntimeError, match="writer failed"):
        build(previous)
    after = {p.relative_to(previous): p.read_bytes() for p in previous.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"], "staging folder left behind"


def test_a_release_folder_is_replaced(release_dir, tmp_path, monkeypatch):
    previous = tmp_path / "dist"
    shutil.copytree(release_dir, previous)
    (previous / "stale.txt").write_text("from an older release", encoding="utf-8")
    monkeypatch.setattr(build_module, "validate_release", lambda *args: None)
    build(previous)
    assert not (previous / "stale.txt").exists()
    assert (previous / RELEASE_MARKER).is_file()
    assert (previous / "void.ttl").read_bytes() == (release_dir / "void.ttl").read_bytes()


def test_docs_show_the_kind_of_every_discrepancy(release_dir, kg):
    page = (release_dir / "docs" / "discrepancies.html").read_text(encoding="utf-8")
    discrepancies = set(kg.subjects(RDF.type, URIRef("https://w3id.org/exoonto/Discrepancy")))
    assert len(discrepancies) > 20
    for node in discrepancies:
        kind = kg.value(node, URIRef("https://w3id.org/exoonto/hasDiscrepancyKind"))
        label = kg.value(kind, RDFS.label) if kind is not None else None
        assert label is not None, node
        assert f">{label}</a>" in page, (node, label)
