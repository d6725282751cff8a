"""Diagnostics are data: every problem found anywhere is one of these.

Loading and validation collect them all and report them together; nothing
raises on bad input. Printing is separate from finding (formatting.py).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


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
    "FW109": (Severity.ERROR, "construct needs formwright: 2"),
    "FW110": (Severity.WARNING, "bidi control that reorders or leaks into displayed text"),
    "FW111": (Severity.WARNING, "link over plain http://"),
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
    "FW310": (Severity.ERROR, "operand does not fit the operator"),
    "FW311": (Severity.ERROR, "function arguments do not fit"),
    "FW312": (Severity.ERROR, "pattern outside the linear-time subset"),
    "FW313": (Severity.WARNING, "word is both an option code and a question"),
    "FW314": (Severity.ERROR, "bands on a value that is not a number"),
    "FW315": (Severity.ERROR, "band runs backwards or bands overlap"),
    "FW316": (Severity.WARNING, "gap between bands"),
    # Options, numbers and dates
    "FW401": (Severity.ERROR, "minimum greater than maximum"),
    "FW402": (Severity.ERROR, "max_choices above the number of options"),
    "FW403": (Severity.ERROR, "exclusive option on a single choice"),
    "FW404": (Severity.ERROR, "invalid date"),
    "FW405": (Severity.ERROR, "scale points must be whole numbers"),
    "FW406": (Severity.ERROR, "specify text box not allowed here"),
    "FW407": (Severity.ERROR, "pattern and format together"),
    "FW408": (Severity.WARNING, "custom message that is never shown"),
    # Estimates
    "FW501": (Severity.WARNING, "estimated completion time exceeds the budget"),
    "FW502": (Severity.WARNING, "a full response may be larger than the endpoint accepts"),
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
    "FW614": (Severity.ERROR, "translation leaves out a placeholder of the source"),
    "FW615": (Severity.ERROR, "translation has a placeholder the source does not have"),
    "FW616": (Severity.WARNING, "piped number without a plural form its language needs"),
    # Piping
    "FW701": (Severity.ERROR, "placeholder names nothing"),
    "FW702": (Severity.ERROR, "placeholder names an answer not yet given"),
    "FW703": (Severity.ERROR, "placeholder part does not fit"),
    "FW704": (Severity.WARNING, "placeholder without a fallback"),
    "FW705": (Severity.ERROR, "malformed placeholder"),
    "FW706": (Severity.ERROR, "placeholder where answers cannot be piped"),
    "FW707": (Severity.ERROR, "plural forms that do not fit"),
    # Anonymity
    "FW801": (Severity.WARNING, "question asks for contact or identifying details"),
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


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def display_path(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative
