from __future__ import annotations

from pathlib import Path

import click

from ..build import build


@click.command("build")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
    show_default=True, help="Folder to write the release into (replaced atomically).",
)
@click.option(
    "--hermit", is_flag=True,
    help="Also check consistency with HermiT (needs Java) before writing; exit 1 if inconsistent.",
)
def command(out: Path, hermit: bool) -> None:
    """Validate the graph and write the release: the ontology (Turtle, RDF/XML, JSON-LD),
    the knowledge graph (Turtle, N-Triples, JSON-LD), VoID/DCAT, SPARQL examples, SSSOM
    mappings, Figure 1, HTML docs and a versioned copy.

    Nothing is written unless every step succeeds; exit 1 if the graph does not conform
    to the shapes (or, with --hermit, is inconsistent)."""
    written = build(out, hermit=hermit)
    for path in written:
        click.echo(str(path))
