"""The command line: parses options and calls the pipeline's modules, nothing more."""

from __future__ import annotations

import gc
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


def jobs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=0),
        default=0,
        help="Processes for the per-language work: 1 for one, 0 (default) for one per "
        "core when the translations are large enough to gain from it.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="formwright")
def cli() -> None:
    """Compile questionnaires written in YAML into accessible HTML forms."""


@cli.command()
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


@cli.command()
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
    from .build import build_project

    one_shot()
    outcome = build_project(project, out or project / "build", strict, jobs)
    report(outcome.diagnostics, fmt)
    if outcome.failed:
        sys.exit(EXIT_INVALID)
    for line in outcome.written:
        click.echo(line, err=True)


def one_shot() -> None:
    """Tune the garbage collector for a command that loads everything, then exits.

    Loading builds hundreds of thousands of small nodes that hold no cycles, and
    the default thresholds rescan all of them over and over: half of the time of
    a 22-language validation went there (bench/results.md). Memory stays bounded
    by the files' size; `serve` keeps the defaults.
    """
    gc.freeze()
    gc.set_threshold(1_000_000, 50, 100)


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


# --- collection: serve, db, export, codebook -------------------------------------


def _fail(message: str) -> None:
    click.echo(f"formwright: {message}", err=True)
    sys.exit(EXIT_INVALID)


def _db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        default=None,
        help="Database: a SQLite file path or a postgresql:// URL "
        "(default: responses.sqlite3 in the project).",
    )(func)


@cli.command()
@click.option("--db", "db", default=None, help="Database (default: responses.sqlite3).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@project_option
def serve(db: str | None, host: str, port: int, project: Path) -> None:
    """Build, then serve the forms and the collection endpoint in one process."""
    from .build import build_project
    from .serve import run

    outcome = build_project(project, project / "build")
    report(outcome.diagnostics, "text")
    if outcome.failed:
        sys.exit(EXIT_INVALID)
    problem = run(project / "build", db or str(project / "responses.sqlite3"), host, port)
    if problem:
        _fail(problem)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, None))
@click.option(
    "--proxy-headers",
    is_flag=True,
    help="Take the client address from X-Forwarded-For (for the rate limit) "
    "when the peer is one of --forwarded-allow-ips.",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Comma-separated proxy addresses trusted with --proxy-headers.",
)
def endpoint(
    host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str
) -> None:
    """Run the collection endpoint for production, configured by FORMWRIGHT_* variables."""
    from .serve import run_endpoint

    problem = run_endpoint(host, port, workers, proxy_headers, forwarded_allow_ips)
    if problem:
        _fail(problem)


@cli.group()
def db() -> None:
    """Manage the responses database."""


@db.command("upgrade")
@click.option("--db", "url", required=True, help="A SQLite file path or a postgresql:// URL.")
def db_upgrade(url: str) -> None:
    """Create the tables or apply missing migrations."""
    from .store import SCHEMA_VERSION, StoreError, open_store

    try:
        applied = open_store(url, upgrade=False).upgrade()
    except StoreError as exc:
        return _fail(str(exc))
    done = f"applied {', '.join(map(str, applied))}" if applied else "nothing to apply"
    click.echo(f"database at schema version {SCHEMA_VERSION} ({done})", err=True)


@cli.command()
@_db_option
@click.option("--questionnaire", default=None, help="Only this questionnaire's responses.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv")
@click.option("--labels", type=click.Choice(["codes", "text"]), default="codes")
@click.option("--redact", is_flag=True, help="Hide e-mails, phone numbers, postcodes.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@project_option
def export(
    db: str | None,
    questionnaire: str | None,
    fmt: str,
    labels: str,
    redact: bool,
    output: Path | None,
    project: Path,
) -> None:
    """Export responses, one row per response and one column per answer."""
    from .export import run_export

    url = db or str(project / "responses.sqlite3")
    problem = run_export(url, project / "build", questionnaire, fmt, labels, redact, output)
    if problem:
        _fail(problem)


@cli.command()
@click.option("--questionnaire", default=None, help="Only this questionnaire (default: all).")
@click.option("--format", "fmt", type=click.Choice(["csv", "markdown"]), default="markdown")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@project_option
def codebook(questionnaire: str | None, fmt: str, output: Path | None, project: Path) -> None:
    """Describe every export column: question, type, codes and condition."""
    from .export import run_codebook

    problem = run_codebook(project / "build", questionnaire, fmt, output)
    if problem:
        _fail(problem)
