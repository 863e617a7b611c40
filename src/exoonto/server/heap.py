"""Give freed heap memory back to the operating system.

glibc keeps freed memory in its arenas for reuse, so a process that once built a large
index (a bulk load, a query with a big GROUP BY) keeps that high-water mark as resident
memory for the rest of its life. The server's processes are long-lived and several hold a
copy of the graph, so they return it after each such step. Elsewhere this does nothing."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_freed_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
