"""Benchmarks for exoonto, each peer side by side in one run. Not tests: nothing here asserts.

    python benchmarks/run.py data    --triples 100000 1000000     # benchmarks/data/*.nt
    python benchmarks/run.py build   [--triples 100000 ...]       # the review's build; build stages against size
    python benchmarks/run.py shacl   --triples 100000             # pySHACL, pyshacl-turbo, Jena SHACL
    python benchmarks/run.py load    --triples 1000000            # pyoxigraph bulk_load vs rdflib parse
    python benchmarks/run.py queries --triples 1000000            # exoonto serve, rdflib-endpoint, Oxigraph, Virtuoso

Every measurement runs in a child process under `/usr/bin/time -v` (wall time, peak RSS) with a
time limit, and is appended as one JSON line to benchmarks/raw/results.jsonl. Servers bind to
127.0.0.1 only, on free ports, and are stopped at the end."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
RAW = HERE / "raw"
REQUEST_TIMEOUT_S = 60.0  # one query; the servers get the same limit where they have one
TRIPLES_PER_FINDING = 18.3  # measured on the generator's output (studies included)
sys.path.insert(0, str(REPO))


# ------------------------------------------------------------------ plumbing


def record(entry: dict) -> dict:
    RAW.mkdir(exist_ok=True)
    entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), **entry}
    with open(RAW / "results.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(json.dumps(entry, ensure_ascii=False), flush=True)
    return entry


def timed(args: list[str], timeout_s: float, env: dict | None = None,
          count: str | None = None) -> dict:
    """Run `args` under /usr/bin/time -v: wall seconds, peak RSS (MB), exit code, and the
    last JSON line the child printed (its own inner timings); with `count`, the number of
    matches of that regex in the child's output, as "results"."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-v", "-o", report.name, *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            import signal

            os.killpg(process.pid, signal.SIGKILL)  # the measured child too, not only `time`
            process.communicate()
            return {"timeout_s": timeout_s, "wall_s": None}
        done = subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
        wall = time.perf_counter() - start
        text = report.read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    inner = {}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            inner = json.loads(line)
            break
    result = {"wall_s": round(wall, 3), "peak_rss_mb": int(rss.group(1)) // 1024 if rss else None,
              "exit": done.returncode, **inner}
    if count is not None:
        result["results"] = len(re.findall(count, done.stdout))
    if done.returncode != 0:
        result["stderr"] = done.stderr[-600:]
    return result


def data_file(triples: int) -> Path:
    path = DATA / f"synthetic-{triples}.nt"
    if not path.exists():
        make_data(triples)
    return path


def release_file(triples: int) -> Path:
    """The synthetic graph as exoonto publishes it: with the inferences the stored queries
    rely on (the classification and the rdfs:subClassOf closure that `exoonto build` adds),
    so every server answers the same queries over the same triples."""
    path = DATA / f"synthetic-{triples}.release.nt"
    if not path.exists():
        import pyoxigraph

        from exoonto.reason import materialise_store

        store = pyoxigraph.Store()
        store.bulk_load(path=str(data_file(triples)), format=pyoxigraph.RdfFormat.N_TRIPLES)
        materialise_store(store)
        store.dump(output=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES,
                   from_graph=pyoxigraph.DefaultGraph())
    return path


def findings_file(triples: int) -> Path:
    """The synthetic findings of `data_file(triples)` without the ontology and the review's
    facts (the generator is deterministic, so they are the same triples): what `exoonto
    serve` is given, since it serves the shipped release itself. Giving it the whole data
    file would duplicate the blank nodes of the shipped facts and change some answers."""
    path = DATA / f"synthetic-{triples}.findings.nt"
    if not path.exists():
        findings = max(10, round(triples / TRIPLES_PER_FINDING))
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--findings", str(findings),
                        "--seed", "1", "--out", str(path)], check=True)
    return path


def make_data(triples: int) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"synthetic-{triples}.nt"
    findings = max(10, round(triples / TRIPLES_PER_FINDING))
    args = [sys.executable, str(HERE / "generate.py"), "--findings", str(findings), "--seed", "1",
            "--with-shipped", "--out", str(path)]
    record({"bench": "generate", "triples_target": triples, "findings": findings,
            **timed(args, 3600)})
    return path


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def machine() -> dict:
    import importlib.metadata as md

    versions = {}
    for name in ("exoonto", "rdflib", "pyoxigraph", "oxigraph", "pyshacl", "pyshacl-turbo",
                 "rdflib-endpoint", "uvicorn", "httpx"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    mem = Path("/proc/meminfo").read_text().splitlines()[0]
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    virt = subprocess.run(["virtuoso-t", "--version"], capture_output=True, text=True)
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "java": java[0] if java else None,
            "virtuoso": (virt.stdout + virt.stderr).splitlines()[1:2], **versions}


# ------------------------------------------------------------------ child-side workers


def worker(kind: str, args: list[str]) -> None:
    """Runs inside the timed child; prints one JSON line of inner timings."""
    out: dict = {}
    t0 = time.perf_counter()
    if kind == "review-build":
        from exoonto.build import WRITERS, assemble, validate_release
        from exoonto.load import load_shipped
        from exoonto.reason import materialise

        t = time.perf_counter()
        loaded = load_shipped()
        out["parse_s"] = time.perf_counter() - t
        t = time.perf_counter()
        materialise(loaded.graph)
        out["reason_s"] = time.perf_counter() - t
        release, loaded = assemble()
        t = time.perf_counter()
        try:
            validate_release(release, loaded)
            out["conforms"] = True
        except Exception:  # the shipped facts may be mid-edit; the timing still counts
            out["conforms"] = False
        out["validate_s"] = time.perf_counter() - t
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            for writer in WRITERS:
                writer(release, Path(tmp))
        out["serialise_s"] = time.perf_counter() - t
        out["triples"] = len(release.knowledge_graph)
    elif kind == "build-stages":
        # the build's stages on a large graph: rdflib parse, materialise, N-Triples out
        from rdflib import Graph

        from exoonto.reason import materialise

        t = time.perf_counter()
        graph = Graph()
        graph.parse(args[0], format="nt")
        out["parse_s"] = time.perf_counter() - t
        t = time.perf_counter()
        inferred = materialise(graph)
        out["reason_s"] = time.perf_counter() - t
        out["inferred"] = len(inferred)
        t = time.perf_counter()
        graph.serialize(destination=os.devnull, format="nt")
        out["serialise_nt_s"] = time.perf_counter() - t
        out["triples"] = len(graph)
    elif kind == "pyshacl":
        from pyshacl import validate
        from rdflib import Graph
        from rdflib.namespace import SH

        from exoonto.validate import load_shapes

        shapes = load_shapes()
        t = time.perf_counter()
        data = Graph()
        data.parse(args[0], format="nt")
        out["parse_s"] = time.perf_counter() - t
        t = time.perf_counter()
        conforms, report, _ = validate(data, shacl_graph=shapes, advanced=True,
                                       allow_warnings=True, inference="none")
        out["validate_s"] = time.perf_counter() - t
        out["conforms"] = bool(conforms)
        out["results"] = len(set(report.subjects(None, SH.ValidationResult)))
    elif kind == "pyshacl-turbo":
        # as `exoonto validate FILE` runs it (without the shipped files, so every engine
        # sees the same data): the file's text handed to pyshacl-turbo, the shapes shared by
        # the command's default number of threads, then the report (a pyoxigraph Store of
        # the file is loaded only if there are results to trace back to it)
        from exoonto.load import load_files_to_store
        from exoonto.validate import default_jobs, human_report, load_shapes, validate_loaded

        shapes = load_shapes()
        out["jobs"] = int(args[1]) if len(args) > 1 else default_jobs()
        t = time.perf_counter()
        result = validate_loaded(load_files_to_store([Path(args[0])]), shapes, jobs=out["jobs"])
        out["validate_s"] = time.perf_counter() - t
        t = time.perf_counter()
        human_report(result)
        out["report_s"] = time.perf_counter() - t
        out["conforms"] = result.conforms
        out["results"] = len(result.all_results)
    elif kind == "oxigraph-load":
        import pyoxigraph

        store = pyoxigraph.Store()
        t = time.perf_counter()
        store.bulk_load(path=args[0], format=pyoxigraph.RdfFormat.N_TRIPLES)
        out["load_s"] = time.perf_counter() - t
        out["triples"] = len(store)
    elif kind == "rdflib-load":
        from rdflib import Graph

        t = time.perf_counter()
        graph = Graph()
        graph.parse(args[0], format="nt")
        out["load_s"] = time.perf_counter() - t
        out["triples"] = len(graph)
    out["inner_total_s"] = time.perf_counter() - t0
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}))


def child(kind: str, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "_worker", kind, *args]


# ------------------------------------------------------------------ benchmarks


def bench_build(sizes: list[int], repeat: int) -> None:
    """The review's build as users run it (`exoonto build`, whole process), then its stages
    timed inside one process, then the stages at size."""
    exe = shutil.which("exoonto")
    for i in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            record({"bench": "exoonto-build", "run": i, "load_avg": os.getloadavg()[0],
                    **timed([exe, "build", "--out", str(Path(tmp) / "dist")], 900)})
    for i in range(repeat):
        record({"bench": "review-build", "run": i, **timed(child("review-build"), 900)})
    for size in sizes:
        path = data_file(size)
        record({"bench": "build-stages", "triples_target": size,
                **timed(child("build-stages", str(path)), 3600)})


def bench_shacl(
    sizes: list[int], engines: list[str], timeout_s: float, jobs: int | None = None
) -> None:
    from exoonto import resources
    from exoonto.validate import load_shapes
    from tests.jena import jena_classpath

    folder = Path(tempfile.mkdtemp(prefix="exoonto-bench-"))
    shapes_file = folder / "shapes.ttl"
    shapes_file.write_text(load_shapes().serialize(format="turtle"), encoding="utf-8")
    # which shapes were measured: a digest of the installed shapes files, in name order
    shapes_digest = hashlib.sha256(
        b"".join(f.read_bytes() for f in sorted(resources.shape_files(), key=lambda f: f.name))
    ).hexdigest()[:12]
    del resources
    for size in sizes:
        path = data_file(size)
        for engine in engines:
            load_before = [round(x, 2) for x in os.getloadavg()]  # the machine is shared
            if engine == "jena":
                args = ["java", "-Xmx8g", "-cp", jena_classpath(), "shacl.shacl", "validate",
                        f"--shapes={shapes_file}", f"--data={path}"]
                result = timed(args, timeout_s, count=r"\bsh:ValidationResult\b")
                result.pop("stderr", None)
            elif engine == "pyshacl-turbo" and jobs is not None:
                result = timed(child(engine, str(path), str(jobs)), timeout_s)
            else:
                result = timed(child(engine, str(path)), timeout_s)
            record({"bench": "shacl", "engine": engine, "triples_target": size,
                    "shapes_sha256": shapes_digest, **result,
                    "loadavg_before": load_before,
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()]})
    shutil.rmtree(folder, ignore_errors=True)


def bench_load(sizes: list[int], repeat: int) -> None:
    for size in sizes:
        path = data_file(size)
        for _ in range(repeat):
            for engine in ("oxigraph-load", "rdflib-load"):
                record({"bench": "load", "engine": engine, "triples_target": size,
                        **timed(child(engine, str(path)), 3600)})


# --- servers


def _wait(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}) before it was ready")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {timeout_s} s")


class PythonServer:
    """`exoonto serve` or rdflib-endpoint in a child process, with its peak RSS sampled."""

    def __init__(self, name: str, args: list[str], url: str, ready: str, timeout_s: float):
        from tests.stores import free_port  # noqa: F401 - same helpers as the tests

        self.name, self.url = name, url
        self.log = tempfile.NamedTemporaryFile("wb", prefix=f"exoonto-{name}-", suffix=".log",
                                               delete=False)
        start = time.perf_counter()
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.peak = PeakRss(self.process.pid)
        _wait(ready, self.process, timeout_s)
        self.startup_s = round(time.perf_counter() - start, 2)

    def rss_mb(self) -> int:
        return _tree_rss_mb(self.process.pid)

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        os.unlink(self.log.name)


class PeakRss:
    """Samples the RSS of a process tree every half second, in a thread, and keeps the
    largest value: the peak while a server loads its data and answers queries."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(self.pid))
            self._stop.wait(0.5)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def _tree_rss_mb(pid: int) -> int:
    """RSS of a process and its children (worker pools), MB."""
    total = 0
    try:
        children = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True)
        pids = {int(p) for p in children.stdout.split()} | {pid}
    except FileNotFoundError:
        pids = {pid}
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total // 1024


def stored_query_texts() -> dict[str, str]:
    """Every stored query, with the test suite's parameters bound (VALUES block, the form a
    remote endpoint gets from `exoonto query --endpoint`)."""
    from exoonto import query as q

    params = json.loads((REPO / "tests" / "golden" / "params.json").read_text())
    texts = {}
    for qid, stored in q.stored_queries().items():
        texts[qid] = q.with_values(stored.text, q.bind_parameters(stored, params.get(qid, {})))
    return texts


def measure_endpoint(endpoint: str, texts: dict[str, str], clients: int, per_query: int,
                     budget_s: float) -> dict:
    """Each client sends the stored queries round-robin; stops after per_query rounds or
    budget_s seconds. Latencies are per request."""
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + budget_s
    items = list(texts.items())

    def run_client(index: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            for round_ in range(per_query):
                for k in range(len(items)):
                    if time.monotonic() > deadline:
                        return
                    _, text = items[(k + index + round_) % len(items)]
                    t = time.perf_counter()
                    try:
                        r = client.post(endpoint, data={"query": text},
                                        headers={"Accept": "application/sparql-results+json"})
                        ok = r.status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    elapsed = time.perf_counter() - t
                    with lock:
                        if ok:
                            latencies.append(elapsed)
                        else:
                            errors += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run_client, range(clients)))
    wall = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {"clients": clients, "requests": len(latencies), "errors": errors,
            "wall_s": round(wall, 2), "qps": round(len(latencies) / wall, 1) if wall else None,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None}


def per_query_latency(endpoint: str, texts: dict[str, str], repeat: int = 2,
                      budget_s: float = 300.0) -> tuple[dict, dict]:
    import httpx

    out: dict = {}
    rows: dict[str, int] = {}  # answer sizes, to compare the servers' answers
    deadline = time.monotonic() + budget_s
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for qid, text in texts.items():
            if time.monotonic() > deadline:
                out[qid] = "not run (time budget)"
                continue
            best = None
            for _ in range(repeat):
                t = time.perf_counter()
                try:
                    r = client.post(endpoint, data={"query": text},
                                    headers={"Accept": "application/sparql-results+json"})
                except httpx.TimeoutException:
                    best = f"timeout {REQUEST_TIMEOUT_S:.0f} s"
                    break
                elapsed = time.perf_counter() - t
                if r.status_code != 200:
                    best = f"HTTP {r.status_code}"
                    break
                best = elapsed if best is None else min(best, elapsed)
                rows[qid] = len(r.json()["results"]["bindings"])
            out[qid] = round(best * 1000, 1) if isinstance(best, float) else best
    return out, rows


def start_server(name: str, size: int, timeout_s: float):
    """`name` started on 127.0.0.1 with the synthetic graph of `size` triples and its
    inferences: the peers load the release file, `exoonto serve` its own release plus the
    synthetic findings (and materialises the same inferences itself)."""
    path = release_file(size)
    from tests import stores

    if name == "oxigraph":
        server = stores.start_oxigraph(timeout_s=60)
        server.peak = PeakRss(server.process.pid)
        t = time.perf_counter()
        subprocess.run(["curl", "-sf", "-X", "POST", "-H", "Content-Type: application/n-triples",
                        "--data-binary", f"@{path}", f"{server.base}/store?default"], check=True)
        server.extra["load_s"] = round(time.perf_counter() - t, 2)
        server.extra["endpoint"] = server.sparql
        return server
    if name == "virtuoso":
        load_dir = Path(tempfile.mkdtemp(prefix="exoonto-vload-"))
        os.link(path, load_dir / path.name) if os.stat(path).st_dev == os.stat(load_dir).st_dev \
            else shutil.copy(path, load_dir / path.name)
        server = stores.start_virtuoso(timeout_s=300, load_dir=load_dir)
        server.peak = PeakRss(server.process.pid)
        t = time.perf_counter()
        stores.isql(server, f"ld_dir('{load_dir}', '{path.name}', 'urn:exoonto:bench'); "
                            "rdf_loader_run(); checkpoint;")
        server.extra["load_s"] = round(time.perf_counter() - t, 2)
        shutil.rmtree(load_dir, ignore_errors=True)
        # Queries read the default graph: Virtuoso's is the union of all graphs.
        server.extra["endpoint"] = server.sparql
        return server
    from tests.stores import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if name == "exoonto-serve":
        exe = shutil.which("exoonto")
        args = [exe, "serve", "--port", str(port), "--log-level", "warning",
                "--timeout", str(REQUEST_TIMEOUT_S), "--max-result-bytes", "1000000000",
                "--max-body-bytes", "1000000", str(findings_file(size))]
        server = PythonServer(name, args, url, f"{url}/sparql?query=ASK%7B%7D", timeout_s)
        server.endpoint = f"{url}/sparql"
        return server
    if name == "rdflib-endpoint":
        script = (
            "import sys, uvicorn\n"
            "from rdflib import Graph\n"
            "from rdflib_endpoint import SparqlEndpoint\n"
            "g = Graph(); g.parse(sys.argv[1], format='nt')\n"
            "app = SparqlEndpoint(graph=g, cors_enabled=False)\n"
            "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')\n"
        )
        server = PythonServer(name, [sys.executable, "-c", script, str(path), str(port)], url,
                              f"{url}/?query=ASK%7B%7D", timeout_s)
        server.endpoint = f"{url}/"
        return server
    raise SystemExit(f"unknown server {name}")


def bench_queries(sizes: list[int], servers: list[str], clients: list[int], per_query: int,
                  budget_s: float) -> None:
    texts = stored_query_texts()
    for size in sizes:
        for name in servers:
            started = time.perf_counter()
            try:
                server = start_server(name, size, timeout_s=1800)
            except Exception as exc:  # a server that cannot start is reported, not fatal
                record({"bench": "queries", "server": name, "triples_target": size,
                        "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
                continue
            try:
                endpoint = getattr(server, "endpoint", None) or server.extra["endpoint"]
                ready_s = round(time.perf_counter() - started, 2)
                latency, rows = per_query_latency(endpoint, texts)
                record({"bench": "queries-single", "server": name, "triples_target": size,
                        "ready_s": ready_s, "per_query_ms": latency, "rows": rows})
                for n in clients:
                    result = measure_endpoint(endpoint, texts, n, per_query, budget_s)
                    rss = server.rss_mb() if hasattr(server, "rss_mb") else _tree_rss_mb(
                        server.process.pid)
                    record({"bench": "queries", "server": name, "triples_target": size,
                            "rss_mb_after": rss, **result})
            finally:
                peak = getattr(server, "peak", None)
                if peak is not None:
                    record({"bench": "queries-peak-rss", "server": name, "triples_target": size,
                            "peak_rss_mb": peak.stop()})
                server.stop()


# ------------------------------------------------------------------ command line


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_worker":
        worker(argv[1], argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="bench", required=True)
    for name in ("data", "build", "shacl", "load", "queries", "machine"):
        p = sub.add_parser(name)
        p.add_argument("--triples", type=int, nargs="*", default=[100_000])
        p.add_argument("--repeat", type=int, default=3)
        p.add_argument("--timeout", type=float, default=1800.0, help="per measurement, seconds")
        p.add_argument("--engines", nargs="*", default=["pyshacl", "pyshacl-turbo", "jena"])
        p.add_argument("--jobs", type=int, default=None,
                       help="pyshacl-turbo threads (default: exoonto validate's default)")
        p.add_argument("--servers", nargs="*",
                       default=["exoonto-serve", "oxigraph", "virtuoso", "rdflib-endpoint"])
        p.add_argument("--clients", type=int, nargs="*", default=[1, 8, 32])
        p.add_argument("--rounds", type=int, default=5, help="query rounds per client")
        p.add_argument("--budget", type=float, default=60.0, help="seconds per concurrency level")
    args = parser.parse_args(argv)
    if args.bench == "machine":
        record({"bench": "machine", **machine()})
    elif args.bench == "data":
        for size in args.triples:
            path = make_data(size)
            record({"bench": "data", "file": path.name, "triples": count_lines(path)})
    elif args.bench == "build":
        bench_build(args.triples, args.repeat)
    elif args.bench == "shacl":
        bench_shacl(args.triples, args.engines, args.timeout, args.jobs)
    elif args.bench == "load":
        bench_load(args.triples, args.repeat)
    elif args.bench == "queries":
        bench_queries(args.triples, args.servers, args.clients, args.rounds, args.budget)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
