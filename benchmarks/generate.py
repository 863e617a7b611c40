"""Synthetic literature in the review's vocabulary, for benchmarks.

    python benchmarks/generate.py --findings 50000 --seed 1 --out data/50k.nt [--with-shipped]

Writes N findings from M studies (default M = N / 10) as N-Triples, streamed line by line so
10^6 findings (about 20 million triples) never sit in memory. The vocabulary is read from the
real ontology (the installed package's, or --ontology FILE): exosome preparations derived from
its cell classes, its processes, markers, pathways, disorders, models, species, the effect,
setting, status and direction individuals. Every finding has the shape the SHACL shapes ask
for (docs/modelling.md): finding:R{n}-{nn} citing reference n, one exosome source, one effect,
settings, an English label, one evidence sentence @zh and one @en, one statement status (a
hedge cue when hedged), one review section, a pathway only with a direction, markers only with
an expression effect. Studies are numbered from 1001 so they never meet the review's own 40.

The output is deterministic for a given seed, size and ontology. With --with-shipped the
ontology and the review's facts come first, so the file is a whole graph by itself (what the
SHACL and query benchmarks load)."""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef

EXO = "https://w3id.org/exoonto/"
FINDING = EXO + "finding/"
EXOSOME = EXO + "exosome/"
REF = EXO + "reference/"
REVIEW = EXO + "review/"
RDF_TYPE = str(RDF.type)
LABEL = str(RDFS.label)
DCT = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
FIRST_STUDY = 1001
MAX_FINDINGS_PER_STUDY = 99  # the shapes' finding:R{n}-{nn} has a two-digit counter
SECTIONS_FALLBACK = ["section-1.1", "section-1.2", "section-1.3", "section-2", "section-3"]
SURNAMES = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
            "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Smith", "Müller", "Tanaka", "Kim"]
JOURNALS = ["Nat Commun", "Bone", "J Bone Miner Res", "Stem Cell Res Ther", "Sci Rep",
            "Biomaterials", "Theranostics", "J Extracell Vesicles", "Cell Death Dis", "PLoS One"]
HEDGES = ["可能", "被认为", "提示"]
CONDITIONS = ["hypoxia-preconditioned cells", "TNF-α-primed cells", "myostatin-treated cells",
              "serum-starved culture", "after 7 days of osteogenic induction"]
EXPRESSION = ("upregulates", "downregulates", "changesExpressionOf")
PROCESS_EFFECTS = ("promotes", "inhibits", "regulatesWithoutStatedDirection", "isAssociatedWith")
EFFECT_ZH = {"promotes": "促进", "inhibits": "抑制", "upregulates": "上调",
             "downregulates": "下调", "changesExpressionOf": "改变",
             "regulatesWithoutStatedDirection": "调控", "isTakenUpBy": "被摄取于",
             "transfersCargoTo": "转运至", "isAssociatedWith": "相关于"}
EFFECT_EN = {"promotes": "promote", "inhibits": "inhibit", "upregulates": "upregulate",
             "downregulates": "downregulate", "changesExpressionOf": "change the expression of",
             "regulatesWithoutStatedDirection": "regulate", "isTakenUpBy": "are taken up by",
             "transfersCargoTo": "transfer cargo to", "isAssociatedWith": "are associated with"}


@dataclass
class Term:
    iri: str
    en: str
    zh: str


@dataclass
class Vocabulary:
    cells: list[Term]
    processes: list[Term]
    markers: list[Term]
    cargo: list[Term]
    pathways: list[Term]
    disorders: list[Term]
    models: list[Term]
    species: list[Term]
    anatomy: list[Term]
    sections: list[str]


def _subclasses(graph: Graph, root: str) -> list[str]:
    found: set[str] = set()
    todo = [URIRef(EXO + root)]
    while todo:
        current = todo.pop()
        for sub in graph.subjects(RDFS.subClassOf, current):
            if isinstance(sub, URIRef) and str(sub) not in found:
                found.add(str(sub))
                todo.append(sub)
    return sorted(found)


def _term(graph: Graph, iri: str) -> Term:
    labels = {lit.language: str(lit) for lit in graph.objects(URIRef(iri), RDFS.label)
              if isinstance(lit, Literal)}
    local = iri.rsplit("/", 1)[-1]
    return Term(iri, labels.get("en", local), labels.get("zh", labels.get("en", local)))


def default_ontology() -> Path:
    from exoonto import resources

    return resources.local_path(resources.ontology_file())


def review_sections() -> list[str]:
    """The review's numbered sections, from the installed facts (findings must point at one)."""
    try:
        from exoonto import resources

        graph = Graph()
        for source in resources.fact_files():
            if source.name == "review.ttl":
                graph.parse(data=source.read_text(encoding="utf-8"), format="turtle")
    except (ImportError, RuntimeError):
        return [REVIEW + name for name in SECTIONS_FALLBACK]
    found = sorted(str(s) for s in graph.subjects(RDF.type, URIRef(EXO + "ReviewSection"))
                   if str(s).startswith(REVIEW + "section-"))
    return found or [REVIEW + name for name in SECTIONS_FALLBACK]


def load_vocabulary(ontology: Path) -> Vocabulary:
    graph = Graph().parse(ontology, format="turtle")

    def terms(root: str, exclude: tuple[str, ...] = ()) -> list[Term]:
        skip = {EXO + name for name in exclude}
        return [_term(graph, iri) for iri in _subclasses(graph, root) if iri not in skip]

    vocabulary = Vocabulary(
        cells=terms("Cell", exclude=("CellLine",)),
        processes=terms("BiologicalProcess"),
        markers=terms("GeneProduct"),
        cargo=terms("MolecularEntity"),
        pathways=terms("SignalingPathway"),
        disorders=terms("Disorder"),
        models=terms("ExperimentalModel"),
        species=terms("Organism"),
        anatomy=terms("AnatomicalEntity"),
        sections=review_sections(),
    )
    for name in ("cells", "processes", "species"):
        if not getattr(vocabulary, name):
            raise SystemExit(f"{ontology}: the ontology has no {name}; cannot generate findings.")
    return vocabulary


# ------------------------------------------------------------------ N-Triples writing


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def iri(value: str) -> str:
    return f"<{value}>"


def lang(text: str, tag: str) -> str:
    return f'"{_escape(text)}"@{tag}'


def typed(text: str, datatype: str) -> str:
    return f'"{_escape(text)}"^^<{XSD}{datatype}>'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


def triple(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


# ------------------------------------------------------------------ the literature


def study_lines(n: int, rng: random.Random, vocab: Vocabulary) -> tuple[list[str], list[tuple]]:
    """A journal article numbered n, its authorships, and its exosome preparations."""
    ref = iri(f"{REF}R{n}")
    year = rng.randint(2008, 2024)
    authors = [f"{rng.choice(SURNAMES)} {chr(65 + rng.randrange(26))}"
               for _ in range(rng.randint(1, 6))]
    et_al = len(authors) > 3
    printed = ", ".join(authors[:3]) + (", et al." if et_al else ".")
    out = [
        triple(ref, iri(RDF_TYPE), iri(EXO + "JournalArticle")),
        triple(ref, iri(EXO + "referenceNumber"), typed(str(n), "integer")),
        triple(ref, iri(EXO + "shortCitation"), plain(f"{authors[0].split()[0]} {year}")),
        triple(ref, iri(LABEL), lang(f"{authors[0].split()[0]} {year} (synthetic study {n})", "en")),
        triple(ref, iri(DCT + "title"),
               lang(f"Synthetic study {n} of exosomes in bone remodelling", "en")),
        triple(ref, iri(EXO + "authorsAsPrinted"), plain(printed)),
        triple(ref, iri(EXO + "hasEtAl"), typed("true" if et_al else "false", "boolean")),
        triple(ref, iri(EXO + "journalTitle"), plain(rng.choice(JOURNALS))),
        triple(ref, iri(DCT + "issued"), typed(str(year), "gYear")),
        triple(ref, iri(BIBO + "volume"), plain(str(rng.randint(1, 60)))),
        triple(ref, iri(BIBO + "pages"), plain(str(rng.randint(1, 9999)))),
        triple(ref, iri(DCT + "isReferencedBy"), iri(REVIEW + "guo2018")),
    ]
    for position, name in enumerate(authors[:3], start=1):
        authorship = iri(f"{REF}R{n}-a{position}")
        out += [
            triple(ref, iri(EXO + "hasAuthorship"), authorship),
            triple(authorship, iri(RDF_TYPE), iri(EXO + "Authorship")),
            triple(authorship, iri(EXO + "authorPosition"), typed(str(position), "integer")),
            triple(authorship, iri(FOAF + "name"), plain(name)),
        ]
    preparations = []
    for k, cell in enumerate(rng.sample(vocab.cells, k=min(len(vocab.cells), rng.randint(1, 2)))):
        species = rng.choice(vocab.species)
        prep = iri(f"{EXOSOME}R{n}-p{k + 1}")
        node = f"_:r{n}p{k + 1}"
        out += [
            triple(prep, iri(RDF_TYPE), iri(EXO + "Exosome")),
            triple(prep, iri(LABEL), lang(f"{cell.en}-derived exosomes (study {n})", "en")),
            triple(prep, iri(LABEL), lang(f"{cell.zh}来源的外泌体", "zh")),
            triple(prep, iri(EXO + "derivedFrom"), node),
            triple(node, iri(RDF_TYPE), iri(cell.iri)),
            triple(prep, iri(EXO + "inSpecies"), iri(species.iri)),
        ]
        preparations.append((prep, cell, species))
    return out, preparations


def finding_lines(n: int, k: int, rng: random.Random, vocab: Vocabulary,
                  preparations: list[tuple]) -> list[str]:
    f = iri(f"{FINDING}R{n}-{k:02d}")
    prep, source_cell, species = rng.choice(preparations)
    target = rng.choice(vocab.cells)
    if vocab.markers and rng.random() < 0.3:
        effect = rng.choice(EXPRESSION)
        slot, term = "affectsMarker", rng.choice(vocab.markers)
    elif rng.random() < 0.05:
        effect = rng.choice(("isTakenUpBy", "transfersCargoTo"))
        slot, term = None, target
    else:
        effect = rng.choice(PROCESS_EFFECTS)
        slot, term = "affectsProcess", rng.choice(vocab.processes)
    hedged = rng.random() < 0.15
    out = [
        triple(f, iri(RDF_TYPE), iri(EXO + "Finding")),
        triple(f, iri(LABEL), lang(f"{source_cell.en}-derived exosomes {EFFECT_EN[effect]} "
                                    f"{term.en} in {target.en}", "en")),
        triple(f, iri(EXO + "hasExosomeSource"), prep),
        triple(f, iri(EXO + "hasEffect"), iri(EXO + effect)),
        triple(f, iri(EXO + "hasTarget"), iri(target.iri)),
        triple(f, iri(EXO + "citesStudy"), iri(f"{REF}R{n}")),
        triple(f, iri(EXO + "inSection"), iri(rng.choice(vocab.sections))),
        triple(f, iri(EXO + "evidenceSentence"),
               lang(f"{source_cell.zh}来源的外泌体{'可能' if hedged else ''}{EFFECT_ZH[effect]}"
                    f"{target.zh}的{term.zh}[{n}]。", "zh")),
        triple(f, iri(EXO + "evidenceSentence"),
               lang(f"Exosomes derived from {source_cell.en} {'may ' if hedged else ''}"
                    f"{EFFECT_EN[effect]} {term.en} in {target.en} [{n}].", "en")),
        triple(f, iri(EXO + "hasStatementStatus"),
               iri(EXO + ("hedgedStatement" if hedged else "reportedResult"))),
        triple(f, iri(EXO + "inSpecies"), iri(species.iri)),
    ]
    if slot:
        out.append(triple(f, iri(EXO + slot), iri(term.iri)))
    if hedged:
        out.append(triple(f, iri(EXO + "hedgeCue"), lang(rng.choice(HEDGES), "zh")))
    settings = rng.sample(["inVitro", "inVitro2D", "inVitro3D", "inVivo", "notStated"],
                          k=rng.choice((1, 1, 1, 2)))
    out += [triple(f, iri(EXO + "hasExperimentalSetting"), iri(EXO + s)) for s in settings]
    if vocab.pathways and rng.random() < 0.25:
        out.append(triple(f, iri(EXO + "viaPathway"), iri(rng.choice(vocab.pathways).iri)))
        direction = rng.choice(("activated", "suppressed", "noStatedDirection"))
        out.append(triple(f, iri(EXO + "hasPathwayDirection"), iri(EXO + direction)))
    if vocab.cargo and rng.random() < 0.3:
        out.append(triple(f, iri(EXO + "hasCargo"), iri(rng.choice(vocab.cargo).iri)))
    if vocab.disorders and rng.random() < 0.3:
        out.append(triple(f, iri(EXO + "inDisorderContext"), iri(rng.choice(vocab.disorders).iri)))
    if vocab.models and "inVivo" in settings and rng.random() < 0.6:
        out.append(triple(f, iri(EXO + "inModel"), iri(rng.choice(vocab.models).iri)))
    if rng.random() < 0.2:
        out.append(triple(f, iri(EXO + "hasCondition"), lang(rng.choice(CONDITIONS), "en")))
    if rng.random() < 0.5:
        out.append(triple(f, iri(EXO + "evidenceCode"),
                          iri("http://purl.obolibrary.org/obo/ECO_0000033")))
    return out


def generate(findings: int, studies: int | None, seed: int, vocab: Vocabulary) -> Iterator[str]:
    """N-Triples lines: `findings` findings spread over `studies` studies."""
    if studies is None:
        studies = max(1, findings // 10)
    studies = max(studies, -(-findings // MAX_FINDINGS_PER_STUDY))
    rng = random.Random(seed)
    base, extra = divmod(findings, studies)
    for index in range(studies):
        n = FIRST_STUDY + index
        lines, preparations = study_lines(n, rng, vocab)
        yield from lines
        for k in range(1, base + (1 if index < extra else 0) + 1):
            yield from finding_lines(n, k, rng, vocab, preparations)


def shipped_ntriples() -> Iterator[str]:
    """The ontology and the review's facts, as N-Triples lines."""
    from exoonto.load import load_shipped

    data = load_shipped().graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    yield from (line + "\n" for line in data.splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, required=True, help="number of findings (N)")
    parser.add_argument("--studies", type=int, default=None, help="number of studies (M)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ontology", type=Path, default=None,
                        help="ontology Turtle file (default: the installed package's)")
    parser.add_argument("--with-shipped", action="store_true",
                        help="write the ontology and the review's facts first")
    parser.add_argument("--out", type=Path, default=None, help="output file (default stdout)")
    args = parser.parse_args(argv)
    vocab = load_vocabulary(args.ontology or default_ontology())
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    count = 0
    try:
        if args.with_shipped:
            for line in shipped_ntriples():
                out.write(line)
                count += 1
        buffer: list[str] = []
        for line in generate(args.findings, args.studies, args.seed, vocab):
            buffer.append(line)
            if len(buffer) >= 10_000:
                out.writelines(buffer)
                count += len(buffer)
                buffer.clear()
        out.writelines(buffer)
        count += len(buffer)
    finally:
        if args.out:
            out.close()
    print(f"{count} triples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
