"""`formwright serve` (build, then preview) and `formwright endpoint` (production)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_INVALID, fail, project_option


@click.command()
@click.option("--db", "db", default=None, help="Database (default: responses.sqlite3).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@project_option
def serve(db: str | None, host: str, port: int, project: Path) -> None:
    """Build, then serve the forms and the collection endpoint in one process."""
    from ..build import build_project
    from ..preview import run
    from .checking import report

    outcome = build_project(project, project / "build")
    report(outcome.diagnostics, "text")
    if outcome.failed:
        sys.exit(EXIT_INVALID)
    problem = run(project / "build", db or str(project / "responses.sqlite3"), host, port)
    if problem:
        fail(problem)


@click.command()
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
    from ..collect.server import run_endpoint

    problem = run_endpoint(host, port, workers, proxy_headers, forwarded_allow_ips)
    if problem:
        fail(problem)
