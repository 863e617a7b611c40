"""Markdown tables for results.md from benchmarks/raw/results.jsonl: the latest stored-query
run per server and size, with the ratios the issue asks for.

    python benchmarks/summarise.py queries --triples 100000 1000000 [--since 2026-11-30T05:30]

Per-query ratios are time(peer) / time(exoonto serve) over the queries both answered; a
query the peer did not answer within the limit counts as at least the limit (60 s), so the
ratio for it is a lower bound and is marked ">=".
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

RAW = Path(__file__).resolve().parent / "raw" / "results.jsonl"
SERVERS = ("exoonto-serve", "oxigraph", "virtuoso", "rdflib-endpoint")
TITLES = {"exoonto-serve": "exoonto serve", "oxigraph": "Oxigraph server",
          "virtuoso": "Virtuoso 7", "rdflib-endpoint": "rdflib-endpoint"}
LIMIT_MS = 60_000.0


def entries(since: str) -> list[dict]:
    with open(RAW, encoding="utf-8") as handle:
        return [e for e in map(json.loads, handle) if e.get("at", "") >= since]


def latest(found: list[dict], bench: str, server: str, size: int) -> list[dict]:
    """The entries of the last run of `bench` for (server, size), in order."""
    rows = [e for e in found if e.get("bench") == bench and e.get("server") == server
            and e.get("triples_target") == size]
    if bench != "queries":
        return rows[-1:]
    # the concurrency levels of the last run: the trailing entries with increasing clients
    run: list[dict] = []
    for entry in reversed(rows):
        if run and entry["clients"] >= run[0]["clients"]:
            break
        run.insert(0, entry)
    return run


def ms(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def single_table(found: list[dict], size: int) -> str:
    single = {s: latest(found, "queries-single", s, size) for s in SERVERS}
    single = {s: e[0] for s, e in single.items() if e}
    servers = [s for s in SERVERS if s in single]
    queries = list(single.get("exoonto-serve", next(iter(single.values())))["per_query_ms"])
    lines = ["| query | " + " | ".join(TITLES[s] for s in servers) + " |",
             "|---" * (len(servers) + 1) + "|"]
    for qid in queries:
        cells = []
        for s in servers:
            value = single[s]["per_query_ms"].get(qid)
            rows = single[s].get("rows", {}).get(qid)
            cells.append(f"{value:,.0f} ms ({rows} rows)" if ms(value) is not None else str(value))
        lines.append(f"| {qid} | " + " | ".join(cells) + " |")
    lines.append("| ready (load) | " + " | ".join(
        f"{single[s]['ready_s']:.1f} s" for s in servers) + " |")
    return "\n".join(lines)


def ratio_lines(found: list[dict], size: int) -> str:
    single = {s: latest(found, "queries-single", s, size) for s in SERVERS}
    single = {s: e[0] for s, e in single.items() if e}
    if "exoonto-serve" not in single:
        return "(no exoonto serve run)"
    own = single["exoonto-serve"]
    out = []
    for peer in SERVERS[1:]:
        if peer not in single:
            continue
        ratios, bounded, differing, skipped = [], 0, [], 0
        for qid, mine in own["per_query_ms"].items():
            theirs = single[peer]["per_query_ms"].get(qid)
            if ms(mine) is None:
                skipped += 1
                continue
            if ms(theirs) is None:
                if isinstance(theirs, str) and theirs.startswith("timeout"):
                    ratios.append(LIMIT_MS / mine)
                    bounded += 1
                else:
                    skipped += 1
                continue
            ratios.append(theirs / mine)
            if single[peer].get("rows", {}).get(qid) != own.get("rows", {}).get(qid):
                differing.append(qid)
        if not ratios:
            continue
        geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
        text = (f"- {TITLES[peer]}: geometric mean of time({TITLES[peer]}) / time(exoonto serve) "
                f"over {len(ratios)} queries = **{'>=' if bounded else ''}{geomean:.2f}x** "
                f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x")
        text += f"; {bounded} timed out at 60 s, counted as 60 s" if bounded else ""
        text += f"; {skipped} not run or failed" if skipped else ""
        text += ")"
        if differing:
            text += f"; answer sizes differ from exoonto serve on {', '.join(differing)}"
        out.append(text + ".")
    return "\n".join(out)


def concurrency_table(found: list[dict], size: int) -> str:
    lines = ["| server | clients | requests | errors | p50 | p99 | q/s | RSS after | peak RSS |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in SERVERS:
        peak = latest(found, "queries-peak-rss", s, size)
        peak_text = f"{peak[0]['peak_rss_mb']:,} MB" if peak else "-"
        for e in latest(found, "queries", s, size):
            p50 = f"{e['p50_ms']:,.0f} ms" if e.get("p50_ms") is not None else "-"
            p99 = f"{e['p99_ms']:,.0f} ms" if e.get("p99_ms") is not None else "-"
            lines.append(f"| {TITLES[s]} | {e['clients']} | {e['requests']} | {e['errors']} | "
                         f"{p50} | {p99} | {e['qps']} | {e.get('rss_mb_after', '-'):,} MB | "
                         f"{peak_text} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bench", choices=["queries"])
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000])
    parser.add_argument("--since", default="", help="ignore entries before this ISO time")
    args = parser.parse_args()
    found = entries(args.since)
    for size in args.triples:
        print(f"### {size:,} triples\n")
        print(single_table(found, size), "\n")
        print(ratio_lines(found, size), "\n")
        print(concurrency_table(found, size), "\n")


if __name__ == "__main__":
    main()
