from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REVIEW_TEXT = SHARED / "review" / "000_bc46b0d17b87b5b2.txt"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def review_text() -> str:
    return REVIEW_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def java() -> str:
    path = shutil.which("java")
    assert path, "Java is required for these tests (.ci/run installs default-jre-headless)"
    return path


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory) -> Path:
    """One release built by the installed package, shared by read-only tests."""
    from exoonto.build import build

    out = tmp_path_factory.mktemp("release") / "dist"
    build(out)
    return out
