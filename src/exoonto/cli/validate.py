"""`exoonto validate`: SHACL validation of the shipped graph, with new facts files if given."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_FAILED
from ..load import load_shipped_to_store
from ..validate import (
    ENGINES,
    default_jobs,
    human_report,
    report_jsonld,
    report_turtle,
    validate_loaded,
)

FORMATS = ("text", "turtle", "json")


@click.command("validate")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: a report for people, grouped by node; turtle or json: the SHACL "
    "validation report graph (Turtle or JSON-LD).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="turbo",
    show_default=True,
    help="SHACL engine: pyshacl-turbo (fast) or pySHACL (the reference); they agree.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=default_jobs(),
    show_default=True,
    help="pyshacl-turbo threads, each validating a share of the shapes on its own copy of "
    "the data (about 0.6 GB per million triples each); the report is the same.",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def command(output_format: str, engine: str, jobs: int, files: tuple[Path, ...]) -> None:
    """Validate the shipped graph (ontology and facts), with FILES of new facts if given,
    against the SHACL shapes. Warnings are shown but do not fail the validation.

    Exit codes: 0 conforms; 1 does not conform; 2 a file cannot be read (the error names
    the file and the line)."""
    result = validate_loaded(load_shipped_to_store(files), engine=engine, jobs=jobs)
    if output_format == "turtle":
        click.echo(report_turtle(result), nl=False)
    elif output_format == "json":
        click.echo(report_jsonld(result))
    else:
        click.echo(human_report(result), nl=False)
    if not result.conforms:
        raise SystemExit(EXIT_FAILED)
