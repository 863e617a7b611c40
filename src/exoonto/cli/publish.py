from __future__ import annotations

import click

from ..build import assemble
from ..publish import GraphStore, password_from_env, publish


@click.command("publish")
@click.option("--store", required=True, help="Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store.")
@click.option("--graph", default=None, help="Target named graph IRI (default: the default graph).")
@click.option("--user", default=None, help="User name for HTTP digest authentication.")
@click.option(
    "--password-env", default=None, metavar="VAR",
    help="Name of the environment variable that holds the password (never on the command line).",
)
def command(store: str, graph: str | None, user: str | None, password_env: str | None) -> None:
    """Upload the release graph to a triplestore (SPARQL 1.1 Graph Store HTTP Protocol, PUT),
    replacing the target graph, then check the triple count in the store.

    If the upload fails part way, the graph's previous content is put back."""
    release, _ = assemble()
    target = GraphStore(store, graph, user, password_from_env(password_env))
    count = publish(release.knowledge_graph, target)
    click.echo(f"published {count} triples to {target.describe()}")
