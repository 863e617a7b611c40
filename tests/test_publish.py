"""`exoonto publish` against real triplestores started on loopback: Oxigraph server and
Virtuoso 7 (digest auth). Each server runs once per session in a temporary folder of its
own; teardown kills it and removes the folder."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from exoonto import publish as publish_module
from exoonto.cli import main
from exoonto.errors import CheckFailed
from exoonto.publish import GraphStore, count_distinct

from . import stores
from .conftest import REPO

PASSWORD_VAR = "EXOONTO_TEST_STORE_PASSWORD"
WRONG_PASSWORD = "wrong-Pa55word-never-shown-7d1f"

# Blank nodes (nested and shared), language tags, typed literals: what the release has.
SAMPLE = """\
<https://w3id.org/exoonto/finding/R1-01> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/exoonto/Finding> .
<https://w3id.org/exoonto/finding/R1-01> <https://w3id.org/exoonto/evidenceSentence> "外泌体促进成骨细胞分化。"@zh .
<https://w3id.org/exoonto/finding/R1-01> <https://w3id.org/exoonto/evidenceSentence> "Exosomes promote osteoblast differentiation."@en .
<https://w3id.org/exoonto/exosome/R1-msc> <https://w3id.org/exoonto/derivedFrom> _:cell .
_:cell <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/exoonto/MesenchymalStemCell> .
<https://w3id.org/exoonto/exosome/R2-msc> <https://w3id.org/exoonto/derivedFrom> _:other .
_:other <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/exoonto/MesenchymalStemCell> .
_:list <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <https://w3id.org/exoonto/promotes> .
_:list <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .
<https://w3id.org/exoonto/Effect> <http://www.w3.org/2002/07/owl#oneOf> _:list .
<https://w3id.org/exoonto/reference/R1> <http://purl.org/dc/terms/issued> "2016"^^<http://www.w3.org/2001/XMLSchema#gYear> .
<https://w3id.org/exoonto/reference/R1> <https://w3id.org/exoonto/referenceNumber> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
<https://w3id.org/exoonto/reference/R1> <https://w3id.org/exoonto/hasEtAl> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
"""
SAMPLE_TRIPLES = 13
OTHER = "<http://example.org/old> <http://example.org/p> \"previous content\" .\n"

STORE_NAMES = ["oxigraph", "virtuoso"]


# ------------------------------------------------------------------ servers


@pytest.fixture(scope="session")
def oxigraph_server():
    if not stores.oxigraph_available():
        pytest.fail("the oxigraph binary is missing: pip install oxigraph (.ci/run installs it)")
    server = stores.start_oxigraph(timeout_s=60)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server():
    if not stores.virtuoso_available():
        pytest.fail("Virtuoso is missing: apt-get install virtuoso-opensource (.ci/run installs it)")
    # Debian's ResultSetMaxRows (10,000), so the count check meets Virtuoso's truncation.
    server = stores.start_virtuoso(timeout_s=180, max_rows=10_000)
    yield server
    server.stop()


@pytest.fixture(params=STORE_NAMES)
def server(request):
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def graph_iri(request) -> str:
    """A graph of its own for every test, so tests never see each other's data."""
    name = request.node.name.replace("[", "-").replace("]", "")
    return f"https://w3id.org/exoonto/test-graphs/{name}"


@pytest.fixture
def sample_file(tmp_path):
    path = tmp_path / "sample.nt"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def _auth(server) -> httpx.DigestAuth | None:
    return httpx.DigestAuth(server.user, server.password) if server.user else None


def _gsp_url(server, graph: str | None) -> str:
    return GraphStore(server.gsp, graph).target()


def remote_graph(server, graph: str | None) -> Graph | None:
    """The graph as the store holds it, read back over the Graph Store Protocol."""
    response = httpx.get(_gsp_url(server, graph), headers={"Accept": "application/n-triples"},
                         auth=_auth(server), timeout=60)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return Graph().parse(data=response.text, format="nt")


def put_graph(server, graph: str | None, body: str) -> None:
    response = httpx.put(_gsp_url(server, graph), content=body.encode(),
                         headers={"Content-Type": "application/n-triples"},
                         auth=_auth(server), timeout=60)
    assert response.status_code in (200, 201, 204), response.text


def publish_args(server, graph: str | None, source=None) -> list[str]:
    args = ["publish", "--store", server.gsp]
    if graph is not None:
        args += ["--graph", graph]
    if server.user:
        args += ["--user", server.user, "--password-env", PASSWORD_VAR]
    if source is not None:
        args += ["--file", str(source)]
    return args


def run_cli(args: list[str], password: str | None = None):
    env = {PASSWORD_VAR: password} if password is not None else {}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def run_publish(server, graph, source=None, password=None):
    password = server.password if password is None else password
    return run_cli(publish_args(server, graph, source), password)


def sample_graph() -> Graph:
    return Graph().parse(data=SAMPLE, format="nt")


def _one_sentence(result) -> str:
    text = (result.stderr or "").strip()
    assert text.startswith("error: ") and text.endswith("."), text
    assert "\n" not in text and "Traceback" not in text, text
    return text


# ------------------------------------------------------------------ publishing


def test_sample_counts_blank_nodes_as_stores_do():
    assert count_distinct(SAMPLE.encode()) == SAMPLE_TRIPLES


def test_publish_named_graph(server, graph_iri, sample_file):
    result = run_publish(server, graph_iri, sample_file)
    assert result.exit_code == 0, result.output
    assert f"published {SAMPLE_TRIPLES} triples to <{graph_iri}>" in result.stdout
    assert isomorphic(remote_graph(server, graph_iri), sample_graph())


def test_publish_default_graph_oxigraph(oxigraph_server, sample_file):
    put_graph(oxigraph_server, None, OTHER)
    result = run_publish(oxigraph_server, None, sample_file)
    assert result.exit_code == 0, result.output
    assert f"published {SAMPLE_TRIPLES} triples to the default graph" in result.stdout
    assert isomorphic(remote_graph(oxigraph_server, None), sample_graph())


@pytest.fixture
def virtuoso_host_graph(virtuoso_server, graph_iri):
    """Virtuoso with a default graph of its own for the host the tests use (a row in
    DB.DBA.SYS_SPARQL_HOST); removed again afterwards, so other tests see the plain server."""
    host = virtuoso_server.base.split("//", 1)[1]
    stores.isql(virtuoso_server, "INSERT INTO DB.DBA.SYS_SPARQL_HOST (SH_HOST, SH_GRAPH_URI) "
                f"VALUES ('{host}', '{graph_iri}');")
    try:
        yield graph_iri
    finally:
        stores.isql(virtuoso_server, f"DELETE FROM DB.DBA.SYS_SPARQL_HOST WHERE SH_HOST = '{host}';"
                    f" SPARQL CLEAR GRAPH <{graph_iri}>;")


def total_in_store(server) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(server.sparql, params={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_publish_default_graph_virtuoso(virtuoso_server, virtuoso_host_graph, graph_iri,
                                        sample_file):
    """With a host default graph, ?default is that graph: it is replaced, and no other."""
    other = graph_iri + "-other"
    put_graph(virtuoso_server, other, OTHER)
    put_graph(virtuoso_server, virtuoso_host_graph, OTHER)
    result = run_publish(virtuoso_server, None, sample_file)
    assert result.exit_code == 0, result.output
    assert f"published {SAMPLE_TRIPLES} triples to the default graph" in result.stdout
    assert isomorphic(remote_graph(virtuoso_server, virtuoso_host_graph), sample_graph())
    assert isomorphic(remote_graph(virtuoso_server, other), Graph().parse(data=OTHER, format="nt"))


def test_virtuoso_without_a_default_graph_exits_1_and_changes_nothing(virtuoso_server,
                                                                       sample_file):
    """Without a host default graph Virtuoso's default graph is the union of all graphs:
    there is nothing to replace, and publish says how to name one."""
    before = total_in_store(virtuoso_server)
    result = run_publish(virtuoso_server, None, sample_file)
    assert result.exit_code == 1, result.output
    sentence = _one_sentence(result)
    assert "--graph" in sentence and "SYS_SPARQL_HOST" in sentence
    assert total_in_store(virtuoso_server) == before


@pytest.mark.parametrize("target", ["named", "default"])
def test_publish_twice_leaves_the_same_graph(request, server, graph_iri, sample_file, target):
    graph = graph_iri if target == "named" else None
    if graph is None and server.name == "virtuoso":
        request.getfixturevalue("virtuoso_host_graph")
    put_graph(server, graph, OTHER)  # PUT replaces: the old triple must go
    first = run_publish(server, graph, sample_file)
    after_first = remote_graph(server, graph)
    second = run_publish(server, graph, sample_file)
    after_second = remote_graph(server, graph)
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert first.stdout == second.stdout
    assert len(after_first) == len(after_second) == SAMPLE_TRIPLES
    assert isomorphic(after_first, after_second)
    assert isomorphic(after_second, sample_graph())


def test_wrong_password_exits_1_without_showing_it(virtuoso_server, graph_iri, sample_file):
    put_graph(virtuoso_server, graph_iri, OTHER)
    result = run_publish(virtuoso_server, graph_iri, sample_file, password=WRONG_PASSWORD)
    assert result.exit_code == 1
    message = _one_sentence(result)
    assert "401" in message
    assert WRONG_PASSWORD not in result.output + (result.stderr or "")
    assert len(remote_graph(virtuoso_server, graph_iri)) == 1


def test_password_variable_must_be_set(virtuoso_server, graph_iri, sample_file):
    result = CliRunner().invoke(main, publish_args(virtuoso_server, graph_iri, sample_file),
                                env={PASSWORD_VAR: None}, catch_exceptions=False)
    assert result.exit_code == 2
    assert PASSWORD_VAR in _one_sentence(result)


def test_password_in_url_is_refused_and_not_echoed(sample_file):
    url = f"http://dba:{WRONG_PASSWORD}@127.0.0.1:9/store"
    result = run_cli(["publish", "--store", url, "--file", str(sample_file)])
    assert result.exit_code == 2
    _one_sentence(result)
    assert WRONG_PASSWORD not in result.output + (result.stderr or "")


def test_unreachable_store_exits_3(sample_file):
    port = stores.free_port()  # nothing listens there
    result = run_cli(["publish", "--store", f"http://127.0.0.1:{port}/store",
                      "--file", str(sample_file)])
    assert result.exit_code == 3
    assert "cannot be reached" in _one_sentence(result)


# ------------------------------------------------------------------ rollback


def _half_upload(monkeypatch):
    """The first PUT delivers only half of the body (a connection cut part way, as the
    store sees it); later PUTs (the restore) go through unchanged."""
    real_put = publish_module._put
    calls = []

    def put(store, client, body):
        calls.append(len(body))
        if len(calls) == 1:
            lines = body.splitlines(keepends=True)
            body = b"".join(lines[: len(lines) // 2])
        return real_put(store, client, body)

    monkeypatch.setattr(publish_module, "_put", put)
    return calls


@pytest.mark.parametrize("existed", [True, False], ids=["graph-existed", "new-graph"])
def test_partial_upload_puts_previous_content_back(server, graph_iri, sample_file,
                                                   monkeypatch, existed):
    if existed:
        put_graph(server, graph_iri, OTHER)
    calls = _half_upload(monkeypatch)
    result = run_publish(server, graph_iri, sample_file)
    assert result.exit_code == 1
    assert "previous content was put back" in _one_sentence(result)
    assert len(calls) == (2 if existed else 1)
    remote = remote_graph(server, graph_iri)
    if existed:
        assert isomorphic(remote, Graph().parse(data=OTHER, format="nt"))
    else:
        assert remote is None or len(remote) == 0


def test_connection_lost_after_upload_puts_previous_content_back(server, graph_iri,
                                                                 sample_file, monkeypatch):
    put_graph(server, graph_iri, OTHER)
    real_put = publish_module._put
    calls = []

    def put(store, client, body):
        response = real_put(store, client, body)
        calls.append(response.status_code)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset by peer")
        return response

    monkeypatch.setattr(publish_module, "_put", put)
    result = run_publish(server, graph_iri, sample_file)
    assert result.exit_code == 3
    assert "previous content was put back" in _one_sentence(result)
    assert isomorphic(remote_graph(server, graph_iri), Graph().parse(data=OTHER, format="nt"))


def test_count_mismatch_puts_previous_content_back(server, graph_iri, sample_file,
                                                   monkeypatch):
    put_graph(server, graph_iri, OTHER)
    real_count = publish_module.count_distinct
    monkeypatch.setattr(publish_module, "count_distinct", lambda body: real_count(body) + 1)
    result = run_publish(server, graph_iri, sample_file)
    assert result.exit_code == 1
    assert "not " in _one_sentence(result)
    assert isomorphic(remote_graph(server, graph_iri), Graph().parse(data=OTHER, format="nt"))


def test_incomplete_read_back_refuses_before_changing_anything(server, graph_iri,
                                                               sample_file, monkeypatch):
    """Virtuoso's Graph Store GET stops at ResultSetMaxRows without saying so: a saved copy
    that holds fewer triples than the SPARQL count makes publish refuse up front."""
    two = OTHER + "<http://example.org/old> <http://example.org/p> \"second\" .\n"
    put_graph(server, graph_iri, two)
    real_read = publish_module._read

    def truncated(store, client):
        body = real_read(store, client)
        return body.splitlines(keepends=True)[0] if body else body

    monkeypatch.setattr(publish_module, "_read", truncated)
    result = run_publish(server, graph_iri, sample_file)
    assert result.exit_code == 1
    assert "nothing was published" in _one_sentence(result)
    assert isomorphic(remote_graph(server, graph_iri), Graph().parse(data=two, format="nt"))


@pytest.mark.parametrize("target", ["named", "default"])
def test_count_uses_sparql_not_the_truncating_read(request, virtuoso_server, graph_iri, target):
    """Count on a graph larger than Debian's default ResultSetMaxRows (10,000), through the
    function the count check uses; the default graph is the host's own graph."""
    graph = graph_iri if target == "named" else None
    if graph is None:
        request.getfixturevalue("virtuoso_host_graph")
    body = "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n"
                   for i in range(12_000))
    put_graph(virtuoso_server, graph, body)
    store = GraphStore(virtuoso_server.gsp, graph, virtuoso_server.user,
                       virtuoso_server.password)
    assert len(remote_graph(virtuoso_server, graph)) < 12_000  # the GET truncates
    with publish_module._client(store) as client:
        assert publish_module.count_in_store(store, client) == 12_000


def test_store_url_must_be_http():
    with pytest.raises(Exception, match="http"):
        GraphStore("ftp://example.org/store")


def test_checkfailed_is_exit_1():
    assert CheckFailed.exit_code == 1


# ------------------------------------------------------------------ the real release


@pytest.fixture(scope="module", params=STORE_NAMES)
def published_release(request):
    """The release graph published (built in memory, no --file) into a named graph of each
    store; the SPARQL endpoint URL that queries exactly that graph."""
    server = request.getfixturevalue(f"{request.param}_server")
    graph = f"https://w3id.org/exoonto/test-graphs/release-{request.param}"
    result = run_publish(server, graph)
    assert result.exit_code == 0, result.output
    endpoint = f"{server.sparql}?{urlencode({'default-graph-uri': graph})}"
    return server, graph, endpoint, result.stdout


def test_publish_release_without_file(published_release):
    from exoonto.query import release_ntriples

    server, graph, _endpoint, stdout = published_release
    expected = count_distinct(release_ntriples())
    assert f"published {expected} triples to <{graph}>" in stdout
    again = run_publish(server, graph)  # publishing twice: same count, same graph
    assert again.exit_code == 0, again.output
    assert again.stdout == stdout


def _comparable(result) -> list[tuple[str, ...]]:
    """Rows as sorted plain values; blank-node labels are the store's own, so they are
    compared as blank nodes only."""
    rows = []
    for row in result.rows:
        rows.append(tuple("_:b" if cell is not None and cell.kind == "bnode"
                          else q_cell_text(cell) for cell in row))
    return sorted(rows)


def q_cell_text(cell) -> str:
    from exoonto.query import cell_text

    return cell_text(cell)


def _query_ids() -> list[str]:
    from exoonto.query import stored_queries

    return list(stored_queries())


QUERY_PARAMS = json.loads((REPO / "tests" / "golden" / "params.json").read_text(encoding="utf-8"))


# Virtuoso 7.2.5 evaluates `?x exo:derivedFrom/rdf:type ?c . FILTER EXISTS { ?c
# rdfs:subClassOf* exo:Cell }` wrongly on the release graph (1 row where Oxigraph and the
# spec give 7). The stored queries no longer use property paths (the build materialises the
# subclass closure), so every one of them must agree on both stores.


@pytest.mark.parametrize("qid", _query_ids())
def test_stored_query_same_answers_as_embedded_store(published_release, qid):
    """`exoonto query ID --endpoint URL` on the published release gives the embedded
    store's answers, for every stored query."""
    from exoonto.query import run_query

    _server, _graph, endpoint, _ = published_release
    params = QUERY_PARAMS.get(qid, {})
    embedded = run_query(qid, params)
    remote = run_query(qid, params, endpoint=endpoint)
    assert remote.columns == embedded.columns
    assert _comparable(remote) == _comparable(embedded)


def test_query_command_against_the_store(published_release):
    """The CLI itself, once per store: `exoonto query cq15 --endpoint URL`."""
    _server, _graph, endpoint, _ = published_release
    remote = run_cli(["query", "cq15", "--param", "term=osteoclast", "--endpoint", endpoint])
    local = run_cli(["query", "cq15", "--param", "term=osteoclast"])
    assert remote.exit_code == local.exit_code == 0, remote.output + local.output
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())

