"""Run Apache Jena's command-line tools (Debian's libapache-jena-java) from tests.

Two traps of the Debian package are handled here (see /work/shared/TOOLING.md):

* ``java -cp '/usr/share/java/*'`` dies on duplicate slf4j bindings, so the classpath is an
  explicit list of the jars Jena needs;
* Debian moved Jena's bundled xerces classes to the package ``xerces.*`` but left their
  message bundles under ``org/apache/jena/ext/xerces/``; datatype checks then fail with
  ``internal error at xerces.impl.dv.xs.XSSimpleTypeDecl.applyFacets1``. A small extra jar,
  built once into a cache folder, carries copies of those ``.properties`` files under
  ``xerces/...``.

Usage::

    from tests.jena import run_jena
    done = run_jena("shacl.shacl", "validate", "--shapes=s.ttl", "--data=d.ttl")
    done = run_jena("arq.sparql", "--data=d.ttl", "--query=q.rq", "--results=json")

``run_jena`` returns the ``subprocess.CompletedProcess`` (text mode); it never raises on a
non-zero exit code, so the caller decides what a failure means.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

JAVA_DIR = Path(os.environ.get("EXOONTO_JENA_JAVA_DIR", "/usr/share/java"))

JENA_JARS = [
    f"jena-{name}"
    for name in (
        "arq", "base", "cmds", "core", "dboe-base", "dboe-index", "dboe-storage",
        "dboe-trans-data", "dboe-transaction", "iri", "rdfconnection", "shacl", "shex",
        "tdb", "tdb2",
    )
]
DEPENDENCY_JARS = [
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
    "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore",
    "jackson-core", "jackson-databind", "jackson-annotations", "jsonld-java",
    "jakarta.json-api", "titanium-json-ld", "slf4j-api", "slf4j-simple", "thrift", "protobuf",
]

_XERCES_PREFIX = "org/apache/jena/ext/xerces/"
# Faster start-up for short-lived command-line runs; results are unaffected.
JVM_OPTIONS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"]


def cache_dir() -> Path:
    """Where the extra jar is built: $EXOONTO_TEST_CACHE, else a per-user temp folder."""
    base = os.environ.get("EXOONTO_TEST_CACHE")
    folder = Path(base) if base else Path(tempfile.gettempdir()) / f"exoonto-test-cache-{os.getuid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def jena_available() -> bool:
    return shutil.which("java") is not None and (JAVA_DIR / "jena-core.jar").is_file()


def _xerces_bundle_jar(jena_core: Path) -> Path:
    """Build (once per jena-core.jar content) the jar of xerces message bundles."""
    digest = hashlib.sha256(jena_core.read_bytes()).hexdigest()[:16]
    target = cache_dir() / f"jena-xerces-messages-{digest}.jar"
    if target.is_file():
        return target
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".jar.tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(jena_core) as source, zipfile.ZipFile(
            tmp_name, "w", zipfile.ZIP_DEFLATED
        ) as extra:
            for name in source.namelist():
                if name.startswith(_XERCES_PREFIX) and name.endswith(".properties"):
                    extra.writestr("xerces/" + name[len(_XERCES_PREFIX):], source.read(name))
        os.replace(tmp_name, target)  # atomic: parallel test workers may race here
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


@lru_cache(maxsize=1)
def jena_classpath() -> str:
    """The classpath that runs Jena 4.5's commands on Debian, as one string."""
    jars = [JAVA_DIR / f"{name}.jar" for name in (*JENA_JARS, *DEPENDENCY_JARS)]
    missing = [str(jar) for jar in jars if not jar.is_file()]
    if missing:
        raise FileNotFoundError(f"Jena jars missing: {', '.join(missing)}")
    jars.append(_xerces_bundle_jar(JAVA_DIR / "jena-core.jar"))
    return os.pathsep.join(str(jar) for jar in jars)


def run_jena(
    main_class: str,
    *args: str | os.PathLike,
    timeout: float = 120,
    cwd: str | os.PathLike | None = None,
    jvm_options: Sequence[str] = (),
) -> subprocess.CompletedProcess:
    """Run one Jena main class (``riotcmd.riot``, ``arq.sparql``, ``shacl.shacl``, ...)."""
    java = shutil.which("java")
    if java is None:
        raise FileNotFoundError("java is not on PATH")
    command = [
        java, *JVM_OPTIONS, *jvm_options, "-cp", jena_classpath(), main_class,
        *(os.fspath(arg) for arg in args),
    ]
    return subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", timeout=timeout, cwd=cwd
    )
