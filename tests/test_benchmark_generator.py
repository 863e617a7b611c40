"""The benchmarks' synthetic-literature generator: deterministic, the asked size, and
conforming to the shapes (benchmarks/generate.py; the benchmarks themselves are not tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

import pytest

from .conftest import REPO

GENERATOR = REPO / "benchmarks" / "generate.py"
FINDING_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/exoonto/Finding> ."


def generate(*args: str) -> str:
    done = subprocess.run([sys.executable, str(GENERATOR), *args], capture_output=True,
                          text=True, check=True, timeout=300)
    return done.stdout


def test_same_seed_same_bytes_other_seed_other_bytes():
    first = generate("--findings", "300", "--seed", "7")
    assert first == generate("--findings", "300", "--seed", "7")
    assert first != generate("--findings", "300", "--seed", "8")


@pytest.mark.parametrize("findings, studies", [(1000, None), (250, 3), (17, 17)])
def test_exactly_n_findings_from_m_studies(findings, studies):
    args = ["--findings", str(findings)] + (["--studies", str(studies)] if studies else [])
    lines = generate(*args).splitlines()
    subjects = [line.split(" ", 1)[0] for line in lines if line.endswith(FINDING_TYPE)]
    assert len(subjects) == findings
    per_study = Counter(re.search(r"/finding/R(\d+)-\d{2}>$", s).group(1) for s in subjects)
    assert len(per_study) == (studies or findings // 10)
    assert max(per_study.values()) <= 99  # the finding IRI's counter has two digits
    assert min(int(n) for n in per_study) > 40  # never one of the review's 40 references


def test_output_is_ntriples_that_oxigraph_reads():
    import pyoxigraph

    text = generate("--findings", "200")
    store = pyoxigraph.Store()
    store.bulk_load(text.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert len(store) == len(text.splitlines())


@pytest.mark.slow
def test_sample_conforms_to_the_shapes(tmp_path):
    """`exoonto validate` on shipped graph + sample; if the shipped graph itself has
    violations (facts being edited), none of the results may concern the sample's nodes."""
    sample = tmp_path / "sample.nt"
    sample.write_text(generate("--findings", "30", "--studies", "3", "--seed", "3"),
                      encoding="utf-8")
    done = subprocess.run(["exoonto", "validate", str(sample)], capture_output=True, text=True,
                          timeout=1800)
    if done.returncode == 0:
        return
    assert done.returncode == 1, done.stderr
    from exoonto.load import load_shipped
    from exoonto.validate import validate_loaded

    result = validate_loaded(load_shipped([sample]))
    sample_nodes = re.compile(r"/(finding|reference|exosome)/R1\d{3}\b")
    mine = [r.message for r in result.results if sample_nodes.search(str(r.focus))]
    assert not mine, mine
