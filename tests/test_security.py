"""Hostile requests to `exoonto serve`: each test fails if the protection it names is gone.

The server runs as a subprocess on a loopback port with small limits (time 1 s, results
200 kB, bodies and query strings 20 kB). Paths are sent as raw bytes over a socket, since
httpx and urllib normalise `..` and percent-escapes away."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from .serverproc import raw_request, running_server

TIME_LIMIT = 1.0
MAX_RESULT = 200_000
MAX_BODY = 20_000

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
REFERENCES = (
    "PREFIX exo: <https://w3id.org/exoonto/>\n"
    "SELECT (COUNT(DISTINCT ?r) AS ?references) WHERE { ?r exo:referenceNumber ?n }"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("security")
    with running_server(
        folder,
        "--timeout", str(TIME_LIMIT),
        "--max-result-bytes", str(MAX_RESULT),
        "--max-body-bytes", str(MAX_BODY),
        "--workers", "2",
    ) as srv:
        yield srv
        assert srv.alive(), srv.log_text()
        assert "Traceback" not in srv.log_text(), srv.log_text()[-3000:]


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=30, trust_env=False) as client:
        yield client


def count(server, http) -> int:
    r = http.get(server.url + "/sparql", params={"query": COUNT_ALL})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def references(server, http) -> str:
    r = http.get(server.url + "/sparql", params={"query": REFERENCES})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"][0]["references"]["value"]


# ------------------------------------------------------------------ read-only

UPDATES = [
    "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "DELETE DATA { <https://w3id.org/exoonto/finding/R27-01> a <https://w3id.org/exoonto/Finding> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "INSERT { ?s <urn:x:p> 1 } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:x:g>",
    "CLEAR ALL",
    "CLEAR DEFAULT",
    "CLEAR SILENT GRAPH <urn:x:g>",
    "CREATE GRAPH <urn:x:g>",
    "DROP ALL",
    "DROP DEFAULT",
    "COPY DEFAULT TO <urn:x:g>",
    "MOVE DEFAULT TO <urn:x:g>",
    "ADD DEFAULT TO <urn:x:g>",
    "PREFIX ex: <urn:x:> # a comment with SELECT in it\n base <urn:y:> insert data { ex:a ex:b ex:c }",
    "clear all ; drop all",
    "\ufeffDROP ALL",
]

DELIVERIES = {
    "get-query": lambda url, u: ("GET", url, {"params": {"query": u}}),
    "get-update": lambda url, u: ("GET", url, {"params": {"update": u}}),
    "post-form-query": lambda url, u: ("POST", url, {"data": {"query": u}}),
    "post-form-update": lambda url, u: ("POST", url, {"data": {"update": u}}),
    "post-sparql-query": lambda url, u: (
        "POST", url, {"content": u.encode(), "headers": {"Content-Type": "application/sparql-query"}}
    ),
    "post-sparql-update": lambda url, u: (
        "POST", url, {"content": u.encode(), "headers": {"Content-Type": "application/sparql-update"}}
    ),
}


def test_every_sparql_update_form_is_refused_and_changes_nothing(server, http):
    before = count(server, http)
    refused = []
    for update in UPDATES:
        for name, delivery in DELIVERIES.items():
            method, url, kwargs = delivery(server.url + "/sparql", update)
            r = http.request(method, url, **kwargs)
            refused.append((name, update, r.status_code))
    wrong = [(n, u, s) for n, u, s in refused if s != 403]
    assert wrong == [], f"not refused with 403: {wrong}"
    assert count(server, http) == before


def test_the_store_would_run_these_updates(tmp_path):
    """The control: the same engine, unguarded, executes them (so 403 is the guard's work)."""
    store = pyoxigraph.Store()
    store.update("INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }")
    assert len(store) == 1
    store.update("DELETE WHERE { ?s ?p ?o }")
    assert len(store) == 0


# ------------------------------------------------------------------ SERVICE


class Listener:
    """A loopback TCP port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener():
    spy = Listener()
    yield spy
    spy.close()


def service_queries(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{SERVICE<{url}>{{?s ?p ?o}}}}",
        f"SELECT * WHERE {{ SERVICE # a comment\n <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }} LIMIT 1",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_pyoxigraph_would_really_call_a_service(listener):
    """The control: the engine the server uses does open a connection for SERVICE."""
    store = pyoxigraph.Store()
    with pytest.raises(Exception):  # the listener answers nothing useful
        list(store.query(service_queries(listener.port)[0]))
    deadline = time.monotonic() + 5
    while not listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections, "pyoxigraph did not call the SERVICE endpoint"
    assert listener.connections[0].startswith((b"POST", b"GET"))


def test_service_is_refused_and_no_connection_is_made(server, http, listener):
    queries = service_queries(listener.port)
    for query in queries:
        for method, kwargs in (("GET", {"params": {"query": query}}), ("POST", {"data": {"query": query}})):
            r = http.request(method, server.url + "/sparql", **kwargs)
            assert r.status_code == 400, (query, r.status_code, r.text)
            assert "SERVICE" in r.text
    time.sleep(1.0)  # a connection started by a worker would have arrived by now
    assert listener.connections == [], "the server called out to a SERVICE endpoint"


# ------------------------------------------------------------------ time limit


def test_runaway_cartesian_product_is_stopped_and_the_server_keeps_answering(server, http):
    started = time.monotonic()
    r = http.get(server.url + "/sparql", params={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert r.status_code == 503, r.text
    assert "time limit" in r.text
    assert elapsed < TIME_LIMIT + 10
    # more runaways than workers, at once: all stopped, then normal queries are answered
    results: list[int] = []

    def runaway() -> None:
        with httpx.Client(timeout=60, trust_env=False) as client:
            results.append(client.post(server.url + "/sparql", data={"query": RUNAWAY}).status_code)

    threads = [threading.Thread(target=runaway) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == [503, 503, 503]
    deadline = time.monotonic() + 30  # killed workers are being replaced
    while True:
        r = http.get(server.url + "/sparql", params={"query": REFERENCES})
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["references"]["value"] == "40"
    assert server.alive()


# ------------------------------------------------------------------ size limits


def test_result_size_limit(server, http):
    for query in (
        "SELECT * WHERE { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "DESCRIBE ?s WHERE { ?s ?p ?o }",
    ):
        r = http.get(server.url + "/sparql", params={"query": query})
        assert r.status_code == 400, (query, r.status_code)
        assert f"limit of {MAX_RESULT} bytes" in r.text
        assert len(r.content) < MAX_RESULT
    # and a small result is still answered
    assert references(server, http) == "40"


def test_request_size_limits(server, http):
    big = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # " + "x" * (MAX_BODY + 10)
    url = server.url + "/sparql"
    r = http.post(url, content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = http.post(url, data={"query": big})
    assert r.status_code == 413
    assert http.get(url, params={"query": big}).status_code == 414
    long_param = http.get(server.url + "/queries/cq14", params={"ref": "L" * (MAX_BODY + 10)})
    assert long_param.status_code == 414
    # a chunked body has no Content-Length to check in advance: still cut off at the limit
    chunk = b"#" * (MAX_BODY + 100)
    body = b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n"
    r = raw_request(
        server.port, "/sparql", "POST",
        (b"Content-Type: application/sparql-query", b"Transfer-Encoding: chunked"), body,
    )
    assert r.status == 413
    # a declared length over the limit is refused before the body is read
    r = raw_request(
        server.port, "/sparql", "POST",
        (b"Content-Type: application/sparql-query", b"Content-Length: 999999999"), b"",
        timeout=10,
    )
    assert r.status == 413
    # just under the limit is fine
    ok = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # " + "x" * (MAX_BODY - 100)
    r = http.post(url, content=ok, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200


# ------------------------------------------------------------------ path traversal

APP_SOURCE_MARK = b"def create_app"  # exoonto/server/app.py, one folder above static/
PASSWD_MARK = b"root:"


def traversal_targets(canary: Path) -> list[str]:
    absolute = canary.as_posix()
    return [
        "/static/../app.py",
        "/static/../../exoonto/server/app.py",
        "/static/../../../../../../etc/passwd",
        "/static/..%2fapp.py",
        "/static/%2e%2e/app.py",
        "/static/%2e%2e%2fapp.py",
        "/static/%2E%2E%2Fapp.py",
        "/static/%252e%252e%252fapp.py",
        "/static/%25%32%65%25%32%65%25%32%66app.py",
        "/static/..%252fapp.py",
        "/static/..\\app.py",
        "/static/..%5capp.py",
        "/static/..%5c..%5c..%5c..%5cetc%5cpasswd",
        "/static/%c0%ae%c0%ae/app.py",
        "/static/..%c0%afapp.py",
        "/static/.%2e/app.py",
        "/static/./../app.py",
        "/static/style.css/../../app.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/" + absolute,
        "/static/%2f" + absolute.lstrip("/").replace("/", "%2f"),
        "/static" + absolute,
        "/static/../app.py%00",
        "/static/../app.py%00.css",
        "/static/style.css%00../../app.py",
        "/static/%00../app.py",
        "/../../../../etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        absolute,
        "/queries/..%2f..%2f..%2fetc%2fpasswd",
        "/queries/../../etc/passwd",
        "/finding/R27-01/../../../../etc/passwd",
        "/exoonto.owl/../../etc/passwd",
        "/static/style.css?../../app.py",
        "/sparql/../static/../app.py",
        "file:///etc/passwd",
        "http://127.0.0.1/static/../app.py",
    ]


def test_no_path_traversal_through_any_route(server, tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_bytes(b"CANARY-7f3a9 not to be served")
    leaks = []
    for target in traversal_targets(canary):
        for method in ("GET", "HEAD"):
            r = raw_request(server.port, target, method)
            body = r.body
            if APP_SOURCE_MARK in body or PASSWD_MARK in body or b"CANARY-7f3a9" in body:
                leaks.append((method, target, r.status))
            assert r.status < 500, (method, target, r.status, body[:300])
            if r.status == 200 and method == "GET":
                # only a static asset or a linked-data page may come back
                kind = r.header("content-type") or ""
                assert kind.startswith(("text/css", "image/svg", "text/javascript",
                                        "application/javascript", "text/turtle")), (target, kind)
    assert leaks == [], f"file contents served: {leaks}"


def test_static_files_are_still_served(server):
    r = raw_request(server.port, "/static/style.css")
    assert r.status == 200 and (r.header("content-type") or "").startswith("text/css")
    assert raw_request(server.port, "/static/%73tyle.css").status == 200  # %73 = s


# ------------------------------------------------------------------ malformed queries


@pytest.mark.parametrize(
    "query, where",
    [
        ("SELECT * WHERE { ?s ?p }", "1:"),
        ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}", "4:"),
        ("PREFIX : <x> SELEC * {}", "1:"),
        ("SELECT * WHERE { ?s undeclared:p ?o }", "Prefix not found"),
        ("SELECT * FROM <not an iri> WHERE { ?s ?p ?o }", "1:"),
        ("\x00", "1:"),
    ],
)
def test_malformed_query_is_400_with_the_parsers_message(server, http, query, where):
    for method, kwargs in (("GET", {"params": {"query": query}}), ("POST", {"data": {"query": query}})):
        r = http.request(method, server.url + "/sparql", **kwargs)
        assert r.status_code == 400, r.text
        assert "cannot be parsed" in r.text and where in r.text, r.text
        assert "Traceback" not in r.text


# ------------------------------------------------------------------ never a 500


def odd_requests() -> list[tuple[str, str, tuple[bytes, ...], bytes]]:
    q = "SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%201"
    return [
        ("GET", "/a%20b", (), b""),
        ("GET", "/%ff", (), b""),
        ("GET", "/%", (), b""),
        ("GET", "/%zz", (), b""),
        ("GET", "/%00", (), b""),
        ("GET", "/finding/R27-01%00", (), b""),
        ("GET", "/finding/%3Cx%3E", (), b""),
        ("GET", '/finding/"quoted"', (), b""),
        ("GET", "/finding/R27-01?format=%00", (), b""),
        ("GET", "/finding/R27-01?format=%ff", (), b""),
        ("GET", "/finding/R27-01", (b"Accept: \xc3\xa9\xff/\x80",), b""),
        ("GET", "/finding/R27-01", (b"Accept: text/html;q=nan, */*;q=inf",), b""),
        ("GET", "/finding/R27-01", (b"Accept: " + b",".join([b"a/b;q=0.5"] * 2000),), b""),
        ("GET", "/", (b"Accept: ;;;,,,/;q=",), b""),
        ("GET", "/exoonto.owl", (b"Accept: text/html",), b""),
        ("GET", "/queries/%ff", (), b""),
        ("GET", "/queries/cq14?ref=%ff%fe", (), b""),
        ("GET", "/queries/cq14?ref=%00", (), b""),
        ("GET", "/queries/cq14?ref=" + "9" * 400, (), b""),
        ("GET", "/queries/cq15?term=%3Cnot%20an%20iri%3E", (), b""),
        ("GET", "/queries/cq15?term=http://x/%00", (), b""),
        ("GET", "/queries/cq15?term=%22%3E", (), b""),
        ("GET", "/queries/cq14?ref=27&format=%00", (), b""),
        ("GET", "/queries?format=%ff", (b"Accept: text/html",), b""),
        ("GET", "/query?query=%3Cscript%3E", (), b""),
        ("GET", f"/sparql?query={q}&format=%00", (), b""),
        ("GET", f"/sparql?query={q}", (b"Accept: text/html",), b""),
        ("GET", f"/sparql?query={q}&default-graph-uri=not%20an%20iri", (), b""),
        ("GET", "/sparql?query=%ff", (), b""),
        ("GET", "/sparql?query=%", (), b""),
        ("GET", "/sparql?query=&query=ASK%7B%7D", (), b""),
        ("GET", "/sparql?query=SELECT%20(IRI(%22not%20an%20iri%22)%20AS%20%3Fx)%20%7B%7D", (), b""),
        ("GET", "/sparql?query=CONSTRUCT%20%7B%20%3Fs%20%3Fp%20%22x%22%40not-a-lang!!%20%7D%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%201", (), b""),
        ("GET", "/sparql?query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20%3Fo%20FILTER(REGEX(%3Fo%2C%20%22%5B%22))%20%7D", (), b""),
        ("HEAD", f"/sparql?query={q}", (), b""),
        ("HEAD", "/finding/R27-01", (), b""),
        ("OPTIONS", "/sparql", (), b""),
        ("OPTIONS", "/finding/R27-01", (b"Origin: http://x", b"Access-Control-Request-Method: GET"), b""),
        ("PUT", "/sparql", (b"Content-Type: application/sparql-query",), b"ASK {}"),
        ("DELETE", "/finding/R27-01", (), b""),
        ("PATCH", "/", (), b""),
        ("TRACE", "/", (), b""),
        ("POST", "/sparql", (b"Content-Type: application/sparql-query",), b"\xff\xfe\x00"),
        ("POST", "/sparql", (b"Content-Type: application/x-www-form-urlencoded",), b"query=%ff%fe"),
        ("POST", "/sparql", (b"Content-Type: application/x-www-form-urlencoded",), b"%%%&&&==="),
        ("POST", "/sparql", (b"Content-Type: application/x-www-form-urlencoded; charset=latin-1",), b"query=ASK%7B%7D"),
        ("POST", "/sparql", (b"Content-Type: multipart/form-data; boundary=x",), b"--x\r\n\r\n--x--"),
        ("POST", "/sparql", (b"Content-Type: \xff\xfe/\x80",), b"ASK {}"),
        ("POST", "/sparql", (), b"ASK {}"),
        ("POST", "/sparql", (b"Content-Type: application/sparql-query",), b""),
        ("POST", "/sparql", (b"Content-Type: application/sparql-query", b"Accept: \x01"), b"ASK {}"),
        ("POST", "/queries/cq14", (), b"ref=27"),
        ("POST", "/finding/R27-01", (), b""),
        ("GET", "/openapi.json", (b"Accept: application/xml",), b""),
        ("GET", "/releases/0.0.0/exoonto.owl", (), b""),
        ("GET", "/static/", (), b""),
        ("GET", "/static/nonexistent.css", (), b""),
    ]


def test_no_request_gets_a_500(server):
    for method, target, headers, body in odd_requests():
        r = raw_request(server.port, target, method, headers, body)
        assert r.status < 500, (method, target, headers, r.status, r.body[:300])
    assert references_raw(server) == "40"


def references_raw(server) -> str:
    r = httpx.get(server.url + "/sparql", params={"query": REFERENCES}, timeout=30, trust_env=False)
    return r.json()["results"]["bindings"][0]["references"]["value"]


def test_head_on_the_endpoint_is_answered_like_get(server):
    q = "ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
    get = raw_request(server.port, f"/sparql?query={q}")
    head = raw_request(server.port, f"/sparql?query={q}", "HEAD")
    assert get.status == head.status == 200
    assert head.header("content-type") == get.header("content-type")
    assert json.loads(get.body)["boolean"] is True
