"""`exoonto serve`: one Starlette/uvicorn server over an embedded pyoxigraph store loaded
with the release graph (ontology + facts + materialised inferences).

    /sparql            SPARQL 1.1 Protocol (queries only), time-limited in worker processes
    /queries, /queries/ID, /openapi.json   the stored queries as a web API
    /query             the query page
    /exoonto.owl, /ontology                 the whole ontology (RDF/XML for Protégé)
    /PATH              every IRI https://w3id.org/exoonto/PATH, content-negotiated
"""

from __future__ import annotations

import sys
from pathlib import Path

from .server.pool import Limits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def create_app(limits: Limits | None = None, extra: tuple[Path, ...] = ()):
    """The ASGI app serving the shipped release (plus `extra` facts files)."""
    from .build import assemble
    from .server.app import create_app as app_over

    release, _ = assemble()
    return app_over(release.knowledge_graph, release.ontology, limits, extra)


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    limits: Limits | None = None,
    extra: tuple[Path, ...] = (),
    log_level: str = "info",
) -> None:
    """Run the server until interrupted."""
    import uvicorn

    app = create_app(limits, extra)
    shown = f"[{host}]" if ":" in host else host
    print(
        f"exoonto: serving {app.state.exoonto.triples:,} triples at http://{shown}:{port}/ "
        f"(SPARQL endpoint /sparql, query time limit {(limits or Limits()).timeout:g} s)",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=3,
        server_header=False,
    )


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Limits", "create_app", "serve"]
