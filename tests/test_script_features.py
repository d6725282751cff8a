"""A form loads only the script of the features it uses: marked parts of form.js are dropped.

form.js marks feature code as /*name{*/ ... /*}name*/; the build keeps a part only
when the questionnaire has that feature. Every combination must still be valid
JavaScript, and a form without a feature must still work in the browser.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import require
from v2_support import CHECKS

from compiler.build import build_project
from compiler.render.assets import (
    FEATURE,
    FEATURES,
    features_of,
    form_assets,
    script_for,
    uses_expressions,
)

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
    [
        frozenset(c)
        for n in range(len(FEATURES) + 1)
        for c in itertools.combinations(sorted(FEATURES), n)
    ],
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


# --- expressions (issue 16): the general evaluator only where a tree needs it ----------

ROUND_ONE = """\
formwright: 1
id: round-one
version: "1"
title: Conditions of round 1 only
language: en
endpoint: /responses
pages:
  - id: p1
    title: First
    questions:
      - {id: colour, type: single, text: Which colour?, options: {red: Red, blue: Blue}}
      - {id: shade, type: multiple, text: Which shades?, when: colour == red,
         options: {light: Light, dark: Dark}}
      - id: how
        type: text
        text: How dark?
        when: "shade contains dark and not colour in [blue]"
  - id: p2
    title: Second
    when: answered(colour)
    questions:
      - {id: words, type: text, text: A few words, max_length: 20}
"""

ARITHMETIC = """\
formwright: 2
id: arithmetic
version: "1"
title: A condition with arithmetic
language: en
endpoint: /responses
pages:
  - id: p1
    title: First
    questions:
      - {id: a, type: number, text: A?}
      - {id: b, type: number, text: B?}
      - {id: big, type: text, text: Why so big?, when: a + b > 10}
"""


def evaluator(script: str) -> str:
    """The evaluator, the part of form.js shared with Node."""
    return script.split("  var doc = root.document;")[0]


def test_without_expressions_the_evaluator_is_round_ones_byte_for_byte() -> None:
    # the round-1 evaluator as every published form without expressions has it
    stripped = evaluator(script_for(SCRIPT, FEATURES - {"expr"}))
    digest = hashlib.sha256(stripped.encode("utf-8")).hexdigest()
    assert digest == "eb485b8fbed85a7fdd585dc4d5eab639d9b4a23acc689c1a6489db249542c7dc"
    assert "BigInt" not in stripped and "BigInt" in evaluator(SCRIPT)


@pytest.mark.parametrize(
    ("trees", "expected"),
    [
        ([], False),
        ([None], False),
        ([{"op": "==", "field": "a", "value": 1}], False),
        ([{"op": "==", "field": "a", "value": {"date": "2026-01-01"}}], False),
        ([{"op": "in", "field": "a", "values": ["x", {"today": "today"}]}], False),
        (
            [
                {
                    "not": {
                        "and": [
                            {"op": "answered", "field": "a"},
                            {"op": "<", "field": "b", "value": 2},
                        ]
                    }
                }
            ],
            False,
        ),
        ([None, {"or": [{"op": ">", "left": {"ref": "a"}, "right": 1}]}], True),
        ([{"op": "is", "value": {"ref": "a"}}], True),
        ([{"op": "contains", "left": {"ref": "m"}, "value": {"fn": "+", "args": [1, 1]}}], True),
        ([{"fn": "sum", "args": [1]}], True),
        ([{"ref": "a"}], True),
        ([3], False),  # a calculated constant: the caller still asks for "expr"
    ],
)
def test_uses_expressions(trees: list[object], expected: bool) -> None:
    assert uses_expressions(trees) is expected


def test_features_of() -> None:
    assert features_of({"single", "text"}, False) == frozenset()
    assert features_of({"date", "text"}, False) == {"date"}
    assert features_of({"text"}, True) == {"expr"}
    assert features_of({"date"}, True) == FEATURES - {"v2"}
    assert features_of({"date"}, True, 2) == FEATURES
    assert features_of({"text"}, False, 2) == {"v2"}


def built_script(tmp_path: Path, name: str, source: str) -> bytes:
    (tmp_path / "questionnaire").mkdir()
    (tmp_path / "questionnaire" / f"{name}.yaml").write_text(source, "utf-8")
    outcome = build_project(tmp_path, tmp_path / "build")
    assert not outcome.failed, outcome.diagnostics
    [script] = (tmp_path / "build" / name / "assets").glob("form.*.js")
    return script.read_bytes()


def test_a_form_with_round_one_conditions_gets_no_expression_code(tmp_path: Path) -> None:
    script = built_script(tmp_path, "round-one", ROUND_ONE)
    assert script == form_assets(frozenset()).script
    assert b"BigInt" not in script


@pytest.mark.parametrize(
    ("name", "source"),
    [("arithmetic", ARITHMETIC), ("checks", CHECKS)],  # a `when`; rules and calculated values
)
def test_a_form_with_expressions_gets_their_code(tmp_path: Path, name: str, source: str) -> None:
    script = built_script(tmp_path, name, source)
    assert b"BigInt" in script
    wanted = [frozenset({"expr"}), frozenset({"expr", "v2"}), FEATURES - {"date"}, FEATURES]
    assert script in [form_assets(w).script for w in wanted]


def test_an_old_browser_can_still_parse_the_evaluator() -> None:
    """BigInt is only called: no 0n literals, and no other syntax newer than ES5 there."""
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", evaluator(SCRIPT), flags=re.DOTALL)
    assert not re.search(r"\b[0-9]+n\b", code)
    for newer in ("=>", "**", "`", "let ", "const ", "class "):
        assert newer not in code
