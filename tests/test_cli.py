"""The command line (`formwright validate`), through click's CliRunner."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from compiler import __version__
from compiler.cli import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE, cli, main
from compiler.cli import checking as cli_module
from compiler.diagnostics import CODES, Diagnostic, Severity
from compiler.formatting import format_text, use_colour

CASES = Path(__file__).resolve().parent / "cases"
ANSI = re.compile(r"\x1b\[")
CLEAN = """\
formwright: 1
id: clean
version: "1"
title: Clean
language: en
pages:
  - id: p1
    title: Page one
    questions:
      - id: q1
        type: text
        text: Anything to add?
"""
WARNING_ONLY = CLEAN.replace("id: clean", "id: warning-only").replace(
    "pages:", "option_lists:\n  unused: {a: A}\npages:"
)
BROKEN = CLEAN.replace("id: clean", "id: broken").replace("text: Anything", "txt: Anything")


def project(tmp_path: Path, files: dict[str, str], name: str = "project") -> Path:
    root = tmp_path / name
    (root / "questionnaire").mkdir(parents=True)
    for file_name, text in files.items():
        (root / "questionnaire" / file_name).write_text(text, "utf-8")
    return root


def copy_case(tmp_path: Path, case: str) -> Path:
    root = tmp_path / case
    shutil.copytree(CASES / case / "questionnaire", root / "questionnaire")
    return root


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


# --- exit codes ------------------------------------------------------------------------


def test_clean_project_exits_0_and_prints_nothing(tmp_path: Path) -> None:
    root = project(tmp_path, {"clean.yaml": CLEAN})
    result = run(["validate", "-C", str(root)])
    assert result.exit_code == EXIT_OK
    assert result.stdout == ""
    assert result.stderr == ""


def test_full_example_exits_0(tmp_path: Path) -> None:
    root = copy_case(tmp_path, "valid-full")
    result = run(["validate", "--strict", "-C", str(root)])
    assert result.exit_code == EXIT_OK, result.output


def test_errors_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"broken.yaml": BROKEN})
    monkeypatch.chdir(root)
    result = run(["validate"])
    assert result.exit_code == EXIT_INVALID
    assert result.stdout.splitlines() == [
        "questionnaire/broken.yaml:10:9: error FW102: missing required key 'text' in question 'q1'",
        "questionnaire/broken.yaml:12:9: error FW101: unknown key 'txt' in question 'q1'",
        "    hint: did you mean 'text'?",
    ]
    assert result.stderr == "2 errors, 0 warnings\n"


def test_warnings_alone_exit_0_unless_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"warning-only.yaml": WARNING_ONLY})
    monkeypatch.chdir(root)
    result = run(["validate"])
    assert result.exit_code == EXIT_OK
    expected = (
        "questionnaire/warning-only.yaml:7:3: warning FW206: "
        "the option list 'unused' is not used by any question\n"
    )
    assert result.stdout == expected
    assert result.stderr == "0 errors, 1 warning\n"
    strict = run(["validate", "--strict"])
    assert strict.exit_code == EXIT_INVALID
    assert strict.stdout == expected


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--no-such-option"],
        ["validate", "-C", "/no/such/folder/anywhere"],
        ["validate", "--format", "xml"],
        ["validate", "no-such-file.yaml"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path, {"clean.yaml": CLEAN}))
    result = run(args)
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert "Usage:" in result.stderr
    assert "Traceback" not in result.output


def test_project_must_be_a_folder(tmp_path: Path) -> None:
    root = project(tmp_path, {"clean.yaml": CLEAN})
    result = run(["validate", "-C", str(root / "questionnaire" / "clean.yaml")])
    assert result.exit_code == EXIT_USAGE


def test_no_questionnaire_is_fw011(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "empty-project"
    (root / "questionnaire").mkdir(parents=True)
    monkeypatch.chdir(root)
    result = run(["validate"])
    assert result.exit_code == EXIT_INVALID
    assert result.stdout.splitlines()[0] == (
        "questionnaire:1:1: error FW011: no questionnaire (*.yaml) in this folder"
    )


def test_no_questionnaire_folder_at_all_fails(tmp_path: Path) -> None:
    result = run(["validate", "--format", "json", "-C", str(tmp_path)])
    assert result.exit_code == EXIT_INVALID
    assert len(json.loads(result.stdout)) == 1


def test_no_questionnaire_folder_at_all_is_fw011(tmp_path: Path) -> None:
    result = run(["validate", "--format", "json", "-C", str(tmp_path)])
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows] == ["FW011"]


def test_help_and_version() -> None:
    result = run(["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"formwright, version {__version__}\n"
    for args in (["--help"], ["-h"], ["validate", "--help"]):
        result = run(args)
        assert result.exit_code == 0
        assert "Usage:" in result.stdout
    assert "--strict" in run(["validate", "--help"]).stdout


# --- formats ---------------------------------------------------------------------------


def test_json_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"broken.yaml": BROKEN, "warning-only.yaml": WARNING_ONLY})
    monkeypatch.chdir(root)
    result = run(["validate", "--format", "json"])
    assert result.exit_code == EXIT_INVALID
    rows = json.loads(result.stdout)
    assert rows == [
        {
            "file": "questionnaire/broken.yaml",
            "line": 10,
            "column": 9,
            "code": "FW102",
            "message": "missing required key 'text' in question 'q1'",
            "hint": "",
            "severity": "error",
        },
        {
            "file": "questionnaire/broken.yaml",
            "line": 12,
            "column": 9,
            "code": "FW101",
            "message": "unknown key 'txt' in question 'q1'",
            "hint": "did you mean 'text'?",
            "severity": "error",
        },
        {
            "file": "questionnaire/warning-only.yaml",
            "line": 7,
            "column": 3,
            "code": "FW206",
            "message": "the option list 'unused' is not used by any question",
            "hint": "",
            "severity": "warning",
        },
    ]


def test_json_format_of_a_clean_project_is_an_empty_list(tmp_path: Path) -> None:
    result = run(
        ["validate", "--format", "json", "-C", str(project(tmp_path, {"clean.yaml": CLEAN}))]
    )
    assert result.exit_code == EXIT_OK
    assert json.loads(result.stdout) == []


def test_json_keeps_non_ascii_text(tmp_path: Path) -> None:
    source = (
        CLEAN.replace("id: clean", "id: accents")
        .replace("txt", "text")
        .replace("  - id: p1\n", "  - id: p1\n    tïtle: Café\n")
    )
    root = project(tmp_path, {"accents.yaml": source})
    result = run(["validate", "--format", "json", "-C", str(root)])
    rows = json.loads(result.stdout)
    assert rows[0]["message"] == "unknown key 'tïtle' in page 'p1'"
    assert "tïtle" in result.stdout


def test_github_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"broken.yaml": BROKEN, "warning-only.yaml": WARNING_ONLY})
    monkeypatch.chdir(root)
    result = run(["validate", "--format", "github"])
    assert result.exit_code == EXIT_INVALID
    assert result.stdout.splitlines() == [
        "::error file=questionnaire/broken.yaml,line=10,col=9,title=FW102::"
        "missing required key 'text' in question 'q1'",
        "::error file=questionnaire/broken.yaml,line=12,col=9,title=FW101::"
        "unknown key 'txt' in question 'q1' (hint: did you mean 'text'?)",
        "::warning file=questionnaire/warning-only.yaml,line=7,col=3,title=FW206::"
        "the option list 'unused' is not used by any question",
    ]


def test_github_format_escapes() -> None:
    from compiler.formatting import format_github

    d = Diagnostic("a:b,c.yaml", 1, 2, "FW101", "100% bad\nreally", "x\ry")
    assert format_github(d) == (
        "::error file=a%3Ab%2Cc.yaml,line=1,col=2,title=FW101::100%25 bad%0Areally (hint: x%0Dy)"
    )


def test_every_format_prints_every_diagnostic_once(tmp_path: Path) -> None:
    root = copy_case(tmp_path, "options")
    text = run(["validate", "-C", str(root)]).stdout
    github = run(["validate", "--format", "github", "-C", str(root)]).stdout
    rows = json.loads(run(["validate", "--format", "json", "-C", str(root)]).stdout)
    expected = (CASES / "options" / "expected.txt").read_text("utf-8").splitlines()
    assert len(rows) == len(expected) == len(github.splitlines())
    assert len([line for line in text.splitlines() if not line.startswith("    hint: ")]) == len(
        expected
    )
    for row in rows:
        assert set(row) == {"file", "line", "column", "code", "message", "hint", "severity"}
        assert row["code"] in CODES
        assert row["severity"] == CODES[row["code"]][0].value


# --- colour ----------------------------------------------------------------------------


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_ansi_escapes_without_a_terminal(tmp_path: Path, env: dict[str, str]) -> None:
    root = copy_case(tmp_path, "options")
    result = run(["validate", "-C", str(root)], env=env)
    assert result.exit_code == EXIT_INVALID
    assert result.stdout
    assert not ANSI.search(result.output)


def test_use_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_colour(True) is True
    assert use_colour(False) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(True) is False
    monkeypatch.setenv("NO_COLOR", "")  # an empty NO_COLOR does not count (no-color.org)
    assert use_colour(True) is True
    monkeypatch.setenv("TERM", "dumb")
    assert use_colour(True) is False


def test_colour_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a terminal, text output is coloured; NO_COLOR turns it off."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    root = project(tmp_path, {"broken.yaml": BROKEN})
    # CliRunner's output is no terminal: pretend it is one
    monkeypatch.setattr(cli_module, "use_colour", lambda is_tty: use_colour(True))
    coloured = CliRunner().invoke(cli, ["validate", "-C", str(root)], color=True)
    assert coloured.exit_code == EXIT_INVALID
    assert ANSI.search(coloured.stdout)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = CliRunner().invoke(cli, ["validate", "-C", str(root)], color=True)
    assert plain.exit_code == EXIT_INVALID
    assert not ANSI.search(plain.stdout)
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.stdout) == plain.stdout


def test_format_text_with_and_without_colour() -> None:
    d = Diagnostic("f.yaml", 3, 4, "FW206", "unused", "remove it", Severity.WARNING)
    assert format_text(d) == "f.yaml:3:4: warning FW206: unused\n    hint: remove it"
    coloured = format_text(d, colour=True)
    assert ANSI.search(coloured)
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == format_text(d)


# --- choosing what to validate ------------------------------------------------------------


def test_project_option_from_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"broken.yaml": BROKEN})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run(["validate", "--project", "../project"])
    assert result.exit_code == EXIT_INVALID
    assert result.stdout.startswith("../project/questionnaire/broken.yaml:10:9: error FW102") or (
        result.stdout.startswith(f"{root}/questionnaire/broken.yaml:10:9: error FW102")
    )
    monkeypatch.chdir(tmp_path)
    result = run(["validate", "-C", "project"])
    assert result.stdout.startswith("project/questionnaire/broken.yaml:10:9: error FW102")


def test_explicit_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, {"clean.yaml": CLEAN, "broken.yaml": BROKEN})
    monkeypatch.chdir(root)
    assert run(["validate", "questionnaire/clean.yaml"]).exit_code == EXIT_OK
    result = run(["validate", "questionnaire/broken.yaml", "questionnaire/clean.yaml"])
    assert result.exit_code == EXIT_INVALID
    assert {line.split(":")[0] for line in result.stdout.splitlines() if ": error " in line} == {
        "questionnaire/broken.yaml"
    }
    # a folder is a path too
    result = run(["validate", "questionnaire"])
    assert result.exit_code == EXIT_INVALID
    assert "questionnaire/broken.yaml:10:9" in result.stdout


def test_explicit_paths_outside_the_questionnaire_folder(tmp_path: Path) -> None:
    other = tmp_path / "drafts"
    other.mkdir()
    draft = other / "clean.yaml"
    draft.write_text(CLEAN, "utf-8")
    result = run(["validate", "-C", str(tmp_path), str(draft)])
    assert result.exit_code == EXIT_OK, result.output


def test_explicit_path_that_is_not_yaml_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "clean.txt"
    path.write_text("- not a mapping\n")
    result = run(["validate", "-C", str(tmp_path), str(path)])
    assert result.exit_code == EXIT_INVALID
    assert "FW103" in result.stdout


def test_results_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_case(tmp_path, "condition-references")
    monkeypatch.chdir(root)
    here = json.loads(run(["validate", "--format", "json"]).stdout)
    monkeypatch.chdir(tmp_path)
    there = json.loads(run(["validate", "--format", "json", "-C", root.name]).stdout)
    assert [r["file"] for r in there] == [f"{root.name}/{r['file']}" for r in here]
    for r in (*here, *there):
        del r["file"]
    assert there == here


# --- main(): the entry point ---------------------------------------------------------------


def test_main_turns_an_internal_error_into_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("something broke")

    monkeypatch.setattr(cli_module, "validate_project", explode)
    monkeypatch.delenv("FORMWRIGHT_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["formwright", "validate", "-C", str(tmp_path)])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == EXIT_INTERNAL
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith("formwright: internal error: RuntimeError: something broke\n")
    assert "FORMWRIGHT_DEBUG=1" in err


def test_main_shows_the_traceback_with_formwright_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> object:
        raise KeyError("oops")

    monkeypatch.setattr(cli_module, "validate_project", explode)
    monkeypatch.setenv("FORMWRIGHT_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["formwright", "validate", "-C", str(tmp_path)])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == EXIT_INTERNAL
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["validate", "--bogus"], EXIT_USAGE), (["--version"], EXIT_OK)],
)
def test_main_passes_click_exit_codes_through(
    argv: list[str], code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["formwright", *argv])
    with pytest.raises(SystemExit) as info:
        main()
    assert (info.value.code or 0) == code


def test_main_exit_codes_of_validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = project(tmp_path, {"clean.yaml": CLEAN}, "clean")
    broken = project(tmp_path, {"broken.yaml": BROKEN}, "broken")
    for root, code in ((clean, EXIT_OK), (broken, EXIT_INVALID)):
        monkeypatch.setattr(sys, "argv", ["formwright", "validate", "-C", str(root)])
        with pytest.raises(SystemExit) as info:
            main()
        assert (info.value.code or 0) == code
    assert "Traceback" not in capsys.readouterr().err


def test_main_reports_keyboard_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupt(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "validate_project", interrupt)
    monkeypatch.setattr(sys, "argv", ["formwright", "validate", "-C", str(tmp_path)])
    with pytest.raises(SystemExit) as info:
        main()
    # click turns Ctrl-C into Abort (exit 1) itself, or main() answers 130
    assert info.value.code in (1, 130)
    assert "Traceback" not in capsys.readouterr().err
