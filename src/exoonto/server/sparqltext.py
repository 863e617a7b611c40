"""A small SPARQL lexer, enough to refuse updates and SERVICE clauses before a query runs.

It skips comments, string literals and IRIs, so a keyword inside them (``"DELETE"``,
``<http://x/SERVICE>``) does not count, and it knows variables and prefixed names
(``?service``, ``ex:SERVICE``) from keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w.\-:%]|\\.)*)
  | (?P<word>[^\W\d][\w]*)
    """,
    re.VERBOSE | re.UNICODE,
)

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or ""
        if kind in ("comment", "string"):
            continue
        value = match.group()
        found.append(Token(kind, value.upper() if kind == "word" else value))
    return found


def is_update(text: str) -> bool:
    """True when the request is a SPARQL Update (its first keyword after the prologue is
    INSERT, DELETE, LOAD, CLEAR, ...)."""
    for token in tokens(text):
        if token.kind == "word" and token.text not in ("PREFIX", "BASE"):
            return token.text in UPDATE_KEYWORDS
    return False


def service_targets(text: str) -> list[str | None]:
    """The endpoints named by SERVICE clauses: an IRI, or None when it is a variable or
    a prefixed name that cannot be resolved."""
    toks = tokens(text)
    prefixes: dict[str, str] = {}
    for i, token in enumerate(toks[:-2]):
        if token.kind == "word" and token.text == "PREFIX" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
    targets: list[str | None] = []
    for i, token in enumerate(toks):
        if token.kind != "word" or token.text != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text == "SILENT":
            j += 1
        target = toks[j] if j < len(toks) else None
        if target is not None and target.kind == "iri":
            targets.append(target.text[1:-1])
        elif target is not None and target.kind == "pname":
            prefix, _, local = target.text.partition(":")
            base = prefixes.get(prefix)
            targets.append(base + local if base is not None else None)
        else:
            targets.append(None)
    return targets


def refused_services(text: str, allowed: frozenset[str] | set[str] | tuple[str, ...]) -> list[str]:
    """The SERVICE endpoints of `text` that are not in the allow-list."""
    return [t or "(a variable)" for t in service_targets(text) if t is None or t not in allowed]
