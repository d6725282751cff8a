"""Every diagnostic code the docs promise is shown by a case folder (tests/cases/).

Two codes cannot come from a case folder checked into git: FW001 (a file that
cannot be read) and FW002 (a file over 4 MiB). Each has a test of its own in
tests/test_load.py instead, named here.
"""

from __future__ import annotations

import re
from pathlib import Path

from compiler.diagnostics import CODES

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
CODE = re.compile(r"\bFW\d{3}\b")
# code -> the test that shows it, where a case folder cannot
NAMED_TESTS = {
    "FW001": "test_load.py::test_missing_file_is_fw001",
    "FW002": "test_load.py::test_file_too_large",
}


def documented() -> set[str]:
    text = (ROOT / "docs" / "questionnaire.md").read_text("utf-8")
    return set(CODE.findall(text))


def in_cases() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for expected in CASES.glob("*/expected.txt"):
        for line in expected.read_text("utf-8").splitlines():
            match = re.search(r": (?:error|warning) (FW\d{3}):", line)
            if match:
                found.setdefault(match.group(1), set()).add(expected.parent.name)
    return found


def test_the_docs_list_every_code() -> None:
    assert documented() == set(CODES)


def test_every_locale_code_has_a_case_with_locale_files() -> None:
    cases = in_cases()
    missing = []
    for code in sorted(c for c in CODES if c.startswith("FW6")):
        folders = cases.get(code, set())
        if not any((CASES / name / "locales").is_dir() for name in folders):
            missing.append(code)
    assert missing == []


def test_every_other_code_has_a_case_or_a_named_test() -> None:
    cases = in_cases()
    missing = [c for c in sorted(documented()) if c not in cases and c not in NAMED_TESTS]
    assert missing == []


def test_the_named_tests_exist_and_assert_their_code() -> None:
    for code, where in NAMED_TESTS.items():
        file, name = where.split("::")
        source = (ROOT / "tests" / file).read_text("utf-8")
        assert f"def {name}(" in source, where
        body = source.split(f"def {name}(", 1)[1].split("\ndef ", 1)[0]
        assert code in body, f"{where} does not assert {code}"
