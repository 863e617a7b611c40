from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, MissingTool


def check_port_free(host: str, port: int) -> None:
    """Fail with one sentence, before the graph is loaded, when the address cannot be
    listened on (port in use, unknown host); uvicorn would log it among other lines."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"--host {host} cannot be resolved ({exc}).") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(
                    f"port {port} on {host} is already in use: stop the other server or "
                    "choose another --port."
                ) from None
            raise InputError(
                f"cannot listen on {host} port {port} ({exc.strerror or exc})."
            ) from None


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind; the default answers this machine only.",
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port."
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds a SPARQL query may run before it is stopped (answered 503).",
)
@click.option(
    "--max-result-bytes",
    default=10_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest serialised query result.",
)
@click.option(
    "--max-body-bytes",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest request body or query string (413/414).",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Worker processes that run SPARQL queries in parallel.",
)
@click.option(
    "--allow-service",
    multiple=True,
    metavar="IRI",
    help="A SERVICE endpoint queries may call (repeatable); by default none.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
@click.argument("extra", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def command(
    host: str,
    port: int,
    timeout: float,
    max_result_bytes: int,
    max_body_bytes: int,
    workers: int,
    allow_service: tuple[str, ...],
    log_level: str,
    extra: tuple[Path, ...],
) -> None:
    """Serve the release graph: SPARQL endpoint, linked data, stored queries, web pages.

    Every IRI under https://w3id.org/exoonto/ is answered at the same path with content
    negotiation (HTML, Turtle, RDF/XML, JSON-LD, N-Triples). EXTRA files (Turtle, or
    N-Triples if named *.nt) are bulk-loaded into the served graph, with the inferences the
    stored queries need. Exit 2 if a file cannot be read or parsed, or if the address
    cannot be listened on (port in use)."""
    try:
        from ..serve import Limits, serve
    except ImportError as exc:  # the server's dependencies are missing
        raise MissingTool(
            f"the server needs starlette and uvicorn ({exc.name} is missing): "
            "pip install 'starlette' 'uvicorn' 'python-multipart'."
        ) from None
    check_port_free(host, port)
    limits = Limits(
        timeout=timeout,
        max_result_bytes=max_result_bytes,
        max_body_bytes=max_body_bytes,
        workers=workers,
        allow_service=frozenset(allow_service),
    )
    serve(host=host, port=port, limits=limits, extra=extra, log_level=log_level)
