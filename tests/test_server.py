"""`exoonto serve` as a real server: started as a subprocess, spoken to over loopback HTTP
by SPARQLWrapper (a real SPARQL client), httpx and rdflib, and its pages by Debian's
Chromium driven by Playwright. All traffic stays on 127.0.0.1; every request has a timeout."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

TIMEOUT_FLAG = 1.0  # the server's --timeout: seconds a query may run
MAX_RESULT_BYTES = 2_000_000
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`exoonto serve` on a free loopback port; killed (with its query workers) afterwards."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                "exoonto",
                "serve",
                "--port",
                str(port),
                "--timeout",
                str(TIMEOUT_FLAG),
                "--max-result-bytes",
                str(MAX_RESULT_BYTES),
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"exoonto serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(url + "/", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"exoonto serve did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}"
                )
            time.sleep(0.3)
        old = {k: os.environ.get(k) for k in ("NO_PROXY", "no_proxy")}
        os.environ.update(NO_PROXY=env["NO_PROXY"], no_proxy=env["no_proxy"])
        yield url
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # workers too, if anything is left
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=20, trust_env=False) as client:
        yield client


EXO = "https://w3id.org/exoonto/"
REFERENCES = (
    "PREFIX exo: <https://w3id.org/exoonto/>\n"
    "SELECT (COUNT(DISTINCT ?r) AS ?references) WHERE { ?r exo:referenceNumber ?n }"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PROTEGE_ACCEPT = "application/rdf+xml, application/xml; q=0.7, text/xml; q=0.3, */*; q=0.1"


def wrapper(server, fmt, query=REFERENCES, method=None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server + "/sparql")
    sparql.setTimeout(20)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        sparql.setMethod(POST)
        sparql.setRequestMethod(POSTDIRECTLY)
    elif method:
        sparql.setMethod(method)
    return sparql


# ---------------------------------------------------------------------- SPARQL protocol
@pytest.mark.parametrize(
    "method", [None, POST, POSTDIRECTLY], ids=["GET", "POST-form", "POST-direct"]
)
def test_sparqlwrapper_select_json(server, method):
    result = wrapper(server, JSON, method=method).queryAndConvert()
    assert result["results"]["bindings"][0]["references"]["value"] == "40"


def test_sparqlwrapper_select_xml(server):
    doc = wrapper(server, XML).queryAndConvert()  # an xml.dom.minidom document
    values = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert values == ["40"]


@pytest.mark.parametrize("fmt, delimiter", [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_tsv(server, fmt, delimiter):
    text = wrapper(server, fmt).queryAndConvert().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0] == (["references"] if fmt == CSV else ["?references"])
    assert rows[1][0] in ("40", '"40"^^<http://www.w3.org/2001/XMLSchema#integer>', "40")


def test_sparqlwrapper_ask(server):
    query = f'ASK {{ <{EXO}reference/R27> <{EXO}shortCitation> "Li 2016" }}'
    assert wrapper(server, JSON, query).queryAndConvert()["boolean"] is True
    assert (
        wrapper(server, JSON, query.replace("Li 2016", "nobody")).queryAndConvert()["boolean"]
        is False
    )


CONSTRUCT = (
    f"CONSTRUCT {{ ?r <{EXO}shortCitation> ?c ; <{RDFS}label> ?l }} "
    f"WHERE {{ ?r <{EXO}shortCitation> ?c ; <{RDFS}label> ?l }}"
)


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct(server, fmt):
    result = wrapper(server, fmt, CONSTRUCT).query()
    graph = Graph()
    ctype = result.response.headers["Content-Type"].split(";")[0]
    graph.parse(
        data=result.response.read(),
        format={
            "text/turtle": "turtle",
            "application/rdf+xml": "xml",
            "application/ld+json": "json-ld",
        }[ctype],
    )
    assert (
        URIRef(EXO + "reference/R27"),
        URIRef(EXO + "shortCitation"),
        Literal("Li 2016"),
    ) in graph
    assert len(set(graph.subjects(URIRef(EXO + "shortCitation"), None))) >= 40


def test_construct_formats_are_the_same_graph(server, http):
    graphs = []
    for accept, fmt in [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ]:
        r = http.get(server + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
        graphs.append(Graph().parse(data=r.text, format=fmt))
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])


def test_describe(server, http):
    r = http.get(
        server + "/sparql",
        params={"query": f"DESCRIBE <{EXO}reference/R27>"},
        headers={"Accept": "text/turtle"},
    )
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(EXO + "reference/R27"), URIRef(EXO + "referenceNumber"), Literal(27)) in graph


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/csv;q=0.9, application/sparql-results+xml;q=0.5", "text/csv"),
        (
            "application/sparql-results+json;q=0, application/json;q=0, text/csv;q=0.5, */*;q=0.1",
            "text/csv",
        ),
        (
            "application/sparql-results+json;q=0, application/json;q=0, */*",
            "application/sparql-results+xml",
        ),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_results_negotiation_respects_q_values(server, http, accept, expected):
    headers = {"Accept": accept} if accept else {}
    if accept is None:
        headers = {"Accept": ""}
    r = http.get(server + "/sparql", params={"query": REFERENCES}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    assert "accept" in r.headers["vary"].lower()


def test_results_content(server, http):
    r = http.get(
        server + "/sparql",
        params={"query": REFERENCES},
        headers={"Accept": "application/sparql-results+xml"},
    )
    root = ET.fromstring(r.content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert [e.text for e in root.iter(ns + "literal")] == ["40"]
    r = http.get(server + "/sparql", params={"query": REFERENCES})
    assert json.loads(r.text)["results"]["bindings"][0]["references"]["value"] == "40"


def test_unsupported_accept_is_406(server, http):
    r = http.get(server + "/sparql", params={"query": REFERENCES}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    r = http.get(server + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert r.status_code == 406


def test_malformed_query_is_400_with_the_parser_message(server, http):
    r = http.get(server + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert r.status_code == 400
    assert "cannot be parsed" in r.text and "error at 1:" in r.text
    r = http.post(
        server + "/sparql", content="SELEC *", headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 400


def test_missing_query_is_400(server, http):
    assert http.get(server + "/sparql", headers={"Accept": "application/json"}).status_code == 400
    r = http.post(server + "/sparql", data={"other": "x"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "GET", "params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"method": "GET", "params": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"method": "POST", "data": {"update": "DELETE WHERE { ?s ?p ?o }"}},
        {"method": "POST", "data": {"query": "PREFIX x: <urn:x#> # comment\nDROP ALL"}},
        {
            "method": "POST",
            "content": "CLEAR DEFAULT",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {
            "method": "POST",
            "content": "LOAD <http://127.0.0.1:9/x.ttl>",
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ],
    ids=[
        "query-param",
        "update-param",
        "update-form",
        "drop-form",
        "sparql-update-body",
        "load-body",
    ],
)
def test_updates_are_refused(server, http, kwargs):
    method = kwargs.pop("method")
    r = http.request(method, server + "/sparql", **kwargs)
    assert r.status_code == 403
    assert "read-only" in r.text
    count = http.get(server + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert count.status_code == 200


def test_update_refusal_leaves_the_data(server, http):
    http.post(server + "/sparql", data={"update": "DELETE WHERE { ?s ?p ?o }"})
    r = http.get(server + "/sparql", params={"query": REFERENCES})
    assert json.loads(r.text)["results"]["bindings"][0]["references"]["value"] == "40"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "prefix e: <http://127.0.0.1:9/> select * { service silent e:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(server, http, query):
    r = http.get(server + "/sparql", params={"query": query})
    assert r.status_code == 400
    assert "SERVICE" in r.text


def test_the_word_service_in_a_string_or_iri_is_not_a_service_clause(server, http):
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://x/>" AS ?x) FILTER(?x != <http://x/SERVICE>) }'
    assert http.get(server + "/sparql", params={"query": query}).status_code == 200


def test_request_body_limit_is_413(server, http):
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 300_000
    r = http.post(
        server + "/sparql", content=big, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 413
    r = http.post(server + "/sparql", data={"query": big})
    assert r.status_code == 413


def test_unsupported_content_type_is_415(server, http):
    r = http.post(server + "/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_result_size_limit(server, http):
    # the fixture runs the server with --max-result-bytes 2000000
    r = http.get(
        server + "/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 200000"}
    )
    assert r.status_code == 400
    assert "limit of 2000000 bytes" in r.text


def test_runaway_query_is_stopped_and_the_server_keeps_answering(server, http):
    started = time.monotonic()
    r = http.get(server + "/sparql", params={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert r.status_code == 503
    assert "time limit" in r.text
    assert elapsed < TIMEOUT_FLAG + 5
    # two at once: both stopped, and the server still answers afterwards
    for _ in range(2):
        assert http.post(server + "/sparql", data={"query": RUNAWAY}).status_code == 503
    r = http.get(server + "/sparql", params={"query": REFERENCES})
    assert r.status_code == 200
    assert json.loads(r.text)["results"]["bindings"][0]["references"]["value"] == "40"


def test_cors(server, http):
    r = http.get(
        server + "/sparql", params={"query": REFERENCES}, headers={"Origin": "http://example.org"}
    )
    assert r.headers["access-control-allow-origin"] == "*"
    r = http.post(
        server + "/sparql", data={"query": REFERENCES}, headers={"Origin": "http://example.org"}
    )
    assert r.headers["access-control-allow-origin"] == "*"
    r = http.options(
        server + "/sparql",
        headers={
            "Origin": "http://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code in (200, 204)
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()


# ---------------------------------------------------------------------- linked data
LD_FORMATS = [
    ("text/turtle", "turtle"),
    ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
]


@pytest.mark.parametrize("accept, fmt", LD_FORMATS)
def test_finding_iri_in_every_rdf_format(server, http, accept, fmt):
    r = http.get(server + "/finding/R27-01", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    assert "accept" in r.headers["vary"].lower()
    graph = Graph().parse(data=r.text, format=fmt)
    finding = URIRef(EXO + "finding/R27-01")
    assert (finding, RDF.type, URIRef(EXO + "Finding")) in graph
    assert (finding, URIRef(EXO + "citesStudy"), URIRef(EXO + "reference/R27")) in graph
    # labels of the terms it refers to come along
    assert (URIRef(EXO + "reference/R27"), RDFS.label, None) in graph
    # and nothing else's own statements
    assert (URIRef(EXO + "reference/R27"), URIRef(EXO + "shortCitation"), None) not in graph


def test_concise_bounded_description_follows_blank_nodes(server, http):
    r = http.get(server + "/exosome/R27-osteoclast", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    node = graph.value(URIRef(EXO + "exosome/R27-osteoclast"), URIRef(EXO + "derivedFrom"))
    assert node is not None and (node, RDF.type, URIRef(EXO + "Osteoclast")) in graph


@pytest.mark.parametrize(
    "path", ["/Osteoclast", "/finding/R27-01", "/reference/R27", "/review/guo2018"]
)
def test_iris_as_html(server, http, path):
    r = http.get(
        server + path,
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "accept" in r.headers["vary"].lower()
    assert "<h1>" in r.text


def test_term_iri(server, http):
    r = http.get(server + "/Osteoclast", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=r.text, format="turtle")
    term = URIRef(EXO + "Osteoclast")
    assert (term, RDF.type, OWL.Class) in graph
    assert {lit.language for lit in graph.objects(term, RDFS.label)} >= {"en", "zh"}


def test_default_representation_and_format_parameter(server, http):
    r = http.get(server + "/Osteoclast", headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = http.get(
        server + "/Osteoclast", params={"format": "jsonld"}, headers={"Accept": "text/html"}
    )
    assert r.headers["content-type"].startswith("application/ld+json")


def test_unknown_iri_is_404(server, http):
    for accept in ("text/turtle", "text/html"):
        r = http.get(server + "/finding/R99-99", headers={"Accept": accept})
        assert r.status_code == 404
    assert http.get(server + "/NoSuchClass").status_code == 404


def test_unsupported_accept_for_an_iri_is_406(server, http):
    r = http.get(server + "/Osteoclast", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "accept" in r.headers["vary"].lower()
    assert "text/turtle" in r.text


@pytest.mark.parametrize("path", ["/exoonto.owl", "/ontology"])
def test_protege_gets_the_whole_ontology_as_rdfxml(server, http, path):
    r = http.get(server + path, headers={"Accept": PROTEGE_ACCEPT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/rdf+xml")
    assert "accept" in r.headers["vary"].lower()
    graph = Graph().parse(data=r.content, format="xml")
    assert (URIRef(EXO + "exoonto.owl"), RDF.type, OWL.Ontology) in graph
    assert (URIRef(EXO + "Osteoclast"), RDF.type, OWL.Class) in graph
    assert len(graph) > 500
    # the ontology only: no findings
    assert (URIRef(EXO + "finding/R27-01"), None, None) not in graph


def test_ontology_in_other_formats(server, http):
    turtle = http.get(server + "/exoonto.owl", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    xml = http.get(server + "/exoonto.owl", headers={"Accept": "application/rdf+xml"})
    assert isomorphic(
        Graph().parse(data=turtle.text, format="turtle"),
        Graph().parse(data=xml.content, format="xml"),
    )
    html = http.get(server + "/exoonto.owl", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------------- stored queries
def test_queries_are_listed(server, http):
    r = http.get(server + "/queries", headers={"Accept": "application/json"})
    assert r.status_code == 200
    catalogue = r.json()
    ids = {q["id"] for q in catalogue}
    assert "cq14" in ids
    for q in catalogue:
        assert q["summary"] and q["query"]
    html = http.get(server + "/queries", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "cq14" in html.text


def test_stored_query_with_a_parameter(server, http):
    r = http.get(server + "/queries/cq14", params={"ref": "27"})
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert rows and {row["study"]["value"] for row in rows} == {"Li 2016"}
    csv_text = http.get(
        server + "/queries/cq14", params={"ref": "27"}, headers={"Accept": "text/csv"}
    ).text
    assert csv_text.splitlines()[0].startswith("ref,study")


def test_stored_query_parameters_cannot_inject(server, http):
    r = http.get(
        server + "/queries/cq14", params={"ref": "27 } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o"}
    )
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["results"]["bindings"] == []


def test_stored_query_errors(server, http):
    assert http.get(server + "/queries/no-such-query").status_code == 404
    r = http.get(server + "/queries/cq14")  # ref is required
    assert r.status_code == 400


def test_every_stored_query_runs(server, http):
    catalogue = http.get(server + "/queries", headers={"Accept": "application/json"}).json()
    for q in catalogue:
        params = {
            p["name"]: p.get("example") or p.get("default")
            for p in q["params"]
            if p.get("required")
        }
        if q["id"] == "cq14":
            params = {"ref": "27"}
        r = http.get(
            server + "/queries/" + q["id"],
            params={k: v for k, v in params.items() if v is not None},
        )
        assert r.status_code == 200, (q["id"], r.text)


def test_openapi_document(server, http):
    doc = http.get(server + "/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    catalogue = http.get(server + "/queries", headers={"Accept": "application/json"}).json()
    for q in catalogue:
        path = doc["paths"]["/queries/" + q["id"]]["get"]
        assert path["summary"]
        names = {p["name"] for p in path.get("parameters", [])}
        assert {p["name"] for p in q["params"]} <= names
    produces = doc["paths"]["/queries/cq14"]["get"]["responses"]["200"]["content"]
    assert {"application/sparql-results+json", "text/csv"} <= set(produces)


# ---------------------------------------------------------------------- pages
def test_landing_page(server, http):
    r = http.get(server + "/", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "SPARQLWrapper" in r.text and "curl" in r.text
    assert ">40<" in r.text  # the references
    assert "https://" not in r.text.split("<main>")[0].replace("https://w3id.org", "")  # no CDN


def test_static_assets_are_local(server, http):
    css = http.get(server + "/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for path in ("/", "/query", "/Osteoclast", "/finding/R27-01"):
        page = http.get(server + path, headers={"Accept": "text/html"}).text
        assert "//" not in "".join(
            line for line in page.splitlines() if "<script" in line or "<link" in line
        ), path


# ---------------------------------------------------------------------- in a real browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_pages_in_a_headless_browser(server, http, tmp_path):
    from urllib.parse import urlsplit

    from playwright import sync_api

    assert os.path.exists(CHROMIUM), "Chromium is needed: apt-get install chromium (.ci/run does)"
    shots = os.environ.get("EXOONTO_SCREENSHOTS") or str(tmp_path)
    expected = http.get(server + "/queries/cq14", params={"ref": "27"}).json()["results"][
        "bindings"
    ]
    requested: list[str] = []
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            page.on("request", lambda request: requested.append(request.url))
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on(
                "console", lambda msg: problems.append(msg.text) if msg.type == "error" else None
            )

            page.goto(server + "/")
            assert "linked data" in page.locator("h1").inner_text()
            assert page.locator(".stat .n").first.is_visible()
            page.screenshot(path=os.path.join(shots, "landing.png"), full_page=True)

            page.click("header nav >> text=Query")
            page.wait_for_url(server + "/query")
            page.wait_for_selector("#stored option[value='cq14']", state="attached")
            page.select_option("#stored", "cq14")
            assert "PREFIX exo:" in page.input_value("#query")
            page.fill("#param-ref", "27")
            page.click("#run")
            page.wait_for_function("/rows? in/.test(document.getElementById('status').textContent)")
            rows = page.locator("#results-table tbody tr")
            assert rows.count() == len(expected) > 0
            headers = page.locator("#results-table thead th").all_inner_texts()
            study = headers.index("study")
            assert set(rows.locator(f"td:nth-child({study + 1})").all_inner_texts()) == {"Li 2016"}
            page.screenshot(path=os.path.join(shots, "query-stored.png"), full_page=True)

            # a query typed into the editor: the review has 40 references
            page.select_option("#stored", "")
            page.fill("#query", REFERENCES)
            page.click("#run")
            page.wait_for_function(
                "document.getElementById('status').textContent.startsWith('1 row')"
            )
            assert page.locator("#results-table tbody td").all_inner_texts() == ["40"]

            # an error is shown, not swallowed
            page.fill("#query", "SELECT ?x WHERE { ?x ?p }")
            page.click("#run")
            page.wait_for_selector("#results pre.error")
            assert "400" in page.locator("#results pre.error").inner_text()
            # (the browser logs that 400 as a console error: expected here, and only here)
            problems[:] = [p for p in problems if "status of 400" not in p]

            # term and finding pages, reached by links
            page.goto(server + "/")
            page.click("text=A term: osteoclast")
            page.wait_for_url(server + "/Osteoclast")
            assert page.locator("h1").inner_text().startswith("osteoclast")
            assert page.locator("h1 .zh").count() == 1
            assert page.locator("text=CL_0000092").count() >= 1
            page.screenshot(path=os.path.join(shots, "term.png"), full_page=True)
            page.goto(server + "/finding/R27-01")
            assert page.locator("blockquote[lang='zh']").count() == 1
            assert page.locator("blockquote[lang='en']").count() == 1
            assert "Li 2016" in page.locator("main").inner_text()
            page.screenshot(path=os.path.join(shots, "finding.png"), full_page=True)
        finally:
            browser.close()
    assert not problems, problems
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith(("data:", "about:"))}
    assert hosts == {"127.0.0.1"}, f"the pages requested other hosts: {hosts}"


# ---------------------------------------------------------------------- extra facts files
NEW_STUDY_TTL = """\
@prefix exo: <https://w3id.org/exoonto/> .
@prefix finding: <https://w3id.org/exoonto/finding/> .
@prefix exosome: <https://w3id.org/exoonto/exosome/> .
@prefix ref: <https://w3id.org/exoonto/reference/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ref:R41 a exo:JournalArticle ; exo:referenceNumber 41 ; exo:shortCitation "Added 2026" .
exosome:R41-osteoclast a exo:Exosome ; exo:derivedFrom [ a exo:Osteoclast ] .
finding:R41-01 a exo:Finding ;
    rdfs:label "Osteoclast exosomes inhibit osteoblast differentiation (added)"@en ;
    exo:hasExosomeSource exosome:R41-osteoclast ;
    exo:hasTarget exo:Osteoblast ;
    exo:hasEffect exo:inhibits ;
    exo:affectsProcess exo:OsteoblastDifferentiation ;
    exo:citesStudy ref:R41 ;
    exo:hasStatementStatus exo:reportedResult .
"""


@pytest.fixture(scope="module")
def server_with_extras(tmp_path_factory):
    """`exoonto serve` with a Turtle file (one new study) and an N-Triples file (50
    synthetic findings from the benchmarks' generator) added to the release graph."""
    from .serverproc import running_server
    from .test_benchmark_generator import generate

    folder = tmp_path_factory.mktemp("extras")
    (folder / "new-study.ttl").write_text(NEW_STUDY_TTL, encoding="utf-8")
    (folder / "synthetic.nt").write_text(generate("--findings", "50", "--seed", "3"))
    with running_server(folder, str(folder / "new-study.ttl"), str(folder / "synthetic.nt")) as srv:
        yield srv.url


def select(url: str, query: str) -> list[dict]:
    sparql = wrapper(url, JSON, "PREFIX exo: <https://w3id.org/exoonto/>\n" + query)
    return sparql.queryAndConvert()["results"]["bindings"]


def test_extra_files_are_served_with_their_findings(server_with_extras):
    from exoonto.load import load_shipped
    from exoonto.namespaces import EXO as EXO_NS

    shipped = len(set(load_shipped().graph.subjects(RDF.type, EXO_NS.Finding)))
    rows = select(server_with_extras, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a exo:Finding }")
    assert int(rows[0]["n"]["value"]) == shipped + 1 + 50


def test_extra_files_are_classified_for_the_stored_queries(server_with_extras, http):
    """The new preparation is inferred to be an osteoclast-derived exosome, so the stored
    query for osteoclast exosomes acting on osteoblasts (CQ10) finds the new study."""
    assert wrapper(
        server_with_extras, JSON,
        f"ASK {{ <{EXO}exosome/R41-osteoclast> a <{EXO}OsteoclastDerivedExosome> }}",
    ).queryAndConvert()["boolean"] is True
    answer = http.get(server_with_extras + "/queries/cq10",
                      headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    rows = [{k: v["value"] for k, v in b.items()} for b in answer.json()["results"]["bindings"]]
    assert {"ref": "41", "study": "Added 2026", "effect": "inhibits",
            "process": "osteoblast differentiation"}.items() <= next(
        r for r in rows if r["ref"] == "41").items()


def test_extra_finding_is_dereferenceable(server_with_extras, http):
    page = http.get(server_with_extras + "/finding/R41-01", headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    graph = Graph().parse(data=page.text, format="turtle")
    assert (URIRef(f"{EXO}finding/R41-01"), URIRef(f"{EXO}hasEffect"),
            URIRef(f"{EXO}inhibits")) in graph


def test_bad_extra_file_is_one_sentence_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(NEW_STUDY_TTL + 'finding:R41-02 rdfs:label "unterminated .\n', encoding="utf-8")
    done = subprocess.run(["exoonto", "serve", "--port", str(free_port()), str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"error: {bad}, line 17, column ") and "Turtle syntax error" in lines[0]


HEAP_PROBE = """
from exoonto.server.heap import release_freed_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024

blocks = [bytearray(100_000) for _ in range(2000)]  # below glibc's mmap threshold: heap
for block in blocks:
    block[::4096] = b"\\x01" * len(block[::4096])  # touch every page
pinned = blocks[-1]  # keeps the top of the heap, so only a trim can return the rest
del blocks
before = rss_mb()
release_freed_memory()
print(before, rss_mb())
"""


def test_release_freed_memory_returns_the_heap_to_the_system():
    """What the server and its query workers call after building the store and after every
    query: 200 MB freed inside the heap must leave the resident set."""
    out = subprocess.run([sys.executable, "-c", HEAP_PROBE], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    before, after = map(int, out.split())
    assert before >= 190, out
    assert after <= before - 150, out
