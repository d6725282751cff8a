"""How diagnostics are printed: text for people, JSON for tools, GitHub annotations."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict

from .diagnostics import Diagnostic, Severity

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def use_colour(is_tty: bool) -> bool:
    # https://no-color.org: any non-empty NO_COLOR disables colour.
    return is_tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def format_text(d: Diagnostic, colour: bool = False) -> str:
    where = f"{d.file}:{d.line}:{d.column}"
    sev = d.severity.value
    if colour:
        where = f"{_BOLD}{where}{_RESET}"
        sev = f"{_COLOURS[d.severity]}{sev}{_RESET}"
    text = f"{where}: {sev} {d.code}: {d.message}"
    if d.hint:
        hint = f"hint: {d.hint}"
        text += "\n    " + (f"{_DIM}{hint}{_RESET}" if colour else hint)
    return text


def _github_escape(value: str, in_property: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, shown as an annotation on the pull request."""
    message = d.message + (f" (hint: {d.hint})" if d.hint else "")
    props = ",".join(
        [
            f"file={_github_escape(d.file, True)}",
            f"line={d.line}",
            f"col={d.column}",
            f"title={_github_escape(d.code, True)}",
        ]
    )
    return f"::{d.severity.value} {props}::{_github_escape(message)}"


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    rows = []
    for d in diagnostics:
        row = asdict(d)
        row["severity"] = d.severity.value
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2)


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    plural = {1: ""}
    return f"{errors} error{plural.get(errors, 's')}, {warnings} warning{plural.get(warnings, 's')}"
