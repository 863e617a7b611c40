from __future__ import annotations

from pathlib import Path

import click

from ..build import assemble
from ..errors import EXIT_FAILED
from ..reason import run_hermit


@click.command("reason")
@click.option("--ontology-only", is_flag=True, help="Reason over the ontology without the facts.")
@click.argument("extra", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def command(ontology_only: bool, extra: tuple[Path, ...]) -> None:
    """Run HermiT: consistency, unsatisfiable classes and the inferred classification.

    EXTRA are Turtle files of your own to reason over together with the shipped graph.
    Exit 1 if the graph is inconsistent or has unsatisfiable classes; 3 without Java."""
    release, loaded = assemble(extra)
    graph = release.ontology if ontology_only else loaded.graph
    report = run_hermit(graph)
    if not report.consistent:
        click.secho("inconsistent: " + report.explanation, fg="red", err=True)
        raise SystemExit(EXIT_FAILED)
    click.echo(f"consistent: yes ({len(graph)} triples)")
    click.echo(f"unsatisfiable classes: {len(report.unsatisfiable)}")
    for iri in report.unsatisfiable:
        click.echo(f"  {iri}")
    click.echo(f"inferred subclass axioms: {len(report.inferred_subclasses)}")
    for sub, sup in report.inferred_subclasses:
        click.echo(f"  {sub} SubClassOf {sup}")
    click.echo(f"inferred class assertions: {len(report.inferred_types)}")
    if report.unsatisfiable:
        raise SystemExit(EXIT_FAILED)
