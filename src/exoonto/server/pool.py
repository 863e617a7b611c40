"""Worker processes that run user queries under a deadline."""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass

from . import worker
from .worker import Job, Reply, message

_CONTEXT = multiprocessing.get_context("spawn")


class Worker:
    def __init__(self, data_path: str) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(
            target=worker.main,
            args=(child, data_path, os.getpid()),
            daemon=True,
            name="exoonto-query-worker",
        )
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.conn.poll(timeout):
            try:
                self.ready = self.conn.recv() == "ready"
            except (EOFError, OSError):
                self.ready = False
        return self.ready

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds a query may run
    max_result_bytes: int = 10_000_000
    max_body_bytes: int = 100_000  # request bodies and query strings
    workers: int = 2
    allow_service: frozenset[str] = frozenset()


class QueryPool:
    """`size` worker processes, each with the whole graph; a query that misses its
    deadline has its worker killed and replaced."""

    STARTUP_SECONDS = 60.0

    def __init__(self, data_path: str, limits: Limits) -> None:
        self.data_path = data_path
        self.limits = limits
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # one at a time: a worker's bulk load needs about half as much memory again as the
        # loaded store, so starting them together would set the server's peak memory
        for _ in range(max(1, limits.workers)):
            w = self._spawn()
            if not w.wait_ready(self.STARTUP_SECONDS):
                self.close()
                raise RuntimeError("a query worker process did not start")
            self._idle.put(w)

    def _spawn(self) -> Worker:
        w = Worker(self.data_path)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: Worker) -> None:
        with self._lock:
            self._all.discard(w)
        w.kill()
        if not self._closed:
            threading.Thread(target=self._replace, daemon=True).start()

    def _replace(self) -> None:
        w = self._spawn()
        if w.wait_ready(self.STARTUP_SECONDS) and not self._closed:
            self._idle.put(w)
        else:
            with self._lock:
                self._all.discard(w)
            w.kill()

    def run(self, job: Job) -> Reply:
        """Blocking: run `job` on a free worker; never longer than the time limit (plus
        the time to kill a worker)."""
        deadline = time.monotonic() + self.limits.timeout
        try:
            w = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            return message(503, "All query workers are busy; try again in a moment.")
        try:
            w.conn.send(job)
            remaining = max(0.0, deadline - time.monotonic())
            if w.conn.poll(remaining):
                reply = w.conn.recv()
                self._idle.put(w)
                return reply
        except (EOFError, OSError, BrokenPipeError):
            self._retire(w)
            return message(503, "The query worker stopped unexpectedly; try again.")
        self._retire(w)
        reply = message(
            503,
            f"The query was stopped after the time limit of {self.limits.timeout:g} s; "
            "make it more selective or add a LIMIT.",
        )
        reply.headers["Retry-After"] = "1"
        return reply

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
