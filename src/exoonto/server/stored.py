"""The stored queries (queries/*.rq) as a web API, as grlc does: GET /queries/ID?param=value
runs one, /queries lists them, /openapi.json describes them.

The catalogue, the metadata and the parameter checking come from exoonto.query
(`stored_queries`, `bind_parameters`, `with_values`); the bound query then runs like any
other on the worker pool, with the same limits. Parameters are bound as a VALUES block of
escaped RDF terms, never spliced into the text."""

from __future__ import annotations

import re
from functools import lru_cache

from .. import __version__
from ..errors import InputError
from .negotiation import RESULT_OFFERS
from .worker import Reply, message

EXAMPLE = re.compile(r"\be\.g\. \"?([^,;)\"]+?)\"?[,;)]")


@lru_cache(maxsize=1)
def _queries() -> dict:
    from ..query import stored_queries

    return stored_queries()


def _example(description: str) -> str | None:
    match = EXAMPLE.search(description or "")
    return match.group(1).strip() if match else None


def catalogue() -> list[dict]:
    """Every stored query with its metadata and text, for /queries and the query page."""
    listing = []
    for query in _queries().values():
        listing.append(
            {
                "id": query.id,
                "summary": query.summary,
                "description": query.description,
                "tags": list(query.tags),
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "description": p.description,
                        "default": p.default,
                        "required": p.required,
                        "example": _example(p.description),
                    }
                    for p in query.params
                ],
                "query": query.text,
                "url": f"/queries/{query.id}",
            }
        )
    return listing


def prepare(query_id: str, values: dict[str, str]) -> tuple[str, dict] | Reply:
    """The query text with its parameters bound, or an error reply (404, 400)."""
    from ..query import bind_parameters, with_values

    query = _queries().get(query_id.lower())
    if query is None:
        return message(404, f"There is no stored query '{query_id}'; GET /queries lists them.")
    try:
        bindings = bind_parameters(query, values)
        return with_values(query.text, bindings), {}
    except InputError as exc:
        text = str(exc).replace("needs --param ", "needs the parameter ")
        return message(400, text[:1].upper() + text[1:])


def openapi(base_url: str) -> dict:
    """An OpenAPI 3 document for the stored queries (and the SPARQL endpoint)."""
    results = {
        o.media_type: {"schema": {"type": "string" if "json" not in o.media_type else "object"}}
        for o in RESULT_OFFERS
    }
    errors = {
        "400": {
            "description": "A parameter is missing or ill-typed, or the result is too large.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        "404": {"description": "No such stored query."},
        "406": {"description": "None of the accepted media types can be produced."},
        "503": {"description": "The query was stopped at the time limit, or the server is busy."},
    }
    paths: dict = {}
    for query in _queries().values():
        parameters = []
        for p in query.params:
            schema: dict = {"type": "string"}
            if p.default is not None:
                schema["default"] = p.default
            example = _example(p.description)
            parameter = {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": f"{p.description} (type: {p.type})",
                "schema": schema,
            }
            if example:
                parameter["example"] = example
            parameters.append(parameter)
        paths[f"/queries/{query.id}"] = {
            "get": {
                "operationId": query.id,
                "summary": query.summary,
                "description": query.description + "\n\n```sparql\n" + query.text.strip() + "\n```",
                "tags": list(query.tags) or ["stored queries"],
                "parameters": parameters,
                "responses": {
                    "200": {"description": "SPARQL results, by Accept.", "content": results},
                    **errors,
                },
            }
        }
    paths["/sparql"] = {
        "get": {
            "operationId": "sparql",
            "summary": "SPARQL 1.1 Protocol query endpoint (read-only, time-limited).",
            "parameters": [
                {"name": "query", "in": "query", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "Results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE), by Accept."
                },
                **errors,
                "403": {"description": "SPARQL Update is refused."},
            },
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "exoonto stored queries",
            "version": __version__,
            "description": "The competency questions over the review 'Regulation of Exosomes on "
            "Bone Remodelling' as a web API (grlc-style: one operation per queries/*.rq).",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
    }
