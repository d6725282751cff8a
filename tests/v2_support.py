"""Helpers for the version-2 endpoint and export tests: the examples, a small questionnaire."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from compiler.build import build_project

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"

# Every version-2 check the endpoint makes, in the fewest questions: a calculated value
# that names today, one with bands, question and page rules, custom messages, patterns,
# a group and a hidden field.
CHECKS = """\
formwright: 2
id: checks
version: "1"
title: Checks
language: en
hidden:
  channel: [web, leaflet]
pages:
  - id: first
    title: First
    rules:
      - must: b >= a
        message: B must be at least A
    questions:
      - id: born
        type: date
        text: When were you born?
      - id: age_days
        type: calculate
        value: days_between(born, today)
      - id: a
        type: number
        required: true
        min: 1
        text: A?
        messages:
          required: Tell us A, please
          min: A must be one or more
      - id: b
        type: number
        text: B?
      - id: score
        type: calculate
        value: a + b
        bands:
          - {min: 0, max: 5, label: Low}
          - {min: 6, max: 10, label: High}
      - id: code
        type: text
        text: Code?
        pattern: "[a-z]{3}"
        messages:
          pattern: Three small letters
      - id: digits
        type: text
        text: Digits?
        pattern: "[0-9]+"
      - id: note
        type: text
        text: A note?
        rules:
          - must: length(note) <= 5 or answered(b)
            message: Short notes only, unless you gave B
  - id: second
    title: Second
    rules:
      - must: a <= 50
        message: A is too big for page two
    questions:
      - id: pet
        type: single
        text: Do you have a pet?
        options:
          yes: "Yes"
          no: "No"
      - id: pets
        type: group
        when: pet == yes
        questions:
          - id: pet_name
            type: text
            text: Its name?
          - id: pet_age
            type: number
            required: true
            text: Its age?
      - id: where
        type: text
        when: channel == leaflet
        text: Where did you find the leaflet?
"""


def build_example(name: str, tmp: Path) -> Path:
    """Build examples/<name> into tmp; returns the build folder."""
    for part in ("questionnaire", "locales"):
        if (EXAMPLES / name / part).exists():
            shutil.copytree(EXAMPLES / name / part, tmp / part)
    outcome = build_project(tmp, tmp / "build")
    assert not outcome.failed, outcome.diagnostics
    return tmp / "build"


def build_inline(tmp: Path, source: str = CHECKS, qid: str = "checks") -> Path:
    (tmp / "questionnaire").mkdir(parents=True)
    (tmp / "questionnaire" / f"{qid}.yaml").write_text(source, encoding="utf-8")
    outcome = build_project(tmp, tmp / "build")
    assert not outcome.failed, outcome.diagnostics
    return tmp / "build"


def manifest_of(build: Path, qid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((build / qid / "manifest.json").read_text("utf-8"))
    return data


def envelope(qid: str, answers: dict[str, Any], language: str = "en") -> dict[str, Any]:
    return {
        "questionnaire": qid,
        "version": "1",
        "language": language,
        "submission_id": str(uuid.uuid4()),
        "answers": answers,
    }
