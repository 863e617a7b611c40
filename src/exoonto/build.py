"""`exoonto build`: write the release, atomically and byte-for-byte deterministically."""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Graph

from . import __version__
from .errors import CheckFailed, InputError, OutputError
from .formats import GraphForms, ntriples, rdfxml  # noqa: F401  (the server imports the last two from here)
from .load import LoadedGraph, load_shipped
from .namespaces import new_graph
from .reason import materialise


@dataclass
class Release:
    """The graphs a release is written from; they do not change once assembled, so the
    writers share one canonical copy and one serialisation of each format per graph."""

    ontology: Graph
    knowledge_graph: Graph  # ontology + facts + materialised inferences
    inferred: Graph
    version: str

    @cached_property
    def ontology_forms(self) -> GraphForms:
        return GraphForms(self.ontology)

    @cached_property
    def kg_forms(self) -> GraphForms:
        return GraphForms(self.knowledge_graph)


def assemble(extra: tuple[Path, ...] = ()) -> tuple[Release, LoadedGraph]:
    from .load import load_ontology

    loaded = load_shipped(extra)
    ontology = load_ontology()
    inferred = materialise(loaded.graph)
    kg = new_graph()
    for triple in loaded.graph:
        kg.add(triple)
    for triple in inferred:
        kg.add(triple)
    return Release(ontology, kg, inferred, __version__), loaded


Writer = Callable[[Release, Path], None]


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_ontology(release: Release, out: Path) -> None:
    _write_text(out / "exoonto.ttl", release.ontology_forms.turtle)
    _write_text(out / "exoonto.owl", release.ontology_forms.rdfxml)


def write_knowledge_graph(release: Release, out: Path) -> None:
    _write_text(out / "exoonto-kg.ttl", release.kg_forms.turtle)


WRITERS: list[Writer] = [write_ontology, write_knowledge_graph]

# A release folder holds this marker; build refuses to replace a folder without it.
RELEASE_MARKER = ".exoonto-release"


def check_replaceable(out: Path) -> None:
    """Refuse to replace anything but an empty folder or an earlier exoonto release, so
    `exoonto build --out ~` can never delete a user's files."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise InputError(f"{out} exists and is not a folder: choose another --out folder.")
    if any(out.iterdir()) and not (out / RELEASE_MARKER).is_file():
        raise InputError(
            f"{out} is not empty and is not an exoonto release (no {RELEASE_MARKER} file), "
            "so build will not replace it: choose an empty or new --out folder."
        )


def write_marker(release: Release, out: Path) -> None:
    _write_text(
        out / RELEASE_MARKER,
        f"exoonto release {release.version}\n"
        "This folder is written by 'exoonto build' and is replaced by the next build.\n",
    )


def validate_release(release: Release, loaded: LoadedGraph) -> None:
    from .validate import validate_loaded

    result = validate_loaded(loaded)
    if not result.conforms:
        raise CheckFailed(
            f"the graph does not conform to the shapes ({len(result.results)} violations); "
            "no release was written: run 'exoonto validate' for the details."
        )


def build(
    out: Path, extra: tuple[Path, ...] = (), validate: bool = True, hermit: bool = False
) -> list[Path]:
    """Build the release into `out`: parse, reason (the JVM-free materialisation, and HermiT
    too if `hermit`), validate, serialise. Everything is written to a temporary folder
    beside `out` and moved into place only when every step succeeded, so a failed build
    leaves the previous release untouched."""
    check_replaceable(out.absolute())
    with cyclic_gc_paused():
        release, loaded = assemble(extra)
        if hermit:
            from .reason import check_consistent

            check_consistent(loaded.graph)
        validation = Validation.start(release, loaded) if validate else Validation.skipped()
        try:
            out = out.resolve()
            check_replaceable(out)
            _write_atomically(release, out, before_swap=validation.wait)
        except OSError as exc:
            validation.wait()  # a graph that does not conform is reported before a write error
            raise OutputError(
                f"the release cannot be written into {out} ({exc.strerror or exc}); "
                "the previous release, if any, is unchanged."
            ) from None
        finally:
            validation.wait_quietly()
    return sorted(p for p in out.rglob("*") if p.is_file())


class Validation:
    """SHACL validation of the release, run beside the writers: it takes a quarter of the
    build and the writers do not need its result, so where the platform can fork it runs
    in a forked process (a thread would only contend for the interpreter lock) and the
    release is moved into place only after `wait()` found it conforming."""

    def __init__(self, process=None, receiver=None, error: Exception | None = None) -> None:
        self._process, self._receiver, self._error = process, receiver, error
        self._done = process is None

    @classmethod
    def skipped(cls) -> Validation:
        return cls()

    @classmethod
    def start(cls, release: Release, loaded: LoadedGraph) -> Validation:
        if "fork" not in multiprocessing.get_all_start_methods():
            try:
                validate_release(release, loaded)
            except CheckFailed as exc:
                return cls(error=exc)
            return cls()
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_validate_and_report, args=(release, loaded, sender), daemon=True
        )
        process.start()
        sender.close()
        return cls(process, receiver)

    def wait(self) -> None:
        """Block until validation ends; raise CheckFailed if the graph does not conform."""
        if not self._done:
            self._done = True
            try:
                outcome = self._receiver.recv()
            except EOFError:
                outcome = ("crash", "the validation process ended without a result")
            self._process.join()
            self._receiver.close()
            if outcome is not None:
                kind, message = outcome
                self._error = CheckFailed(message) if kind == "CheckFailed" else RuntimeError(message)
        if self._error is not None:
            raise self._error

    def wait_quietly(self) -> None:
        """End the validation process if nobody waited for it (an earlier step failed)."""
        if not self._done:
            self._done = True
            self._process.kill()
            self._process.join()
            self._receiver.close()


def _validate_and_report(release: Release, loaded: LoadedGraph, sender) -> None:
    try:
        validate_release(release, loaded)
        sender.send(None)
    except CheckFailed as exc:
        sender.send(("CheckFailed", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        sender.send(("crash", f"validation failed unexpectedly: {type(exc).__name__}: {exc}"))
    finally:
        sender.close()


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. A build keeps some 150,000 container
    objects alive (the graphs) and makes next to no cyclic garbage, so each full collection
    walks the graphs for nothing; pausing it saves about a tenth of the build's time, for a
    couple of megabytes more memory. The collector's state is restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_atomically(
    release: Release, out: Path, before_swap: Callable[[], None] = lambda: None
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        for writer in WRITERS:
            writer(release, staging)
        write_marker(release, staging)
        before_swap()
        _swap_into_place(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap_into_place(staging: Path, out: Path) -> None:
    previous = out.with_name(f".{out.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if out.exists():
        out.rename(previous)
    try:
        staging.rename(out)
    except BaseException:
        # put the previous release back, so a failed build never leaves `out` missing
        if previous.exists() and not out.exists():
            previous.rename(out)
        raise
    if previous.exists():
        shutil.rmtree(previous)


# The rest of the release (JSON-LD, N-Triples, SPARQL examples, SSSOM, Figure 1, HTML docs,
# VoID, the versioned copy); imported here, at the end, because those modules use the
# helpers above. The order matters: void.ttl records the size of the files written before
# it, and the versioned copy copies everything written before it, so it stays last.
from .figure import write_figure  # noqa: E402
from .release import (  # noqa: E402
    write_jsonld_and_ntriples,
    write_sparql_examples,
    write_sssom,
    write_versioned_copy,
    write_void,
)
from .site import write_docs  # noqa: E402

WRITERS.extend(
    [
        write_jsonld_and_ntriples,
        write_sparql_examples,
        write_sssom,
        write_figure,
        write_docs,
        write_void,
        write_versioned_copy,
    ]
)
