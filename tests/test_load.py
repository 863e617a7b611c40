"""A load test on loopback: 32 concurrent clients send 2,048 requests (stored queries,
SELECTs, IRI dereferences, pages) to one `exoonto serve` with its default limits and two
query workers. Every answer must be right: status 200 and the same bytes as the answer to
the same request sent alone beforehand. Timing is measured, not asserted.

With EXOONTO_RECORD_LOAD=1 the figures are written as the "Load test" section of
benchmarks/results.md (the rest of that file is left as it is)."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import threading
import time
from pathlib import Path

import httpx
import pytest

from .serverproc import running_server

CLIENTS = 32
PER_CLIENT = 64  # 2,048 requests in all
RESULTS_MD = Path(__file__).resolve().parents[1] / "benchmarks" / "results.md"
SECTION = "## Load test"

SELECT_REFERENCES = (
    "PREFIX exo: <https://w3id.org/exoonto/>\n"
    "SELECT (COUNT(DISTINCT ?r) AS ?references) WHERE { ?r exo:referenceNumber ?n }"
)
SELECT_FINDINGS = (
    "PREFIX exo: <https://w3id.org/exoonto/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?finding ?label WHERE { ?finding exo:citesStudy/exo:referenceNumber 27 ; "
    "rdfs:label ?label FILTER(lang(?label) = 'en') } ORDER BY ?finding"
)

# (kind, method, path, params, headers)
MIX = [
    ("stored query", "GET", "/queries/cq01", {}, {"Accept": "application/sparql-results+json"}),
    ("stored query", "GET", "/queries/cq10", {}, {"Accept": "text/csv"}),
    ("stored query", "GET", "/queries/cq14", {"ref": "27"}, {"Accept": "application/sparql-results+json"}),
    ("stored query", "GET", "/queries/cq15", {"term": "osteoclast"}, {"Accept": "text/csv"}),
    ("stored query", "GET", "/queries/x01", {}, {"Accept": "text/tab-separated-values"}),
    ("SELECT", "GET", "/sparql", {"query": SELECT_REFERENCES}, {"Accept": "application/sparql-results+json"}),
    ("SELECT", "POST", "/sparql", {"query": SELECT_FINDINGS}, {"Accept": "text/csv"}),
    ("IRI", "GET", "/finding/R27-01", {}, {"Accept": "text/turtle"}),
    ("IRI", "GET", "/exosome/R27-osteoclast", {}, {"Accept": "application/n-triples"}),
    ("IRI", "GET", "/Osteoclast", {}, {"Accept": "application/ld+json"}),
    ("page", "GET", "/", {}, {"Accept": "text/html"}),
    ("page", "GET", "/finding/R27-01", {}, {"Accept": "text/html"}),
    ("page", "GET", "/queries", {}, {"Accept": "text/html"}),
]


def send(client: httpx.Client, base: str, item) -> httpx.Response:
    _kind, method, path, params, headers = item
    if method == "POST":
        return client.post(base + path, data=params, headers=headers)
    return client.get(base + path, params=params, headers=headers)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("load"), "--workers", "2") as srv:
        yield srv


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def test_32_concurrent_clients_get_only_right_answers(server):
    with httpx.Client(timeout=60, trust_env=False) as client:
        expected = {}
        for i, item in enumerate(MIX):
            r = send(client, server.url, item)
            assert r.status_code == 200, (item, r.status_code, r.text[:300])
            expected[i] = r.content
    # sanity of the reference answers themselves
    assert b'"40"' in expected[5]
    assert b"R27-01" in expected[6] and b"R27-05" in expected[6]
    assert b"osteoclast" in expected[3].lower()

    latencies: list[float] = []
    errors: list[tuple] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(CLIENTS)

    def client_run(number: int) -> None:
        mine: list[float] = []
        wrong: list[tuple] = []
        with httpx.Client(timeout=60, trust_env=False) as own:
            start_gate.wait()
            for k in range(PER_CLIENT):
                index = (number * 7 + k) % len(MIX)
                item = MIX[index]
                t0 = time.perf_counter()
                try:
                    r = send(own, server.url, item)
                    status, body = r.status_code, r.content
                except httpx.HTTPError as exc:
                    status, body = None, repr(exc).encode()
                mine.append(time.perf_counter() - t0)
                if status != 200 or body != expected[index]:
                    wrong.append((item[0], item[2], status, body[:200]))
        with lock:
            latencies.extend(mine)
            errors.extend(wrong)

    threads = [threading.Thread(target=client_run, args=(n,)) for n in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    elapsed = time.perf_counter() - began
    assert not any(t.is_alive() for t in threads), "clients did not finish within 300 s"

    total = CLIENTS * PER_CLIENT
    assert len(latencies) == total
    assert errors == [], f"{len(errors)} of {total} answers wrong, e.g. {errors[:3]}"
    figures = {
        "requests": total,
        "clients": CLIENTS,
        "seconds": elapsed,
        "throughput": total / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
    }
    print(
        f"\nload: {total} requests from {CLIENTS} clients in {elapsed:.1f} s: "
        f"{figures['throughput']:.0f} req/s, p50 {figures['p50_ms']:.0f} ms, "
        f"p99 {figures['p99_ms']:.0f} ms, max {figures['max_ms']:.0f} ms, 0 errors"
    )
    assert server.alive()
    if os.environ.get("EXOONTO_RECORD_LOAD") == "1":
        record(figures)


def record(figures: dict) -> None:
    """Write (or replace) only the "Load test" section of benchmarks/results.md, reading the
    file right before writing: a colleague maintains the rest."""
    section = "\n".join(
        [
            SECTION,
            "",
            f"`tests/test_load.py` (run {datetime.date.today().isoformat()}, with "
            "`EXOONTO_RECORD_LOAD=1` to update this section): one `exoonto serve` with its default "
            "limits and 2 query workers, on loopback; "
            f"{figures['clients']} concurrent clients (threads, one HTTP/1.1 keep-alive connection "
            f"each) send {figures['requests']:,} requests in all, a fixed rotation over "
            f"{len(MIX)} requests (stored queries cq01, cq10, cq14, cq15, x01; two SELECTs; three "
            "IRIs as Turtle, N-Triples, JSON-LD; three HTML pages). Every answer "
            "is checked byte for byte against the same request sent alone first.",
            "",
            "| requests | clients | errors | wall time | throughput | p50 | p99 | max |",
            "|---|---|---|---|---|---|---|---|",
            f"| {figures['requests']:,} | {figures['clients']} | 0 | {figures['seconds']:.1f} s "
            f"| {figures['throughput']:.0f} req/s | {figures['p50_ms']:.0f} ms "
            f"| {figures['p99_ms']:.0f} ms | {figures['max_ms']:.0f} ms |",
            "",
            f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}; the clients run on the same machine and share its "
            "cores with the server and its workers, so these figures are a floor, not a capacity.",
            "",
        ]
    )
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + ("\n\n" if text.strip() else "") + section
    RESULTS_MD.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
