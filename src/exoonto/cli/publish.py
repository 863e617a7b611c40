from __future__ import annotations

from pathlib import Path

import click

from ..publish import (
    GraphStore,
    ntriples_body,
    ntriples_file_body,
    password_from_env,
    publish_body,
)


@click.command("publish")
@click.option(
    "--store", required=True, metavar="URL",
    help="Graph Store Protocol URL: Oxigraph http://HOST:7878/store, "
    "Virtuoso http://HOST:8890/sparql-graph-crud-auth.",
)
@click.option("--graph", default=None, metavar="IRI",
              help="Named graph to replace (default: the store's default graph; on Virtuoso, the "
              "HTTP host's own default graph, which must be configured: see the README).")
@click.option("--user", default=None, help="User name for HTTP digest authentication.")
@click.option(
    "--password-env", default=None, metavar="VAR",
    help="Name of the environment variable that holds the password (never on the command line).",
)
@click.option("--sparql", default=None, metavar="URL",
              help="The store's SPARQL query endpoint, for the count check (derived for "
              "Oxigraph and Virtuoso).")
@click.option(
    "--file", "source", default=None, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Publish this RDF file (e.g. dist/exoonto-kg.ttl) instead of building the release.",
)
def command(store: str, graph: str | None, user: str | None, password_env: str | None,
            sparql: str | None, source: Path | None) -> None:
    """Upload the release graph to a triplestore (SPARQL 1.1 Graph Store HTTP Protocol, PUT),
    replacing the target graph, then check the triple count in the store.

    If the upload fails part way or the count differs, the graph's previous content is put
    back. Exit codes: 0 published; 1 refused or the check failed; 2 bad option;
    3 the store cannot be reached."""
    target = GraphStore(store, graph, user, password_from_env(password_env), sparql)
    if source is not None:
        body = ntriples_file_body(source)
    else:
        from ..build import assemble

        release, _ = assemble()
        body = ntriples_body(release.knowledge_graph)
    count = publish_body(body, target)
    click.echo(f"published {count} triples to {target.describe()}")
