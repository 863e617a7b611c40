"""Fuzzing with hypothesis, bounded (a few dozen examples each, no example database).

Commands: Turtle-ish input (random text, random bytes, and real facts snippets mutated) to
`validate`, to `reason` (whose first step, `build.assemble`, is the build's own loading
and materialisation) and to `fmt`: never a traceback, exit code 0, 1 or 2.
Server: SPARQL strings, stored-query parameters and HTTP headers: never a 500 (503 only
for the time limit), and the server still answers correctly afterwards."""

from __future__ import annotations

import contextlib
import string
import tempfile
import urllib.parse
from pathlib import Path
from unittest import mock

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exoonto import resources
from exoonto.cli import main

from .serverproc import raw_request, running_server

CLI_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SERVER_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------ Turtle-ish input

FACTS = [f.read_text(encoding="utf-8") for f in resources.fact_files()]
TURTLE_BITS = [
    '"', "'", '"""', "<", ">", "<>", "@", "@en", "@prefix", "PREFIX", "@base", ";", ",", ".",
    "[", "]", "(", ")", "_:", "_:b0", "^^", "^^xsd:integer", "\\", "\\u00", "\\U0010FFFF",
    "#", ":", "exo:", "a", "true", "1e999", "-0.0", "\n", "\x00", "\ufeff", "é", "破骨细胞",
    "owl:intersectionOf", "rdf:first", "rdf:rest", "rdf:nil", "exo:derivedFrom",
    "owl:equivalentClass", "rdfs:subClassOf", "<https://w3id.org/exoonto/", "<file:///etc/passwd>",
]


@st.composite
def mutated_facts(draw) -> str:
    text = draw(st.sampled_from(FACTS))
    lines = text.splitlines(keepends=True)
    header = [line for line in lines if line.startswith("@prefix")]
    body = [line for line in lines if not line.startswith("@prefix")]
    start = draw(st.integers(0, max(0, len(body) - 1)))
    length = draw(st.integers(1, 40))
    snippet = "".join(header) + "".join(body[start : start + length])
    for _ in range(draw(st.integers(0, 4))):
        if not snippet:
            break
        at = draw(st.integers(0, len(snippet)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "truncate"]))
        piece = draw(st.one_of(st.sampled_from(TURTLE_BITS), st.text(max_size=8)))
        if kind == "insert":
            snippet = snippet[:at] + piece + snippet[at:]
        elif kind == "delete":
            snippet = snippet[:at] + snippet[at + draw(st.integers(1, 20)) :]
        elif kind == "replace":
            snippet = snippet[:at] + piece + snippet[at + len(piece) :]
        elif kind == "duplicate":
            snippet = snippet[:at] + snippet[at : at + 200] + snippet[at:]
        else:
            snippet = snippet[:at]
    return snippet


def encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")  # lone surrogates: invalid UTF-8


turtle_bytes = st.one_of(
    mutated_facts().map(encode),
    mutated_facts().map(encode),
    st.lists(st.sampled_from(TURTLE_BITS + list(string.printable)), max_size=60).map(
        lambda parts: encode(" ".join(parts))
    ),
    st.text(max_size=200).map(encode),
    st.binary(max_size=200),
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def fast_cli():
    """The shipped graph is loaded and SHACL-validated once elsewhere; here each example
    validates only its own file (the whole graph takes ~15 s per run), with the shapes
    parsed once, and `reason` runs `assemble` (load + materialise) but not HermiT."""
    import exoonto.cli.reason as reason_cli
    import exoonto.cli.validate as validate_cli
    import exoonto.load as load_module
    import exoonto.validate as validate_module
    from exoonto.load import load_files_to_store
    from exoonto.reason import ReasonerReport

    shapes = validate_module.load_shapes()
    ontology = load_module.load_ontology()

    def shapes_copy():
        copy = validate_module.new_graph()
        for triple in shapes:
            copy.add(triple)
        return copy

    def ontology_copy():
        copy = load_module.new_graph()
        for triple in ontology:
            copy.add(triple)
        return copy

    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(validate_cli, "load_shipped_to_store", load_files_to_store)
        )
        stack.enter_context(mock.patch.object(validate_module, "load_shapes", shapes_copy))
        stack.enter_context(mock.patch.object(load_module, "shipped_sources", lambda: []))
        stack.enter_context(mock.patch.object(load_module, "load_ontology", ontology_copy))
        stack.enter_context(
            mock.patch.object(reason_cli, "run_hermit", lambda graph: ReasonerReport(consistent=True))
        )
        yield


def run_cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: uncaught {type(result.exception).__name__}: {result.exception!r}"
    )
    assert "Traceback" not in result.output
    return result


def write(folder: Path, data: bytes) -> Path:
    handle, name = tempfile.mkstemp(suffix=".ttl", dir=folder)
    with open(handle, "wb") as out:
        out.write(data)
    return Path(name)


@CLI_SETTINGS
@given(data=turtle_bytes)
def test_fuzz_validate(fast_cli, workdir, data):
    path = write(workdir, data)
    result = run_cli("validate", str(path))
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


@CLI_SETTINGS
@given(data=turtle_bytes)
def test_fuzz_build_loading_through_reason(fast_cli, workdir, data):
    path = write(workdir, data)
    result = run_cli("reason", str(path))
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert str(path) in result.stderr


@CLI_SETTINGS
@given(data=turtle_bytes)
def test_fuzz_fmt(workdir, data):
    path = write(workdir, data)
    result = run_cli("fmt", str(path))
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert path.read_bytes() == data, "fmt changed a file it could not read"
    else:  # what fmt wrote is canonical: a second pass changes nothing
        assert run_cli("fmt", "--check", str(path)).exit_code == 0, path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ the server

REFERENCES = (
    "PREFIX exo: <https://w3id.org/exoonto/>\n"
    "SELECT (COUNT(DISTINCT ?r) AS ?references) WHERE { ?r exo:referenceNumber ?n }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(
        tmp_path_factory.mktemp("fuzz-server"),
        "--timeout", "1", "--max-result-bytes", "500000", "--workers", "2",
    ) as srv:
        yield srv
        assert srv.alive(), srv.log_text()
        r = httpx.get(srv.url + "/sparql", params={"query": REFERENCES}, timeout=30, trust_env=False)
        assert r.status_code == 200
        assert r.json()["results"]["bindings"][0]["references"]["value"] == "40"
        assert "Traceback" not in srv.log_text(), srv.log_text()[-3000:]


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=30, trust_env=False) as client:
        yield client


def acceptable(status: int, body: str) -> bool:
    return status < 500 or (status == 503 and ("time limit" in body or "busy" in body))


def stored_texts() -> list[str]:
    from exoonto.query import stored_queries

    return [q.text for q in stored_queries().values()]


SPARQL_BITS = [
    "SELECT", "*", "WHERE", "{", "}", "?s", "?p", "?o", "$x", ".", ";", ",", "(", ")", "FILTER",
    "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "AS", "VALUES", "UNDEF", "LIMIT", "OFFSET",
    "ORDER BY", "GROUP BY", "HAVING", "COUNT(*)", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX",
    "BASE", "exo:", "<https://w3id.org/exoonto/Osteoclast>", "<>", '"', "'", '"""', "@en",
    "^^", "a", "/", "|", "^", "+", "*", "!", "REGEX(", "STRDT(", "IRI(", "LANGMATCHES(", "#",
    "SERVICE", "INSERT", "DELETE", "LOAD", "\\u0000", "\n", "1e999", "-", "EXISTS", "NOT",
]


@st.composite
def sparql(draw) -> str:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.text(max_size=200))
    if kind == 1:
        return " ".join(draw(st.lists(st.sampled_from(SPARQL_BITS), max_size=30)))
    text = draw(st.sampled_from(STORED_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(SPARQL_BITS), st.text(max_size=5)))
        if draw(st.booleans()):
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 30)) :]
    return text


STORED_TEXTS = stored_texts()
ACCEPTS = [
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/ld+json", "text/html", "*/*",
    "application/json", "application/xml", "text/*", "image/png", "",
]
header_value = st.one_of(
    st.sampled_from(ACCEPTS),
    st.lists(st.sampled_from(ACCEPTS), max_size=5).map(", ".join),
    st.tuples(st.sampled_from(ACCEPTS), st.floats(allow_nan=True, allow_infinity=True)).map(
        lambda t: f"{t[0]};q={t[1]}"
    ),
    st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b"").decode("latin-1")),
    st.text(max_size=40).map(lambda t: t.replace("\r", "").replace("\n", "").replace("\x00", "")),
)


def latin1(value: str) -> bytes:
    return value.encode("utf-8").decode("latin-1").encode("latin-1") if not value.isascii() else value.encode()


@SERVER_SETTINGS
@given(query=sparql(), accept=header_value, how=st.sampled_from(["get", "form", "body"]))
def test_fuzz_sparql_endpoint(server, query, accept, how):
    encoded = encode(query)
    headers = (b"Accept: " + latin1(accept),)
    if how == "get":
        target = "/sparql?query=" + urllib.parse.quote_from_bytes(encoded)
        r = raw_request(server.port, target, "GET", headers)
    elif how == "form":
        body = b"query=" + urllib.parse.quote_from_bytes(encoded).encode()
        r = raw_request(server.port, "/sparql", "POST",
                        (*headers, b"Content-Type: application/x-www-form-urlencoded"), body)
    else:
        r = raw_request(server.port, "/sparql", "POST",
                        (*headers, b"Content-Type: application/sparql-query"), encoded)
    assert acceptable(r.status, r.body.decode("utf-8", "replace")), (how, query, accept, r.status, r.body[:500])


QUERY_IDS = sorted({t for t in ("cq01", "cq14", "cq15", "cq20", "x01")})


@SERVER_SETTINGS
@given(
    query_id=st.one_of(st.sampled_from(QUERY_IDS), st.text(max_size=12)),
    params=st.dictionaries(
        st.one_of(st.sampled_from(["ref", "term", "text", "format", "section"]), st.text(max_size=8)),
        st.one_of(st.text(max_size=40), st.sampled_from(["27", "Li", "exo:Osteoclast", "CL:0000092",
                                                         "<x>", "27 } SERVICE <http://127.0.0.1:9/> {",
                                                         "\"\\\"", "破骨细胞", "ttl", "html", "-1"])),
        max_size=3,
    ),
    accept=header_value,
)
def test_fuzz_stored_query_parameters(server, query_id, params, accept):
    path = "/queries/" + urllib.parse.quote(encode(query_id), safe="")
    query = urllib.parse.urlencode({k: encode(v) for k, v in params.items()})
    r = raw_request(server.port, path + ("?" + query if query else ""), "GET", (b"Accept: " + latin1(accept),))
    assert acceptable(r.status, r.body.decode("utf-8", "replace")), (query_id, params, accept, r.status, r.body[:500])


@SERVER_SETTINGS
@given(
    path=st.sampled_from(["/", "/sparql", "/query", "/queries", "/queries/cq14?ref=27", "/openapi.json",
                          "/exoonto.owl", "/finding/R27-01", "/Osteoclast", "/static/style.css", "/nothing"]),
    method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS"]),
    accept=header_value,
    content_type=header_value,
    extra=st.lists(st.tuples(st.sampled_from([b"Origin", b"Accept-Language", b"Accept-Encoding", b"Range",
                                              b"If-None-Match", b"Access-Control-Request-Method", b"X-Forwarded-For"]),
                             header_value), max_size=3),
    body=st.one_of(st.just(b""), st.binary(max_size=100), st.just(b"query=ASK%7B%7D")),
)
def test_fuzz_headers(server, path, method, accept, content_type, extra, body):
    headers = [b"Accept: " + latin1(accept), b"Content-Type: " + latin1(content_type)]
    headers += [name + b": " + latin1(value) for name, value in extra]
    r = raw_request(server.port, path, method, tuple(headers), body if method == "POST" else b"")
    assert acceptable(r.status, r.body.decode("utf-8", "replace")), (path, method, headers, r.status, r.body[:500])
