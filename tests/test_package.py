"""The installed package: console script, help texts, packaged data, error handling."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from click.testing import CliRunner

from exoonto import resources
from exoonto.cli import main


def test_every_console_script_target_imports():
    scripts = [ep for ep in entry_points(group="console_scripts") if ep.value.startswith("exoonto")]
    assert scripts, "the exoonto console script is not installed"
    for ep in scripts:
        module, _, attr = ep.value.partition(":")
        assert callable(getattr(importlib.import_module(module), attr))


def test_every_command_has_help_text():
    runner = CliRunner()
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, f"'exoonto {name}' has no help text"
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage: main" in result.output or "Usage: exoonto" in result.output


def test_data_is_packaged_not_read_from_the_checkout(tmp_path):
    # run from an unrelated folder: the data must come from the installed package
    code = "from exoonto import resources; print(resources.ontology_file())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert "site-packages" in out or "dist-packages" in out
    assert resources.ontology_file().is_file()
    assert resources.fact_files(), "no facts are packaged"
    assert resources.shape_files(), "no shapes are packaged"


def test_console_script_runs_from_any_folder(tmp_path):
    result = subprocess.run(
        ["exoonto", "build", "--out", str(tmp_path / "out")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "exoonto.owl").is_file()
    assert (tmp_path / "out" / "exoonto.ttl").is_file()


@pytest.mark.parametrize(
    "text, line",
    [
        ('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3),
        ("@prefix ex: <http://example.org/> .\n\n\nex:a ex:b ex:c ex:d .\n", 4),
    ],
)
def test_turtle_syntax_error_names_file_and_line(tmp_path, text, line):
    bad = tmp_path / "bad.ttl"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    message = result.output.strip()
    assert f"{bad}, line {line}: Turtle syntax error" in message
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1


def test_missing_file_is_one_sentence(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 2
    assert "cannot be read" in result.output
    assert "Traceback" not in result.output
