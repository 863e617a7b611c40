"""`exoonto queries` and `exoonto query`: the stored SPARQL queries."""

from __future__ import annotations

import click

from ..errors import InputError
from ..query import (
    FORMATS,
    format_result,
    parse_param_options,
    run_query,
    stored_queries,
)


def check_endpoint_url(endpoint: str) -> None:
    """--endpoint must be an http(s) URL with a host (urllib raises a bare ValueError
    otherwise)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"--endpoint must be an http(s) URL such as http://127.0.0.1:8000/sparql, not '{endpoint}'."
        )


@click.command("queries")
def queries_command() -> None:
    """List the stored queries: id, summary and parameters."""
    for query_id, query in stored_queries().items():
        click.echo(f"{query_id}  {query.summary}")
        for param in query.params:
            default = "required" if param.required else f"default {param.default}"
            click.echo(f"    --param {param.name}=...  ({param.type}; {default}) {param.description}")


@click.command("query")
@click.argument("query", metavar="ID|FILE")
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
    help="A query parameter, e.g. --param ref=27 (repeat for several).",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output format.",
)
@click.option(
    "--endpoint", metavar="URL", default=None,
    help="Run on a remote SPARQL 1.1 endpoint instead of the embedded store of the release.",
)
def query_command(query: str, params: tuple[str, ...], fmt: str, endpoint: str | None) -> None:
    """Run a stored query (by id, e.g. cq14) or a SPARQL SELECT file on the release graph.

    Example: exoonto query cq14 --param ref=27
    """
    if endpoint is not None:
        check_endpoint_url(endpoint)
    result = run_query(query, parse_param_options(params), endpoint=endpoint)
    click.echo(format_result(result, fmt), nl=False)


commands = [queries_command, query_command]
# cli/__init__.py evaluates `getattr(module, "commands", [module.command])`, whose default
# is built eagerly: keep `command` defined too.
command = query_command
