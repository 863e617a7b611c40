"""The SHACL shapes: a negative corpus, the shipped graph, pySHACL/Jena agreement, the CLI.

Every file in ``shapes_negative/`` is a small, valid-looking node with exactly one defect;
its header names the results it must produce::

    # expect: finding:R90-01 sh:MinCountConstraintComponent shape:Finding-hasEffect sh:Violation

Each case file uses its own IRIs, so the cases cannot interfere with each other: pySHACL
re-parses a SPARQL constraint per focus node and needs a few seconds for the ontology alone,
so all cases are validated in ONE run (the shipped ontology + ``_context.ttl`` + every case
file), and the results are then split by case. A test checks that no two case files
describe the same node, and that the run produces nothing beyond the union of the expected
results. Jena SHACL validates the same data in one JVM run and must report the same
(focus node, constraint component, source shape) triples.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from exoonto import load as load_module
from exoonto import resources
from exoonto.cli import main
from exoonto.load import load_files_to_store, parse_turtle
from exoonto.namespaces import PREFIXES, new_graph
from exoonto.validate import (
    TARGETS,
    human_report,
    load_shapes,
    run_pyshacl,
    shape_groups,
    top_level_results,
    validate_graph,
    validate_loaded,
)

from .jena import jena_available, run_jena

HERE = Path(__file__).resolve().parent
NEGATIVE = HERE / "shapes_negative"
POSITIVE = HERE / "shapes_positive"
CONTEXT = NEGATIVE / "_context.ttl"
CASES = sorted(p for p in NEGATIVE.glob("*.ttl") if not p.name.startswith("_"))

EXPECT = re.compile(r"^# expect: (\S+) (sh:\w+) (shape:\S+) (sh:\w+)$")

Key = tuple[str, str, str]  # (focus node, constraint component, source shape), as CURIEs


def expand(curie: str) -> str:
    if curie.startswith("<") and curie.endswith(">"):
        return curie[1:-1]
    prefix, local = curie.split(":", 1)
    return str(PREFIXES[prefix]) + local


def expected_results(case: Path) -> set[tuple[Key, str]]:
    out = set()
    for line in case.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if match:
            focus, component, shape, severity = match.groups()
            out.add(((expand(focus), expand(component), expand(shape)), expand(severity)))
    return out


def result_keys(report: Graph) -> set[tuple[Key, str]]:
    """(focus, component, source shape) and severity of each top-level result. Blank focus
    nodes (labels differ between engines) are written as '_:blank'."""
    out = set()
    for result in top_level_results(report):
        focus = report.value(result, SH.focusNode)
        key = (
            "_:blank" if isinstance(focus, BNode) else str(focus),
            str(report.value(result, SH.sourceConstraintComponent)),
            str(report.value(result, SH.sourceShape)),
        )
        out.add((key, str(report.value(result, SH.resultSeverity))))
    return out


def conforms_of(report: Graph) -> bool:
    return bool(report.value(next(report.subjects(RDF.type, SH.ValidationReport)), SH.conforms).toPython())


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def ontology_path() -> Path:
    return resources.local_path(resources.ontology_file())


def _merge(paths: list) -> Graph:
    graph = new_graph()
    for path in paths:
        parse_turtle(path, into=graph)
    return graph


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shapes")


@pytest.fixture(scope="module")
def data_files(workdir, shapes, ontology_path) -> dict[str, Path]:
    """The graphs validated by both engines, written once as N-Triples (Jena reads files)."""
    shipped = [ontology_path, *(resources.local_path(f) for f in resources.fact_files())]
    graphs = {
        "negative": _merge([ontology_path, CONTEXT, *CASES]),
        "positive": _merge([ontology_path, CONTEXT, *sorted(POSITIVE.glob("*.ttl"))]),
        "shipped": _merge(shipped),
    }
    files = {}
    for name, graph in graphs.items():
        files[name] = workdir / f"{name}.nt"
        files[name].write_text(graph.serialize(format="nt"), encoding="utf-8")
    files["shapes"] = workdir / "shapes.ttl"
    files["shapes"].write_text(shapes.serialize(format="turtle"), encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def jena_futures(data_files):
    """Jena SHACL over the three data graphs, in parallel JVMs started as early as possible:
    they run while pySHACL works. None when Jena is not installed."""
    if not jena_available():
        yield None
        return

    def run(name: str) -> Graph:
        done = run_jena(
            "shacl.shacl", "validate",
            f"--shapes={data_files['shapes']}", f"--data={data_files[name]}", timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return Graph().parse(data=done.stdout, format="turtle")

    pool = ThreadPoolExecutor(max_workers=3)
    yield {name: pool.submit(run, name) for name in ("negative", "positive", "shipped")}
    pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def jena_reports(jena_futures) -> dict[str, Graph]:
    assert jena_futures is not None, "Jena (libapache-jena-java) and Java are needed (.ci/run installs them)"
    return {name: future.result() for name, future in jena_futures.items()}


@pytest.fixture(scope="module")
def negative_report(data_files, shapes, jena_futures) -> Graph:
    graph = Graph().parse(data_files["negative"], format="nt")
    _conforms, report = run_pyshacl(graph, shapes)
    return report


@pytest.fixture(scope="module")
def negative_results(negative_report) -> set[tuple[Key, str]]:
    return result_keys(negative_report)


# ------------------------------------------------------------------ the negative corpus


def test_corpus_is_not_empty_and_every_case_declares_its_results():
    assert len(CASES) >= 40
    for case in CASES:
        assert expected_results(case), f"{case.name} has no '# expect:' line"


def test_case_files_describe_disjoint_nodes():
    owner: dict = {}
    for case in CASES:
        for subject in set(parse_turtle(case).subjects()):
            if isinstance(subject, BNode):
                continue
            assert subject not in owner, f"{subject} is described by {owner.get(subject)} and {case.name}"
            owner[subject] = case.name


def test_positive_corpus_and_context_conform(shapes, data_files):
    """The context and a complete finding, background statement and discrepancy conform."""
    result = validate_graph(Graph().parse(data_files["positive"], format="nt"), shapes)
    assert result.conforms and not result.warnings, human_report(result)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_negative_case(case, negative_results):
    """The case produces exactly its expected results: the expected ones are present, and
    no other result has a focus node that the case file describes."""
    expected = expected_results(case)
    missing = expected - negative_results
    assert not missing, f"{case.name}: expected results not reported: {missing}"
    described = {str(s) for s in parse_turtle(case).subjects() if not isinstance(s, BNode)}
    expected_foci = {key[0] for key, _ in expected}
    extra = {
        r for r in negative_results - expected
        if r[0][0] in described or r[0][0] in expected_foci
    }
    assert not extra, f"{case.name}: unexpected results: {extra}"


def test_negative_run_reports_nothing_else(negative_results):
    union = set().union(*(expected_results(case) for case in CASES))
    assert negative_results == union, (
        f"unexpected: {negative_results - union}; missing: {union - negative_results}"
    )


AGGREGATING = {
    RDF.type, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.target, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
}


def test_every_shape_has_a_label_and_an_english_message(shapes):
    from rdflib.namespace import RDFS

    shape_nodes = {
        s for s in shapes.subjects(RDF.type, None)
        if isinstance(s, URIRef) and (s, RDF.type, SH.NodeShape) in shapes
        or (s, RDF.type, SH.PropertyShape) in shapes
    }
    assert len(shape_nodes) > 50
    for shape in shape_nodes:
        assert any(x.language == "en" for x in shapes.objects(shape, RDFS.label)), shape
        own = {p for p in shapes.predicates(shape, None)} - AGGREGATING
        if not own:
            continue  # only groups property shapes, which carry the messages
        messages = list(shapes.objects(shape, SH.message))
        for constraint in shapes.objects(shape, SH.sparql):
            messages += list(shapes.objects(constraint, SH.message))
        assert any(m.language == "en" for m in messages), f"{shape} has no English sh:message"


# ------------------------------------------------------------------ the shipped graph


@pytest.fixture(scope="module")
def shipped_result(shapes, jena_futures):
    return validate_loaded(load_module.load_shipped(), shapes)


def test_shipped_graph_conforms(shipped_result):
    assert shipped_result.conforms, (
        "the shipped graph does not conform:\n" + human_report(shipped_result)
    )


# ------------------------------------------------------------------ pySHACL and Jena agree


@pytest.mark.java
def test_jena_agrees_on_the_negative_corpus(jena_reports, negative_results, negative_report):
    jena = jena_reports["negative"]
    assert result_keys(jena) == negative_results
    assert conforms_of(jena) is False


@pytest.mark.java
def test_jena_agrees_on_the_positive_corpus(jena_reports):
    jena = jena_reports["positive"]
    assert conforms_of(jena), jena.serialize(format="turtle")
    assert result_keys(jena) == set()


@pytest.mark.java
def test_jena_agrees_on_the_shipped_graph(jena_reports, shipped_result):
    report = shipped_result.report_graph
    jena = jena_reports["shipped"]
    assert result_keys(jena) == result_keys(report)
    # conformance ignoring warnings, as `exoonto validate` decides it
    violation = str(SH.Violation)
    assert {k for k, s in result_keys(jena) if s == violation} == {
        k for k, s in result_keys(report) if s == violation
    }


# ------------------------------------------------------------------ the command line


_CLI_CACHE: dict = {}


@pytest.fixture
def ontology_only(monkeypatch):
    """`exoonto validate` with the ontology and the test context as the shipped graph, so
    the CLI tests do not depend on the curators' facts. The validation of one list of input
    files is computed once and shared by the tests of the report formats."""
    import exoonto.cli.validate as cli_validate

    monkeypatch.setattr(
        load_module, "shipped_sources", lambda: [resources.ontology_file(), CONTEXT]
    )

    def memoised(loaded, shapes=None, engine="turbo", jobs=1):
        key = (tuple(loaded.per_file), engine, jobs)
        if key not in _CLI_CACHE:
            _CLI_CACHE[key] = validate_loaded(loaded, shapes, engine, jobs)
        return _CLI_CACHE[key]

    monkeypatch.setattr(cli_validate, "validate_loaded", memoised)
    return memoised


def test_cli_conforming_file_exits_0(ontology_only):
    done = CliRunner().invoke(main, ["validate", str(POSITIVE / "complete-statements.ttl")])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("conforms")


def test_cli_human_report(ontology_only):
    case = NEGATIVE / "finding-effect-not-in-list.ttl"
    done = CliRunner().invoke(main, ["validate", str(case)])
    assert done.exit_code == 1, done.output
    out = done.output
    assert out.startswith("does not conform: 1 violation on 1 node")
    assert "finding:R90-02" in out
    assert '"Osteoclast exosomes inhibit bone formation (Tester 2016)"' in out  # the label
    assert "one of the ten exo:Effect individuals" in out  # the rule in words
    assert "path exo:hasEffect" in out and "value exo:activated" in out
    assert "shape:Finding-hasEffect (InConstraintComponent)" in out
    assert f"in {case}" in out  # the file the triple came from


def test_cli_warning_does_not_fail(ontology_only):
    done = CliRunner().invoke(main, ["validate", str(NEGATIVE / "warning-second-ontology.ttl")])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("conforms (1 warning)")
    assert "warning:" in done.output


def test_cli_turtle_report_is_a_shacl_report(ontology_only):
    case = NEGATIVE / "finding-effect-not-in-list.ttl"
    done = CliRunner().invoke(main, ["validate", "--format", "turtle", str(case)])
    assert done.exit_code == 1
    report = Graph().parse(data=done.output, format="turtle")
    assert conforms_of(report) is False
    assert {k for k, _ in result_keys(report)} == {k for k, _ in expected_results(case)}


def test_cli_json_report_is_json(ontology_only):
    case = NEGATIVE / "finding-effect-not-in-list.ttl"
    done = CliRunner().invoke(main, ["validate", "--format", "json", str(case)])
    assert done.exit_code == 1
    document = json.loads(done.output)
    report = Graph().parse(data=done.output, format="json-ld")
    assert document and conforms_of(report) is False


def test_cli_unreadable_input_exits_2(ontology_only, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix exo: <https://w3id.org/exoonto/> .\nexo:a exo:b .\nexo:c exo:d\n")
    done = CliRunner().invoke(main, ["validate", str(broken)])
    assert done.exit_code == 2
    assert "broken.ttl" in done.output and "line" in done.output
    missing = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.ttl")])
    assert missing.exit_code == 2


def test_validate_loaded_names_the_files(ontology_only):
    case = NEGATIVE / "finding-effect-not-in-list.ttl"
    result = ontology_only(load_module.load_shipped([case]))
    assert not result.conforms
    [only] = result.results
    assert only.files == [str(case)]
    assert only.value == URIRef(expand("exo:activated"))
    assert only.focus == URIRef(expand("finding:R90-02"))


def test_pyshacl_turbo_gives_the_same_results_as_pyshacl(data_files, shapes, negative_results):
    """`exoonto validate` runs pyshacl-turbo by default; pySHACL is the reference engine."""
    for name in ("negative", "positive", "shipped"):
        graph = Graph().parse(data_files[name], format="nt")
        turbo_conforms, turbo_report = run_pyshacl(graph, shapes, engine="turbo")
        if name == "negative":
            reference = negative_results
        else:
            reference = result_keys(run_pyshacl(graph, shapes)[1])
        assert result_keys(turbo_report) == reference, name
        assert turbo_conforms == (name != "negative"), name


# ------------------------------------------------------------------ threads and the text path


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("form", ["one-ntriples-file", "turtle-files"])
def test_threads_and_text_give_the_reference_results(data_files, shapes, negative_results, form, jobs):
    """`exoonto validate`'s way (the files as one N-Triples text, the shapes dealt over
    `jobs` pyshacl-turbo threads, the reports merged) reports on the negative corpus exactly
    what pySHACL reports, in one sh:ValidationReport."""
    ontology = resources.local_path(resources.ontology_file())
    sources = [data_files["negative"]] if form == "one-ntriples-file" else [ontology, CONTEXT, *CASES]
    result = validate_loaded(load_files_to_store(sources), shapes, jobs=jobs)
    report = result.report_graph
    assert len(set(report.subjects(RDF.type, SH.ValidationReport))) == 1
    assert conforms_of(report) is False and not result.conforms
    assert result_keys(report) == negative_results


def test_shape_groups_deal_every_targeted_shape_once(shapes):
    targeted = {str(s) for target in TARGETS for s in shapes.subjects(target, None)}
    groups = shape_groups(shapes, 2)
    assert groups is not None and len(groups) == 2 and all(groups)
    dealt = [name for group in groups for name in group]
    assert len(dealt) == len(set(dealt)) and set(dealt) == targeted
    assert shape_groups(shapes, 1) is None
    with_blank = Graph()
    with_blank += shapes
    with_blank.add((BNode(), SH.targetNode, URIRef("urn:x")))
    assert shape_groups(with_blank, 2) is None  # the engine selects shapes by IRI


def test_blank_nodes_of_two_files_stay_apart(tmp_path):
    first, second = tmp_path / "first.nt", tmp_path / "second.nt"
    first.write_text('_:b0 <urn:p> "first" .\n', encoding="utf-8")
    second.write_text('_:b0 <urn:p> "second" .\n', encoding="utf-8")
    text = load_files_to_store([first, second]).ntriples()
    graph = Graph().parse(data=text, format="nt")
    assert len(graph) == 2 and len(set(graph.subjects())) == 2


def test_cli_reads_turtle_in_a_file_named_nt(ontology_only, tmp_path):
    """The engine refuses the text (Turtle is not N-Triples); the Store's loader reads the
    file as Turtle, as it did before the text path, and the results name the file."""
    case = tmp_path / "finding-effect-not-in-list.nt"
    case.write_bytes((NEGATIVE / "finding-effect-not-in-list.ttl").read_bytes())
    done = CliRunner().invoke(main, ["validate", str(case)])
    assert done.exit_code == 1, done.output
    assert "finding:R90-02" in done.output and f"in {case}" in done.output
