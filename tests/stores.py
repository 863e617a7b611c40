"""Start real triplestores on loopback for the publish tests and the benchmarks.

Oxigraph server (`pip install oxigraph` ships the binary) and Virtuoso 7 (Debian
`virtuoso-opensource`), each in a temporary folder of its own, on free ports, with a bounded
start-up wait. `stop()` kills the process group and removes the folder."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # a fresh Virtuoso database's default; only ever on loopback


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    folder: Path
    base: str  # http://127.0.0.1:PORT
    gsp: str  # Graph Store Protocol endpoint
    sparql: str  # SPARQL query endpoint
    user: str | None = None
    password: str | None = None
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        log = self.folder / "server.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _wait_ready(server: Server, url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log_tail()
            server.stop()
            raise RuntimeError(f"{server.name} exited during start-up:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    tail = server.log_tail()
    server.stop()
    raise RuntimeError(f"{server.name} was not ready after {timeout_s:.0f} s:\n{tail}")


def _popen(args: list[str], folder: Path) -> subprocess.Popen:
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - owned by the child
    try:
        return subprocess.Popen(
            args, cwd=folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        log.close()


def oxigraph_available() -> bool:
    return shutil.which("oxigraph") is not None


def start_oxigraph(timeout_s: float = 30.0, read_only: bool = False) -> Server:
    """`oxigraph serve` on a fresh folder; Graph Store at /store, SPARQL at /query."""
    binary = shutil.which("oxigraph")
    if binary is None:
        raise RuntimeError("the oxigraph binary is missing: pip install oxigraph")
    folder = Path(tempfile.mkdtemp(prefix="exoonto-oxigraph-"))
    port = free_port()
    verb = "serve-read-only" if read_only else "serve"
    process = _popen(
        [binary, verb, "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"], folder
    )
    base = f"http://127.0.0.1:{port}"
    server = Server("oxigraph", process, folder, base, f"{base}/store", f"{base}/query")
    _wait_ready(server, f"{base}/query?query=ASK%7B%7D", timeout_s)
    return server


def virtuoso_available() -> bool:
    return shutil.which("virtuoso-t") is not None and VIRTUOSO_INI.exists()


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, load_dir: Path | None = None,
                 buffers: int = 170000, max_rows: int = 10_000_000) -> Path:
    """A copy of Debian's virtuoso.ini with every database path in `folder`."""
    text = VIRTUOSO_INI.read_text()
    db = folder / "db"
    db.mkdir()
    for name in ("virtuoso.db", "virtuoso.log", "virtuoso.lck", "virtuoso.trx",
                 "virtuoso.pxa", "virtuoso-temp.db", "virtuoso-temp.trx"):
        text = text.replace(f"/var/lib/virtuoso-opensource-7/db/{name}", str(db / name))
    dirs = f"., /usr/share/virtuoso-opensource-7/vad, {folder}"
    if load_dir is not None:
        dirs += f", {load_dir}"
    replacements = {
        # [Parameters] ServerPort comes first in the file, [HTTPServer] ServerPort second.
        r"(?m)^ServerPort\s*=\s*1111\s*$": f"ServerPort = 127.0.0.1:{sql_port}",
        r"(?m)^ServerPort\s*=\s*8890\s*$": f"ServerPort = 127.0.0.1:{http_port}",
        r"(?m)^DirsAllowed\s*=.*$": f"DirsAllowed = {dirs}",
        r"(?m)^DefaultHost\s*=.*$": f"DefaultHost = 127.0.0.1:{http_port}",
        r"(?m)^ResultSetMaxRows\s*=.*$": f"ResultSetMaxRows = {max_rows}",
        r"(?m)^MaxQueryExecutionTime\s*=.*$": "MaxQueryExecutionTime = 600",
        r"(?m)^NumberOfBuffers\s*=.*$": f"NumberOfBuffers = {buffers}",
        r"(?m)^MaxDirtyBuffers\s*=.*$": f"MaxDirtyBuffers = {buffers * 3 // 4}",
        r"(?m)^CheckpointInterval\s*=.*$": "CheckpointInterval = 0",
    }
    for pattern, value in replacements.items():
        text, count = re.subn(pattern, value, text, count=1)
        if count != 1:
            raise RuntimeError(f"virtuoso.ini: no line matches {pattern!r}")
    ini = folder / "virtuoso.ini"
    ini.write_text(text)
    return ini


def start_virtuoso(timeout_s: float = 120.0, load_dir: Path | None = None,
                   max_rows: int = 10_000_000) -> Server:
    """`virtuoso-t -f` on a fresh database; SPARQL at /sparql, digest-auth Graph Store at
    /sparql-graph-crud-auth (user dba, password dba)."""
    binary = shutil.which("virtuoso-t")
    if binary is None or not VIRTUOSO_INI.exists():
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource")
    folder = Path(tempfile.mkdtemp(prefix="exoonto-virtuoso-"))
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = virtuoso_ini(folder, sql_port, http_port, load_dir, max_rows=max_rows)
    process = _popen([binary, "-f", "-c", str(ini)], folder)
    base = f"http://127.0.0.1:{http_port}"
    server = Server(
        "virtuoso", process, folder, base, f"{base}/sparql-graph-crud-auth", f"{base}/sparql",
        VIRTUOSO_USER, VIRTUOSO_PASSWORD, {"sql_port": sql_port, "ini": ini},
    )
    _wait_ready(server, f"{base}/sparql?query=ASK%7B%7D", timeout_s)
    return server


def isql(server: Server, statements: str, timeout_s: float = 3600.0) -> str:
    """Run SQL statements through isql-vt (bulk load, checkpoint)."""
    result = subprocess.run(
        ["isql-vt", f"127.0.0.1:{server.extra['sql_port']}", VIRTUOSO_USER, VIRTUOSO_PASSWORD,
         f"exec={statements}"],
        capture_output=True, text=True, timeout=timeout_s, check=False,
    )
    if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
        raise RuntimeError(f"isql-vt failed: {result.stdout[-2000:]} {result.stderr[-2000:]}")
    return result.stdout
