"""The browser's evaluator (form.js, under Node) and the endpoint's (language/evaluate.py) agree."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import patterns as regex
from compiler.language.conditions import parse, to_json, value_json
from compiler.language.evaluate import evaluate, stored, value
from compiler.language.tree import Ref, walk
from compiler.patterns import portable

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


# --- general expressions (issue 16): arithmetic, functions, tests between any values -----

VALUE_RUNNER = """
const { evaluate, value, stored } = require(process.argv[1]);
const out = v => (Array.isArray(v) ? v.map(stored) : stored(v));
require("readline").createInterface({ input: process.stdin }).on("line", line => {
  const c = JSON.parse(line);
  let got;
  try {
    if (c.kind === "value") got = out(value(c.tree, c.answers, c.today));
    else if (c.kind === "regex") got = new RegExp("^(?:" + c.pattern + ")$", "u").test(c.text);
    else got = evaluate(c.tree, c.answers, c.today);
  } catch (e) {
    got = { error: String(e) };
  }
  process.stdout.write(JSON.stringify(got) + "\\n");
});
"""


@pytest.fixture(scope="module")
def node_values() -> Iterator[subprocess.Popen[str]]:
    """One Node process answering a case per line: a test, a stored value or a regex match."""
    script = resources.files("compiler").joinpath("static").joinpath("form.js")
    assert NODE is not None
    proc = subprocess.Popen(
        [NODE, "-e", VALUE_RUNNER, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    yield proc
    proc.stdin.close()  # type: ignore[union-attr]
    proc.wait(timeout=10)


def ask(proc: subprocess.Popen[str], case: dict[str, Any]) -> Any:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(case) + "\n")
    proc.stdin.flush()
    got = json.loads(proc.stdout.readline())
    assert not (isinstance(got, dict) and "error" in got), f"JavaScript failed on {case}: {got}"
    return got


def py_stored(result: object) -> object:
    """What Python stores, lists element by element (the runner does the same in JS)."""
    return [stored(x) for x in result] if isinstance(result, list) else stored(result)


def same_json(a: object, b: object) -> bool:
    """Equal as JSON values: true is not 1, 3 is 3.0 (JavaScript has one kind of number)."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def portable_patterns(tree: object) -> object:
    """The compiler writes matches() patterns in their portable spelling: do the same."""
    if isinstance(tree, list):
        return [portable_patterns(x) for x in tree]
    if not isinstance(tree, dict):
        return tree
    out = {k: portable_patterns(v) for k, v in tree.items()}
    if out.get("fn") == "matches":
        args = out["args"]
        assert isinstance(args, list) and isinstance(args[1], str)
        args[1] = portable(args[1])
    return out


QUESTIONS = {"a", "b", "c", "d", "e", "m", "t"}  # any other bare word is an option code


def names(expr: Any) -> set[int]:
    """What the checker tells to_json: which words beside a test are questions."""
    return {n.pos for n in walk(expr) if isinstance(n, Ref) and n.question in QUESTIONS}


def value_tree(source: str) -> object:
    expr = parse(source)
    return portable_patterns(value_json(expr, names=names(expr)))


def condition_tree(source: str) -> dict[str, Any]:
    expr = parse(source)
    return portable_patterns(to_json(expr, names=names(expr)))  # type: ignore[return-value]


NOTHING = None  # no value
VALUES: list[tuple[str, dict[str, Any], object]] = [
    # exact decimals
    ("0.1 + 0.2", {}, 0.3),
    ("a + b", {"a": 0.1, "b": 0.2}, 0.3),
    ("a * 3", {"a": 1.1}, 3.3),
    ("a - b", {"a": 1, "b": 0.9}, 0.1),
    ("1 / 3", {}, 0.3333333333),
    ("2 / 3", {}, 0.6666666667),
    ("-1 / 3", {}, -0.3333333333),
    ("10 - 4 - 3", {}, 3),
    ("2 + 3 * 4", {}, 14),
    ("(2 + 3) * 4", {}, 20),
    ("a / 1000", {"a": 1e-8}, 0),  # 1e-11 rounds to nothing at 10 places
    ("a / 2", {"a": 1e-10}, 1e-10),  # 5e-11 rounds away from zero
    ("a * 1", {"a": 1.5e-9}, 0.0000000015),
    ("a * 2", {"a": 1e22}, 2e22),
    ("a + 1", {"a": 9007199254740992}, 9007199254740992.0),
    ("-a", {"a": 2}, -2),
    ("-a", {"a": 0.5}, -0.5),
    # no value: unanswered operands, text, division by zero
    ("a / b", {"a": 1, "b": 0}, NOTHING),
    ("a / 0", {"a": 1}, NOTHING),
    ("0 / a", {"a": 0.0}, NOTHING),
    ("a + 1", {}, NOTHING),
    ("a + 1", {"a": ""}, NOTHING),
    ("a + b", {"a": "x", "b": 1}, NOTHING),
    ("-a", {}, NOTHING),
    ("-a", {"a": "x"}, NOTHING),
    ("a * 2", {"a": True}, NOTHING),
    # round: half away from zero, on the exact decimal
    ("round(2.5, 0)", {}, 3),
    ("round(-2.5, 0)", {}, -3),
    ("round(0.5, 0)", {}, 1),
    ("round(-0.5, 0)", {}, -1),
    ("round(a, 2)", {"a": 1.005}, 1.01),
    ("round(a, 2)", {"a": 2.675}, 2.68),
    ("round(0.125, 2)", {}, 0.13),
    ("round(-0.05, 1)", {}, -0.1),
    ("round(1234.5, -2)", {}, 1200),
    ("round(1250, -2)", {}, 1300),
    ("round(a, 1.9)", {"a": 0.16}, 0.2),  # places are truncated to a whole number
    ("round(a, 1)", {}, NOTHING),
    ("round(1 / 3, 3)", {}, 0.333),
    # sum, count, min, max skip what is unanswered
    ("sum(a, b, c)", {"a": 1, "c": 2.5}, 3.5),
    ("sum(a, b)", {}, 0),
    ("sum()", {}, 0),
    ("sum(m)", {"m": [1, 2, 3]}, 6),
    ("sum(m, a)", {"m": [0.1, "x"], "a": 0.2}, 0.3),
    ("count(a, b)", {}, 0),
    ("count()", {}, 0),
    ("count(m)", {"m": ["x", "y", "z"]}, 3),
    ("count(m)", {"m": []}, 0),
    ("count(m, a, b)", {"m": ["x"], "a": 0, "b": ""}, 2),
    ("count(a, t)", {"a": False, "t": "x"}, 2),
    ("min(a, b)", {"a": 3, "b": -1.5}, -1.5),
    ("max(a, b)", {"a": 3, "b": -1.5}, 3),
    ("min(a, b)", {}, NOTHING),
    ("max(a, 3)", {}, 3),
    ("max(m)", {"m": [2, 7, 5]}, 7),
    ("min(t, 4)", {"t": "x"}, 4),
    # if
    ("if(a > 1, 'big', 'small')", {"a": 2}, "big"),
    ("if(a > 1, 'big', 'small')", {"a": 1}, "small"),
    ("if(a > 1, 'big', 'small')", {}, "small"),
    ("if(answered(a), a * 2, 0)", {"a": 0.35}, 0.7),
    ("if(answered(a), a * 2, 0)", {}, 0),
    ("if(a == yes, b, c)", {"a": "yes", "b": "one"}, "one"),
    ("if(a == yes, c, b)", {"a": "yes", "b": "one"}, NOTHING),
    # length counts characters (code points), not UTF-16 units
    ("length(t)", {"t": "héllo"}, 5),
    ("length(t)", {"t": "\U0001f600ab"}, 3),
    ("length(t)", {}, 0),
    ("length(a)", {"a": 12}, 0),
    ("length('')", {}, 0),
    # matches: the whole text, in the portable spelling
    ("matches(t, '[0-9]{3}')", {"t": "123"}, True),
    ("matches(t, '[0-9]{3}')", {"t": "1234"}, False),
    ("matches(t, '[0-9]{3}')", {"t": "12a"}, False),
    ("matches(t, 'a|b')", {"t": "ab"}, False),
    ("matches(t, '^(ab)+$')", {"t": "abab"}, True),
    ("matches(t, '\\\\d+')", {"t": "\u0663"}, False),  # \d is ASCII only
    ("matches(t, '.')", {"t": "\U0001f600"}, True),  # one character, two UTF-16 units
    ("matches(t, '.')", {"t": "\n"}, False),
    ("matches(t, '[^a]')", {"t": "\U0001f600"}, True),
    ("matches(t, 'x')", {}, NOTHING),
    ("matches(a, 'x')", {"a": 1}, NOTHING),
    # dates: of any precision, at their first day
    ("days_between('2024-02-28', '2024-03-01')", {}, 2),
    ("days_between('2023-02-28', '2023-03-01')", {}, 1),
    ("days_between('2026-03-01', '2026-02-01')", {}, -28),
    ("days_between('1900-02-28', '1900-03-01')", {}, 1),
    ("days_between('2000-02-28', '2000-03-01')", {}, 2),
    ("days_between('0001-01-01', '9999-12-31')", {}, 3652058),
    ("days_between(d, today)", {"d": "2026-03-01"}, 14),
    ("days_between(d, today)", {"d": "2026-03"}, 14),
    ("days_between(d, today)", {"d": "2026"}, 73),
    ("days_between(d, today)", {}, NOTHING),
    ("days_between(t, today)", {"t": "yes"}, NOTHING),
    ("days_between('2026-02-30', today)", {}, NOTHING),
    ("days_between('2026-13', today)", {}, NOTHING),
    ("days_between('0000-01-01', today)", {}, NOTHING),
    ("days_between('2026-1-5', today)", {}, NOTHING),
    ("days_between('2026-03-15-1', today)", {}, NOTHING),
    ("days_between(' 2026', today)", {}, NOTHING),
    ("days_between(t, today)", {"t": "\u0662\u0660\u0662\u0666"}, NOTHING),
    ("days_between(today, '2026-12-25')", {}, 285),
    ("months_between('2026-01-31', '2026-02-28')", {}, 0),
    ("months_between('2026-01-31', '2026-03-01')", {}, 1),
    ("months_between('2026-01-30', '2026-03-30')", {}, 2),
    ("months_between('2026-03-31', '2026-01-31')", {}, -2),
    ("months_between('2026-03-01', '2026-01-31')", {}, -1),
    ("months_between('2024-02-29', '2024-03-29')", {}, 1),
    ("months_between(d, today)", {"d": "2025-03"}, 12),
    ("years_between('2000-02-29', '2026-02-28')", {}, 25),
    ("years_between('2000-02-29', '2026-03-01')", {}, 26),
    ("years_between('2024-02-29', '2025-02-28')", {}, 0),
    ("years_between('2024-02-29', '2028-02-29')", {}, 4),
    ("years_between('2026-03-15', '2025-03-16')", {}, 0),
    ("years_between('2026-03-15', '2025-03-15')", {}, -1),
    ("years_between(d, today)", {"d": "1990"}, 36),
    ("years_between(d, today)", {"d": "1990-03-16"}, 35),
    # today, dates and text as values
    ("today", {}, "2026-03-15"),
    ("d", {"d": "2026-03"}, "2026-03"),
    ("t", {"t": "x"}, "x"),
    ("a == 1", {"a": 1}, True),
    ("m", {"m": [1, 0.1]}, [1, 0.1]),
    # beyond what a JSON number holds there is no value (never Infinity, never a crash)
    ("a * a * a * a * a * a * a * a", {"a": 1e300}, None),
    ("1 / (a * a * a * a * a * a * a * a)", {"a": 1e300}, 0),
    ("a * 10", {"a": 1e300}, 1e301),
]


@pytest.mark.parametrize(("source", "answers", "expected"), VALUES)
def test_python_values(source: str, answers: dict[str, Any], expected: object) -> None:
    got = py_stored(value(value_tree(source), answers, TODAY))
    assert same_json(got, expected), f"{source} with {answers} gives {got!r}"


def test_values_agree(node_values: subprocess.Popen[str]) -> None:
    for source, answers, _ in VALUES:
        tree = value_tree(source)
        case = {"kind": "value", "tree": tree, "answers": answers, "today": TODAY.isoformat()}
        py = py_stored(value(tree, answers, TODAY))
        js = ask(node_values, case)
        assert same_json(py, js), f"Python says {py!r}, JavaScript {js!r} for {source}"


TESTS: list[tuple[str, dict[str, Any], bool]] = [
    ("0.1 + 0.2 == 0.3", {}, True),
    ("a + b == 0.3", {"a": 0.1, "b": 0.2}, True),
    ("a * 3 == 3.3", {"a": 1.1}, True),
    ("a + b != 0.3", {"a": 0.1, "b": 0.2}, False),
    ("a + 0 < 0.30000000000000004", {"a": 0.3}, True),
    ("a / b > 0", {"a": 1, "b": 0}, False),  # no value: every comparison is false
    ("a / b != 0", {"a": 1, "b": 0}, False),
    ("not a / b > 0", {"a": 1, "b": 0}, True),
    ("a + 1 > 2", {}, False),
    ("a + 1 != 2", {}, False),
    ("a + 1 == b", {"a": 1, "b": 2.0}, True),
    ("a == b", {"a": 1, "b": "1"}, False),
    ("a == b", {"a": "x", "b": "x"}, True),
    ("a == b", {"a": "x"}, False),
    ("a != b", {"a": "x"}, False),
    ("a < b", {"a": "x", "b": 2}, False),
    ("a != b", {"a": "x", "b": 2}, True),
    ("a < b", {"a": "apple", "b": "banana"}, True),
    ("a < b", {"a": "\uffff", "b": "\U00010000"}, True),  # code point order
    ("a > b", {"a": "\U00010000", "b": "\ue000"}, True),
    ("a < b", {"a": True, "b": True}, False),
    ("a == b", {"a": True, "b": 1}, False),
    ("a == b", {"a": ["x", 1], "b": ["x", 1.0]}, True),
    ("a == b", {"a": ["x", 1], "b": [1, "x"]}, False),
    ("a == b", {"a": [1], "b": [True]}, False),
    ("a < b", {"a": [1], "b": [2]}, False),
    ("a + 0 in [1, 2]", {"a": 2}, True),
    ("a + 0 in [1, b]", {"a": 2}, False),
    ("a + 0 not in [1, b]", {"a": 2}, True),
    ("a + 0 not in [1, 2]", {}, False),
    ("a + 0 in [b + 0, 3]", {"a": 0.5, "b": 0.5}, True),
    ("m contains 1 + 1", {"m": [1, 2]}, True),
    ("m contains 1 + 1", {"m": [1, 3]}, False),
    ("m contains 0.1 + 0.2", {"m": [0.3]}, True),
    ("m contains a + 0", {"m": [1]}, False),
    ("a + 0 contains 1", {"a": 1}, False),
    # dates of different precision compare at the coarser one
    ("d == e", {"d": "2026-03", "e": "2026-03-15"}, True),
    ("d < e", {"d": "2026", "e": "2026-06-01"}, False),
    ("d <= e", {"d": "2026", "e": "2026-06-01"}, True),
    ("d > e", {"d": "2026-04", "e": "2026-03-31"}, True),
    ("d in [e, '2020']", {"d": "2020-05-01", "e": "2021"}, True),
    # only ASCII digits make a date: other scripts' digits are text, compared whole
    (
        "d == e",
        {"d": "\u0662\u0660\u0662\u0666-\u0660\u0663", "e": "\u0662\u0660\u0662\u0666"},
        False,
    ),
    ("d == '\u0662\u0660\u0662\u0666'", {"d": "\u0662\u0660\u0662\u0666-\u0660\u0663"}, False),
    ("days_between(d, today) > 13", {"d": "2026-03-01"}, True),
    ("years_between(d, today) >= 18", {"d": "2008-03-16"}, False),
    ("years_between(d, today) >= 18", {"d": "2008-03-15"}, True),
    # a value alone is true only when it is exactly true
    ("a", {"a": True}, True),
    ("a", {"a": 1}, False),
    ("a", {"a": "true"}, False),
    ("a", {}, False),
    ("not a", {}, True),
    ("matches(t, '[a-z]+')", {"t": "abc"}, True),
    ("matches(t, '[a-z]+')", {"t": "abc1"}, False),
    ("matches(t, '[a-z]+')", {}, False),
    ("not matches(t, '[a-z]+')", {}, True),
    ("if(a > 1, b > 1, c > 1)", {"a": 2, "b": 2}, True),
    ("if(a > 1, b > 1, c > 1)", {"a": 0, "b": 2}, False),
    ("(a == 1) == (b == 2)", {}, True),
    ("(a == 1) != (b == 2)", {"b": 2}, True),
    ("length(t) <= 3 and answered(t)", {"t": "\U0001f600\U0001f600\U0001f600"}, True),
    ("sum(a, b) > 1 or count(m) == 0", {}, True),
    ("min(a, b) < 0", {"b": -1}, True),
    ("today > '2026-03'", {}, False),
    ("today >= d", {"d": "2026-03-15"}, True),
    # the round-1 shapes beside the new ones
    ("a == yes and a + 0 == 1", {"a": "yes"}, False),
    ("a == 2 and a * 2 == 4", {"a": 2}, True),
]


@pytest.mark.parametrize(("source", "answers", "expected"), TESTS)
def test_python_tests(source: str, answers: dict[str, Any], expected: bool) -> None:
    assert evaluate(condition_tree(source), answers, TODAY) is expected


def test_tests_agree(node_values: subprocess.Popen[str]) -> None:
    for source, answers, _ in TESTS:
        tree = condition_tree(source)
        case = {"tree": tree, "answers": answers, "today": TODAY.isoformat()}
        py = evaluate(tree, answers, TODAY)
        js = ask(node_values, case)
        assert py == js, f"Python says {py}, JavaScript {js} for {source} with {answers}"


def test_general_shapes() -> None:
    """The manifest's general shapes, as the table above produces them."""
    assert condition_tree("a + 1 > b") == {
        "op": ">",
        "left": {"fn": "+", "args": [{"ref": "a"}, 1]},
        "right": {"ref": "b"},
    }
    assert condition_tree("a == yes") == {"op": "==", "field": "a", "value": "yes"}
    assert condition_tree("a + 0 in [1, b]")["values"] == [1, {"ref": "b"}]
    assert condition_tree("m contains 1 + 1")["value"] == {"fn": "+", "args": [1, 1]}
    assert condition_tree("a") == {"op": "is", "value": {"ref": "a"}}
    assert value_tree("if(a == yes, 1, -a)") == {
        "fn": "if",
        "args": [
            {"op": "==", "field": "a", "value": "yes"},
            1,
            {"fn": "neg", "args": [{"ref": "a"}]},
        ],
    }
    assert value_tree("today") == {"today": "today"}


# --- random general trees -------------------------------------------------------------

GFIELDS = ["a", "b", "m", "d", "t"]


def decimal(whole: int, places: int) -> float:
    return float(f"{whole / 10**places:.{places}f}")


def iso(day: date, precision: int) -> str:
    return day.isoformat()[: (4, 7, 10)[precision]]


numbers = st.one_of(
    st.integers(-20, 20),
    st.builds(decimal, st.integers(-3000, 3000), st.integers(1, 3)),
    st.sampled_from([0, 0.1, 0.2, 0.3, 2.5, -2.5, 0.5, 1e-7, 1e21, 1.005]),
)
dates = st.builds(
    iso, st.dates(date(1999, 1, 1), date(2030, 12, 31)), st.integers(0, 2)
) | st.sampled_from(["2024-02-29", "2000-02-29", "2026-01-31", "2026-02-28", "2026-03-31"])
texts = st.one_of(
    st.sampled_from(["", "yes", "no", "x", "1", "abc", "A1 2", "\u00e9", "\ue000", "\U0001f600a"]),
    # ﬁ sorts after 😀 by UTF-16 unit, before it by code point
    st.text(alphabet="ab1 -\u00e9\ufb01\U0001f600", max_size=4),
    dates,
    st.sampled_from(["2026-02-30", "2026-13", "0000"]),
)
scalars = st.one_of(numbers, texts, st.booleans())
lists = st.lists(st.one_of(st.integers(0, 3), numbers, texts), max_size=3)


def pick(*choices: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One of the choices, each as likely (st.one_of weighs the branches it flattens)."""
    return st.sampled_from(choices).flatmap(lambda s: s)


def typed(kind: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly an answer of the question's kind, sometimes anything, sometimes none."""
    return pick(kind, kind, kind, kind, scalars, lists, st.just(""))


g_answers = st.fixed_dictionaries(
    {},
    optional={
        "a": typed(numbers),
        "b": typed(numbers),
        "d": typed(dates),
        "e": typed(dates),
        "t": typed(texts),
        "m": typed(lists),
    },
)
PATTERNS = ["[a-z]+", "a|b1", "\\d{1,3}", ".?", "(ab)*", "[^ ]*", "\\w+ ?\\w*", "x", "\\D"]
COMPARE = ["==", "!=", "<", "<=", ">", ">="]


def fn(name: str, *args: object) -> dict[str, object]:
    return {"fn": name, "args": list(args)}


def ref(*fields: str) -> st.SearchStrategy[dict[str, str]]:
    return st.sampled_from(fields).map(lambda f: {"ref": f})


def general_trees() -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    """(conditions, values): mostly well-typed trees as the checker lets through, some
    not; general shapes over the round-1 ones, as to_json writes them."""
    cond = st.deferred(lambda: conditions)
    any_value = st.deferred(lambda: values)
    date_values = st.one_of(
        ref("d", "e"),
        st.builds(lambda d: {"date": d}, dates),
        dates,
        st.just({"today": "today"}),
    )
    text_values = st.one_of(ref("t"), texts)

    def grow_numbers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        some = st.lists(st.one_of(inner, inner, ref("m"), any_value), max_size=3)
        return st.one_of(
            st.builds(fn, st.sampled_from(["+", "-", "*", "/"]), inner, inner),
            st.builds(lambda x: fn("neg", x), inner),
            st.builds(
                lambda n, xs: fn(n, *xs), st.sampled_from(["sum", "count", "min", "max"]), some
            ),
            # places are a literal (FW311 refuses others; a huge count would never finish)
            st.builds(
                lambda x, p: fn("round", x, p), inner, st.sampled_from([0, 0, 1, 2, -1, 10, 1.5])
            ),
            st.builds(lambda c, x, y: fn("if", c, x, y), cond, inner, inner),
            st.builds(lambda x: fn("length", x), text_values | any_value),
            st.builds(
                fn,
                st.sampled_from(["days_between", "months_between", "years_between"]),
                date_values,
                date_values,
            ),
        )

    number_values = st.recursive(numbers | ref("a", "b"), grow_numbers, max_leaves=8)
    matches = st.builds(
        lambda x, p: fn("matches", x, portable(p)),
        text_values | any_value,
        st.sampled_from(PATTERNS),
    )
    values = pick(
        number_values,
        number_values,
        number_values,
        date_values,
        text_values,
        matches,
        ref("m"),
        st.builds(lambda c, x, y: fn("if", c, x, y), cond, any_value, any_value),
        cond,
    )

    def compare(kind: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.builds(
            lambda op, x, y: {"op": op, "left": x, "right": y}, st.sampled_from(COMPARE), kind, kind
        )

    general_tests = pick(
        compare(number_values),
        compare(number_values),
        compare(date_values),
        compare(text_values),
        compare(values),
        st.builds(
            lambda op, x, ys: {"op": op, "left": x, "values": ys},
            st.sampled_from(["in", "not in"]),
            values,
            st.lists(values, min_size=1, max_size=3),
        ),
        st.builds(
            lambda x, y: {"op": "contains", "left": x, "value": y},
            ref("m") | values,
            number_values | text_values,
        ),
        st.builds(lambda x: {"op": "is", "value": x}, matches | values),
    )
    conditions = st.recursive(
        pick(general_tests, general_tests, tests),
        lambda inner: st.one_of(
            st.builds(lambda xs: {"and": xs}, st.lists(inner, min_size=2, max_size=3)),
            st.builds(lambda xs: {"or": xs}, st.lists(inner, min_size=2, max_size=3)),
            st.builds(lambda x: {"not": x}, inner),
        ),
        max_leaves=4,
    )
    return conditions, values


general_conditions, general_values = general_trees()


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=general_conditions, answers=g_answers)
def test_random_general_conditions_agree(
    node_values: subprocess.Popen[str], tree: dict[str, Any], answers: dict[str, Any]
) -> None:
    case = {"tree": tree, "answers": answers, "today": TODAY.isoformat()}
    assert evaluate(tree, answers, TODAY) == ask(node_values, case), f"disagree on {case}"


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=general_values, answers=g_answers)
def test_random_values_agree(
    node_values: subprocess.Popen[str], tree: object, answers: dict[str, Any]
) -> None:
    case = {"kind": "value", "tree": tree, "answers": answers, "today": TODAY.isoformat()}
    py = py_stored(value(tree, answers, TODAY))
    js = ask(node_values, case)
    assert same_json(py, js), f"Python stores {py!r}, JavaScript {js!r} for {case}"


arithmetic = st.recursive(
    numbers,
    lambda inner: st.one_of(
        st.builds(fn, st.sampled_from(["+", "-", "*", "/"]), inner, inner),
        st.builds(lambda x, p: fn("round", x, p), inner, st.integers(-2, 10)),
        st.builds(lambda x: fn("neg", x), inner),
    ),
    max_leaves=5,
)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=arithmetic, op=st.sampled_from(COMPARE), other=numbers)
def test_random_arithmetic_agrees(
    node_values: subprocess.Popen[str], tree: object, op: str, other: float
) -> None:
    """Numbers only, so that every example reaches the exact arithmetic and rounding."""
    case = {"kind": "value", "tree": tree, "answers": {}, "today": TODAY.isoformat()}
    py = py_stored(value(tree, {}, TODAY))
    assert same_json(py, ask(node_values, case)), f"disagree on {tree}"
    test = {"op": op, "left": tree, "right": other}
    assert evaluate(test, {}, TODAY) == ask(node_values, {**case, "tree": test}), test


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    a=st.text(alphabet="a\u00e9\ue000\uffff\U00010000\U0001f600-0", max_size=3) | dates,
    b=st.text(alphabet="a\u00e9\ue000\uffff\U00010000\U0001f600-0", max_size=3) | dates,
    op=st.sampled_from(COMPARE),
)
def test_random_text_order_agrees(
    node_values: subprocess.Popen[str], a: str, b: str, op: str
) -> None:
    """Text is ordered by code point, also where UTF-16 units sort otherwise."""
    tree: dict[str, Any] = {"op": op, "left": {"ref": "a"}, "right": {"ref": "b"}}
    case = {"tree": tree, "answers": {"a": a, "b": b}, "today": TODAY.isoformat()}
    assert evaluate(tree, {"a": a, "b": b}, TODAY) == ask(node_values, case), case


# --- the regular expressions of matches() ---------------------------------------------

REGEX_CHARS = "ab1 -é😀"


def regex_patterns() -> st.SearchStrategy[str]:
    """Patterns from a small grammar of the subset; regex.parse decides what is allowed."""
    chars = st.sampled_from([*"ab1 é😀", "\\.", "\\-", "\\n", "\\u00e9", "\\\\", "\\("])
    member = st.sampled_from(
        ["a", "b", "1", "a-c", "0-9", "é", "😀", "\\-", "\\]", "\\d", "\\w", "\\s", " "]
    )
    classes = st.builds(
        lambda neg, items: "[" + ("^" if neg else "") + "".join(items) + "]",
        st.booleans(),
        st.lists(member, min_size=1, max_size=3),
    )
    atoms = st.one_of(
        chars, chars, classes, st.sampled_from([".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S"])
    )
    quantifiers = st.sampled_from(["", "", "", "*", "+", "?", "{2}", "{1,}", "{0,2}", "{1,3}"])

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        seqs = st.lists(inner, min_size=1, max_size=3).map("".join)
        return st.one_of(
            seqs,
            st.builds(lambda xs: "|".join(xs), st.lists(seqs, min_size=2, max_size=3)),
            st.builds(
                lambda g, x, q: g + x + ")" + q, st.sampled_from(["(", "(?:"]), seqs, quantifiers
            ),
        )

    quantified = st.builds(lambda a, q: a + q, atoms, quantifiers)
    body = st.recursive(quantified, grow, max_leaves=6)
    return st.builds(
        lambda start, b, end: start + b + end,
        st.sampled_from(["", "", "^"]),
        body,
        st.sampled_from(["", "", "$"]),
    )


def accepted(pattern: str) -> bool:
    try:
        regex.parse(pattern)
    except regex.RegexError:
        return False
    return True


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(pattern=regex_patterns().filter(accepted), data=st.data())
def test_random_patterns_agree(
    node_values: subprocess.Popen[str], pattern: str, data: st.DataObject
) -> None:
    spelled = portable(pattern)
    texts = st.text(alphabet=REGEX_CHARS + "\nc\\.(", max_size=6)
    text = data.draw(st.one_of(texts, st.from_regex(re.compile(spelled), fullmatch=True)))
    ours = regex.full_match(spelled, text)
    assert ours == regex.full_match(pattern, text), f"{pattern!r} and {spelled!r} differ"
    assert ours == bool(re.fullmatch(spelled, text)), f"re disagrees on {spelled!r}, {text!r}"
    case = {"kind": "regex", "pattern": spelled, "text": text}
    assert ours == ask(node_values, case), f"JavaScript disagrees on {spelled!r}, {text!r}"
