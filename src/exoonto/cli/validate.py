from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_FAILED
from ..load import load_shipped
from ..validate import validate_loaded


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def command(files: tuple[Path, ...]) -> None:
    """Validate the shipped graph, with FILES of new facts if given, against the shapes.

    Exit 0 conforms, 1 does not conform, 2 cannot read the input."""
    result = validate_loaded(load_shipped(files))
    if result.conforms:
        click.echo("conforms")
        return
    click.echo(f"does not conform: {len(result.results)} results")
    raise SystemExit(EXIT_FAILED)
