"""Data-driven validation cases: tests/cases/<name>/ holds a small project and its expectations.

Each case folder holds:

- questionnaire/*.yaml    the project's questionnaires (a case may hold several, or none);
- expected.txt            every diagnostic, one per line, `FILE:LINE:COL: SEVERITY CODE: message`,
                          FILE relative to the case folder; empty for a valid project;
- expected-hints.txt      optional: the hint of each diagnostic that has one,
                          `FILE:LINE:COL: CODE: hint`;
- xfail.txt               optional: the case shows a known compiler bug; its text is the reason.

`FORMWRIGHT_UPDATE_CASES=1 pytest tests/test_cases.py` rewrites expected.txt (and an existing
expected-hints.txt) from what the validator says now. Review every changed line with `git diff`
before committing: an expectation states what a correct validator SHOULD say.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.diagnostics import Diagnostic
from compiler.project import validate_project

CASES = Path(__file__).resolve().parent / "cases"
UPDATE = os.environ.get("FORMWRIGHT_UPDATE_CASES") == "1"


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def relative(case: Path, file: str) -> str:
    path = Path(file)
    if not path.is_absolute():
        path = Path.cwd() / path
    return path.resolve().relative_to(case.resolve()).as_posix()


def run_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    monkeypatch.chdir(case)
    return validate_project(Path(".")).all_diagnostics


def lines(case: Path, diagnostics: list[Diagnostic]) -> tuple[list[str], list[str]]:
    found, hints = [], []
    for d in diagnostics:
        where = f"{relative(case, d.file)}:{d.line}:{d.column}"
        found.append(f"{where}: {d.severity.value} {d.code}: {d.message}")
        if d.hint:
            hints.append(f"{where}: {d.code}: {d.hint}")
    return found, hints


def read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_lines(path: Path, rows: list[str]) -> None:
    path.write_text("".join(f"{row}\n" for row in rows), "utf-8")


def params(known_bugs: str = "xfail") -> list[object]:
    """One parameter per case; a case with xfail.txt shows a known bug: xfail or skip it."""
    out: list[object] = []
    for case in case_dirs():
        marks: list[pytest.MarkDecorator] = []
        reason_file = case / "xfail.txt"
        if reason_file.exists() and not UPDATE:
            reason = reason_file.read_text("utf-8").strip()
            if known_bugs == "xfail":
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            else:
                marks.append(pytest.mark.skip(reason="a known bug; see test_case"))
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def test_every_case_has_a_project() -> None:
    for case in case_dirs():
        assert (case / "questionnaire").is_dir(), f"{case.name} has no questionnaire/ folder"
        assert (case / "expected.txt").is_file(), f"{case.name} has no expected.txt"


@pytest.mark.parametrize("case", params())
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found, hints = lines(case, run_case(case, monkeypatch))
    expected_file = case / "expected.txt"
    hints_file = case / "expected-hints.txt"
    if UPDATE and not (case / "xfail.txt").exists():
        write_lines(expected_file, found)
        if hints_file.exists():
            write_lines(hints_file, hints)
    assert found == read_lines(expected_file)
    if hints_file.exists():
        assert hints == read_lines(hints_file)


@pytest.mark.parametrize("case", params(known_bugs="skip"))
def test_case_independent_of_working_directory(
    case: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Validating from elsewhere finds the same problems (only the file names differ)."""
    here = [
        (relative(case, d.file), d.line, d.column, d.code, d.message)
        for d in run_case(case, monkeypatch)
    ]
    monkeypatch.chdir(tmp_path)
    prefix = f"{case.resolve()}{os.sep}"
    there = [
        (relative(case, d.file), d.line, d.column, d.code, d.message.replace(prefix, ""))
        for d in validate_project(case).all_diagnostics
    ]
    assert there == here
