from __future__ import annotations

from pathlib import Path

import click

from ..canonical import canonical_turtle, is_canonical, write_if_changed
from ..errors import EXIT_FAILED
from ..load import parse_turtle


@click.command("fmt")
@click.option("--check", is_flag=True, help="Only report files that are not canonical (exit 1).")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
def command(check: bool, paths: tuple[Path, ...]) -> None:
    """Rewrite Turtle files (or folders of them) in exoonto's canonical serialization."""
    files = sorted(
        f for p in paths for f in ([p] if p.is_file() else p.rglob("*.ttl"))
    )
    unformatted = [f for f in files if not is_canonical(f)] if check else []
    if check:
        for f in unformatted:
            click.echo(f"not canonical: {f}")
        if unformatted:
            raise SystemExit(EXIT_FAILED)
        return
    # every file is parsed before any is written: a syntax error in one leaves all untouched
    texts = [(f, canonical_turtle(parse_turtle(f))) for f in files]
    for f, text in texts:
        if write_if_changed(f, text):
            click.echo(f"rewrote {f}")
