"""`formwright db`, `export` and `codebook`: the commands that read the responses."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .common import db_option, fail, project_option


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error for a long export; silent for a short one."""
    quiet = total <= 1000
    with click.progressbar(
        length=total, label="exporting", file=io.StringIO() if quiet else sys.stderr
    ) as bar:
        yield bar.update


@click.group()
def db() -> None:
    """Manage the responses database."""


@db.command("upgrade")
@click.option("--db", "url", required=True, help="A SQLite file path or a postgresql:// URL.")
def db_upgrade(url: str) -> None:
    """Create the tables or apply missing migrations."""
    from ..store import SCHEMA_VERSION, StoreError, open_store

    try:
        applied = open_store(url, upgrade=False).upgrade()
    except StoreError as exc:
        return fail(str(exc))
    done = f"applied {', '.join(map(str, applied))}" if applied else "nothing to apply"
    click.echo(f"database at schema version {SCHEMA_VERSION} ({done})", err=True)


@click.command()
@db_option
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
    from ..export import run_export

    url = db or str(project / "responses.sqlite3")
    problem = run_export(
        url, project / "build", questionnaire, fmt, labels, redact, output, _progress
    )
    if problem:
        fail(problem)


@click.command()
@click.option("--questionnaire", default=None, help="Only this questionnaire (default: all).")
@click.option("--format", "fmt", type=click.Choice(["csv", "markdown"]), default="markdown")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@project_option
def codebook(questionnaire: str | None, fmt: str, output: Path | None, project: Path) -> None:
    """Describe every export column: question, type, codes and condition."""
    from ..export import run_codebook

    problem = run_codebook(project / "build", questionnaire, fmt, output)
    if problem:
        fail(problem)
