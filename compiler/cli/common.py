"""What every command shares: options, exit codes, failing with a message, the GC tuning."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

FORMATS = click.Choice(["text", "json", "github"])


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


def one_shot() -> None:
    """Tune the garbage collector for a command that loads everything, then exits.

    Loading builds hundreds of thousands of small nodes that hold no cycles, and
    the default thresholds rescan all of them over and over: half of the time of
    a 22-language validation went there (bench/results.md). Memory stays bounded
    by the files' size; `serve` keeps the defaults.
    """
    gc.freeze()
    gc.set_threshold(1_000_000, 50, 100)


def fail(message: str) -> None:
    click.echo(f"formwright: {message}", err=True)
    sys.exit(EXIT_INVALID)


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        default=None,
        help="Database: a SQLite file path or a postgresql:// URL "
        "(default: responses.sqlite3 in the project).",
    )(func)
