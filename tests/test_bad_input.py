"""Bad input to every command: one clear sentence (the file and line of a syntax error, the
unknown term or parameter, the failing constraint), never a traceback, and the documented
exit code: 0 success, 1 fails a check, 2 input cannot be read, 3 a needed tool or server
is missing or unreachable (see exoonto.cli)."""

from __future__ import annotations

import gc
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from exoonto.cli import main
from exoonto.errors import OutputError

SYNTAX_ERROR = (
    "@prefix exo: <https://w3id.org/exoonto/> .\n"
    "exo:a exo:b exo:c .\n"
    "exo:x exo:y ;;; .\n"
)
UNDECLARED_TERM = (
    "@prefix exo: <https://w3id.org/exoonto/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "<https://w3id.org/exoonto/finding/ZZ-01> a exo:Finding ;\n"
    "    rdfs:label \"a finding with a made-up property\"@en ;\n"
    "    exo:frobnicates exo:Osteoclast .\n"
)
GOOD_NOT_CANONICAL = (
    "@prefix exo: <https://w3id.org/exoonto/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "exo:Zz rdfs:label   \"zz\"@en .   exo:Aa rdfs:label \"aa\"@en .\n"
)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def one_sentence(result: Result, code: int) -> str:
    """The run ended with exit `code`, no traceback, and stderr is one error line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception}\n{result.output}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code == code, (result.exit_code, result.output)
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    # click's own usage errors are prefixed by a "Usage:" and a "Try ... --help" line
    errors = [line for line in errors if not line.startswith(("Usage:", "Try "))]
    assert len(errors) == 1, result.stderr
    assert errors[0].lower().startswith("error:"), errors[0]
    return errors[0]


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    made = {
        "syntax": ("syntax.ttl", SYNTAX_ERROR.encode()),
        "syntax-nt": ("syntax.nt", b'<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "x .\n'),
        "latin1-nt": ("latin1.nt", '<urn:a> <urn:b> "x" .\n# caf\xe9\n'.encode("latin-1")),
        "latin1": ("latin1.ttl", "@prefix exo: <https://w3id.org/exoonto/> .\n# caf\xe9\n".encode("latin-1")),
        "binary": ("junk.ttl", bytes(range(256)) * 4),
        "controls": ("controls.ttl", b"\x00\x01\x02\x03 exo:a exo:b exo:c .\n"),
        "empty": ("empty.ttl", b""),
        "undeclared": ("undeclared.ttl", UNDECLARED_TERM.encode()),
        "good": ("good.ttl", GOOD_NOT_CANONICAL.encode()),
    }
    out = {}
    for key, (name, data) in made.items():
        path = tmp_path / name
        path.write_bytes(data)
        out[key] = path
    return out


# ------------------------------------------------------------------ validate


def test_validate_syntax_error_names_file_and_line(files):
    message = one_sentence(invoke("validate", str(files["syntax"])), 2)
    assert "syntax.ttl" in message and "line 3" in message


def test_validate_ntriples_syntax_error_names_file_and_line(files):
    """An N-Triples file goes to the engine as it is; its error still names file and line."""
    message = one_sentence(invoke("validate", str(files["syntax-nt"])), 2)
    assert "syntax.nt" in message and "line 2" in message


def test_validate_missing_file(tmp_path):
    message = one_sentence(invoke("validate", str(tmp_path / "nope.ttl")), 2)
    assert "nope.ttl" in message


def test_validate_directory(tmp_path):
    message = one_sentence(invoke("validate", str(tmp_path)), 2)
    assert str(tmp_path.name) in message and "directory" in message


@pytest.mark.parametrize(
    "key, line", [("latin1", "line 2"), ("binary", "line 2"), ("latin1-nt", "line 2")]
)  # 0x80 follows the first 0x0a
def test_validate_non_utf8(files, key, line):
    message = one_sentence(invoke("validate", str(files[key])), 2)
    assert files[key].name in message and line in message and "UTF-8" in message


def test_validate_control_characters(files):
    message = one_sentence(invoke("validate", str(files["controls"])), 2)
    assert "controls.ttl" in message and "line 1" in message


def test_validate_reports_an_undeclared_term_and_accepts_an_empty_file(files):
    """One run (full SHACL validation takes a while): the empty file is read without
    complaint, the made-up exo:frobnicates is reported with the rule and the file."""
    result = invoke("validate", str(files["empty"]), str(files["undeclared"]))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output
    assert "error:" not in result.stderr
    report = result.stdout
    assert report.startswith("does not conform")
    block = report[report.index("finding:ZZ-01"):]
    block = block[: block.find("\n\n") if "\n\n" in block else len(block)]
    assert "value exo:frobnicates" in block
    assert "does not declare" in block
    assert "in " + str(files["undeclared"]) in block
    assert "empty.ttl" not in report


# ------------------------------------------------------------------ build


def test_build_out_is_a_file(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep", encoding="utf-8")
    message = one_sentence(invoke("build", "--out", str(target)), 2)
    assert "notes.txt" in message
    assert target.read_text(encoding="utf-8") == "keep"


def test_build_refuses_a_folder_of_user_files_and_leaves_them(tmp_path):
    home = tmp_path / "home"
    (home / "papers").mkdir(parents=True)
    (home / "thesis.tex").write_text("precious", encoding="utf-8")
    (home / "papers" / "draft.md").write_text("draft", encoding="utf-8")
    (home / ".hidden").write_bytes(b"\x00secret")
    before = digest(home)
    message = one_sentence(invoke("build", "--out", str(home)), 2)
    assert "not an exoonto release" in message
    assert digest(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"], "build left files behind"


def fake_previous_release(folder: Path) -> dict[str, str]:
    """A folder that build accepts to replace: the marker and some files."""
    from exoonto.build import RELEASE_MARKER

    (folder / "sub").mkdir(parents=True)
    (folder / RELEASE_MARKER).write_text("exoonto release 0.0.1\n", encoding="utf-8")
    (folder / "exoonto.ttl").write_text("# the previous release\n", encoding="utf-8")
    (folder / "sub" / "page.html").write_bytes(b"<p>previous</p>\n")
    return digest(folder)


@pytest.mark.parametrize("fork", [True, False], ids=["validated-in-a-fork", "validated-in-line"])
def test_build_failing_validation_leaves_the_previous_release(tmp_path, monkeypatch, fork):
    """tests/test_release.py checks a failing writer; here the graph does not conform,
    found in the forked validation process or, where there is no fork, before writing."""
    import multiprocessing

    from rdflib import Graph

    import exoonto.validate as validate_module

    dist = tmp_path / "dist"
    before = fake_previous_release(dist)
    if not fork:
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])

    def not_conforming(loaded, shapes=None):
        return validate_module.ValidationResult(False, Graph(), [object(), object()])

    monkeypatch.setattr(validate_module, "validate_loaded", not_conforming)
    message = one_sentence(invoke("build", "--out", str(dist)), 1)
    assert "does not conform" in message and "2 violations" in message
    assert digest(dist) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    assert gc.isenabled(), "build paused the garbage collector and did not resume it"


def test_build_reports_a_non_conforming_graph_before_a_write_error(tmp_path, monkeypatch):
    """When the graph does not conform and the release cannot be written either, the
    graph's failure (exit 1) is the one reported, and the previous release stays."""
    from rdflib import Graph

    import exoonto.build as build_module
    import exoonto.validate as validate_module
    from exoonto.errors import CheckFailed

    dist = tmp_path / "dist"
    before = fake_previous_release(dist)

    def not_conforming(loaded, shapes=None):
        return validate_module.ValidationResult(False, Graph(), [object()])

    def full_disk(release, out):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(validate_module, "validate_loaded", not_conforming)
    monkeypatch.setattr(build_module, "WRITERS", [full_disk])
    with pytest.raises(CheckFailed, match="does not conform"):
        build_module.build(dist)
    assert digest(dist) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_build_failing_at_the_final_swap_puts_the_previous_release_back(tmp_path, monkeypatch):
    """The last step renames the staging folder to --out; if that fails, the previous
    release (moved aside a moment before) must come back, not vanish."""
    import exoonto.build as build_module

    dist = tmp_path / "dist"
    before = fake_previous_release(dist)

    def tiny_writer(release, out):
        (out / "exoonto.ttl").write_text("# new\n", encoding="utf-8")

    monkeypatch.setattr(build_module, "WRITERS", [tiny_writer])
    monkeypatch.setattr(build_module, "validate_release", lambda *args: None)
    real_rename = Path.rename

    def failing_rename(self, target):
        if ".building-" in self.name:
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OutputError, match="No space left on device.*previous release"):
        build_module.build(dist)
    assert digest(dist) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"], "staging or .previous left behind"


# ------------------------------------------------------------------ query


def test_query_unknown_id():
    message = one_sentence(invoke("query", "cq999"), 2)
    assert "cq999" in message


@pytest.mark.parametrize(
    "param, expected",
    [
        ("nope=1", "nope"),  # an unknown parameter
        ("ref=27x", "27x"),  # ill-typed
        ("ref=", "must not be empty"),
        ("ref", "NAME=VALUE"),
    ],
)
def test_query_bad_parameter(param, expected):
    message = one_sentence(invoke("query", "cq14", "--param", param), 2)
    assert expected in message


def test_query_malformed_sparql_file_names_the_line(tmp_path):
    rq = tmp_path / "bad.rq"
    rq.write_text(
        "PREFIX exo: <https://w3id.org/exoonto/>\nSELECT ?x WHERE {\n  ?x exo:p ?y .\n"
        "  ?x <not an iri> ?y .\n  ?a ?b ?c .\n}\n",
        encoding="utf-8",
    )
    message = one_sentence(invoke("query", str(rq)), 2)
    assert "bad.rq" in message and "line 4" in message
    rq.write_text("SELECT ?x WHERE {\n  ?x nope:p ?y .\n}\n", encoding="utf-8")
    message = one_sentence(invoke("query", str(rq)), 2)
    assert "bad.rq" in message and "line 2" in message


def test_query_file_unreadable(tmp_path):
    rq = tmp_path / "latin1.rq"
    rq.write_bytes("SELECT * WHERE { ?s ?p 'caf\xe9' }".encode("latin-1"))
    message = one_sentence(invoke("query", str(rq)), 2)
    assert "latin1.rq" in message
    message = one_sentence(invoke("query", str(tmp_path / "missing.rq")), 2)
    assert "missing.rq" in message


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_query_unreachable_endpoint_is_exit_3():
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    message = one_sentence(invoke("query", "cq01", "--endpoint", url), 3)
    assert url in message


@pytest.mark.parametrize("url", ["notaurl", "ftp://127.0.0.1/sparql", "http://", "http://127.0.0.1:notaport/"])
def test_query_malformed_endpoint_url(url):
    message = one_sentence(invoke("query", "cq01", "--endpoint", url), 2)
    assert "--endpoint" in message


class NotSparql(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = b"<html>hello</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


def test_query_endpoint_that_is_not_sparql():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotSparql)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
        result = invoke("query", "cq01", "--endpoint", url)
        one_sentence(result, result.exit_code if result.exit_code in (2, 3) else -1)
    finally:
        httpd.shutdown()
        httpd.server_close()


# ------------------------------------------------------------------ reason


def test_reason_bad_turtle(files):
    message = one_sentence(invoke("reason", str(files["syntax"])), 2)
    assert "syntax.ttl" in message and "line 3" in message


def test_reason_missing_file(tmp_path):
    one_sentence(invoke("reason", str(tmp_path / "nope.ttl")), 2)


# ------------------------------------------------------------------ fmt


def test_fmt_syntax_error_leaves_the_file_untouched(files, tmp_path):
    before = files["syntax"].read_bytes()
    message = one_sentence(invoke("fmt", str(files["syntax"])), 2)
    assert "syntax.ttl" in message and "line 3" in message
    assert files["syntax"].read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("check", [False, True])
@pytest.mark.parametrize("key", ["latin1", "binary"])
def test_fmt_non_utf8(files, key, check):
    before = files[key].read_bytes()
    args = ["fmt", *(["--check"] if check else []), str(files[key])]
    message = one_sentence(invoke(*args), 2)
    assert files[key].name in message and "UTF-8" in message
    assert files[key].read_bytes() == before


def test_fmt_folder_with_one_bad_file_rewrites_nothing(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a-good.ttl").write_text(GOOD_NOT_CANONICAL, encoding="utf-8")
    (folder / "b-bad.ttl").write_text(SYNTAX_ERROR, encoding="utf-8")
    before = digest(folder)
    message = one_sentence(invoke("fmt", str(folder)), 2)
    assert "b-bad.ttl" in message
    assert digest(folder) == before


def test_fmt_missing_path(tmp_path):
    one_sentence(invoke("fmt", str(tmp_path / "nope.ttl")), 2)


# ------------------------------------------------------------------ publish


@pytest.mark.parametrize("store", ["notaurl", "ftp://127.0.0.1/store", "file:///etc/passwd"])
def test_publish_bad_url(files, store):
    message = one_sentence(invoke("publish", "--store", store, "--file", str(files["empty"])), 2)
    assert "--store" in message


def test_publish_missing_password_variable(files):
    env = {"EXOONTO_TEST_NO_SUCH_VARIABLE": None}
    result = invoke(
        "publish", "--store", "http://127.0.0.1:9/store", "--user", "u",
        "--password-env", "EXOONTO_TEST_NO_SUCH_VARIABLE", "--file", str(files["empty"]), env=env,
    )
    message = one_sentence(result, 2)
    assert "EXOONTO_TEST_NO_SUCH_VARIABLE" in message


def test_publish_unreachable_store_is_exit_3(files):
    url = f"http://127.0.0.1:{closed_port()}/store"
    message = one_sentence(invoke("publish", "--store", url, "--file", str(files["empty"])), 3)
    assert "127.0.0.1" in message


def test_publish_missing_file(tmp_path):
    one_sentence(
        invoke("publish", "--store", "http://127.0.0.1:9/store", "--file", str(tmp_path / "nope.ttl")), 2
    )


def test_publish_bad_turtle_file(files):
    result = invoke("publish", "--store", "http://127.0.0.1:9/store", "--file", str(files["syntax"]))
    message = one_sentence(result, 2)
    assert "syntax.ttl" in message


# ------------------------------------------------------------------ serve


def test_serve_port_in_use_is_one_sentence():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        message = one_sentence(invoke("serve", "--port", str(port)), 2)
    assert str(port) in message and "in use" in message


def test_serve_unknown_host():
    one_sentence(invoke("serve", "--host", "no-such-host.invalid", "--port", "0"), 2)


def test_serve_missing_extra_file(tmp_path):
    one_sentence(invoke("serve", "--port", "0", str(tmp_path / "nope.ttl")), 2)


# ------------------------------------------------------------------ the group


def test_unknown_command_and_option():
    one_sentence(invoke("frobnicate"), 2)
    one_sentence(invoke("validate", "--no-such-option"), 2)
