"""`exoonto publish`: put the release graph into an external triplestore through the
SPARQL 1.1 Graph Store HTTP Protocol, then check the triple count there.

PUT replaces the target graph, so publishing twice leaves the same graph. Before the PUT
the current content of the target graph is saved; if the upload fails part way or the
count in the store does not match, that content is put back."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from rdflib import Graph

from .errors import CheckFailed, InputError, MissingTool

NTRIPLES = "application/n-triples"
TIMEOUT_S = 600.0


@dataclass(frozen=True)
class GraphStore:
    """A Graph Store Protocol endpoint, e.g. Oxigraph's `http://127.0.0.1:7878/store` or
    Virtuoso's `http://127.0.0.1:8890/sparql-graph-crud-auth`."""

    url: str
    graph: str | None = None
    user: str | None = None
    password: str | None = None

    def target(self) -> str:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"--store must be an http(s) URL, not {self.url!r}.")
        param = urlencode({self._graph_param(): self.graph}) if self.graph else "default"
        query = f"{parts.query}&{param}" if parts.query else param
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def _graph_param(self) -> str:
        # Virtuoso's endpoint names the parameter graph-uri; the standard name is graph.
        return "graph-uri" if "sparql-graph-crud" in self.url else "graph"

    def describe(self) -> str:
        return f"{self.graph or 'the default graph'} at {self.url}"


def password_from_env(variable: str | None) -> str | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise InputError(f"the environment variable {variable} named by --password-env is not set.")
    return value


def _client(store: GraphStore):
    import httpx

    auth = None
    if store.user is not None:
        auth = httpx.DigestAuth(store.user, store.password or "")
    return httpx.Client(auth=auth, timeout=TIMEOUT_S, follow_redirects=False)


def _fail_unreachable(store: GraphStore, exc: Exception) -> MissingTool:
    return MissingTool(f"the store {store.url} cannot be reached ({type(exc).__name__}).")


def fetch_graph(store: GraphStore, client) -> Graph | None:
    """The target graph as it is now; None if the store has no such graph yet."""
    response = client.get(store.target(), headers={"Accept": NTRIPLES})
    if response.status_code == 404:
        return None
    _raise_for_status(store, response, "read")
    graph = Graph()
    graph.parse(data=response.text, format="nt")
    return graph


def _put(store: GraphStore, client, body: bytes):
    return client.put(store.target(), content=body, headers={"Content-Type": NTRIPLES})


def _delete(store: GraphStore, client) -> None:
    response = client.delete(store.target())
    if response.status_code not in (200, 204, 404):
        _raise_for_status(store, response, "restore")


def _raise_for_status(store: GraphStore, response, action: str) -> None:
    if response.status_code in (401, 403):
        raise CheckFailed(
            f"the store refused to {action} {store.describe()}: HTTP {response.status_code} "
            "(check --user and the password variable)."
        )
    if response.status_code >= 400:
        raise CheckFailed(
            f"the store could not {action} {store.describe()}: HTTP {response.status_code}."
        )


def publish(graph: Graph, store: GraphStore) -> int:
    """Replace the target graph with `graph`; return the triple count found in the store."""
    import httpx

    body = graph.serialize(format="nt", encoding="utf-8")
    expected = len(graph)
    try:
        with _client(store) as client:
            previous = fetch_graph(store, client)
            try:
                response = _put(store, client, body)
                _raise_for_status(store, response, "replace")
                found = fetch_graph(store, client)
                count = len(found) if found is not None else 0
                if count != expected:
                    raise CheckFailed(
                        f"the store holds {count} triples in {store.describe()} after the "
                        f"upload, not {expected}; the previous content was put back."
                    )
            except (CheckFailed, httpx.HTTPError):
                _restore(store, client, previous)
                raise
            return count
    except httpx.HTTPError as exc:
        raise _fail_unreachable(store, exc) from None


def _restore(store: GraphStore, client, previous: Graph | None) -> None:
    if previous is None:
        _delete(store, client)
    else:
        _put(store, client, previous.serialize(format="nt", encoding="utf-8"))
