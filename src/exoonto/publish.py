"""`exoonto publish`: put the release graph into an external triplestore through the
SPARQL 1.1 Graph Store HTTP Protocol, then check the triple count there.

PUT replaces the target graph, so publishing twice leaves the same graph. Before the PUT
the current content of the target graph is saved; if the upload fails part way or the
count in the store does not match, that content is put back (or the graph deleted, if it
did not exist).

Two store facts this module is built around (checked against Oxigraph 0.5 and Virtuoso 7.2):

- Virtuoso's Graph Store GET returns at most `[SPARQL] ResultSetMaxRows` triples (10,000 in
  Debian's virtuoso.ini), silently. Counting by GET is therefore wrong on large graphs, and a
  saved copy could be incomplete. Counts go through the SPARQL endpoint (`SELECT (COUNT(*)
  ...)`, one row, never truncated), and the saved copy is checked against that count before
  anything is changed: if the store will not hand over the whole graph, nothing is published.
- Virtuoso's default graph is the union of all graphs unless the HTTP host has a default
  graph of its own (a row in `DB.DBA.SYS_SPARQL_HOST`). Its Graph Store maps `?default` to
  that graph and refuses it otherwise, so without --graph exoonto sends `?default` and turns
  the refusal into a sentence that says how to proceed. The count goes through SPARQL
  without a GRAPH clause, which Virtuoso answers from the same host graph.

Blank nodes are counted like any other triple: both stores keep one triple per N-Triples
line with fresh blank-node labels, so the count after a PUT equals the number of distinct
triples sent. The expected count is taken from the N-Triples body itself, parsed by
Oxigraph, so it counts what the store will see rather than rdflib's view of the graph."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from rdflib import Graph

from .errors import CheckFailed, InputError, MissingTool

NTRIPLES = "application/n-triples"
TIMEOUT_S = 600.0
VIRTUOSO_GSP = "sparql-graph-crud"


@dataclass(frozen=True)
class GraphStore:
    """A Graph Store Protocol endpoint, e.g. Oxigraph's `http://127.0.0.1:7878/store` or
    Virtuoso's `http://127.0.0.1:8890/sparql-graph-crud-auth`, and the graph to replace.

    `sparql` is the store's SPARQL query endpoint, used to count triples; when it is None it
    is derived for Oxigraph (`/store` -> `/query`) and Virtuoso (`/sparql-graph-crud*` ->
    `/sparql`), and otherwise the count is made by reading the graph back."""

    url: str
    graph: str | None = None
    user: str | None = None
    password: str | None = None
    sparql: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError("--store must be an http(s) URL such as http://127.0.0.1:7878/store.")
        if parts.username or parts.password:
            # Never echo the URL here: it holds a secret.
            raise InputError(
                "--store must not contain a user name or password; use --user and --password-env."
            )
        if self.graph is not None and (
            not urlsplit(self.graph).scheme or any(c in self.graph for c in '<>"{}|^`\\ \n')
        ):
            raise InputError(f"--graph must be an absolute IRI, not {self.graph!r}.")
        if (self.user is None) != (self.password is None):
            raise InputError("--user and --password-env must be given together.")

    @property
    def is_virtuoso(self) -> bool:
        return VIRTUOSO_GSP in urlsplit(self.url).path

    def target(self) -> str:
        parts = urlsplit(self.url)
        param = urlencode({self._graph_param(): self.graph}) if self.graph else "default"
        query = f"{parts.query}&{param}" if parts.query else param
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def _graph_param(self) -> str:
        # Virtuoso's endpoint names the parameter graph-uri; the standard name is graph.
        return "graph-uri" if self.is_virtuoso else "graph"

    def sparql_endpoint(self) -> str | None:
        if self.sparql is not None:
            return self.sparql
        parts = urlsplit(self.url)
        path = parts.path.rstrip("/")
        if self.is_virtuoso:
            path = path[: path.index(VIRTUOSO_GSP)] + "sparql"
        elif path.endswith("/store"):
            path = path[: -len("store")] + "query"
        else:
            return None
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    def describe(self) -> str:
        where = f"<{self.graph}>" if self.graph else "the default graph"
        return f"{where} at {self.url}"


def password_from_env(variable: str | None) -> str | None:
    """The password, read only from the environment variable the user named."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise InputError(f"the environment variable {variable} named by --password-env is not set.")
    return value


def ntriples_body(graph: Graph) -> bytes:
    return graph.serialize(format="nt", encoding="utf-8")


def ntriples_file_body(path: Path) -> bytes:
    """A Turtle, N-Triples or RDF/XML file as N-Triples, parsed by Oxigraph (fast on large files)."""
    import pyoxigraph

    formats = {".ttl": pyoxigraph.RdfFormat.TURTLE, ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
               ".owl": pyoxigraph.RdfFormat.RDF_XML, ".rdf": pyoxigraph.RdfFormat.RDF_XML}
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: give a .ttl, .nt, .owl or .rdf file.")
    try:
        quads = pyoxigraph.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        out = pyoxigraph.serialize((q.triple for q in quads), format=pyoxigraph.RdfFormat.N_TRIPLES)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    except SyntaxError as exc:
        raise InputError(f"{path}: cannot be parsed ({exc}).") from None
    return out or b""


def count_distinct(body: bytes) -> int:
    """Distinct triples in an N-Triples body, as a store will see them."""
    import pyoxigraph

    store = pyoxigraph.Store()
    if body:
        store.bulk_load(body, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return len(store)


def _client(store: GraphStore):
    import httpx

    auth = None
    if store.user is not None:
        auth = httpx.DigestAuth(store.user, store.password or "")
    return httpx.Client(auth=auth, timeout=TIMEOUT_S, follow_redirects=False)


def _unreachable(store: GraphStore, exc: Exception) -> MissingTool:
    return MissingTool(f"the store {store.url} cannot be reached ({type(exc).__name__}).")


VIRTUOSO_NO_DEFAULT = "not configured to have default graph"


def _raise_for_status(store: GraphStore, response, action: str) -> None:
    if (response.status_code >= 400 and store.is_virtuoso and store.graph is None
            and VIRTUOSO_NO_DEFAULT in response.text):
        host = urlsplit(store.url).netloc
        raise CheckFailed(
            f"Virtuoso at {store.url} has no default graph for the host {host}, so there is "
            "nothing to replace; name a graph with --graph, or give the host a default graph "
            f"(isql: INSERT INTO DB.DBA.SYS_SPARQL_HOST (SH_HOST, SH_GRAPH_URI) VALUES "
            f"('{host}', 'IRI');)."
        )
    if response.status_code in (401, 403):
        raise CheckFailed(
            f"the store refused to {action} {store.describe()}: HTTP {response.status_code} "
            "(check --user and the password variable)."
        )
    if response.status_code >= 400:
        raise CheckFailed(
            f"the store could not {action} {store.describe()}: HTTP {response.status_code}."
        )


@dataclass
class Snapshot:
    """The target graph's content before the upload; `body` None if the graph did not exist."""

    body: bytes | None
    count: int


def _read(store: GraphStore, client) -> bytes | None:
    response = client.get(store.target(), headers={"Accept": NTRIPLES})
    if response.status_code == 404:
        return None
    _raise_for_status(store, response, "read")
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in (NTRIPLES, "text/plain", ""):
        raise CheckFailed(
            f"the store answered a read of {store.describe()} with {content_type}, not N-Triples."
        )
    return response.content


def count_in_store(store: GraphStore, client) -> int:
    """The number of triples in the target graph, by SPARQL COUNT where possible. Oxigraph's
    default graph is counted by reading it back, because a server started with
    --union-default-graph would count every graph; Virtuoso's GET truncates, and its SPARQL
    endpoint answers from the host's default graph (see the module docstring)."""
    endpoint = store.sparql_endpoint()
    if endpoint is not None and (store.graph is not None or store.is_virtuoso):
        pattern = f"GRAPH <{store.graph}> {{ ?s ?p ?o }}" if store.graph else "?s ?p ?o"
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        response = client.get(
            endpoint, params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        _raise_for_status(store, response, "count the triples of")
        try:
            bindings = response.json()["results"]["bindings"]
            return int(bindings[0]["n"]["value"]) if bindings else 0
        except (ValueError, KeyError, IndexError) as exc:
            raise CheckFailed(
                f"the SPARQL endpoint {endpoint} gave no readable count ({type(exc).__name__})."
            ) from None
    body = _read(store, client)
    return count_distinct(body) if body else 0


def snapshot(store: GraphStore, client) -> Snapshot:
    body = _read(store, client)
    if body is None:
        return Snapshot(None, 0)
    saved = count_distinct(body)
    held = count_in_store(store, client)
    if saved != held:
        raise CheckFailed(
            f"the store returned {saved} of the {held} triples in {store.describe()}, so its "
            "content could not be saved for a rollback and nothing was published (on Virtuoso, "
            "raise [SPARQL] ResultSetMaxRows)."
        )
    return Snapshot(body, saved)


def _put(store: GraphStore, client, body: bytes):
    return client.put(store.target(), content=body, headers={"Content-Type": NTRIPLES})


def _restore(store: GraphStore, client, previous: Snapshot) -> None:
    if previous.body is None:
        response = client.delete(store.target())
        if response.status_code not in (200, 201, 204, 404):
            _raise_for_status(store, response, "restore")
    else:
        _raise_for_status(store, _put(store, client, previous.body), "restore")


def publish_body(body: bytes, store: GraphStore) -> int:
    """Replace the target graph with the N-Triples `body`; return the count in the store."""
    import httpx

    expected = count_distinct(body)
    try:
        with _client(store) as client:
            previous = snapshot(store, client)
            try:
                _raise_for_status(store, _put(store, client, body), "replace")
                count = count_in_store(store, client)
                if count != expected:
                    raise CheckFailed(
                        f"the store holds {count} triples in {store.describe()} after the "
                        f"upload, not {expected}; the previous content was put back."
                    )
            except (CheckFailed, httpx.HTTPError) as failure:
                try:
                    _restore(store, client, previous)
                except (CheckFailed, httpx.HTTPError):
                    raise CheckFailed(
                        f"the upload to {store.describe()} failed and its previous content "
                        "could not be put back: the graph may be incomplete."
                    ) from None
                if isinstance(failure, httpx.HTTPError):
                    raise MissingTool(
                        f"the connection to {store.url} failed during the upload "
                        f"({type(failure).__name__}); the previous content was put back."
                    ) from None
                raise
            return count
    except httpx.HTTPError as exc:
        raise _unreachable(store, exc) from None


def publish(graph: Graph, store: GraphStore) -> int:
    """Replace the target graph with `graph`; return the triple count found in the store."""
    return publish_body(ntriples_body(graph), store)
