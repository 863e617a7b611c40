"""Stored SPARQL queries: golden answers, engine agreement, the lint and the CLI.

Golden files (tests/golden/<id>.csv) were written from a reading of the review, not from the
facts; see tests/golden/README.md. A golden cell is matched exactly, except that an empty
cell means "unbound" and a cell starting with "~" means "contains the rest" (for sentences
whose exact span or English rendering is the curators' choice).
"""

from __future__ import annotations

import csv
import json
import re
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from exoonto import query as q

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
BAD = HERE / "queries_bad"
PARAMS = json.loads((GOLDEN / "params.json").read_text(encoding="utf-8"))
STORED = q.stored_queries()
QUERY_IDS = list(STORED)
CQ_IDS = [f"cq{n:02d}" for n in range(1, 21)]


# --- fixtures: the release graph, built once --------------------------------------------


@pytest.fixture(scope="session")
def release_graph():
    from exoonto.build import assemble

    release, _loaded = assemble()
    return release.knowledge_graph


@pytest.fixture(scope="session")
def release_nt(release_graph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("queries") / "release.nt"
    path.write_bytes(release_graph.serialize(format="nt", encoding="utf-8"))
    return path


@pytest.fixture(scope="session")
def store(release_nt):
    import pyoxigraph

    s = pyoxigraph.Store()
    s.bulk_load(path=str(release_nt), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return s


@pytest.fixture(scope="session")
def oxigraph_results(store) -> dict[str, q.Result]:
    return {
        qid: q.run_oxigraph(STORED[qid], q.bind_parameters(STORED[qid], PARAMS.get(qid, {})), store)
        for qid in QUERY_IDS
    }


@pytest.fixture(scope="session")
def jena_results(release_nt, oxigraph_results, tmp_path_factory) -> dict[str, q.Result]:
    """Every stored query in ONE Jena launch: each becomes a sub-select tagged with its id
    (parameters bound by the VALUES block a remote endpoint would get), joined by UNION."""
    from tests import jena

    assert jena.jena_available(), "Jena (libapache-jena-java) and Java are needed (.ci/run installs them)"
    prologue: dict[str, str] = {}
    branches = []
    for qid in QUERY_IDS:
        stored = STORED[qid]
        text = q.with_values(stored.text, q.bind_parameters(stored, PARAMS.get(qid, {})))
        tokens = q.tokenize(text)
        prologue.update(q._prefixes(tokens))
        select = next(t for t in tokens if t.kind == "word" and t.text.upper() == "SELECT")
        branches.append(f'{{ {{ {text[select.start:]} }} BIND("{qid}" AS ?__qid) }}')
    combined = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prologue.items()))
    combined += "SELECT * WHERE {\n" + "\nUNION\n".join(branches) + "\n}\n"
    query_file = tmp_path_factory.mktemp("jena") / "all.rq"
    query_file.write_text(combined, encoding="utf-8")
    done = jena.run_jena(
        "arq.sparql", f"--data={release_nt}", f"--query={query_file}", "--results=json"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    merged = q.from_sparql_json(json.loads(done.stdout))
    results = {}
    for qid in QUERY_IDS:
        columns = oxigraph_results[qid].columns
        index = {c: i for i, c in enumerate(merged.columns)}
        rows = [
            tuple(row[index[c]] if c in index else None for c in columns)
            for row in merged.rows
            if row[index["__qid"]] is not None and row[index["__qid"]].value == qid
        ]
        results[qid] = q.Result(columns, rows)
    return results


# --- golden comparison ---------------------------------------------------------------------


def read_golden(qid: str) -> tuple[list[str], list[tuple[str, ...]]]:
    with (GOLDEN / f"{qid}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        columns = next(reader)
        return columns, [tuple(row) for row in reader if row]


def cell_matches(expected: str, actual: str) -> bool:
    if expected.startswith("~"):
        return expected[1:] in actual
    return expected == actual


def unmatched(golden: list[tuple[str, ...]], actual: list[tuple[str, ...]]):
    """A maximum one-to-one matching of golden rows to actual rows; returns the golden rows
    and actual rows left over."""
    actual = sorted(set(actual))
    edges = [
        [j for j, row in enumerate(actual) if all(cell_matches(e, a) for e, a in zip(g, row, strict=False))]
        for g in golden
    ]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    matched = {i for i in range(len(golden)) if augment(i, set())}
    missing = [golden[i] for i in range(len(golden)) if i not in matched]
    extra = [actual[j] for j in range(len(actual)) if j not in owner]
    return missing, extra


def test_every_competency_question_has_a_stored_query_and_a_golden_answer():
    assert [qid for qid in CQ_IDS if qid not in STORED] == []
    assert [qid for qid in QUERY_IDS if not (GOLDEN / f"{qid}.csv").is_file()] == []
    for qid, stored in STORED.items():
        assert q.FILE_NAME.match(stored.source), stored.source
        assert stored.source.startswith(qid + "-")


@pytest.mark.parametrize("qid", QUERY_IDS)
def test_golden_answer(qid, oxigraph_results):
    columns, golden = read_golden(qid)
    result = oxigraph_results[qid]
    assert result.columns == columns
    missing, extra = unmatched(golden, result.values())
    assert (missing, extra) == ([], []), (
        f"{qid}: golden rows not in the answer: {missing}; answer rows not in golden: {extra}"
    )


@pytest.mark.parametrize("qid", QUERY_IDS)
def test_finding_rows_carry_ref_and_study(qid, oxigraph_results):
    columns = oxigraph_results[qid].columns
    if qid in ("cq15",):
        return  # a term, not a finding
    assert "ref" in columns and "study" in columns


# --- engines agree ---------------------------------------------------------------------------


@pytest.mark.parametrize("qid", QUERY_IDS)
def test_rdflib_agrees(qid, release_graph, oxigraph_results):
    stored = STORED[qid]
    result = q.run_rdflib(stored, q.bind_parameters(stored, PARAMS.get(qid, {})), release_graph)
    assert result.columns == oxigraph_results[qid].columns
    assert sorted(set(result.values())) == sorted(set(oxigraph_results[qid].values()))


@pytest.mark.java
@pytest.mark.parametrize("qid", QUERY_IDS)
def test_jena_agrees(qid, jena_results, oxigraph_results):
    assert sorted(set(jena_results[qid].values())) == sorted(set(oxigraph_results[qid].values()))


def test_values_binding_agrees_with_substitution(store):
    """The remote path (VALUES placed in the query text) gives what initial bindings give."""
    for qid, params in PARAMS.items():
        stored = STORED[qid]
        bindings = q.bind_parameters(stored, params)
        inlined = q.StoredQuery(qid, q.with_values(stored.text, bindings), stored.source)
        assert sorted(q.run_oxigraph(inlined, {}, store).values()) == sorted(
            q.run_oxigraph(stored, bindings, store).values()
        )


# --- lint --------------------------------------------------------------------------------------


@pytest.mark.parametrize("qid", QUERY_IDS)
def test_stored_query_passes_lint(qid):
    assert q.lint_query(STORED[qid].text) == []


BAD_FILES = sorted(BAD.glob("*.rq"))


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_lint_rejects_bad_query(path):
    text = path.read_text(encoding="utf-8")
    expected = re.search(r"^# expect: (.+)$", text, re.M).group(1)
    problems = q.lint_query(text)
    assert problems, f"{path.name} passed the lint"
    assert any(expected.lower() in p.lower() for p in problems), problems


def test_lint_accepts_parameter_filters_and_other_numbers():
    text = STORED["cq14"].text
    assert q.lint_query(text) == []  # FILTER(?ref = ?_ref) and FILTER(?position = 1) are fine


# --- parameters ------------------------------------------------------------------------------


def test_ref_parameter_types():
    cq14 = STORED["cq14"]
    assert q.bind_parameters(cq14, {"ref": "27"})["ref"] == q.Term("27", datatype=q.XSD_INTEGER)
    assert q.bind_parameters(cq14, {"ref": "Li"})["ref"] == q.Term("Li")
    for bad in ("27x", "", "  ", "2.7", "-3", "Li; DROP"):
        with pytest.raises(q.InputError):
            q.bind_parameters(cq14, {"ref": bad})


def test_ref_by_author_name_matches_every_reference_of_that_first_author(store):
    cq14 = STORED["cq14"]
    result = q.run_oxigraph(cq14, q.bind_parameters(cq14, {"ref": "lu"}), store)
    assert {(row[0], row[1]) for row in result.values()} == {("15", "Lu 2017"), ("21", "Lu 2017")}


def test_term_parameter_accepts_iri_prefixed_name_chinese_label_and_mapping(store, oxigraph_results):
    cq15 = STORED["cq15"]
    expected = sorted(oxigraph_results["cq15"].values())
    for term in ("https://w3id.org/exoonto/Osteoclast", "exo:Osteoclast", "破骨细胞", "OSTEOCLAST",
                 "CL:0000092", "<http://purl.obolibrary.org/obo/CL_0000092>"):
        result = q.run_oxigraph(cq15, q.bind_parameters(cq15, {"term": term}), store)
        assert sorted(result.values()) == expected, term


def test_parameter_is_never_spliced(store):
    cq20 = STORED["cq20"]
    hostile = '"} } SELECT * WHERE { ?s ?p ?o } #'
    bindings = q.bind_parameters(cq20, {"text": hostile})
    assert q.run_oxigraph(cq20, bindings, store).rows == []
    inlined = q.with_values(cq20.text, bindings)
    assert q.run_oxigraph(q.StoredQuery("x", inlined, "x"), {}, store).rows == []


# --- CLI -------------------------------------------------------------------------------------------


@pytest.fixture()
def cli(store, monkeypatch):
    from exoonto.cli import main

    monkeypatch.setattr(q, "release_store", lambda: store)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def one_sentence(output: str) -> bool:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in output


def test_cli_lists_queries(cli):
    done = cli("queries")
    assert done.exit_code == 0
    for qid in QUERY_IDS:
        assert re.search(rf"^{qid}  \S", done.output, re.M)
    assert "--param ref=" in done.output and "--param term=" in done.output


def test_cli_cq14_shows_bibliography_and_findings(cli):
    done = cli("query", "cq14", "--param", "ref=27")
    assert done.exit_code == 0, done.output
    assert "Osteoclast-derived exosomal miR-214-3p inhibits osteoblastic bone formation" in done.output
    assert "Li 2016" in done.output and "Nat Commun" in done.output and "downregulates" in done.output


@pytest.mark.parametrize(
    "args, phrase",
    [
        (("cq14",), "needs --param ref"),
        (("cq01", "--param", "foo=1"), "has no parameter 'foo'"),
        (("cq14", "--param", "ref=27x"), "must be a reference number"),
        (("cq14", "--param", "ref"), "NAME=VALUE"),
        (("cq20", "--param", "text="), "must not be empty"),
        (("cq99",), "the stored queries are cq01"),
    ],
)
def test_cli_bad_input_is_one_sentence_exit_2(cli, args, phrase):
    done = cli("query", *args)
    assert done.exit_code == 2
    assert phrase in done.output
    assert one_sentence(done.output), done.output


def test_cli_syntax_error_in_a_file_names_the_line(cli, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("PREFIX exo: <https://w3id.org/exoonto/>\nSELECT ?s WHERE {\n  ?s exo:x \n}\n")
    done = cli("query", str(path))
    assert done.exit_code == 2
    assert "line 4" in done.output and "syntax error" in done.output
    assert one_sentence(done.output)


def test_cli_runs_a_user_file_with_a_parameter(cli, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text(
        "PREFIX exo: <https://w3id.org/exoonto/>\n"
        "SELECT ?study WHERE { ?r exo:referenceNumber ?n ; exo:shortCitation ?study . "
        "FILTER(STR(?n) = ?_n) }\n"
    )
    done = cli("query", str(path), "--param", "n=31", "--format", "csv")
    assert done.exit_code == 0, done.output
    assert done.output == "study\nSun 2016\n"


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_cli_formats(cli, fmt, oxigraph_results):
    done = cli("query", "cq03", "--format", fmt)
    assert done.exit_code == 0, done.output
    expected = sorted(oxigraph_results["cq03"].values())
    columns = oxigraph_results["cq03"].columns
    if fmt == "csv":
        rows = list(csv.reader(done.output.splitlines()))
        assert rows[0] == columns and sorted(map(tuple, rows[1:])) == expected
    elif fmt == "tsv":
        rows = [tuple(line.split("\t")) for line in done.output.splitlines()]
        assert list(rows[0]) == columns and sorted(rows[1:]) == expected
    elif fmt == "json":
        result = q.from_sparql_json(json.loads(done.output))
        assert result.columns == columns and sorted(result.values()) == expected
    else:
        assert done.output.splitlines()[0].split() == columns
        assert done.output.rstrip().endswith(f"({len(expected)} rows)")


def test_cli_remote_endpoint(cli, release_nt, oxigraph_results):
    from tests import stores

    assert stores.oxigraph_available(), "the oxigraph server binary is needed: pip install oxigraph"
    server = stores.start_oxigraph()
    try:
        request = urllib.request.Request(
            f"{server.base}/store?default", data=release_nt.read_bytes(), method="POST",
            headers={"Content-Type": "application/n-triples"},
        )
        urllib.request.urlopen(request, timeout=60).close()
        done = cli("query", "cq14", "--param", "ref=27", "--format", "csv", "--endpoint", server.sparql)
        assert done.exit_code == 0, done.output
        rows = list(csv.reader(done.output.splitlines()))
        assert sorted(map(tuple, rows[1:])) == sorted(oxigraph_results["cq14"].values())
    finally:
        server.stop()
