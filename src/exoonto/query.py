"""Stored SPARQL queries: their grlc-style metadata, a lint against hard-coded answers, safe
parameter binding, and execution on the embedded store (pyoxigraph, the default), on rdflib,
or on a remote SPARQL 1.1 endpoint (SPARQLWrapper).

A stored query is a file ``queries/<id>-<short-name>.rq`` whose first lines are a metadata
header in grlc's decorator syntax (YAML in ``#+`` comments)::

    #+ summary: CQ14 Given a reference ...
    #+ description: ...
    #+ params:
    #+   - name: ref
    #+     type: integer or name
    #+     default: null
    #+     description: ...
    #+ tags:
    #+   - competency question

Parameters are the query's ``?_name`` variables (grlc convention). They are never spliced
into the query text: the embedded store and rdflib receive them as initial bindings, and a
remote endpoint receives a ``VALUES ?_name { "..." }`` block built from an escaped RDF term
and placed first in the outermost WHERE group.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import InputError, MissingTool
from .namespaces import BASE, OBO, PREFIXES

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

FILE_NAME = re.compile(r"^(?P<id>[a-z]+\d+)-[a-z0-9]+(?:-[a-z0-9]+)*\.rq$")
PARAM_VARIABLE = re.compile(r"[?$]_([A-Za-z][A-Za-z0-9]*)\b")
# Namespaces of individuals the curators mint: a query naming one hard-codes an answer.
INSTANCE_NAMESPACES = tuple(
    BASE + folder for folder in ("finding/", "exosome/", "reference/", "review/", "discrepancy/")
)
PARAM_TYPES = ("integer or name", "term", "string")
FORMATS = ("table", "csv", "tsv", "json")


# --- metadata --------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class StoredQuery:
    id: str
    text: str
    source: str  # file name or path, for messages
    summary: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class MetadataError(ValueError):
    pass


def _scalar(value: str) -> str | None:
    value = value.strip()
    if value in ("", "~", "null"):
        return None
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def header_lines(text: str) -> list[tuple[int, str]]:
    """The ``#+`` lines of the leading comment block, without the marker, with line numbers."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            lines.append((number, stripped[2:].rstrip()))
        elif stripped == "" or stripped.startswith("#"):
            continue
        else:
            break
    return lines


def parse_metadata(text: str) -> dict:
    """Parse the restricted YAML of the header: scalar keys, a ``tags`` list of scalars and a
    ``params`` list of mappings (``name``, ``type``, ``default``, ``description``)."""
    meta: dict = {}
    current: str | None = None
    item: dict | None = None
    for number, raw in header_lines(text):
        if not raw.strip():
            continue
        body = raw[1:] if raw.startswith(" ") else raw
        indent = len(body) - len(body.lstrip(" "))
        line = body.strip()
        if indent == 0:
            key, sep, value = line.partition(":")
            if not sep or not re.fullmatch(r"[a-z_]+", key):
                raise MetadataError(f"line {number}: expected 'key: value' in the header")
            value = value.strip()
            current = key
            item = None
            if key in ("params", "tags"):
                if value not in ("", "[]"):
                    raise MetadataError(f"line {number}: '{key}' must be a list")
                meta[key] = []
            else:
                meta[key] = _scalar(value) or ""
            continue
        if current not in ("params", "tags"):
            # continuation of a long scalar
            if current is None:
                raise MetadataError(f"line {number}: indented line outside a key")
            meta[current] = f"{meta[current]} {line}".strip()
            continue
        if line.startswith("- "):
            line = line[2:].strip()
            if current == "tags":
                meta["tags"].append(_scalar(line) or "")
                continue
            item = {}
            meta["params"].append(item)
        if current == "params":
            if item is None:
                raise MetadataError(f"line {number}: a parameter must start with '- name: ...'")
            key, sep, value = line.partition(":")
            if not sep:
                raise MetadataError(f"line {number}: expected 'key: value' in a parameter")
            item[key.strip()] = _scalar(value)
        else:
            raise MetadataError(f"line {number}: tags must be a list of '- tag' lines")
    return meta


def query_from_text(text: str, query_id: str, source: str, strict: bool = True) -> StoredQuery:
    """Build a StoredQuery; with ``strict`` the metadata must be complete (stored queries),
    otherwise (a user's file) parameters default to the ``?_name`` variables, typed string."""
    try:
        meta = parse_metadata(text)
    except MetadataError as exc:
        if strict:
            raise InputError(f"{source}: the metadata header cannot be read ({exc}).") from None
        meta = {}
    params = []
    for entry in meta.get("params", []) or []:
        name = entry.get("name")
        if not name:
            continue
        params.append(
            Param(
                name=name,
                type=entry.get("type") or "string",
                description=entry.get("description") or "",
                default=entry.get("default"),
            )
        )
    declared = {p.name for p in params}
    for name in sorted(set(PARAM_VARIABLE.findall(_without_comments(text))) - declared):
        params.append(Param(name=name, type="string", description="(undocumented)"))
    return StoredQuery(
        id=query_id,
        text=text,
        source=source,
        summary=meta.get("summary", ""),
        description=meta.get("description", ""),
        params=tuple(params),
        tags=tuple(meta.get("tags", []) or []),
    )


# --- a small SPARQL lexer, enough for the lint and for placing VALUES ---------------------

_TOKEN = re.compile(
    r"""
     (?P<comment>\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][A-Za-z_0-9]+)
    |(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    |(?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w%-]|\.(?=[\w%-]))*)
    |(?P<word>[A-Za-z_]\w*)
    |(?P<space>\s+)
    |(?P<punct>\^\^|<=|>=|!=|&&|\|\||.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("space", "comment"):
            continue
        tokens.append(Token(kind, match.group(), match.start()))
    return tokens


def _without_comments(text: str) -> str:
    return " ".join(t.text for t in tokenize(text))


def _prefixes(tokens: list[Token]) -> dict[str, str]:
    found = {}
    for i, token in enumerate(tokens[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX":
            name, iri = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and iri.kind == "iri":
                found[name.text[:-1] if name.text.endswith(":") else name.text] = iri.text[1:-1]
    return found


def _expand(token: Token, prefixes: Mapping[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def _is_literal(token: Token) -> bool:
    return token.kind in ("string", "number") or (
        token.kind == "word" and token.text.lower() in ("true", "false")
    )


def _closing(tokens: list[Token], open_index: int, opening: str, closing: str) -> int:
    depth = 0
    for j in range(open_index, len(tokens)):
        if tokens[j].text == opening:
            depth += 1
        elif tokens[j].text == closing:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


_COMPARISONS = {"=", "!=", "<", ">", "<=", ">="}


def lint_query(text: str) -> list[str]:
    """Problems that keep a file from being a stored query, one sentence each: missing or
    incomplete metadata, undocumented or unused parameters, and hard-coded answers (a VALUES
    block of constants, a reference number or short citation fixed by a literal, an
    individual of the facts named in the query)."""
    problems: list[str] = []
    try:
        meta = parse_metadata(text)
    except MetadataError as exc:
        return [f"The metadata header cannot be read: {exc}."]
    for key in ("summary", "description"):
        if not meta.get(key):
            problems.append(f"The metadata header has no '#+ {key}:'.")
    if "params" not in meta:
        problems.append("The metadata header has no '#+ params:' (write '#+ params: []' if none).")
    if not meta.get("tags"):
        problems.append("The metadata header has no '#+ tags:' list.")
    tokens = tokenize(text)
    used = {t.text[2:] for t in tokens if t.kind == "var" and t.text[1] == "_"}
    declared = {}
    for entry in meta.get("params", []) or []:
        name = entry.get("name")
        if not name:
            problems.append("A parameter in '#+ params:' has no name.")
            continue
        declared[name] = entry
        for key in ("type", "description"):
            if not entry.get(key):
                problems.append(f"Parameter '{name}' has no {key}.")
        if "default" not in entry:
            problems.append(f"Parameter '{name}' has no default (write 'default: null' if required).")
        if entry.get("type") and entry["type"] not in PARAM_TYPES:
            problems.append(
                f"Parameter '{name}' has unknown type '{entry['type']}' (known: {', '.join(PARAM_TYPES)})."
            )
    for name in sorted(used - set(declared)):
        problems.append(f"Variable ?_{name} is a parameter but '#+ params:' does not document it.")
    for name in sorted(set(declared) - used):
        problems.append(f"Parameter '{name}' is documented but the query never uses ?_{name}.")
    projection = _projection(tokens)
    if projection is not None:
        for name in sorted(used - projection):
            problems.append(
                f"Parameter ?_{name} is not in the SELECT clause: project it so that initial "
                "bindings (SEP-0007 substitution) apply."
            )
    problems.extend(_hard_coded_answers(tokens))
    return problems


def _projection(tokens: list[Token]) -> set[str] | None:
    """Parameter names projected by the outermost SELECT (None for SELECT * or no SELECT)."""
    start = next((i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() == "SELECT"), None)
    if start is None:
        return None
    names = set()
    for token in tokens[start + 1 :]:
        if token.text == "*":
            return None
        if (token.kind == "word" and token.text.upper() in ("WHERE", "FROM")) or token.text == "{":
            break
        if token.kind == "var" and token.text[1] == "_":
            names.add(token.text[2:])
    return names


def _hard_coded_answers(tokens: list[Token]) -> list[str]:
    problems: list[str] = []
    prefixes = _prefixes(tokens)
    prefix_iris = set()
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "PREFIX" and i + 2 < len(tokens):
            prefix_iris.add(tokens[i + 2].start)
    # individuals of the facts named in the query
    for token in tokens:
        if token.start in prefix_iris:
            continue
        iri = _expand(token, prefixes)
        if iri and any(iri.startswith(ns) and len(iri) > len(ns) for ns in INSTANCE_NAMESPACES):
            problems.append(
                f"The query names the individual {token.text}: answers must come from the graph, not the query."
            )
    # VALUES blocks with constants
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "VALUES":
            brace = next((j for j in range(i + 1, len(tokens)) if tokens[j].text == "{"), None)
            if brace is None:
                continue
            end = _closing(tokens, brace, "{", "}")
            constants = [t for t in tokens[brace:end] if _is_literal(t) or t.kind in ("iri", "pname")]
            if constants:
                problems.append(
                    f"A VALUES block lists constants ({', '.join(t.text for t in constants[:3])}"
                    f"{', ...' if len(constants) > 3 else ''}): a stored query must not hard-code answers."
                )
    # reference numbers and short citations fixed by a literal
    watched_properties = {BASE + "referenceNumber", BASE + "shortCitation"}
    watched_vars: set[str] = set()
    for i, token in enumerate(tokens[:-1]):
        if _expand(token, prefixes) in watched_properties:
            obj = tokens[i + 1]
            if obj.kind == "var":
                watched_vars.add(obj.text[1:])
            elif _is_literal(obj):
                problems.append(
                    f"The query fixes {token.text} to the literal {obj.text}: a reference may only be chosen by a parameter."
                )
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "FILTER":
            end = (
                _closing(tokens, i + 1, "(", ")")
                if i + 1 < len(tokens) and tokens[i + 1].text == "("
                else i
            )
            problems.extend(_filter_problems(tokens[i + 1 : end + 1], watched_vars))
    return problems


def _filter_problems(expr: list[Token], watched: set[str]) -> list[str]:
    problems = []

    def watched_operand(k: int) -> bool:
        # ?v, or a function call wrapping ?v: STR(?v), xsd:string(?v)
        if 0 <= k < len(expr) and expr[k].kind == "var" and expr[k].text[1:] in watched:
            return True
        if 0 <= k < len(expr) and expr[k].text == ")":
            depth = 0
            for j in range(k, -1, -1):
                if expr[j].text == ")":
                    depth += 1
                elif expr[j].text == "(":
                    depth -= 1
                    if depth == 0:
                        return any(
                            t.kind == "var" and t.text[1:] in watched for t in expr[j:k]
                        )
        if 0 <= k < len(expr) and expr[k].kind in ("word", "pname") and k + 1 < len(expr) and expr[k + 1].text == "(":
            end = _closing(expr, k + 1, "(", ")")
            return any(t.kind == "var" and t.text[1:] in watched for t in expr[k + 1 : end])
        return False

    for k, token in enumerate(expr):
        if token.text in _COMPARISONS:
            left_literal = k > 0 and _is_literal(expr[k - 1])
            right = k + 1
            right_literal = right < len(expr) and _is_literal(expr[right])
            if (right_literal and watched_operand(k - 1)) or (left_literal and watched_operand(right)):
                problems.append(
                    "A FILTER compares a reference number or short citation with a literal: "
                    "a reference may only be chosen by a parameter."
                )
        if token.kind == "word" and token.text.upper() == "IN" and k + 1 < len(expr) and expr[k + 1].text == "(":
            end = _closing(expr, k + 1, "(", ")")
            operand = k - 2 if k >= 1 and expr[k - 1].text.upper() == "NOT" else k - 1
            if watched_operand(operand) and any(_is_literal(t) for t in expr[k + 1 : end]):
                problems.append(
                    "A FILTER tests a reference number or short citation against a list of literals: "
                    "a reference may only be chosen by a parameter."
                )
    return problems


# --- the stored queries ------------------------------------------------------------------


def stored_queries() -> dict[str, StoredQuery]:
    from . import resources

    found: dict[str, StoredQuery] = {}
    for resource in resources.query_files():
        match = FILE_NAME.match(resource.name)
        if not match:
            continue
        text = resource.read_text(encoding="utf-8")
        found[match.group("id")] = query_from_text(text, match.group("id"), resource.name)
    return dict(sorted(found.items()))


def resolve(name: str) -> StoredQuery:
    """A stored query by id (``cq14``), by file stem or name, or a user's .rq file by path."""
    queries = stored_queries()
    key = name.strip()
    lowered = key.lower()
    if lowered in queries:
        return queries[lowered]
    for query in queries.values():
        if lowered in (query.source.lower(), query.source.lower().removesuffix(".rq")):
            return query
    path = Path(key)
    if path.suffix.lower() in (".rq", ".sparql") or os.sep in key or "/" in key:
        if not path.is_file():
            raise InputError(f"{key}: no such query file.")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{key}: the query file cannot be read ({exc}).") from None
        query = query_from_text(text, path.stem, str(path), strict=False)
        check_syntax(query)
        return query
    raise InputError(
        f"unknown query '{key}': the stored queries are {', '.join(queries)} "
        "(or give the path of a .rq file)."
    )


def check_syntax(query: StoredQuery) -> None:
    """Parse the query (on an empty embedded store); a syntax error names the line."""
    import pyoxigraph

    try:
        pyoxigraph.Store().query(query.text)
    except SyntaxError as exc:
        message = str(exc)
        match = re.search(r"error at (\d+):(\d+): ?(.*)", message)
        if match:
            line, _col, why = match.groups()
            raise InputError(
                f"{query.source}, line {line}: SPARQL syntax error: {why.rstrip('.')}."
            ) from None
        raise InputError(f"{query.source}: SPARQL syntax error: {message.rstrip('.')}.") from None


# --- parameters --------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """An RDF term independent of any library: an IRI or a literal."""

    value: str
    kind: str = "literal"  # "iri", "literal" or "bnode"
    datatype: str | None = None
    language: str | None = None

    def n3(self) -> str:
        if self.kind == "iri":
            if re.search(r'[<>"{}|^`\\\x00-\x20]', self.value):
                raise InputError(f"'{self.value}' is not a valid IRI.")
            return f"<{self.value}>"
        escaped = (
            self.value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if self.language:
            return f'"{escaped}"@{self.language}'
        if self.datatype and self.datatype != XSD_STRING:
            return f'"{escaped}"^^<{self.datatype}>'
        return f'"{escaped}"'


NAME = re.compile(r"[^\W\d_][\w'’. -]*", re.UNICODE)
CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):([^\s/][^\s]*)$")


def _expand_term(value: str) -> str:
    """exo:Osteoclast -> full IRI; CL:0000092 -> OBO PURL; <iri> -> iri; else unchanged."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    match = CURIE.match(value)
    if match and not value.startswith(("http:", "https:", "urn:")):
        prefix, local = match.groups()
        if prefix in PREFIXES:
            return str(PREFIXES[prefix]) + local
        if prefix.isupper() and re.fullmatch(r"[A-Za-z0-9_]+", local):
            return f"{OBO}{prefix}_{local}"
    return value


def bind_parameters(query: StoredQuery, given: Mapping[str, str]) -> dict[str, Term]:
    """Check the user's parameters against the query's declarations and type them.
    An unknown, missing or ill-typed parameter raises InputError with one sentence."""
    known = {p.name: p for p in query.params}
    for name in given:
        if name not in known:
            listing = ", ".join(known) if known else "none"
            raise InputError(
                f"query {query.id} has no parameter '{name}' (its parameters: {listing})."
            )
    bound: dict[str, Term] = {}
    for param in query.params:
        if param.name in given:
            raw = given[param.name]
        elif param.default is not None:
            raw = param.default
        else:
            raise InputError(
                f"query {query.id} needs --param {param.name}=VALUE ({param.description.rstrip('.')})."
            )
        bound[param.name] = _typed(query, param, raw)
    return bound


def _typed(query: StoredQuery, param: Param, raw: str) -> Term:
    value = raw.strip()
    if not value:
        raise InputError(f"parameter '{param.name}' of query {query.id} must not be empty.")
    if param.type == "integer or name":
        if re.fullmatch(r"\d+", value):
            return Term(str(int(value)), datatype=XSD_INTEGER)
        if NAME.fullmatch(value) and not re.search(r"\d", value.split(" ")[0]):
            return Term(value)
        raise InputError(
            f"parameter '{param.name}' of query {query.id} must be a reference number "
            f"(e.g. 27) or an author's name (e.g. Li), not '{raw}'."
        )
    if param.type == "term":
        return Term(_expand_term(value))
    return Term(value)


def parse_param_options(options: Sequence[str]) -> dict[str, str]:
    given: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"--param expects NAME=VALUE, not '{option}'.")
        if name in given:
            raise InputError(f"parameter '{name}' is given twice.")
        given[name] = value
    return given


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query text with the parameters bound by ``VALUES (?_name) { (term) }`` blocks built
    from escaped RDF terms: one first in the outermost WHERE group, and one first in every
    nested group (``{ ... }``, OPTIONAL, EXISTS, sub-select) that uses the parameter itself.
    A FILTER sees only its own group's bindings, so this gives what initial bindings
    (substitution) give, on any SPARQL 1.1 endpoint."""
    if not bindings:
        return text
    tokens = tokenize(text)
    where = None
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "WHERE":
            where = next((j for j in range(i + 1, len(tokens)) if tokens[j].text == "{"), None)
            break
    if where is None:  # SELECT ... { } without the optional WHERE keyword
        select = next(
            (i for i, t in enumerate(tokens)
             if t.kind == "word" and t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")),
            None,
        )
        if select is not None:
            where = next((j for j in range(select, len(tokens)) if tokens[j].text == "{"), None)
    if where is None:
        raise InputError("the query has no WHERE group to bind parameters in.")
    names = {f"?_{n}": n for n in bindings} | {f"$_{n}": n for n in bindings}
    # for every group opened at or after WHERE, the parameters used directly in it
    inserts: dict[int, set[str]] = {tokens[where].start + 1: set(bindings)}
    stack: list[int] = []
    for token in tokens[where:]:
        if token.text == "{":
            stack.append(token.start + 1)
        elif token.text == "}":
            if stack:
                stack.pop()
        elif token.kind == "var" and token.text in names and stack:
            inserts.setdefault(stack[-1], set()).add(names[token.text])
    out = text
    for position in sorted(inserts, reverse=True):
        chosen = sorted(inserts[position])
        block = (
            " VALUES (" + " ".join(f"?_{n}" for n in chosen) + ") { ("
            + " ".join(bindings[n].n3() for n in chosen) + ") } "
        )
        out = out[:position] + block + out[position:]
    return out


# --- the release graph -------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("EXOONTO_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    folder = Path(base) / "exoonto" if base else Path.home() / ".cache" / "exoonto"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".writable"
        probe.touch()
        return folder
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"exoonto-cache-{os.getuid()}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def release_digest() -> str:
    """A hash of everything the release graph is computed from."""
    from . import __version__, build, reason
    from .load import shipped_sources

    digest = hashlib.sha256(__version__.encode())
    for module in (build, reason):
        digest.update(Path(module.__file__).read_bytes())
    for source in shipped_sources():
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def release_ntriples() -> bytes:
    """The release graph (ontology + facts + materialised inferences) as N-Triples, from a
    per-user cache keyed by the content hash of its sources, built on a miss."""
    path = None
    if not os.environ.get("EXOONTO_NO_CACHE"):
        path = cache_dir() / f"release-{release_digest()}.nt"
        if path.is_file():
            return path.read_bytes()
    from .build import assemble

    release, _loaded = assemble()
    data = release.knowledge_graph.serialize(format="nt", encoding="utf-8")
    if path is not None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    return data


@lru_cache(maxsize=1)
def release_store():
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(release_ntriples(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


# --- results ------------------------------------------------------------------------------


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)

    def values(self) -> list[tuple[str, ...]]:
        """Rows as plain strings ('' for unbound), the form the golden files use."""
        return [tuple(cell_text(c) for c in row) for row in self.rows]


def cell_text(cell: Term | None) -> str:
    if cell is None:
        return ""
    if cell.kind == "literal" and cell.datatype == XSD_BOOLEAN:
        return "true" if cell.value.strip() in ("true", "1") else "false"
    return cell.value


def _from_oxigraph(term) -> Term | None:
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return Term(term.value, "iri")
    if isinstance(term, pyoxigraph.BlankNode):
        return Term(term.value, "bnode")
    return Term(term.value, "literal", term.datatype.value if term.datatype else None, term.language)


def _from_rdflib(term) -> Term | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return Term(str(term), "iri")
    if isinstance(term, BNode):
        return Term(str(term), "bnode")
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else (None if term.language else XSD_STRING)
        return Term(str(term), "literal", datatype, term.language)
    return Term(str(term))


def from_sparql_json(data: Mapping) -> Result:
    """A Result from the SPARQL 1.1 JSON results format (SPARQLWrapper, Jena)."""
    columns = list(data.get("head", {}).get("vars", []))
    rows = []
    for binding in data.get("results", {}).get("bindings", []):
        row = []
        for column in columns:
            cell = binding.get(column)
            if cell is None:
                row.append(None)
            elif cell["type"] == "uri":
                row.append(Term(cell["value"], "iri"))
            elif cell["type"] == "bnode":
                row.append(Term(cell["value"], "bnode"))
            else:
                row.append(
                    Term(cell["value"], "literal", cell.get("datatype"), cell.get("xml:lang"))
                )
        rows.append(tuple(row))
    return Result(columns, rows)


def answer(result: Result) -> Result:
    """The answer without the parameter columns (``?_name``): stored queries project their
    parameters only because SEP-0007 substitution (pyoxigraph) requires it."""
    keep = [i for i, c in enumerate(result.columns) if not c.startswith("_")]
    return Result([result.columns[i] for i in keep], [tuple(row[i] for i in keep) for row in result.rows])


def run_oxigraph(query: StoredQuery, bindings: Mapping[str, Term], store=None) -> Result:
    """Run on pyoxigraph with the parameters as initial bindings (SEP-0007 substitution).
    A user's file that does not project its parameter variables (SEP-0007 substitutes only
    projected variables) gets them through the escaped VALUES block instead."""
    import pyoxigraph

    store = store if store is not None else release_store()
    substitutions = {pyoxigraph.Variable(f"_{name}"): _to_oxigraph(term) for name, term in bindings.items()}
    try:
        solutions = store.query(query.text, substitutions=substitutions)
    except SyntaxError:
        check_syntax(query)
        raise
    except RuntimeError as exc:
        if "projection" not in str(exc) or not bindings:
            raise InputError(f"{query.source}: the query failed: {str(exc).rstrip('.')}.") from None
        solutions = store.query(with_values(query.text, bindings))
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise InputError(f"{query.source}: only SELECT queries can be run with 'exoonto query'.")
    columns = [v.value for v in solutions.variables]
    rows = [tuple(_from_oxigraph(solution[c]) for c in columns) for solution in solutions]
    return answer(Result(columns, rows))


def _to_oxigraph(term: Term):
    import pyoxigraph

    if term.kind == "iri":
        return pyoxigraph.NamedNode(term.value)
    if term.language:
        return pyoxigraph.Literal(term.value, language=term.language)
    if term.datatype:
        return pyoxigraph.Literal(term.value, datatype=pyoxigraph.NamedNode(term.datatype))
    return pyoxigraph.Literal(term.value)


def run_rdflib(query: StoredQuery, bindings: Mapping[str, Term], graph) -> Result:
    from rdflib import Literal, URIRef

    init = {}
    for name, term in bindings.items():
        if term.kind == "iri":
            init[f"_{name}"] = URIRef(term.value)
        else:
            init[f"_{name}"] = Literal(
                term.value, lang=term.language,
                datatype=URIRef(term.datatype) if term.datatype and term.datatype != XSD_STRING else None,
            )
    result = graph.query(query.text, initBindings=init)
    columns = [str(v) for v in result.vars]
    rows = [tuple(_from_rdflib(row[i]) for i in range(len(columns))) for row in result]
    return answer(Result(columns, rows))


def run_endpoint(query: StoredQuery, bindings: Mapping[str, Term], endpoint: str) -> Result:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    check_syntax(query)
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setQuery(with_values(query.text, bindings))
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    wrapper.setTimeout(120)
    try:
        data = wrapper.query().convert()
    except SPARQLWrapperException as exc:
        raise InputError(f"the endpoint {endpoint} refused the query: {str(exc).splitlines()[0]}") from None
    except OSError as exc:
        raise MissingTool(f"the endpoint {endpoint} cannot be reached ({exc}).") from None
    if not isinstance(data, dict) or "results" not in data:
        raise InputError(f"the endpoint {endpoint} did not answer with SPARQL JSON results.")
    return answer(from_sparql_json(data))


def run_query(name: str, params: Mapping[str, str] | None = None, endpoint: str | None = None) -> Result:
    """Resolve a stored query (or a .rq file), bind its parameters and run it."""
    query = resolve(name)
    bindings = bind_parameters(query, params or {})
    if endpoint:
        return run_endpoint(query, bindings, endpoint)
    return run_oxigraph(query, bindings)


# --- output -------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def format_result(result: Result, fmt: str = "table") -> str:
    values = result.values()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(values)
        return buffer.getvalue()
    if fmt == "tsv":
        def clean(value: str) -> str:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

        lines = ["\t".join(result.columns)]
        lines += ["\t".join(clean(v) for v in row) for row in values]
        return "\n".join(lines) + "\n"
    if fmt == "json":
        bindings = []
        for row in result.rows:
            entry = {}
            for column, cell in zip(result.columns, row, strict=True):
                if cell is None:
                    continue
                if cell.kind == "iri":
                    entry[column] = {"type": "uri", "value": cell.value}
                elif cell.kind == "bnode":
                    entry[column] = {"type": "bnode", "value": cell.value}
                else:
                    item = {"type": "literal", "value": cell.value}
                    if cell.language:
                        item["xml:lang"] = cell.language
                    elif cell.datatype and cell.datatype != XSD_STRING:
                        item["datatype"] = cell.datatype
                    entry[column] = item
            bindings.append(entry)
        payload = {"head": {"vars": result.columns}, "results": {"bindings": bindings}}
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if fmt != "table":
        raise InputError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}.")
    widths = [_width(c) for c in result.columns]
    for row in values:
        widths = [max(w, _width(v)) for w, v in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(result.columns), line(["-" * w for w in widths])]
    out += [line(row) for row in values]
    out.append(f"({len(values)} row{'s' if len(values) != 1 else ''})")
    return "\n".join(out) + "\n"
