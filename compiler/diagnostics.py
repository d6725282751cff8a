"""Diagnostics are data: every problem found anywhere is one of these.

Loading and validation collect them all and report them together; nothing
raises on bad input. Printing is separate from finding (see `format_*`).
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# Every code the tool can emit, with its default severity and a one-line title.
# docs/questionnaire.md documents each one; a test keeps the two in step.
CODES: dict[str, tuple[Severity, str]] = {
    # Files and YAML
    "FW001": (Severity.ERROR, "file cannot be read"),
    "FW002": (Severity.ERROR, "file too large"),
    "FW003": (Severity.ERROR, "file is not UTF-8"),
    "FW004": (Severity.ERROR, "tab character in indentation"),
    "FW005": (Severity.ERROR, "YAML syntax error"),
    "FW006": (Severity.ERROR, "duplicate key in a mapping"),
    "FW007": (Severity.ERROR, "unsupported or unsafe YAML tag"),
    "FW008": (Severity.ERROR, "YAML aliases expand too far"),
    "FW009": (Severity.ERROR, "more than one YAML document in a file"),
    "FW011": (Severity.ERROR, "no questionnaire found"),
    # Structure
    "FW101": (Severity.ERROR, "unknown key"),
    "FW102": (Severity.ERROR, "missing required key"),
    "FW103": (Severity.ERROR, "wrong type of value"),
    "FW104": (Severity.ERROR, "value not allowed"),
    "FW105": (Severity.ERROR, "malformed id or code"),
    "FW106": (Severity.ERROR, "value out of range"),
    "FW107": (Severity.ERROR, "empty list or mapping"),
    "FW108": (Severity.ERROR, "unsupported format version"),
    # Ids and references
    "FW201": (Severity.ERROR, "duplicate id"),
    "FW202": (Severity.ERROR, "ids collide as data columns"),
    "FW203": (Severity.ERROR, "unknown option list"),
    "FW204": (Severity.ERROR, "reserved id"),
    "FW205": (Severity.ERROR, "file name does not match questionnaire id"),
    "FW206": (Severity.WARNING, "option list never used"),
    # Conditions
    "FW301": (Severity.ERROR, "condition syntax error"),
    "FW302": (Severity.ERROR, "condition refers to an unknown question"),
    "FW303": (Severity.ERROR, "condition refers to a question not yet asked"),
    "FW304": (Severity.ERROR, "condition refers to a statement"),
    "FW305": (Severity.ERROR, "code not offered by the question"),
    "FW306": (Severity.ERROR, "operator does not fit the question type"),
    "FW307": (Severity.ERROR, "matrix item missing or unknown"),
    "FW308": (Severity.WARNING, "condition can never be true"),
    "FW309": (Severity.ERROR, "value does not fit the question type"),
    # Options, numbers and dates
    "FW401": (Severity.ERROR, "minimum greater than maximum"),
    "FW402": (Severity.ERROR, "max_choices above the number of options"),
    "FW403": (Severity.ERROR, "exclusive option on a single choice"),
    "FW404": (Severity.ERROR, "invalid date"),
    "FW405": (Severity.ERROR, "scale points must be whole numbers"),
    "FW406": (Severity.ERROR, "specify text box not allowed here"),
    # Estimates
    "FW501": (Severity.WARNING, "estimated completion time exceeds the budget"),
    # Translations
    "FW601": (Severity.WARNING, "missing translation"),
    "FW602": (Severity.WARNING, "empty translation"),
    "FW603": (Severity.WARNING, "translation of a text that does not exist"),
    "FW604": (Severity.WARNING, "stale translation"),
    "FW605": (Severity.WARNING, "placeholders or Markdown differ from the source"),
    "FW606": (Severity.ERROR, "locale file missing for a listed language"),
    "FW607": (Severity.ERROR, "language unknown to CLDR and not described"),
    "FW608": (Severity.WARNING, "locale file for a language that is not listed"),
    "FW609": (Severity.ERROR, "locale file for another questionnaire"),
    "FW610": (Severity.ERROR, "invalid language tag"),
    "FW611": (Severity.WARNING, "unknown interface string"),
    "FW612": (Severity.ERROR, "invalid plural rule"),
    "FW613": (Severity.WARNING, "no interface strings for the language"),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def with_severity(self, severity: Severity) -> Diagnostic:
        return Diagnostic(
            self.file, self.line, self.column, self.code, self.message, self.hint, severity
        )


def make(code: str, file: str, line: int, column: int, message: str, hint: str = "") -> Diagnostic:
    """Build a diagnostic with the code's registered severity."""
    severity = CODES[code][0]
    return Diagnostic(file, line, column, code, message, hint, severity)


def has_errors(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    return any(d.severity is Severity.ERROR or strict for d in diagnostics)


def sort_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics))


# --- output -----------------------------------------------------------------

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


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""
