"""`formwright validate` and `formwright build`, and how diagnostics are printed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..diagnostics import Diagnostic, has_errors
from ..formatting import format_github, format_text, summary, to_json, use_colour
from ..project import validate_project
from .common import EXIT_INVALID, common_options, jobs_option, one_shot


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


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@common_options
@jobs_option
def validate(paths: tuple[Path, ...], project: Path, strict: bool, fmt: str, jobs: int) -> None:
    """Check questionnaires and report every problem at once.

    PATHS are questionnaire files or folders; by default, every file in the
    project's questionnaire/ folder.
    """
    one_shot()
    result = validate_project(project, list(paths), jobs)
    diagnostics = result.all_diagnostics
    report(diagnostics, fmt)
    if has_errors(diagnostics, strict):
        sys.exit(EXIT_INVALID)


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: build/ in the project).",
)
@common_options
@jobs_option
def build(out: Path | None, project: Path, strict: bool, fmt: str, jobs: int) -> None:
    """Validate every questionnaire, then compile each into static HTML forms."""
    from ..build import build_project

    one_shot()
    outcome = build_project(project, out or project / "build", strict, jobs)
    report(outcome.diagnostics, fmt)
    if outcome.failed:
        sys.exit(EXIT_INVALID)
    for line in outcome.written:
        click.echo(line, err=True)
