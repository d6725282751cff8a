"""The browser's evaluator (form.js, under Node) and the endpoint's (language/evaluate.py) agree."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.language.conditions import parse, to_json
from compiler.language.evaluate import evaluate

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None, reason="Node.js is not installed (needed to run form.js)"
)
TODAY = date(2026, 3, 15)
RUNNER = """
const { evaluate } = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(c => evaluate(c.tree, c.answers, c.today))));
"""


def run_js(cases: list[dict[str, Any]]) -> list[bool]:
    script = resources.files("compiler").joinpath("static").joinpath("form.js")
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", RUNNER, str(script)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def check(cases: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    payload = [{"tree": t, "answers": a, "today": TODAY.isoformat()} for t, a in cases]
    js = run_js(payload)
    py = [evaluate(t, a, TODAY) for t, a in cases]
    for (tree, answers), p, j in zip(cases, py, js, strict=True):
        assert p == j, f"Python says {p}, JavaScript says {j} for {tree} with {answers}"


TABLE: list[tuple[str, dict[str, Any], bool]] = [
    ("a == yes", {"a": "yes"}, True),
    ("a == yes", {}, False),
    ("a != yes", {}, False),
    ("a != yes", {"a": "no"}, True),
    ("not a == yes", {}, True),
    ("a == 1", {"a": 1}, True),
    ("a == 1", {"a": "1"}, False),
    ("a == 1", {"a": 1.0}, True),
    ("a <= 2", {"a": "dont_know"}, False),
    ("a < 2.5", {"a": 2}, True),
    ("a >= 3", {"a": 3}, True),
    ("a in [x, y]", {"a": "y"}, True),
    ("a not in [x, y]", {"a": "z"}, True),
    ("a not in [x, y]", {}, False),
    ("m contains none", {"m": ["leaflet", "none"]}, True),
    ("m contains none", {"m": []}, False),
    ("m contains 2", {"m": [1, 2]}, True),
    ("answered(t)", {"t": ""}, False),
    ("answered(t)", {"t": "x"}, True),
    ("t == 'Camden'", {"t": "Camden"}, True),
    ("d > '2026-01-31'", {"d": "2026-02"}, True),
    ("d > '2026-01-31'", {"d": "2026-01"}, False),
    ("d >= '2026-01-31'", {"d": "2026-01"}, True),
    ("d < today", {"d": "2026-03-14"}, True),
    ("d == today", {"d": "2026-03"}, True),
    ("d < today", {"d": "2026"}, False),
    ("d == '2026-03'", {"d": "2026-03-15"}, True),
    ("d < '2026-03'", {"d": "2026"}, False),
    ("d <= '2026'", {"d": "2026-12-31"}, True),
    ("x.i >= 4 and (a == yes or not answered(b))", {"x.i": 4, "a": "no"}, True),
    ("x.i >= 4 and (a == yes or not answered(b))", {"x.i": 4, "a": "no", "b": 3}, False),
]


@pytest.mark.parametrize(("source", "answers", "expected"), TABLE)
def test_python_table(source: str, answers: dict[str, Any], expected: bool) -> None:
    assert evaluate(to_json(parse(source)), answers, TODAY) is expected


def test_table_agrees() -> None:
    cases = []
    for source, answers, _ in TABLE:
        tree = to_json(parse(source))
        # dates are typed by the compiler; mimic it for the date fields in the table
        tree = json.loads(json.dumps(tree).replace('"2026-01-31"', '{"date": "2026-01-31"}'))
        cases.append((tree, answers))
    check(cases)


FIELDS = ["a", "b", "m", "d"]
values = st.one_of(
    st.integers(-3, 6),
    st.sampled_from(["yes", "no", "x", "", "1", "2026-01", "2026-01-31", "2026"]),
    st.floats(-3, 6, allow_nan=False).map(lambda f: round(f, 1)),
    st.sampled_from([{"today": "today"}, {"date": "2026-03-15"}, {"date": "2025-12-01"}]),
)
tests = st.one_of(
    st.builds(
        lambda op, f, v: {"op": op, "field": f, "value": v},
        st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "contains"]),
        st.sampled_from(FIELDS),
        values,
    ),
    st.builds(
        lambda op, f, vs: {"op": op, "field": f, "values": vs},
        st.sampled_from(["in", "not in"]),
        st.sampled_from(FIELDS),
        st.lists(values, min_size=1, max_size=3),
    ),
    st.builds(lambda f: {"op": "answered", "field": f}, st.sampled_from(FIELDS)),
)
trees = st.recursive(
    tests,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"and": xs}, st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda xs: {"or": xs}, st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=6,
)
answer_values = st.one_of(
    st.integers(-3, 6),
    st.floats(-3, 6, allow_nan=False).map(lambda f: round(f, 1)),
    st.sampled_from(["yes", "no", "x", "", "1", "2026-01", "2026-03-15", "2026", "2025-12-01"]),
    st.lists(st.one_of(st.integers(0, 3), st.sampled_from(["yes", "x"])), max_size=3),
)
answer_maps = st.dictionaries(st.sampled_from(FIELDS), answer_values, max_size=4)


@pytest.fixture(scope="module")
def node_evaluator() -> Iterator[subprocess.Popen[str]]:
    """One Node process answering a case per line, so each example costs a round trip."""
    script = resources.files("compiler").joinpath("static").joinpath("form.js")
    assert NODE is not None
    proc = subprocess.Popen(
        [NODE, "-e", LINE_RUNNER, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    yield proc
    proc.stdin.close()  # type: ignore[union-attr]
    proc.wait(timeout=10)


LINE_RUNNER = """
const { evaluate } = require(process.argv[1]);
require("readline").createInterface({ input: process.stdin }).on("line", line => {
  const c = JSON.parse(line);
  process.stdout.write(JSON.stringify(evaluate(c.tree, c.answers, c.today)) + "\\n");
});
"""


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=trees, answers=answer_maps)
def test_random_conditions_agree(
    node_evaluator: subprocess.Popen[str], tree: dict[str, Any], answers: dict[str, Any]
) -> None:
    case = {"tree": tree, "answers": answers, "today": TODAY.isoformat()}
    assert node_evaluator.stdin is not None and node_evaluator.stdout is not None
    node_evaluator.stdin.write(json.dumps(case) + "\n")
    node_evaluator.stdin.flush()
    js = json.loads(node_evaluator.stdout.readline())
    assert evaluate(tree, answers, TODAY) == js, f"Python and JavaScript disagree on {case}"
