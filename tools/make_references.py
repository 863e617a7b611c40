#!/usr/bin/env python3
"""Generate facts/references.ttl from the review's printed reference list.

The review (Guo, Zou, Wang, Chen 2018, "外泌体对骨重塑的调控作用") is stored as
Markdown-like text in ``../shared/review/000_bc46b0d17b87b5b2.txt`` relative to the
repository root. Its "参考文献 (References)" section prints one reference per line::

    - 27 Li D, Liu J, ..., *et al.* Title. *Nat Commun* 2016; 7: 10872.

This script parses those lines -- nothing is retyped -- and writes one
``exo:JournalArticle`` per reference (``ref:R1`` ... ``ref:R40``) following
docs/modelling.md ("References and the review"):

* ``exo:authorsAsPrinted`` -- the author string as printed (``*et al.*`` markers
  removed, ``et al.`` kept; the full stop between authors and title is not part of it);
* one ``exo:Authorship`` per printed name, in printed order (``ref:R27-a1`` ...);
  ``et al.`` is not an author but sets ``exo:hasEtAl true``;
* ``dcterms:title`` -- as printed, with ``*...*`` italic markers removed and the
  closing full stop dropped (a closing "?" is part of the title and kept);
* ``exo:journalTitle`` -- the abbreviation as printed (the last italic span before
  the year);
* ``dcterms:issued`` (xsd:gYear), ``bibo:volume``, ``bibo:issue``, ``exo:supplement``,
  ``bibo:pages`` exactly as printed; for a page range also ``bibo:pageStart`` and
  ``bibo:pageEnd`` with the abbreviated end expanded ("1893-903" -> 1893, 1903;
  "S131-9" -> S131, S139). Single article numbers ("10872", "e0166284") get only
  ``bibo:pages``.

Special case: reference 30 has a corporate author printed as
"NIH Consensus Development Panel on Osteoporosis Prevention Diagnosis, Therapy" -- the
comma is part of the (garbled) corporate name, so it is one authorship, not two.
Its short citation is "NIH Consensus Development Panel 2001".

Two short citations are shared by two references each ("Lu 2017": 15 and 21;
"Zhang 2016": 36 and 38); they are kept as the contract defines them and each such
record carries an rdfs:comment naming the other.

No DOI or PMID is written: none can be verified offline (docs/modelling.md).

Usage::

    python tools/make_references.py            # writes facts/references.ttl
    python tools/make_references.py --check    # exits 1 if the file is out of date
    python tools/make_references.py --review PATH --out PATH

The output is deterministic (same input -> byte-identical file).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REVIEW = REPO.parent / "shared" / "review" / "000_bc46b0d17b87b5b2.txt"
DEFAULT_OUT = REPO / "facts" / "references.ttl"

EXPECTED_COUNT = 40
HEADING = "## 参考文献 (References)"

# Corporate authors whose printed name contains a comma; keyed by reference number.
CORPORATE_AUTHORS: dict[int, tuple[str, str]] = {
    # number: (printed corporate name, family-name part used in the short citation)
    30: (
        "NIH Consensus Development Panel on Osteoporosis Prevention Diagnosis, Therapy",
        "NIH Consensus Development Panel",
    ),
}

LINE_RE = re.compile(
    r"^- (?P<num>\d+) (?P<front>.+) "
    r"\*(?P<journal>[^*]+)\* (?P<year>\d{4}); (?P<loc>.+)\.$"
)
# volume [Suppl n] [(issue)]: pages
LOC_RE = re.compile(
    r"^(?P<volume>[^\s(:]+)(?: (?P<supplement>Suppl \d+))?"
    r"(?:\((?P<issue>[^)]+)\))?: (?P<pages>\S+)$"
)
ETAL_RE = re.compile(r"^(?P<authors>.+?), \*et al\.\* (?P<title>.+)$")
RANGE_RE = re.compile(r"^(?P<prefix>[A-Za-z]*)(?P<start>\d+)-(?P<end>\d+)$")
ITALIC_RE = re.compile(r"\*([^*]+)\*")


@dataclass
class Reference:
    number: int
    authors: list[str]
    et_al: bool
    authors_as_printed: str
    title: str
    journal: str
    year: str
    volume: str
    issue: str | None
    supplement: str | None
    pages: str
    page_start: str | None = None
    page_end: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def short_citation(self) -> str:
        if self.number in CORPORATE_AUTHORS:
            family = CORPORATE_AUTHORS[self.number][1]
        else:
            family = family_name(self.authors[0])
        return f"{family} {self.year}"


def family_name(printed: str) -> str:
    """'Li D' -> 'Li'; 'El-Saghir J' -> 'El-Saghir'; 'De Luca A' -> 'De Luca'."""
    parts = printed.split(" ")
    if len(parts) >= 2 and re.fullmatch(r"[A-Z]{1,3}", parts[-1]):
        return " ".join(parts[:-1])
    raise ValueError(f"cannot find initials in author name {printed!r}")


def expand_range(pages: str) -> tuple[str, str] | None:
    """'1893-903' -> ('1893', '1903'); 'S131-9' -> ('S131', 'S139'); '10872' -> None."""
    m = RANGE_RE.match(pages)
    if not m:
        return None
    prefix, start, end = m["prefix"], m["start"], m["end"]
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    if int(end) < int(start):
        raise ValueError(f"page range {pages!r} ends before it starts")
    return prefix + start, prefix + end


def reference_lines(text: str) -> list[str]:
    """The printed reference lines, in order (blank lines in the list are skipped)."""
    _, sep, tail = text.partition(HEADING)
    if not sep:
        raise ValueError(f"heading {HEADING!r} not found in the review")
    return [line.strip() for line in tail.splitlines() if line.strip().startswith("- ")]


def parse_line(line: str) -> Reference:
    m = LINE_RE.match(line)
    if not m:
        raise ValueError(f"reference line not understood: {line!r}")
    number = int(m["num"])
    front = m["front"]
    et_al = False
    if (e := ETAL_RE.match(front)) is not None:
        et_al = True
        author_part, title = e["authors"], e["title"]
    else:
        author_part, dot, title = front.partition(". ")
        if not dot:
            raise ValueError(f"reference {number}: no '. ' between authors and title")
    if number in CORPORATE_AUTHORS:
        corporate = CORPORATE_AUTHORS[number][0]
        if author_part != corporate:
            raise ValueError(
                f"reference {number}: corporate author changed: {author_part!r}"
            )
        authors = [corporate]
    else:
        authors = author_part.split(", ")
    authors_as_printed = author_part + (", et al." if et_al else "")
    title = ITALIC_RE.sub(r"\1", title)
    if title.endswith("."):
        title = title[:-1]
    if "*" in title:
        raise ValueError(f"reference {number}: unbalanced italics in title {title!r}")
    loc = LOC_RE.match(m["loc"])
    if not loc:
        raise ValueError(
            f"reference {number}: volume/issue/pages not understood: {m['loc']!r}"
        )
    ref = Reference(
        number=number,
        authors=authors,
        et_al=et_al,
        authors_as_printed=authors_as_printed,
        title=title,
        journal=m["journal"],
        year=m["year"],
        volume=loc["volume"],
        issue=loc["issue"],
        supplement=loc["supplement"],
        pages=loc["pages"],
    )
    rng = expand_range(ref.pages)
    if rng:
        ref.page_start, ref.page_end = rng
    if number in CORPORATE_AUTHORS:
        ref.comments.append(
            "Corporate author. The review prints it as "
            '"NIH Consensus Development Panel on '
            'Osteoporosis Prevention Diagnosis, Therapy"; '
            "the comma belongs to the corporate name, "
            "so it is recorded as one authorship. The short citation uses "
            '"NIH Consensus Development Panel".'
        )
    if ref.issue and "/" in ref.issue:
        ref.comments.append(
            f'The issue is printed as "{ref.issue}" (a combined issue); '
            "recorded as printed."
        )
    if ref.supplement:
        ref.comments.append(
            f'Printed as "{ref.volume} {ref.supplement}": volume {ref.volume}, '
            f'supplement "{ref.supplement}", no issue number.'
        )
    return ref


def parse_references(text: str) -> list[Reference]:
    refs = [parse_line(line) for line in reference_lines(text)]
    numbers = [r.number for r in refs]
    if numbers != list(range(1, EXPECTED_COUNT + 1)):
        raise ValueError(f"reference numbers are not 1..{EXPECTED_COUNT}: {numbers}")
    # The short citation follows the contract (first author's family name + year) even
    # where two references share it; say so on each of them.
    for r in refs:
        others = [
            o.number
            for o in refs
            if o is not r and o.short_citation == r.short_citation
        ]
        if others:
            also = ", ".join(f"[{n}]" for n in others)
            r.comments.append(
                f'The short citation "{r.short_citation}" '
                f"is shared with reference {also}; "
                "the reference number tells them apart."
            )
    return refs


# ---------------------------------------------------------------- Turtle output


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
    out = f'"{escaped}"'
    if lang:
        out += f"@{lang}"
    if datatype:
        out += f"^^{datatype}"
    return out


PREAMBLE = """\
# The 40 references of Guo, Zou, Wang, Chen 2018 (review:guo2018), as printed in its
# "参考文献 (References)" list.
# GENERATED by tools/make_references.py from
# shared/review/000_bc46b0d17b87b5b2.txt -- do not edit by hand; rerun the script.
# No DOI or PMID is recorded: none could be verified offline (docs/modelling.md).

@prefix exo: <https://w3id.org/exoonto/> .
@prefix ref: <https://w3id.org/exoonto/reference/> .
@prefix review: <https://w3id.org/exoonto/review/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def to_turtle(refs: list[Reference]) -> str:
    blocks = [PREAMBLE]
    for r in refs:
        rid = f"ref:R{r.number}"
        auth_ids = [f"ref:R{r.number}-a{i}" for i in range(1, len(r.authors) + 1)]
        props: list[tuple[str, str]] = [
            ("rdfs:label", lit(f"[{r.number}] {r.short_citation}", lang="en")),
            ("exo:referenceNumber", str(r.number)),
            ("exo:shortCitation", lit(r.short_citation)),
            ("dcterms:title", lit(r.title, lang="en")),
            ("exo:authorsAsPrinted", lit(r.authors_as_printed)),
            ("exo:hasAuthorship", " , ".join(auth_ids)),
            ("exo:hasEtAl", "true" if r.et_al else "false"),
            ("exo:journalTitle", lit(r.journal)),
            ("dcterms:issued", lit(r.year, datatype="xsd:gYear")),
            ("bibo:volume", lit(r.volume)),
        ]
        if r.issue is not None:
            props.append(("bibo:issue", lit(r.issue)))
        if r.supplement is not None:
            props.append(("exo:supplement", lit(r.supplement)))
        props.append(("bibo:pages", lit(r.pages)))
        if r.page_start is not None:
            props.append(("bibo:pageStart", lit(r.page_start)))
            props.append(("bibo:pageEnd", lit(r.page_end)))
        for c in r.comments:
            props.append(("rdfs:comment", lit(c, lang="en")))
        props.append(("dcterms:isReferencedBy", "review:guo2018"))
        body = " ;\n".join(f"    {p} {o}" for p, o in props)
        block = f"{rid} a exo:JournalArticle ;\n{body} .\n"
        for i, (aid, name) in enumerate(zip(auth_ids, r.authors, strict=True), start=1):
            block += (
                f"{aid} a exo:Authorship ;\n"
                f"    exo:authorPosition {i} ;\n"
                f"    foaf:name {lit(name)}"
            )
            if r.number in CORPORATE_AUTHORS:
                block += " ;\n    rdfs:comment " + lit(
                    "Corporate author, printed with a comma inside its name; "
                    "one authorship.",
                    lang="en",
                )
            block += " .\n"
        blocks.append(block)
    return "\n".join(blocks)


def canonical(turtle: str) -> str:
    """The project's one canonical serialization (the same as `exoonto fmt`)."""
    from exoonto.canonical import canonical_turtle
    from exoonto.namespaces import new_graph

    return canonical_turtle(new_graph().parse(data=turtle, format="turtle"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--review", type=Path, default=DEFAULT_REVIEW)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument(
        "--check", action="store_true", help="fail if --out differs from a fresh run"
    )
    args = ap.parse_args(argv)
    refs = parse_references(args.review.read_text(encoding="utf-8"))
    ttl = canonical(to_turtle(refs))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != ttl:
            print(
                f"{args.out} is out of date; run tools/make_references.py",
                file=sys.stderr,
            )
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(ttl, encoding="utf-8")
    print(f"wrote {len(refs)} references to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
