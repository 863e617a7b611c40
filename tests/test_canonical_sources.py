"""Committed RDF sources are in exoonto's one canonical serialization."""

from __future__ import annotations

import pytest

from exoonto.canonical import canonical_turtle, is_canonical
from exoonto.load import parse_turtle

from .conftest import REPO

SOURCES = sorted(
    p for folder in ("ontology", "facts", "shapes") for p in (REPO / folder).glob("*.ttl")
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_source_is_canonical(path):
    assert is_canonical(path), (
        f"{path.relative_to(REPO)} is not in canonical form: run "
        f"'exoonto fmt {path.relative_to(REPO)}' and commit the result"
    )


def test_canonical_form_is_a_fixed_point(tmp_path):
    source = tmp_path / "x.ttl"
    source.write_text(
        "@prefix ex: <http://example.org/> .\nex:b ex:p [ ex:q 1 ] .\nex:a ex:p ex:c , ex:b .\n",
        encoding="utf-8",
    )
    once = canonical_turtle(parse_turtle(source))
    source.write_text(once, encoding="utf-8")
    assert canonical_turtle(parse_turtle(source)) == once
    assert once.index("ex:a") < once.index("ex:b")
