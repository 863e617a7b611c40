"""HTTP content negotiation: pick a representation from an Accept header (RFC 9110 12.5.1).

Each offer has one canonical media type (what the response says it is) and the media types
clients use for it (``application/xml`` for RDF/XML, ``application/json`` for SPARQL JSON
results). An offer's quality is the q of the most specific range matching one of its names;
ties go to the earlier offer, so the order of offers is the server's preference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Offer:
    media_type: str  # what the Content-Type header says
    names: tuple[str, ...]  # media types that select this offer
    key: str  # short name used by the ?format= parameter and internally

    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "+json"))
        textual = textual or self.media_type in {"application/n-triples", "application/xml"}
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; a missing or unreadable header accepts anything."""
    ranges: list[MediaRange] = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        if not kind or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges or [MediaRange("*", "*", 1.0)]


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q a client gives `media_type`: that of the most specific range matching it."""
    best: MediaRange | None = None
    for media_range in ranges:
        if media_range.matches(media_type) and (
            best is None or media_range.specificity > best.specificity
        ):
            best = media_range
    return best.q if best is not None else 0.0


def negotiate(header: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The offer the client prefers, or None when it accepts none of them (406)."""
    ranges = parse_accept(header)
    chosen: Offer | None = None
    chosen_q = 0.0
    for offer in offers:
        q = max(quality(ranges, name) for name in offer.names)
        if q > chosen_q:
            chosen, chosen_q = offer, q
    return chosen


def by_key(key: str, offers: Sequence[Offer]) -> Offer | None:
    key = key.strip().lower()
    for offer in offers:
        if key == offer.key or key in offer.names:
            return offer
    return None


# SELECT and ASK results; JSON first, so */* gets JSON.
RESULTS_JSON = Offer(
    "application/sparql-results+json",
    ("application/sparql-results+json", "application/json"),
    "json",
)
RESULTS_XML = Offer(
    "application/sparql-results+xml",
    ("application/sparql-results+xml", "application/xml", "text/xml"),
    "xml",
)
RESULTS_CSV = Offer("text/csv", ("text/csv",), "csv")
RESULTS_TSV = Offer("text/tab-separated-values", ("text/tab-separated-values",), "tsv")
RESULT_OFFERS = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)

# RDF graphs (CONSTRUCT, DESCRIBE, linked data); Turtle first.
TURTLE = Offer("text/turtle", ("text/turtle", "application/x-turtle", "application/turtle"), "ttl")
NTRIPLES = Offer("application/n-triples", ("application/n-triples", "text/plain"), "nt")
RDF_XML = Offer(
    "application/rdf+xml", ("application/rdf+xml", "application/xml", "text/xml"), "rdf"
)
JSON_LD = Offer("application/ld+json", ("application/ld+json", "application/json"), "jsonld")
HTML = Offer("text/html", ("text/html", "application/xhtml+xml"), "html")
GRAPH_OFFERS = (TURTLE, RDF_XML, JSON_LD, NTRIPLES)

FORMAT_ALIASES = {
    "turtle": "ttl",
    "n3": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "rdf",
    "rdf+xml": "rdf",
    "owl": "rdf",
    "json-ld": "jsonld",
}
GRAPH_ALIASES = {"xml": "rdf", "json": "jsonld"}  # what SPARQLWrapper's format=... means for graphs


def offer_for_format(fmt: str, offers: Sequence[Offer]) -> Offer | None:
    """The offer named by a ?format= value (json, xml, csv, tsv, ttl, nt, rdf, jsonld, html,
    or a media type)."""
    fmt = fmt.strip().lower()
    fmt = FORMAT_ALIASES.get(fmt, fmt)
    found = by_key(fmt, offers)
    if found is None and fmt in GRAPH_ALIASES:
        found = by_key(GRAPH_ALIASES[fmt], offers)
    return found


def choose(formats: Sequence[str], accept: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The first recognised ?format= value wins (SPARQLWrapper and Virtuoso-style clients send
    one); otherwise the Accept header decides. None means 406."""
    for fmt in formats:
        found = offer_for_format(fmt, offers)
        if found is not None:
            return found
    return negotiate(accept, offers)
