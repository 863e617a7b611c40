"""The `exoonto` command: a thin layer over the package's public functions.

Exit codes: 0 success; 1 the input was read but fails a check (does not conform,
inconsistent); 2 the input cannot be read (syntax error, unknown term or parameter);
3 a needed external tool (Java, a server) is missing or unreachable.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import ExoontoError

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 fails a check; 2 input cannot be read; 3 a needed tool is missing."
)


class ExoontoGroup(click.Group):
    """Report expected failures as one sentence on stderr with the documented exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ExoontoError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=ExoontoGroup, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="exoonto")
def main() -> None:
    """exoonto: the review 'Regulation of Exosomes on Bone Remodelling' as linked data."""


def _register() -> None:
    from . import build, fmt, reason, validate

    for module in (build, reason, validate, fmt):
        main.add_command(module.command)
    for optional in ("query", "serve", "publish"):
        try:
            module = __import__(f"{__name__}.{optional}", fromlist=["command"])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(__name__):
                continue
            raise
        commands = getattr(module, "commands", None) or [module.command]
        for command in commands:
            main.add_command(command)


_register()
