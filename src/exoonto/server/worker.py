"""A query worker: a child process with its own copy of the store.

Queries run here, not in the server, so a runaway query can be stopped for real: the server
kills the process when the deadline passes and starts a fresh one. pyoxigraph evaluates
lazily, so the whole evaluation happens while the results are serialised, inside the
deadline. This module imports only pyoxigraph and ctypes (and rdflib for JSON-LD, on demand).
"""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from .heap import release_freed_memory
from .negotiation import GRAPH_OFFERS, RESULT_OFFERS, choose
from .rdfout import serialize_triples

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


@dataclass
class Job:
    query: str
    accept: str | None = None
    formats: tuple[str, ...] = ()  # ?format= values; a recognised one overrides Accept
    substitutions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # var -> term spec
    max_bytes: int = 10_000_000
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def message(status: int, text: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (text.rstrip() + "\n").encode("utf-8"))


class ResultTooLarge(Exception):
    pass


class CappedBuffer(io.RawIOBase):
    """A write-only buffer that refuses to grow past `cap` bytes."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        if self.buffer.tell() + len(data) > self.cap:
            raise ResultTooLarge()
        return self.buffer.write(data)


def term(spec: tuple[str, ...]) -> ox.NamedNode | ox.Literal:
    """A pyoxigraph term from ("iri", value) or ("literal", value, datatype, language)."""
    if spec[0] == "iri":
        return ox.NamedNode(spec[1])
    _, value, datatype, language = spec
    if language:
        return ox.Literal(value, language=language)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def run(store: ox.Store, job: Job) -> Reply:
    try:
        result = store.query(
            job.query,
            substitutions={ox.Variable(k): term(v) for k, v in job.substitutions.items()} or None,
        )
    except SyntaxError as exc:
        return message(400, f"The query cannot be parsed: {exc}")
    except (OSError, ValueError, RuntimeError) as exc:
        return message(400, f"The query cannot be evaluated: {exc}")
    graph = isinstance(result, ox.QueryTriples)
    offers = GRAPH_OFFERS if graph else RESULT_OFFERS
    offer = choose(job.formats, job.accept, offers)
    if offer is None:
        wanted = f"Accept '{job.accept}'"
        names = ", ".join(o.media_type for o in offers)
        return message(406, f"Cannot produce {wanted} for this query; available: {names}.")
    out = CappedBuffer(job.max_bytes)
    try:
        if graph:
            triples = []
            for triple in result:  # evaluation happens here, under the server's deadline
                triples.append(triple)
                if len(triples) * 24 > job.max_bytes:
                    raise ResultTooLarge()
            serialize_triples(triples, offer.key, out, job.prefixes or None)
        else:
            result.serialize(out, RESULT_FORMATS[offer.key])
    except ResultTooLarge:
        return message(
            400,
            f"The result is larger than this server's limit of {job.max_bytes} bytes; "
            "add a LIMIT to the query or ask for fewer variables.",
        )
    except (OSError, ValueError, RuntimeError) as exc:
        return message(400, f"The query failed while it was evaluated: {exc}")
    return Reply(200, offer.content_type(), out.buffer.getvalue())


def _exit_with_parent(parent_pid: int) -> None:
    """End this process when the server is gone, even in the middle of a long query.

    (PR_SET_PDEATHSIG would fire when the *thread* that started us ends, and the server
    starts workers from short-lived threads, so a watchdog thread polls instead.)"""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(0)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def main(conn, data_path: str, parent_pid: int) -> None:
    _exit_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us
    store = ox.Store()
    store.bulk_load(path=data_path, format=ox.RdfFormat.N_TRIPLES)
    release_freed_memory()
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run(store, job)
        except Exception as exc:  # noqa: BLE001 - a reply, whatever happened
            reply = message(400, f"The query failed: {exc}")
        conn.send(reply)
        del reply
        release_freed_memory()  # after the reply is sent: not on the query's clock
