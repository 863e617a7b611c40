"""The Starlette application: SPARQL protocol, linked data, stored queries, pages."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote

import anyio
import pyoxigraph as ox
from rdflib import Graph
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..namespaces import BASE, ONTOLOGY_IRI
from . import stored
from .heap import release_freed_memory
from .knowledge import PREFIX_STRINGS, Knowledge
from .negotiation import GRAPH_OFFERS, HTML, RDF_XML, Offer, choose, negotiate
from .pages import Renderer
from .pool import Limits, QueryPool
from .rdfout import serialize_triples
from .sparqltext import is_update, refused_services
from .worker import Job, Reply

LD_OFFERS = (*GRAPH_OFFERS, HTML)
ONTOLOGY_OFFERS = (RDF_XML, *(o for o in GRAPH_OFFERS if o is not RDF_XML), HTML)
ONTOLOGY_PATHS = ("/exoonto.owl", "/ontology", f"/releases/{__version__}/exoonto.owl")
VARY = {"Vary": "Accept"}


class TooLarge(Exception):
    pass


def text(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body.rstrip() + "\n", status, media_type="text/plain; charset=utf-8", headers=headers
    )


def from_reply(reply: Reply, headers: dict[str, str] | None = None) -> Response:
    return Response(
        reply.body,
        reply.status,
        media_type=reply.content_type,
        headers={**VARY, **reply.headers, **(headers or {})},
    )


class State:
    """What the routes share: the store, the renderer, the worker pool, the limits."""

    def __init__(
        self, knowledge_graph: Graph, ontology: Graph, limits: Limits, extra: tuple[Path, ...] = ()
    ) -> None:
        self.limits = limits
        self.ontology = ontology
        self.folder = Path(tempfile.mkdtemp(prefix="exoonto-serve-"))
        self.data_path = self.folder / "release.nt"
        try:
            store = release_store(knowledge_graph, extra)
            store.dump(
                output=str(self.data_path),
                format=ox.RdfFormat.N_TRIPLES,
                from_graph=ox.DefaultGraph(),
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        release_freed_memory()  # what building the store and its inferences left behind
        self.knowledge = Knowledge(store)
        self.renderer = Renderer(self.knowledge)
        self.pool: QueryPool | None = None
        self._ontology_cache: dict[str, bytes] = {}
        self.triples = len(store)

    def start(self) -> None:
        self.pool = QueryPool(str(self.data_path), self.limits)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def ontology_bytes(self, key: str) -> bytes:
        if key not in self._ontology_cache:
            from ..build import ntriples
            from ..canonical import canonical_turtle

            if key == "rdf":
                data = ontology_rdfxml(self.ontology)
            elif key == "ttl":
                data = canonical_turtle(self.ontology).encode("utf-8")
            elif key == "nt":
                data = ntriples(self.ontology).encode("utf-8")
            else:
                nt = self.ontology.serialize(format="nt", encoding="utf-8")
                data = serialize_triples(
                    list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)), "jsonld"
                )
            self._ontology_cache[key] = data
        return self._ontology_cache[key]


def release_store(knowledge_graph: Graph, extra: tuple[Path, ...] = ()) -> ox.Store:
    """An in-memory store with the release graph and the `extra` facts files, with the
    inferences the stored queries need materialised over all of it. Extra files are
    bulk-loaded by Oxigraph, so millions of triples never pass through rdflib."""
    from ..load import load_into_store
    from ..reason import materialise_store

    store = ox.Store()
    store.bulk_load(
        input=knowledge_graph.serialize(format="nt", encoding="utf-8"),
        format=ox.RdfFormat.N_TRIPLES,
    )
    if extra:
        load_into_store(store, extra)
        materialise_store(store)
    return store


def ontology_rdfxml(ontology: Graph) -> bytes:
    """The ontology in RDF/XML (what Protégé asks for first), as in the release."""
    from ..build import rdfxml

    return rdfxml(ontology).encode("utf-8")


def state_of(request: Request) -> State:
    return request.app.state.exoonto


def chosen_offer(request: Request, offers: tuple[Offer, ...]) -> Offer | None:
    return choose(request.query_params.getlist("format"), request.headers.get("accept"), offers)


def not_acceptable(request: Request, offers: tuple[Offer, ...]) -> Response:
    wanted = f"Accept '{request.headers.get('accept')}'"
    names = ", ".join(o.media_type for o in offers)
    return text(406, f"Cannot produce {wanted} here; available: {names}.", VARY)


def wants_html(request: Request) -> bool:
    offer = negotiate(request.headers.get("accept"), (HTML, *GRAPH_OFFERS))
    return offer is HTML and "text/html" in (request.headers.get("accept") or "")


# ---------------------------------------------------------------------- SPARQL protocol
async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge()
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise TooLarge()
    return bytes(chunks)


READ_ONLY = (
    "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is refused."
)


async def sparql_endpoint(request: Request) -> Response:
    st = state_of(request)
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})
    params = request.query_params
    if request.method in ("GET", "HEAD"):  # Starlette routes HEAD to GET handlers
        if len(request.url.query) > st.limits.max_body_bytes:
            return text(
                414,
                f"The query string is longer than {st.limits.max_body_bytes} bytes; POST the query instead.",
            )
        if "update" in params:
            return text(403, READ_ONLY)
        query = params.get("query")
    else:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            body = await read_body(request, st.limits.max_body_bytes)
        except TooLarge:
            return text(
                413,
                f"The request body is larger than this server's limit of {st.limits.max_body_bytes} bytes.",
            )
        try:
            decoded = body.decode("utf-8")
        except UnicodeDecodeError:
            return text(400, "The request body is not valid UTF-8.")
        if media == "application/x-www-form-urlencoded":
            form = parse_qs(decoded, keep_blank_values=True)
            if "update" in form:
                return text(403, READ_ONLY)
            query = (form.get("query") or [None])[0]
        elif media == "application/sparql-query":
            query = decoded
        elif media == "application/sparql-update":
            return text(403, READ_ONLY)
        else:
            return text(
                415,
                f"Unsupported Content-Type '{media or '(none)'}': POST a query as "
                "application/x-www-form-urlencoded (query=...) or application/sparql-query.",
            )
    if not query or not query.strip():
        if request.method == "GET" and not params and wants_html(request):
            return RedirectResponse("/query", status_code=303)
        return text(
            400,
            "No query: give one as the 'query' parameter or as an application/sparql-query body.",
        )
    return await run_query(request, query)


LARGE_REPLY_BYTES = 1_000_000


async def run_query(
    request: Request, query: str, substitutions: dict[str, tuple[str, ...]] | None = None
) -> Response:
    st = state_of(request)
    if is_update(query):
        return text(403, READ_ONLY)
    refused = refused_services(query, st.limits.allow_service)
    if refused:
        return text(
            400,
            "SERVICE (federated query) is not allowed on this endpoint: "
            + ", ".join(refused)
            + ". Only the graph served here can be queried.",
        )
    job = Job(
        query=query,
        accept=request.headers.get("accept"),
        formats=tuple(request.query_params.getlist("format")),
        substitutions=substitutions or {},
        max_bytes=st.limits.max_result_bytes,
        prefixes=PREFIX_STRINGS,
    )
    assert st.pool is not None
    reply = await anyio.to_thread.run_sync(st.pool.run, job)
    response = from_reply(reply)
    if len(reply.body) >= LARGE_REPLY_BYTES:
        # request threads each get a malloc arena, which keeps large freed bodies resident
        response.background = BackgroundTask(release_freed_memory)
    return response


# ---------------------------------------------------------------------- stored queries
async def queries_list(request: Request) -> Response:
    catalogue = stored.catalogue()
    if (
        chosen_offer(request, (Offer("application/json", ("application/json",), "json"), HTML))
        is HTML
    ):
        return HTMLResponse(state_of(request).renderer.queries_page(catalogue), headers=VARY)
    return JSONResponse(catalogue, headers=VARY)


async def query_run(request: Request) -> Response:
    query_id = request.path_params["query_id"]
    limit = state_of(request).limits.max_body_bytes
    if len(request.url.query) > limit:
        return text(414, f"The query string is longer than {limit} bytes.")
    values = {k: v for k, v in request.query_params.items() if k != "format"}
    prepared = stored.prepare(query_id, values)
    if isinstance(prepared, Reply):
        return from_reply(prepared)
    query, substitutions = prepared
    return await run_query(request, query, substitutions)


async def openapi(request: Request) -> Response:
    return JSONResponse(stored.openapi(str(request.base_url).rstrip("/")))


# ---------------------------------------------------------------------- pages
async def landing(request: Request) -> Response:
    offer = chosen_offer(request, (HTML, *GRAPH_OFFERS))
    if offer is None:
        return not_acceptable(request, (HTML, *GRAPH_OFFERS))
    if offer is not HTML:
        return RedirectResponse("/exoonto.owl", status_code=303, headers=VARY)
    return HTMLResponse(state_of(request).renderer.landing(str(request.base_url)), headers=VARY)


async def query_page(request: Request) -> Response:
    endpoint = str(request.base_url).rstrip("/") + "/sparql"
    return HTMLResponse(state_of(request).renderer.query_page(endpoint))


# ---------------------------------------------------------------------- linked data
def iri_for(request: Request) -> str:
    raw = request.scope.get("raw_path") or request.url.path.encode()
    return BASE + raw.decode("latin-1").lstrip("/")


async def ontology_document(request: Request) -> Response:
    st = state_of(request)
    offer = chosen_offer(request, ONTOLOGY_OFFERS)
    if offer is None:
        return not_acceptable(request, ONTOLOGY_OFFERS)
    if offer is HTML:
        described = st.knowledge.describe(ONTOLOGY_IRI)
        html = st.renderer.resource(ONTOLOGY_IRI, described.triples)
        return HTMLResponse(html, headers=VARY)
    data = await anyio.to_thread.run_sync(st.ontology_bytes, offer.key)
    return Response(data, media_type=offer.content_type(), headers=VARY)


async def linked_data(request: Request) -> Response:
    st = state_of(request)
    iri = iri_for(request)
    if not st.knowledge.exists(iri):
        decoded = unquote(iri)
        if decoded != iri and st.knowledge.exists(decoded):
            iri = decoded
        else:
            return not_found(request, iri)
    offer = chosen_offer(request, LD_OFFERS)
    if offer is None:
        return not_acceptable(request, LD_OFFERS)
    described = st.knowledge.describe(iri)
    if offer is HTML:
        return HTMLResponse(st.renderer.page_for(iri, described.triples), headers=VARY)
    data = serialize_triples(described.triples, offer.key, prefixes=PREFIX_STRINGS)
    return Response(data, media_type=offer.content_type(), headers=VARY)


def not_found(request: Request, iri: str) -> Response:
    sentence = f"Nothing is known about <{iri}> here."
    if wants_html(request):
        html = state_of(request).renderer.error(404, "Not found", sentence)
        return HTMLResponse(html, status_code=404, headers=VARY)
    return text(404, sentence, VARY)


# ---------------------------------------------------------------------- CORS
class Cors:
    """`Access-Control-Allow-Origin: *` on every response; preflight requests answered."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": headers.get(
                        "access-control-request-headers", "Accept, Content-Type"
                    ),
                    "Access-Control-Max-Age": "600",
                },
            )
            await response(scope, receive, send)
            return

        async def send_with_cors(event) -> None:
            if event["type"] == "http.response.start":
                MutableHeaders(scope=event)["Access-Control-Allow-Origin"] = "*"
            await send(event)

        await self.app(scope, receive, send_with_cors)


# ---------------------------------------------------------------------- the app
def create_app(
    knowledge_graph: Graph,
    ontology: Graph,
    limits: Limits | None = None,
    extra: tuple[Path, ...] = (),
) -> Starlette:
    """The ASGI application over `knowledge_graph` (the release graph) and the `extra`
    facts files. Worker processes for user queries start with the application's lifespan."""
    st = State(knowledge_graph, ontology, limits or Limits(), extra)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await anyio.to_thread.run_sync(st.start)
        try:
            yield
        finally:
            st.stop()

    routes = [
        Route("/", landing, methods=["GET"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST", "OPTIONS"]),
        Route("/query", query_page, methods=["GET"]),
        Route("/queries", queries_list, methods=["GET"]),
        Route("/queries/{query_id}", query_run, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        *(Route(path, ontology_document, methods=["GET"]) for path in ONTOLOGY_PATHS),
        Mount("/static", StaticFiles(packages=[("exoonto.server", "static")]), name="static"),
        Route("/{rest:path}", linked_data, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.exoonto = st
    app.add_middleware(Cors)
    return app


def reserved_collisions(knowledge: Knowledge) -> list[str]:
    """IRIs under the uriSpace that a fixed route hides (should be none)."""
    fixed = {"sparql", "query", "queries", "openapi.json", "static", "ontology"}
    return [iri for iri in knowledge.terms() if iri[len(BASE) :].split("/")[0] in fixed]


__all__ = ["create_app", "Limits"]
