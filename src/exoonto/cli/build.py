from __future__ import annotations

from pathlib import Path

import click

from ..build import build


@click.command("build")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
    show_default=True, help="Folder to write the release into (replaced atomically).",
)
def command(out: Path) -> None:
    """Validate the graph and write the release (ontology, knowledge graph, ...)."""
    written = build(out)
    for path in written:
        click.echo(str(path))
