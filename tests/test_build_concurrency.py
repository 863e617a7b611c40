"""`exoonto build` validates in a second thread while it writes the release.

Regression: pyshacl-turbo looks pyoxigraph up in `sys.modules` to recognise Oxigraph
stores; when the writers imported pyoxigraph lazily, the validation thread could find it
half-imported and fail with "partially initialized module 'pyoxigraph' has no attribute
'Store'" (about one build in ten). The writers' libraries are now imported with
exoonto.build, before any thread starts."""

from __future__ import annotations

import subprocess
import sys


def test_importing_build_imports_pyoxigraph_completely():
    check = (
        "import sys, exoonto.build; "
        "module = sys.modules.get('pyoxigraph'); "
        "sys.exit(0 if module is not None and hasattr(module, 'Store') else 1)"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
