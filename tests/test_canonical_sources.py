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


def test_blank_node_labels_do_not_depend_on_hash_seed(tmp_path):
    """Equal sub-structures in different places (two identical OWL lists) must still get
    labels that do not depend on set order (regression: they were swapped between runs)."""
    import os
    import subprocess
    import sys

    source = tmp_path / "lists.ttl"
    source.write_text(
        "@prefix ex: <http://example.org/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "ex:A owl:equivalentClass [ owl:unionOf ( ex:x ex:y [ owl:unionOf ( ex:x ex:y ) ] ) ] .\n"
        "ex:B owl:equivalentClass [ owl:unionOf ( ex:x ex:y [ owl:unionOf ( ex:x ex:y ) ] ) ] .\n",
        encoding="utf-8",
    )
    code = (
        "import sys; from pathlib import Path; from exoonto.build import ntriples;"
        "from exoonto.load import parse_turtle;"
        "sys.stdout.write(ntriples(parse_turtle(Path(sys.argv[1]))))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, str(source)], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1
    # per class: equivalentClass, outer unionOf, 3 list cells x 2, inner unionOf, 2 cells x 2
    assert len(next(iter(outputs)).splitlines()) == 2 * (1 + 1 + 3 * 2 + 1 + 2 * 2)
