"""The command line: parses options and calls the pipeline's modules, nothing more."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .diagnostics import (
    Diagnostic,
    format_github,
    format_text,
    has_errors,
    summary,
    to_json,
    use_colour,
)
from .project import validate_project

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

FORMATS = click.Choice(["text", "json", "github"])


def report(diagnostics: list[Diagnostic], fmt: str) -> None:
    if fmt == "json":
        click.echo(to_json(diagnostics))
        return
    for d in diagnostics:
        if fmt == "github":
            click.echo(format_github(d))
        else:
            click.echo(format_text(d, colour=use_colour(sys.stdout.isatty())))
    if diagnostics:
        click.echo(summary(diagnostics), err=True)


def project_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-C",
        "--project",
        "project",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The project folder, holding questionnaire/ and locales/.",
    )(func)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--strict", is_flag=True, help="Treat warnings as errors (use this to publish)."
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=FORMATS,
        default="text",
        show_default=True,
        help="How to print diagnostics: text, json, or github (workflow annotations).",
    )(func)
    return project_option(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="formwright")
def cli() -> None:
    """Compile questionnaires written in YAML into accessible HTML forms."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@common_options
def validate(paths: tuple[Path, ...], project: Path, strict: bool, fmt: str) -> None:
    """Check questionnaires and report every problem at once.

    PATHS are questionnaire files or folders; by default, every file in the
    project's questionnaire/ folder.
    """
    result = validate_project(project, list(paths))
    diagnostics = result.all_diagnostics
    report(diagnostics, fmt)
    if has_errors(diagnostics, strict):
        sys.exit(EXIT_INVALID)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: build/ in the project).",
)
@common_options
def build(out: Path | None, project: Path, strict: bool, fmt: str) -> None:
    """Validate every questionnaire, then compile each into static HTML forms."""
    from .build import build_project

    outcome = build_project(project, out or project / "build", strict)
    report(outcome.diagnostics, fmt)
    if outcome.failed:
        sys.exit(EXIT_INVALID)
    for line in outcome.written:
        click.echo(line, err=True)


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


def _register() -> None:
    from .cli_i18n import i18n_group

    cli.add_command(i18n_group, "i18n")


_register()
