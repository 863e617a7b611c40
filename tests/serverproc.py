"""`exoonto serve` as a subprocess on a free loopback port, for the security, fuzzing and
load tests (started as tests/test_server.py does), and raw HTTP over a socket: httpx and
urllib normalise paths (`..`, `%2e`), which would hide path-traversal attempts."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 90
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def running_server(folder: Path, *options: str) -> Iterator[Server]:
    """Start `exoonto serve --port N OPTIONS` and wait until it answers; kill it (and its
    query workers: a new session, killed as a group) afterwards."""
    port = free_port()
    log = folder / "serve.log"
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["exoonto", "serve", "--port", str(port), "--log-level", "warning", *options],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    server = Server(f"http://{LOOPBACK}:{port}", port, process, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"exoonto serve exited with {process.returncode}:\n{server.log_text()}")
            try:
                if httpx.get(server.url + "/", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"exoonto serve did not answer in {STARTUP_SECONDS} s:\n{server.log_text()}")
            time.sleep(0.3)
        yield server
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


@dataclass
class RawResponse:
    status: int
    head: bytes
    body: bytes

    def header(self, name: str) -> str | None:
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == name.lower().encode():
                return value.strip().decode("latin-1")
        return None


def raw_request(
    port: int,
    target: bytes | str,
    method: str = "GET",
    headers: tuple[bytes, ...] = (),
    body: bytes = b"",
    timeout: float = 30,
) -> RawResponse:
    """Send exactly these bytes as an HTTP/1.1 request (no normalisation of `target`) and
    read the whole answer (the connection is closed by the server)."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    request = method.encode() + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    request += b"".join(h + b"\r\n" for h in headers)
    chunked = any(h.lower().startswith(b"transfer-encoding:") for h in headers)
    if body and not chunked:
        request += b"Content-Length: %d\r\n" % len(body)
    request += b"\r\n" + body
    data = b""
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413) before reading everything; read its answer
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[1].isdigit():
        raise ConnectionError(f"no HTTP answer to {method} {target!r}: {data[:200]!r}")
    return RawResponse(int(status_line[1]), head, rest)
