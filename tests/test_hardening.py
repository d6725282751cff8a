"""Issue 18's hardening of the compiler: numbers past a double's range, plain page titles,
bidi controls and plain-http links in locale files."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from compiler.build import build_project
from compiler.cli import cli

CASES = Path(__file__).parent / "cases"


def _untranslated_title(tmp_path: Path) -> Path:
    work = tmp_path / "project"
    shutil.copytree(CASES / "valid-locale", work)
    locale = work / "locales" / "pl" / "valid-locale.yaml"
    text = locale.read_text("utf-8")
    text = text.replace('  title:\n    text: "Twoja wizyta"\n    from: "klhatlvl"\n', "")
    locale.write_text(text, "utf-8")
    return work


def test_untranslated_title_is_plain_text_in_title(tmp_path: Path) -> None:
    work = _untranslated_title(tmp_path)
    outcome = build_project(work, tmp_path / "out", strict=False)
    assert not outcome.failed, outcome.diagnostics
    pages = sorted((tmp_path / "out" / "valid-locale").rglob("*.html"))
    assert any("pl" in p.parts for p in pages)
    for page in pages:
        title = BeautifulSoup(page.read_text("utf-8"), "html5lib").title
        assert title is not None, page
        text = title.get_text()
        assert "<" not in text and "bdi" not in text, (page, text)  # <title> holds only text
        assert "Your visit" in text, (page, text)


def test_numbers_out_of_range_exit_1_located() -> None:
    result = CliRunner().invoke(cli, ["validate", "-C", str(CASES / "numbers-out-of-range")])
    assert result.exit_code == 1, result.output
    assert "numbers-out-of-range.yaml:18:21: error FW106" in result.output
    assert "internal error" not in result.output


def test_locale_bidi_and_http_links(tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(CASES / "valid-locale", work)
    qn = work / "questionnaire" / "valid-locale.yaml"
    qn.write_text(
        qn.read_text("utf-8").replace(
            "title: Your visit\n", "title: Your visit\nintro: See [us](https://a.example).\n"
        ),
        "utf-8",
    )
    locale = work / "locales" / "pl" / "valid-locale.yaml"
    locale.write_text(
        locale.read_text("utf-8").replace('"Twoja wizyta"', '"Twoja \u202ewizyta"')
        + '  intro:\n    text: "Zobacz [nas](http://a.example)."\n    from: ""\n',
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "-C", str(work)])
    lines = [
        line.split("/project/")[-1]
        for line in result.output.splitlines()
        if "FW110" in line or "FW111" in line
    ]
    assert lines == [
        "locales/pl/valid-locale.yaml:9:18: warning FW110: the text has the bidi override "
        "U+202E (RIGHT-TO-LEFT OVERRIDE), which displays the characters after it in an order "
        "other than the one they are read in",
        "locales/pl/valid-locale.yaml:37:25: warning FW111: the link to http://a.example uses "
        "plain http://: anyone on the respondent's network can see the page it opens, "
        "and change it",
    ], result.output
