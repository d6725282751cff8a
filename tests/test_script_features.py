"""A form loads only the script of the features it uses: marked parts of form.js are dropped.

form.js marks feature code as /*name{*/ ... /*}name*/; the build keeps a part only
when the questionnaire has that feature. Every combination must still be valid
JavaScript, and a form without a feature must still work in the browser.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import require

from compiler.build import build_project
from compiler.render.assets import FEATURE, FEATURES, form_assets, script_for

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = (ROOT / "compiler" / "static" / "form.js").read_text("utf-8")

NO_DATES = """\
formwright: 1
id: no-dates
version: "1"
title: A form without dates
language: en
endpoint: /responses
pages:
  - id: p1
    title: First
    questions:
      - {id: colour, type: single, text: Which colour?, required: true,
         options: {red: Red, blue: Blue}}
  - id: p2
    title: Second
    questions:
      - {id: words, type: text, text: A few words, max_length: 20}
"""


def test_every_marked_part_names_a_known_feature_and_is_closed() -> None:
    marked = {m.group(1) for m in FEATURE.finditer(SCRIPT)}
    assert marked == set(FEATURES)
    stripped = script_for(SCRIPT, frozenset())
    assert "{*/" not in stripped and "/*}" not in stripped  # nothing left half-cut


@pytest.mark.parametrize(
    "features",
    [frozenset(c) for n in range(len(FEATURES) + 1) for c in itertools.combinations(FEATURES, n)],
    ids=lambda f: "+".join(sorted(f)) or "none",
)
def test_every_combination_is_valid_javascript(features: frozenset[str], tmp_path: Path) -> None:
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    script = tmp_path / "form.js"
    script.write_bytes(form_assets(features).script)
    done = subprocess.run([str(node), "--check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_form_without_dates_gets_a_script_without_their_code(tmp_path: Path) -> None:
    (tmp_path / "questionnaire").mkdir()
    (tmp_path / "questionnaire" / "no-dates.yaml").write_text(NO_DATES, "utf-8")
    assert not build_project(tmp_path, tmp_path / "build").failed
    [script] = (tmp_path / "build" / "no-dates" / "assets").glob("form.*.js")
    everything = form_assets()
    assert "dateValue" not in script.read_text("utf-8")
    assert "dateValue" in everything.script.decode()
    assert len(script.read_bytes()) < len(everything.script)


def test_a_form_without_dates_works_in_the_browser(
    tmp_path: Path, static_server: tuple[str, Path], playwright_browser: Any
) -> None:
    base, folder = static_server
    (tmp_path / "questionnaire").mkdir()
    (tmp_path / "questionnaire" / "no-dates.yaml").write_text(NO_DATES, "utf-8")
    assert not build_project(tmp_path, folder).failed
    page = playwright_browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    posted: list[str] = []

    def answer(route: Any) -> None:  # what the endpoint answers a stored response
        posted.append(route.request.post_data or "")
        route.fulfill(status=201, content_type="application/json", body='{"id": "x"}')

    page.route("**/responses", answer)
    try:
        page.goto(f"{base}/no-dates/en/index.html")
        page.get_by_role("button", name="Continue").first.click()
        assert page.locator("[data-fw-summary]").is_visible()  # required, checked by the script
        page.get_by_label("Red").check()
        page.get_by_role("button", name="Continue").first.click()
        page.get_by_label("A few words").fill("hello")
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url("**/thanks.html")
    finally:
        page.close()
    assert errors == []
    assert [json.loads(p)["answers"] for p in posted] == [{"colour": "red", "words": "hello"}]
