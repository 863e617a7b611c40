"""The review's reference list and front matter, checked against the printed text.

The printed review lives outside the repository, in ``../shared/review`` relative to the
repository root (CI lays ``shared/`` beside the clone); a missing review fails the tests.
The golden values below were typed by hand from reading the printed list.

The parser here is deliberately written independently of tools/make_references.py
(it tokenises from the end of each line instead of matching one regular expression).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

REPO = Path(__file__).resolve().parents[1]
REVIEW_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "review"
REVIEW_FILE = REVIEW_DIR / "000_bc46b0d17b87b5b2.txt"
REFERENCES_TTL = REPO / "facts" / "references.ttl"
REVIEW_TTL = REPO / "facts" / "review.ttl"

EXO = Namespace("https://w3id.org/exoonto/")
REF = Namespace("https://w3id.org/exoonto/reference/")
REVIEW = Namespace("https://w3id.org/exoonto/review/")
DISCREPANCY = Namespace("https://w3id.org/exoonto/discrepancy/")
BIBO = Namespace("http://purl.org/ontology/bibo/")

CORPORATE_30 = (
    "NIH Consensus Development Panel on Osteoporosis Prevention Diagnosis, Therapy"
)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def refs_graph() -> Graph:
    g = Graph()
    g.parse(REFERENCES_TTL, format="turtle")
    return g


@pytest.fixture(scope="module")
def review_graph() -> Graph:
    g = Graph()
    g.parse(REVIEW_TTL, format="turtle")
    return g


@pytest.fixture(scope="module")
def review_text() -> str:
    assert REVIEW_FILE.exists(), f"the printed review is not available at {REVIEW_FILE}"
    return REVIEW_FILE.read_text(encoding="utf-8")


def _split_printed(line: str) -> dict:
    """Independent tokenisation of one printed reference line."""
    assert line.startswith("- ") and line.endswith(".")
    body = line[2:-1]
    number, _, body = body.partition(" ")
    # from the end: "<front> *<journal>* <year>; <location>"
    head, _, location = body.rpartition("; ")
    head, _, year = head.rpartition(" ")
    assert head.endswith("*"), line
    star = head[:-1].rindex("*")
    journal = head[star + 1 : -1]
    front = head[: star - 1]
    if "*et al.*" in front:
        authors_text, _, title = front.partition(", *et al.* ")
        et_al = True
    else:
        authors_text, _, title = front.partition(". ")
        et_al = False
    title = title.replace("*", "")
    if title.endswith("."):
        title = title[:-1]
    authors = (
        [authors_text] if authors_text == CORPORATE_30 else authors_text.split(", ")
    )
    before_colon, _, pages = location.partition(": ")
    issue = None
    if before_colon.endswith(")"):
        before_colon, _, issue = before_colon[:-1].partition("(")
    volume, _, supplement = before_colon.partition(" ")
    return {
        "number": int(number),
        "authors": authors,
        "authors_text": authors_text,
        "et_al": et_al,
        "title": title,
        "journal": journal,
        "year": year,
        "volume": volume,
        "issue": issue,
        "supplement": supplement or None,
        "pages": pages,
    }


@pytest.fixture(scope="module")
def printed(review_text: str) -> list[dict]:
    section = review_text.split("参考文献 (References)", 1)[1]
    lines = [
        ln.strip() for ln in section.splitlines() if re.match(r"^- \d+ ", ln.strip())
    ]
    return [_split_printed(ln) for ln in lines]


def _one(g: Graph, s, p):
    values = list(g.objects(s, p))
    assert len(values) == 1, f"{s} {p}: {values}"
    return values[0]


def _opt(g: Graph, s, p):
    values = list(g.objects(s, p))
    assert len(values) <= 1, f"{s} {p}: {values}"
    return str(values[0]) if values else None


def _authors(g: Graph, ref: URIRef) -> list[str]:
    rows = []
    for a in g.objects(ref, EXO.hasAuthorship):
        assert (a, RDF.type, EXO.Authorship) in g
        rows.append((int(_one(g, a, EXO.authorPosition)), str(_one(g, a, FOAF.name))))
    rows.sort()
    assert [p for p, _ in rows] == list(range(1, len(rows) + 1)), ref
    return [n for _, n in rows]


def _expand(pages: str) -> tuple[str, str] | None:
    if "-" not in pages:
        return None
    start, end = pages.split("-")
    letters = start.rstrip("0123456789")
    digits = start[len(letters) :]
    full_end = digits[: len(digits) - len(end)] + end
    return start, letters + full_end


# ---------------------------------------------------- reference list vs printed text


def test_forty_references_numbered_1_to_40(printed, refs_graph):
    assert [p["number"] for p in printed] == list(range(1, 41))
    articles = set(refs_graph.subjects(RDF.type, EXO.JournalArticle))
    assert articles == {REF[f"R{n}"] for n in range(1, 41)}
    numbers = sorted(int(_one(refs_graph, a, EXO.referenceNumber)) for a in articles)
    assert numbers == list(range(1, 41))


def test_each_record_equals_the_printed_line(printed, refs_graph):
    g = refs_graph
    for p in printed:
        r = REF[f"R{p['number']}"]
        n = p["number"]
        assert int(_one(g, r, EXO.referenceNumber)) == n
        assert _one(g, r, DCTERMS.title) == Literal(p["title"], lang="en"), n
        assert _one(g, r, DCTERMS.issued) == Literal(p["year"], datatype=XSD.gYear), n
        assert str(_one(g, r, EXO.journalTitle)) == p["journal"], n
        assert str(_one(g, r, BIBO.volume)) == p["volume"], n
        assert _opt(g, r, BIBO.issue) == p["issue"], n
        assert _opt(g, r, EXO.supplement) == p["supplement"], n
        assert str(_one(g, r, BIBO.pages)) == p["pages"], n
        expanded = _expand(p["pages"])
        assert (_opt(g, r, BIBO.pageStart), _opt(g, r, BIBO.pageEnd)) == (
            expanded if expanded else (None, None)
        ), n
        assert _authors(g, r) == p["authors"], n
        assert _one(g, r, EXO.hasEtAl).toPython() is p["et_al"], n
        as_printed = p["authors_text"] + (", et al." if p["et_al"] else "")
        assert str(_one(g, r, EXO.authorsAsPrinted)) == as_printed, n
        assert (r, DCTERMS.isReferencedBy, REVIEW.guo2018) in g, n
        short = str(_one(g, r, EXO.shortCitation))
        assert short.endswith(" " + p["year"]), n
        if n != 30:
            assert short == p["authors"][0].rsplit(" ", 1)[0] + " " + p["year"], n
        assert _one(g, r, RDFS.label) == Literal(f"[{n}] {short}", lang="en"), n


def test_titles_carry_no_markup(refs_graph):
    for title in refs_graph.objects(None, DCTERMS.title):
        assert "*" not in title and not title.endswith("."), title


def test_no_doi_or_pmid_anywhere(refs_graph, review_graph):
    # No test checks a DOI or PMID against an offline source, so none may be present.
    for g in (refs_graph, review_graph):
        for p in (BIBO.doi, BIBO.pmid, URIRef("http://purl.org/ontology/bibo/pmid")):
            assert not list(g.triples((None, p, None)))
        for _, p, _ in g:
            assert "doi" not in str(p).lower() and "pmid" not in str(p).lower(), p


def test_generator_output_is_up_to_date(review_text):
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "make_references.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------- golden values, typed by hand


def test_golden_ref_27(refs_graph):
    g, r = refs_graph, REF.R27
    assert _authors(g, r)[0] == "Li D"
    assert _authors(g, r) == ["Li D", "Liu J", "Guo B", "Liang C", "Dang L", "Lu C"]
    assert _one(g, r, EXO.hasEtAl).toPython() is True
    assert _one(g, r, DCTERMS.issued) == Literal("2016", datatype=XSD.gYear)
    assert str(_one(g, r, EXO.journalTitle)) == "Nat Commun"
    assert str(_one(g, r, BIBO.volume)) == "7"
    assert _opt(g, r, BIBO.issue) is None
    assert str(_one(g, r, BIBO.pages)) == "10872"
    assert _opt(g, r, BIBO.pageStart) is None
    assert str(_one(g, r, EXO.shortCitation)) == "Li 2016"
    assert str(_one(g, r, DCTERMS.title)) == (
        "Osteoclast-derived exosomal miR-214-3p inhibits osteoblastic bone formation"
    )


def test_golden_ref_21_combined_issue(refs_graph):
    g, r = refs_graph, REF.R21
    assert str(_one(g, r, BIBO.issue)) == "21/22"
    assert str(_one(g, r, BIBO.volume)) == "23"
    assert str(_one(g, r, BIBO.pages)) == "1212-20"
    assert (str(_one(g, r, BIBO.pageStart)), str(_one(g, r, BIBO.pageEnd))) == (
        "1212",
        "1220",
    )
    assert str(_one(g, r, EXO.journalTitle)) == "Tissue Eng Part A"


def test_golden_ref_30_corporate_author(refs_graph):
    g, r = refs_graph, REF.R30
    assert _authors(g, r) == [
        "NIH Consensus Development Panel on Osteoporosis Prevention Diagnosis, Therapy"
    ]
    assert str(_one(g, r, EXO.shortCitation)) == "NIH Consensus Development Panel 2001"
    assert str(_one(g, r, EXO.journalTitle)) == "JAMA"
    assert (
        str(_one(g, r, DCTERMS.title))
        == "Osteoporosis prevention, diagnosis, and therapy"
    )


def test_golden_page_ranges_and_supplement(refs_graph):
    g = refs_graph
    expected = {
        2: ("1893-903", "1893", "1903"),
        3: ("17772-6", "17772", "17776"),
        16: ("S131-9", "S131", "S139"),
        39: ("E1015-24", "E1015", "E1024"),
        24: ("33-7", "33", "37"),
    }
    for n, (pages, start, end) in expected.items():
        r = REF[f"R{n}"]
        assert str(_one(g, r, BIBO.pages)) == pages
        assert str(_one(g, r, BIBO.pageStart)) == start
        assert str(_one(g, r, BIBO.pageEnd)) == end
    assert str(_one(g, REF.R16, BIBO.volume)) == "3"
    assert str(_one(g, REF.R16, EXO.supplement)) == "Suppl 3"
    assert _opt(g, REF.R16, BIBO.issue) is None
    assert str(_one(g, REF.R6, BIBO.pages)) == "27066"
    assert str(_one(g, REF.R25, BIBO.pages)) == "e0166284"
    assert str(_one(g, REF.R14, BIBO.volume)) == "2016"


def test_golden_titles(refs_graph):
    g = refs_graph
    assert str(_one(g, REF.R3, DCTERMS.title)) == (
        "In vivo fluorescence imaging of bone-resorbing osteoclasts"
    )
    assert str(_one(g, REF.R39, DCTERMS.title)) == (
        "Exosomal secretion of death bullets: a new way of apoptotic escape?"
    )
    assert "Borrás FE" in _authors(g, REF.R6)
    assert _authors(g, REF.R12) == ["Duque G"]
    assert str(_one(g, REF.R23, EXO.journalTitle)) == "Rheumatology (Oxford)"


# ------------------------------------------------------------------ the review record


def test_review_titles_and_authors(review_graph):
    g, rv = review_graph, REVIEW.guo2018
    assert (rv, RDF.type, EXO.Review) in g
    assert set(g.objects(rv, DCTERMS.title)) == {
        Literal("外泌体对骨重塑的调控作用", lang="zh"),
        Literal("Regulation of Exosomes on Bone Remodelling", lang="en"),
    }
    rows = sorted(
        (int(_one(g, a, EXO.authorPosition)), a)
        for a in g.objects(rv, EXO.hasAuthorship)
    )
    assert [p for p, _ in rows] == [1, 2, 3, 4]
    names = [{(n.language, str(n)) for n in g.objects(a, FOAF.name)} for _, a in rows]
    assert names == [
        {("zh", "郭健民"), ("en", "Guo Jianmin")},
        {("zh", "邹军"), ("en", "Zou Jun")},
        {("zh", "王淼"), ("en", "Wang Miao")},
        {("zh", "陈熙"), ("en", "Chen Xi")},
    ]
    corresponding = [
        a for _, a in rows if (a, EXO.isCorrespondingAuthor, Literal(True)) in g
    ]
    assert corresponding == [REVIEW["guo2018-a4"]]
    assert (REVIEW["guo2018-a4"], FOAF.mbox, URIRef("mailto:chenab004@126.com")) in g
    affs = [_one(g, a, EXO.hasAffiliation) for _, a in rows]
    assert affs[0] == affs[2] != affs[1] != affs[3]


def test_review_dates_and_discrepancy(review_graph):
    g, rv = review_graph, REVIEW.guo2018
    assert _one(g, rv, DCTERMS.dateSubmitted) == Literal(
        "2017-11-29", datatype=XSD.date
    )
    assert _one(g, rv, DCTERMS.dateAccepted) == Literal("2018-03-02", datatype=XSD.date)
    assert _one(g, rv, DCTERMS.available) == Literal(
        "2018-06-01T16:38:42", datatype=XSD.dateTime
    )
    d = DISCREPANCY.D40
    assert (d, RDF.type, EXO.Discrepancy) in g
    assert (d, EXO.concernsReview, rv) in g
    assert Literal("收稿日期: 2017-11-29", lang="zh") in set(g.objects(d, EXO.textSays))
    assert Literal("Received: November 29, 2018", lang="en") in set(
        g.objects(d, EXO.referenceSays)
    )
    assert any(c.language == "en" for c in g.objects(d, RDFS.comment))


def test_review_funding(review_graph):
    g, rv = review_graph, REVIEW.guo2018
    numbers = {
        str(_one(g, gr, EXO.grantNumber)) for gr in g.objects(rv, EXO.hasFunding)
    }
    assert numbers == {"Y20170225", "zgt201638", "81702235", "81572242", "11DZ2261100"}
    for gr in g.objects(rv, EXO.hasFunding):
        funder = _one(g, gr, EXO.hasFunder)
        assert {lab.language for lab in g.objects(funder, RDFS.label)} == {"zh", "en"}


def test_review_front_matter_is_printed(review_graph, review_text):
    """Each zh/en label, abstract and keyword in review.ttl is printed text."""
    g, rv = review_graph, REVIEW.guo2018
    for lang in ("zh", "en"):
        (abstract,) = [a for a in g.objects(rv, DCTERMS.abstract) if a.language == lang]
        marker = "**摘要** " if lang == "zh" else "**Abstract** "
        assert marker + str(abstract) + "\n" in review_text
    for kw in g.objects(rv, DCTERMS.subject):
        assert str(kw) in review_text
    for node in (
        *g.subjects(RDF.type, EXO.Affiliation),
        *g.subjects(RDF.type, EXO.Funder),
        REVIEW["figure-1"],
    ):
        for label in g.objects(node, RDFS.label):
            assert str(label) in review_text, label
    for number in g.objects(None, EXO.grantNumber):
        assert str(number) in review_text
    assert "31.2035.Q" in review_text
    page = _one(g, rv, FOAF.page)
    assert f"<{page}>" in review_text
    assert "收稿日期: 2017-11-29" in review_text
    assert "Received: November 29, 2018" in review_text
    assert "接受日期: 2018-03-02" in review_text
    assert "网络出版时间: 2018-06-01 16:38:42" in review_text


def test_review_sections(review_graph, review_text):
    g = review_graph
    numbered = {"1", "1.1", "1.2", "1.3", "2", "3"}
    sections = set(g.subjects(RDF.type, EXO.ReviewSection))
    assert sections == {REVIEW.abstract, REVIEW.introduction} | {
        REVIEW[f"section-{n}"] for n in numbered
    }
    headings = {
        ln.lstrip("#").strip() for ln in review_text.splitlines() if ln.startswith("#")
    }
    for s in sections:
        assert (s, DCTERMS.isPartOf, REVIEW.guo2018) in g
        assert {lab.language for lab in g.objects(s, RDFS.label)} == {"zh", "en"}
    for n in numbered:
        s = REVIEW[f"section-{n}"]
        assert str(_one(g, s, EXO.sectionNumber)) == n
        (zh,) = [lab for lab in g.objects(s, RDFS.label) if lab.language == "zh"]
        assert str(zh) in headings and str(zh).startswith(n + " ")
