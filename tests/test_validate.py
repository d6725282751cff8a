"""Targeted validator tests: hints, the model it builds, and known bugs (xfail)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from compiler.diagnostics import CODES, Diagnostic, Severity
from compiler.language.formats import data_columns
from compiler.validate.questionnaire import Result, validate_file

CASES = Path(__file__).resolve().parent / "cases"
FULL = CASES / "valid-full" / "questionnaire" / "valid-full.yaml"

HEADER = """\
formwright: 1
id: t
version: "1"
title: T
language: en
"""


def validate_source(tmp_path: Path, body: str, name: str = "t") -> Result:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEADER + textwrap.dedent(body), "utf-8")
    return validate_file(path, f"{name}.yaml")


def questions(body: str) -> str:
    """A page holding the given question list (written at column 1)."""
    return "pages:\n  - id: p\n    title: P\n    questions:\n" + textwrap.indent(
        textwrap.dedent(body), "      "
    )


def found(result: Result) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.code) for d in result.diagnostics]


def test_full_example_is_valid_and_resolved() -> None:
    result = validate_file(FULL, "valid-full.yaml")
    assert result.diagnostics == []
    qn = result.questionnaire
    assert qn is not None
    by_id = {q.id: q for q in qn.questions}
    assert [o.code for o in by_id["reported"].options] == ["yes", "no"]
    assert [o.code for o in by_id["treated_fairly"].options] == [1, 2, 3, 4, 5]
    assert by_id["treated_fairly"].option_list == "agree5"
    assert [o.code for o in by_id["satisfaction"].choices] == [1, 2, 3, 4, 5, "dont_know"]
    assert by_id["days_to_contact"].condition_json == {
        "and": [
            {"op": "==", "field": "reported", "value": "yes"},
            {"not": {"op": "contains", "field": "support_offered", "value": "none"}},
        ]
    }
    assert by_id["q_matrix"].condition_json == {
        "or": [
            {"op": "<=", "field": "treated_fairly.respect", "value": 2},
            {"op": "in", "field": "treated_fairly.listened", "values": [1, 2]},
        ]
    }
    assert by_id["contacted_on"].condition_json == {
        "op": ">=",
        "field": "when_happened",
        "value": {"date": "2020-01-01"},
    }
    pages = {p.id: p for p in qn.pages}
    assert pages["details"].condition_json == {
        "or": [
            {"op": "in", "field": "crime_type", "values": ["robbery", "other"]},
            {"op": "answered", "field": "why_unhappy"},
        ]
    }
    assert pages["about"].condition_json is None


def test_quoted_literals_resolve_to_the_real_codes(tmp_path: Path) -> None:
    result = validate_source(
        tmp_path,
        questions(
            """\
            - id: n
              type: single
              text: N
              options: {1: One, 2: Two, yes: "Yes"}
            - id: q
              type: text
              text: Q
              when: n == '1' or n in ["2", 'yes']
            """
        ),
    )
    assert result.diagnostics == []
    assert result.questionnaire is not None
    q = result.questionnaire.questions[1]
    assert q.condition_json == {
        "or": [
            {"op": "==", "field": "n", "value": 1},
            {"op": "in", "field": "n", "values": [2, "yes"]},
        ]
    }


def test_diagnostics_are_sorted_unique_and_registered(tmp_path: Path) -> None:
    bad = (CASES / "wrong-types" / "questionnaire" / "wrong-types.yaml").read_text("utf-8")
    path = tmp_path / "wrong-types.yaml"
    path.write_text(bad, "utf-8")
    result = validate_file(path, "wrong-types.yaml")
    assert result.diagnostics == sorted(set(result.diagnostics))
    for d in result.diagnostics:
        assert d.code in CODES
        assert d.severity is CODES[d.code][0]
        assert d.file == "wrong-types.yaml"


def test_display_name_defaults_to_the_path(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    result = validate_file(path)
    assert [(d.file, d.code) for d in result.diagnostics] == [(str(path), "FW011")]
    assert result.questionnaire is None


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ("tiem_budget_minutes: 5\n", "did you mean 'time_budget_minutes'?"),
        (
            "zzz: 5\n",
            "allowed keys: endpoint, formwright, grace_period_days, hidden, id, intro, language, "
            "option_lists, pages, quick_exit, time_budget_minutes, title, translations, version",
        ),
        (questions("- {id: q, type: text, txt: Q}\n"), "did you mean 'text'?"),
        (questions("- {id: q, type: singel, text: Q}\n"), "did you mean 'single'?"),
        (
            questions("- {id: q, type: radio, text: Q}\n"),
            "choose one of: single, multiple, "
            "matrix, scale, text, textarea, number, date, statement, calculate, group",
        ),
        (
            questions("- {id: q, type: text, text: Q, required: yes}\n"),
            "formwright reads yes as text (YAML 1.2); write true or false",
        ),
        (
            questions("- {id: q, type: text, text: Q, required: Off}\n"),
            "formwright reads Off as text (YAML 1.2); write true or false",
        ),
        (
            questions("- {id: q, type: number, text: Q, min: 010}\n"),
            "formwright reads 010 as text, not as YAML 1.1 would; write a plain number",
        ),
        (
            questions("- {id: q, type: number, text: Q, max: 1:30}\n"),
            "formwright reads 1:30 as text, not as YAML 1.1 would; write a plain number",
        ),
        (
            questions("- {id: q, type: text, text: 42}\n"),
            'put it in quotes to keep it as written: text: "42"',
        ),
        (
            questions("- {id: q, type: text, text: 1.10}\n"),
            'put it in quotes to keep it as written: text: "1.10"',
        ),
        (
            questions("- {id: q, type: text, text: true}\n"),
            'put it in quotes to keep it as written: text: "true"',
        ),
    ],
)
def test_schema_hints(tmp_path: Path, body: str, hint: str) -> None:
    result = validate_source(
        tmp_path,
        body if body.startswith("pages") else body + questions("- {id: q, type: text, text: Q}\n"),
    )
    hints = [d.hint for d in result.diagnostics]
    assert hint in hints, result.diagnostics


@pytest.mark.parametrize(
    ("when", "hint"),
    [
        ("crme == a", "did you mean 'crime'?"),
        ("crime == b", "its codes: a, other"),
        ("crime == othr", "did you mean 'other'?"),
        ("support == a", "use: support contains CODE"),
        ("crime contains a", "contains is for multiple-choice questions; use == or in [...]"),
        ("grid == 1", "e.g. grid.row"),
        ("grid.rw == 1", "did you mean 'row'?"),
        ("grid.zzz == 1", "its items: row, col"),
        ("crime.x == a", "write crime alone"),
        ("place == London", "place == 'London'"),
        ("day == 2020", "write the date in quotes as 'YYYY-MM-DD', or use today"),
        ("note == 1", "a condition can only test questions that take an answer"),
    ],
)
def test_condition_hints(tmp_path: Path, when: str, hint: str) -> None:
    result = validate_source(
        tmp_path,
        questions(
            f"""\
            - {{id: note, type: statement, text: Note}}
            - {{id: crime, type: single, text: C, options: {{a: A, other: Other}}}}
            - {{id: support, type: multiple, text: S, options: {{a: A}}}}
            - id: grid
              type: matrix
              text: G
              items: {{row: Row, col: Column}}
              options: {{1: One}}
            - {{id: place, type: text, text: P}}
            - {{id: day, type: date, text: D}}
            - id: q
              type: text
              text: Q
              when: {when}
            """
        ),
    )
    assert len(result.diagnostics) == 1, result.diagnostics
    assert result.diagnostics[0].hint == hint


def test_condition_errors_stop_the_never_true_check(tmp_path: Path) -> None:
    result = validate_source(
        tmp_path,
        questions(
            """\
            - {id: n, type: number, text: N}
            - {id: q, type: text, text: Q, when: n > 5 and n < 1 and zz == 1}
            """
        ),
    )
    assert [d.code for d in result.diagnostics] == ["FW302"]


def test_never_true_is_a_warning(tmp_path: Path) -> None:
    result = validate_source(
        tmp_path,
        questions(
            """\
            - {id: n, type: number, text: N}
            - {id: q, type: text, text: Q, when: n > 5 and n < 1}
            """
        ),
    )
    assert [(d.code, d.severity) for d in result.diagnostics] == [("FW308", Severity.WARNING)]
    assert result.questionnaire is not None
    assert result.questionnaire.questions[1].condition_json is not None


def test_over_budget_counts_every_question(tmp_path: Path) -> None:
    long_text = "word " * 190
    qs = "".join(f"- {{id: q{i}, type: textarea, text: {long_text}}}\n" for i in range(8))
    result = validate_source(tmp_path, "time_budget_minutes: 5\n" + questions(qs))
    assert [(d.line, d.column, d.code) for d in result.diagnostics] == [(6, 22, "FW501")]
    assert result.diagnostics[0].message == (
        "the questionnaire takes about 16 minutes to complete, more than its budget of 5"
    )
    within = validate_source(tmp_path, "time_budget_minutes: 16\n" + questions(qs))
    assert within.diagnostics == []


def test_file_name_is_compared_without_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_text(HEADER + questions("- {id: q, type: text, text: Q}\n"))
    assert validate_file(path).diagnostics == []


# --- known bugs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "question"),
    [
        ("time_budget_minutes: 1.0\n", "- {id: q, type: textarea, text: " + "w " * 300 + "}\n"),
        ("", "- {id: q, type: multiple, text: Q, options: {a: A, b: B}, max_choices: 5.0}\n"),
    ],
    ids=["time_budget_minutes", "max_choices"],
)
def test_whole_numbers_written_as_floats_are_not_dropped(
    tmp_path: Path, top: str, question: str
) -> None:
    result = validate_source(tmp_path, top + questions(question))
    # either reject the float (FW103) or keep it (then the budget or the option count fails)
    assert result.diagnostics, "the limit was silently ignored"


def test_max_length_written_as_float_is_kept(tmp_path: Path) -> None:
    result = validate_source(
        tmp_path, questions("- {id: q, type: text, text: Q, max_length: 10.0}\n")
    )
    assert result.diagnostics or (
        result.questionnaire is not None and result.questionnaire.questions[0].max_length == 10
    )


def test_data_columns_are_unique() -> None:
    result = validate_file(FULL, "valid-full.yaml")
    assert result.questionnaire is not None
    for q in result.questionnaire.questions:
        columns = [name for name, _ in data_columns(q)]
        assert len(columns) == len(set(columns)), (q.id, columns)


def test_data_columns() -> None:
    result = validate_file(FULL, "valid-full.yaml")
    assert result.questionnaire is not None
    by_id = {q.id: q for q in result.questionnaire.questions}
    assert [n for n, _ in data_columns(by_id["crime_type"])] == [
        "crime_type",
        "crime_type.other",
    ]
    assert [n for n, _ in data_columns(by_id["treated_fairly"])] == [
        "treated_fairly.respect",
        "treated_fairly.listened",
    ]
    assert [n for n, _ in data_columns(by_id["support_offered"])] == [
        "support_offered.leaflet",
        "support_offered.referral",
        "support_offered.other",
        "support_offered.none",
        "support_offered.other.text",
    ]
    assert data_columns(by_id["welcome"]) == []
    assert [n for n, _ in data_columns(by_id["satisfaction"])] == ["satisfaction"]


def test_option_code_today(tmp_path: Path) -> None:
    result = validate_source(
        tmp_path,
        questions(
            """\
            - {id: when_q, type: single, text: W, options: {today: Today, later: Later}}
            - {id: q, type: text, text: Q, when: when_q == today}
            """
        ),
    )
    assert not [d for d in result.diagnostics if "did you mean 'today'" in d.hint]


def test_keyword_question_ids(tmp_path: Path) -> None:
    result = validate_source(
        tmp_path,
        questions(
            """\
            - {id: today, type: text, text: T}
            - {id: q, type: text, text: Q, when: answered(today)}
            """
        ),
    )
    # 4 lines of header after the common one, then the page: the id is on line 10
    assert any(d.line == 10 for d in result.diagnostics)


def test_result_for_a_copy_elsewhere_is_the_same(tmp_path: Path) -> None:
    copy = tmp_path / "valid-full.yaml"
    shutil.copy(FULL, copy)
    assert validate_file(copy).diagnostics == []


def _is_registered(d: Diagnostic) -> bool:
    return d.code in CODES


def test_every_case_diagnostic_is_registered() -> None:
    for path in sorted(CASES.glob("*/questionnaire/*.y*ml")):
        if (path.parent.parent / "xfail.txt").exists():
            continue  # a known bug, perhaps a crash: see test_cases.py
        for d in validate_file(path, path.name).diagnostics:
            assert _is_registered(d), d
            assert d.line >= 1 and d.column >= 1, d
