"""The command line: parses options and calls the pipeline's modules, nothing more.

Each command lives in a module of this folder, imported only when that command
runs (`LazyGroup`): `formwright endpoint` loads the endpoint, not the validator.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import click

from .. import __version__
from .common import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "cli", "main"]

# command name -> "module:attribute" inside this package
COMMANDS = {
    "validate": "checking:validate",
    "build": "checking:build",
    "serve": "serving:serve",
    "endpoint": "serving:endpoint",
    "i18n": "i18n:i18n_group",
    "db": "data:db",
    "export": "data:export",
    "codebook": "data:codebook",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when named, so each loads only what it uses."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="formwright")
def cli() -> None:
    """Compile questionnaires written in YAML into accessible HTML forms."""


def main() -> None:
    """Entry point: no Python traceback ever reaches the user."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            click.echo("interrupted", err=True)
            sys.exit(130)
        if os.environ.get("FORMWRIGHT_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"formwright: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in formwright, not in your files. Please report it with the "
            "command you ran; set FORMWRIGHT_DEBUG=1 to see the details.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
