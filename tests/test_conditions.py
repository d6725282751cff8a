"""The condition language: parser, JSON form and evaluator."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.language import conditions as c
from compiler.language.conditions import ConditionError, parse, to_json
from compiler.language.evaluate import evaluate

TODAY = date(2026, 3, 15)


# --- parsing into the manifest's JSON ------------------------------------------------


def eq(field: str, value: object, op: str = "==") -> dict[str, object]:
    return {"op": op, "field": field, "value": value}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a == 1", eq("a", 1)),
        ("a==1", eq("a", 1)),
        ("a != x", eq("a", "x", "!=")),
        ("a < 1.5", eq("a", 1.5, "<")),
        ("a <= -2", eq("a", -2, "<=")),
        ("a>=-1", eq("a", -1, ">=")),
        ("a > 0", eq("a", 0, ">")),
        ("a >= 10", eq("a", 10, ">=")),
        ("a == 'two words'", eq("a", "two words")),
        ('a == "it\'s"', eq("a", "it's")),
        ("a == ''", eq("a", "")),
        ("a == today", eq("a", {"today": "today"})),
        ("a < '2026-01-01'", eq("a", "2026-01-01", "<")),
        ("a == yes", eq("a", "yes")),
        ("a == no_answer", eq("a", "no_answer")),
        ("a == dont-know", eq("a", "dont-know")),
        ("a == 1.0", eq("a", 1.0)),
        ("grid.row1 == 2", eq("grid.row1", 2)),
        ("grid.1 <= 2", eq("grid.1", 2, "<=")),
        ("a in [x]", {"op": "in", "field": "a", "values": ["x"]}),
        (
            "a in [1, 'two', three, today]",
            {"op": "in", "field": "a", "values": [1, "two", "three", {"today": "today"}]},
        ),
        ("a not in [x, y]", {"op": "not in", "field": "a", "values": ["x", "y"]}),
        ("a contains x", {"op": "contains", "field": "a", "value": "x"}),
        ("a contains 3", {"op": "contains", "field": "a", "value": 3}),
        ("answered(a)", {"op": "answered", "field": "a"}),
        ("answered( grid.row )", {"op": "answered", "field": "grid.row"}),
        ("not a == 1", {"not": eq("a", 1)}),
        ("not not a == 1", {"not": {"not": eq("a", 1)}}),
        ("not answered(a)", {"not": {"op": "answered", "field": "a"}}),
        ("((a == 1))", eq("a", 1)),
        ("a == 1 and b == 2", {"and": [eq("a", 1), eq("b", 2)]}),
        ("a == 1 or b == 2 or c == 3", {"or": [eq("a", 1), eq("b", 2), eq("c", 3)]}),
        # and binds tighter than or; not tighter than and
        (
            "a == 1 or b == 2 and c == 3",
            {"or": [eq("a", 1), {"and": [eq("b", 2), eq("c", 3)]}]},
        ),
        (
            "(a == 1 or b == 2) and c == 3",
            {"and": [{"or": [eq("a", 1), eq("b", 2)]}, eq("c", 3)]},
        ),
        ("not a == 1 and b == 2", {"and": [{"not": eq("a", 1)}, eq("b", 2)]}),
        ("not (a == 1 and b == 2)", {"not": {"and": [eq("a", 1), eq("b", 2)]}}),
        (
            "a == 1 and (b == 2 and c == 3)",
            {"and": [eq("a", 1), {"and": [eq("b", 2), eq("c", 3)]}]},
        ),
        ("  a   ==   1  ", eq("a", 1)),
        ("a\n== 1", eq("a", 1)),
        ("a\u00a0== 1", eq("a", 1)),
    ],
)
def test_parse_to_json(source: str, expected: dict[str, object]) -> None:
    result = to_json(parse(source))
    assert result == expected
    # types matter in the manifest: 1 and 1.0 and "1" are different there
    assert json.dumps(result) == json.dumps(expected)


def test_to_json_uses_resolved_values() -> None:
    expr = parse("a == 1 or b in [x, today] or d > '2026-01-01'")
    positions = [lit.pos for t in c.tests(expr) for lit in getattr(t, "values", ())]
    positions += [t.right.pos for t in c.tests(expr) if isinstance(t, c.Compare)]
    resolved: dict[int, c.JSONValue] = {p: f"at {p}" for p in positions}
    assert to_json(expr, resolved) == {
        "or": [
            eq("a", f"at {positions[2]}"),
            {"op": "in", "field": "b", "values": [f"at {positions[0]}", f"at {positions[1]}"]},
            eq("d", f"at {positions[3]}", ">"),
        ]
    }


def test_tests_are_listed_in_source_order() -> None:
    expr = parse("not (a == 1 or answered(b)) and c contains x and d in [1]")
    assert [t.left.field for t in c.tests(expr)] == ["a", "c", "d"]  # type: ignore[union-attr]
    assert [t.left.pos for t in c.tests(expr)] == [5, 32, 49]


def test_literal_and_ref_positions() -> None:
    expr = parse("q == 'x' or grid.row in [1, y]")
    first, second = c.tests(expr)
    assert isinstance(first, c.Compare) and isinstance(second, c.Member)
    assert (first.left.pos, first.right.pos) == (0, 5)
    left = second.left
    assert isinstance(left, c.Ref)
    assert (left.question, left.item, left.pos) == ("grid", "row", 12)
    assert [v.pos for v in second.values] == [25, 28]
    # a bare word in a list is a name to the parser; the checker makes it a code
    assert [type(v).__name__ for v in second.values] == ["Literal", "Ref"]


# --- parse errors, with the exact offset ------------------------------------------


@pytest.mark.parametrize(
    ("source", "pos", "message"),
    [
        ("", 0, "the condition is empty"),
        ("   ", 0, "the condition is empty"),
        ("a = 1", 2, "'=' is not an operator"),
        ("a =! 1", 2, "'=' is not an operator"),
        ("a == 'x", 5, "text in quotes is not closed"),
        ('a == "x', 5, "text in quotes is not closed"),
        ("a == 'x'y'", 9, "text in quotes is not closed"),
        ("a ==", 4, "expected a value, found the end of the condition"),
        ("a != ", 5, "expected a value, found the end of the condition"),
        ("a == and", 5, "expected a value, found 'and'"),
        ("a == (", 6, "expected a question id, found the end of the condition"),
        ("a == 1 % 2", 7, "unexpected character '%'"),
        ("sum(a, b", 8, "expected ',' or ')', found the end of the condition"),
        ("total(a) > 1", 0, "there is no function 'total'"),
        ("a == 1 b == 2", 7, "unexpected 'b'"),
        ("a == 1)", 6, "unexpected ')'"),
        ("(a == 1", 7, "expected ')', found the end of the condition"),
        ("(a == 1 b", 8, "expected ')', found 'b'"),
        ("answered a", 9, "expected '(' after answered, found 'a'"),
        ("answered(a", 10, "expected ')', found the end of the condition"),
        ("answered(a == 1)", 11, "expected ')', found '=='"),
        ("answered()", 9, "expected a question id, found ')'"),
        ("a in [x,", 8, "expected a value, found the end of the condition"),
        ("a in []", 6, "expected a value, found ']'"),
        ("a in x", 5, "expected '[' to start the list, found 'x'"),
        ("a in [x y]", 8, "expected ',' or ']', found 'y'"),
        ("a not == 1", 2, "expected a comparison after 'a', found 'not'"),
        ("a x", 2, "expected a comparison after 'a', found 'x'"),
        ("not", 3, "expected a question id, found the end of the condition"),
        ("and a == 1", 0, "expected a question id, found 'and'"),
        ("a == 1 and", 10, "expected a question id, found the end of the condition"),
        ("a == 1 or or b == 1", 10, "expected a question id, found 'or'"),
        ("a == 1 @", 7, "unexpected character '@'"),
        ("a ! b", 2, "unexpected character '!'"),
        ("a == 1abc", 5, "unexpected character '1'"),
        ("a == 1.5.2", 8, "unexpected character '.'"),
        ("a.b.c == 1", 3, "unexpected character '.'"),
        ("a == é", 5, "unexpected character 'é'"),
        ("é == 1", 0, "unexpected character 'é'"),
        ("a == 1 && b == 2", 7, "unexpected character '&'"),
        ("a == 1 || b == 2", 7, "unexpected character '|'"),
    ],
)
def test_parse_errors(source: str, pos: int, message: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse(source)
    assert (info.value.pos, info.value.message) == (pos, message)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("a = 1", "write == to compare"),
        ("a == 'x", "add the closing '"),
        ('a == "x', 'add the closing "'),
        ("a == 1 b == 2", "join tests with 'and' or 'or'; put a list of codes in [ ]"),
        (
            "a x",
            "use == != < <= > >=, in [...], not in [...], contains, or answered(question)",
        ),
        (
            "a ==",
            "a value is an option code, a number, 'text in quotes', a 'YYYY-MM-DD' date, "
            "today, a question id or a function such as sum(...)",
        ),
    ],
)
def test_parse_error_hints(source: str, hint: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse(source)
    assert info.value.hint == hint


def test_length_limit() -> None:
    long_ok = "a == " + "'" + "1" * (c.MAX_LENGTH - 7) + "'"  # long text, not a huge number
    assert len(long_ok) == c.MAX_LENGTH
    parse(long_ok)
    with pytest.raises(ConditionError) as info:
        parse(long_ok + "1")
    assert info.value.pos == 0
    assert info.value.message == f"the condition is longer than {c.MAX_LENGTH} characters"


def test_nesting_limit() -> None:
    ok = "not " * (c.MAX_NESTING - 1) + "a == 1"
    parse(ok)
    with pytest.raises(ConditionError) as info:
        parse("not " * c.MAX_NESTING + "a == 1")
    assert info.value.pos == 4 * c.MAX_NESTING
    assert info.value.message == f"nested more than {c.MAX_NESTING} deep"
    parse("(" * (c.MAX_NESTING - 1) + "a == 1" + ")" * (c.MAX_NESTING - 1))
    with pytest.raises(ConditionError):
        parse("(" * c.MAX_NESTING + "a == 1" + ")" * c.MAX_NESTING)


def test_deep_nesting_never_overflows_the_stack() -> None:
    with pytest.raises(ConditionError):
        parse("(" * 1900 + "a == 1" + ")" * 1900)
    with pytest.raises(ConditionError):
        parse("not " * 490 + "a == 1")


def test_long_flat_conditions_parse() -> None:
    source = " or ".join(f"q{i} == {i}" for i in range(100))
    tree = to_json(parse(source))
    assert len(tree["or"]) == 100  # type: ignore[arg-type]


# --- evaluation ----------------------------------------------------------------------


def ev(source: str, answers: dict[str, object], today: date = TODAY) -> bool:
    return evaluate(to_json(parse(source)), answers, today)


@pytest.mark.parametrize(
    "source",
    [
        "a == 1",
        "a != 1",
        "a < 1",
        "a <= 1",
        "a > 1",
        "a >= 1",
        "a in [1, 2]",
        "a not in [1, 2]",
        "a contains 1",
        "answered(a)",
        "a == ''",
        "a != ''",
    ],
)
@pytest.mark.parametrize("unanswered", [None, "", [], "missing"])
def test_every_test_on_an_unanswered_question_is_false(source: str, unanswered: object) -> None:
    answers: dict[str, object] = {} if unanswered == "missing" else {"a": unanswered}
    assert ev(source, answers) is False
    assert ev(f"not ({source})", answers) is True


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        # equality keeps types apart, but 1 and 1.0 are the same number
        ("a == 1", {"a": 1}, True),
        ("a == 1", {"a": 1.0}, True),
        ("a == 1.0", {"a": 1}, True),
        ("a == 1", {"a": "1"}, False),
        ("a == '1'", {"a": 1}, False),
        ("a == 1", {"a": True}, False),
        ("a == 0", {"a": False}, False),
        ("a == 0", {"a": 0}, True),
        ("a != 1", {"a": 2}, True),
        ("a != 1", {"a": 1}, False),
        ("a != 1", {"a": "1"}, True),
        ("a == x", {"a": "x"}, True),
        ("a == x", {"a": "X"}, False),
        ("a == 'Camden'", {"a": "Camden"}, True),
        # ordering: numbers with numbers, text with text, nothing else
        ("a < 2", {"a": 1}, True),
        ("a < 2", {"a": 2}, False),
        ("a <= 2", {"a": 2}, True),
        ("a > 2", {"a": 2.5}, True),
        ("a >= 2", {"a": 2}, True),
        ("a >= 2", {"a": 1.999}, False),
        ("a > -1", {"a": 0}, True),
        ("a < 2", {"a": "1"}, False),
        ("a > 2", {"a": "3"}, False),
        ("a < 2", {"a": True}, False),
        ("a > 0", {"a": True}, False),
        ("a < 2", {"a": [1]}, False),
        ("a >= 1", {"a": "dont_know"}, False),
        ("a <= 1", {"a": "dont_know"}, False),
        # membership
        ("a in [x, y]", {"a": "y"}, True),
        ("a in [x, y]", {"a": "z"}, False),
        ("a in [1, 2]", {"a": 2.0}, True),
        ("a in [1, 2]", {"a": "2"}, False),
        ("a not in [x, y]", {"a": "z"}, True),
        ("a not in [x, y]", {"a": "x"}, False),
        # contains is for lists
        ("a contains x", {"a": ["x", "y"]}, True),
        ("a contains x", {"a": ["y"]}, False),
        ("a contains 1", {"a": [1, 2]}, True),
        ("a contains 1", {"a": ["1"]}, False),
        ("a contains x", {"a": "x"}, False),
        ("a contains x", {"a": "xyz"}, False),
        # answered
        ("answered(a)", {"a": 0}, True),
        ("answered(a)", {"a": False}, True),
        ("answered(a)", {"a": "x"}, True),
        ("answered(a)", {"a": ["x"]}, True),
        ("answered(b)", {"a": "x"}, False),
        # matrix items are fields of their own
        ("m.r == 1", {"m.r": 1}, True),
        ("m.r == 1", {"m": 1}, False),
        ("answered(m.r)", {"m.s": 1}, False),
        # logic
        ("not a == 1", {"a": 2}, True),
        ("not a == 1", {"a": 1}, False),
        ("not not a == 1", {"a": 1}, True),
        ("a == 1 and b == 2", {"a": 1, "b": 2}, True),
        ("a == 1 and b == 2", {"a": 1}, False),
        ("a == 1 or b == 2", {"b": 2}, True),
        ("a == 1 or b == 2", {}, False),
        ("a == 1 or b == 2 and c == 3", {"a": 1}, True),
        ("(a == 1 or b == 2) and c == 3", {"a": 1}, False),
        ("not (a == 1 and b == 2)", {"a": 1}, True),
    ],
)
def test_evaluate(source: str, answers: dict[str, object], expected: bool) -> None:
    assert ev(source, answers) is expected


@pytest.mark.parametrize(
    ("source", "answer", "expected"),
    [
        # a full date
        ("d == '2026-03-15'", "2026-03-15", True),
        ("d < '2026-03-15'", "2026-03-14", True),
        ("d < '2026-03-15'", "2026-03-15", False),
        ("d >= '2026-01-01'", "2026-12-31", True),
        ("d > '2026-01-01'", "2025-12-31", False),
        # a date answered to the month compares at month precision
        ("d == '2026-03-15'", "2026-03", True),
        ("d == '2026-03-01'", "2026-03", True),
        ("d == '2026-04-01'", "2026-03", False),
        ("d < '2026-03-15'", "2026-03", False),
        ("d <= '2026-03-15'", "2026-03", True),
        ("d < '2026-04-01'", "2026-03", True),
        ("d > '2026-02-28'", "2026-03", True),
        ("d >= '2026-03-31'", "2026-03", True),
        ("d in ['2026-03-10', '2027-01-01']", "2026-03", True),
        # ... and to the year at year precision
        ("d == '2026-12-31'", "2026", True),
        ("d < '2026-06-01'", "2026", False),
        ("d < '2027-01-01'", "2026", True),
        ("d > '2025-12-31'", "2026", True),
        ("d >= '2026-12-31'", "2026", True),
    ],
)
def test_evaluate_dates(source: str, answer: str, expected: bool) -> None:
    tree = to_json(parse(source))

    def as_date(node: Any) -> Any:
        # what the checker writes into the manifest for a date question
        if isinstance(node, dict):
            return {k: as_date(v) for k, v in node.items()}
        if isinstance(node, list):
            return [as_date(v) for v in node]
        if isinstance(node, str) and len(node) == 10 and node[4] == "-":
            return {"date": node}
        return node

    assert evaluate(as_date(tree), {"d": answer}, TODAY) is expected


@pytest.mark.parametrize(
    ("source", "answer", "expected"),
    [
        ("d == today", "2026-03-15", True),
        ("d < today", "2026-03-14", True),
        ("d < today", "2026-03-15", False),
        ("d <= today", "2026-03-15", True),
        ("d > today", "2026-03-16", True),
        ("d == today", "2026-03", True),
        ("d < today", "2026-03", False),
        ("d < today", "2026-02", True),
        ("d >= today", "2026", True),
        ("d < today", "2025", True),
        ("d in [today]", "2026-03-15", True),
        ("d not in [today]", "2026-03-14", True),
    ],
)
def test_evaluate_today(source: str, answer: str, expected: bool) -> None:
    assert ev(source, {"d": answer}) is expected
    # today is the day of evaluation, not of compiling: every answer is in the past in 2030
    in_the_past = source.startswith("d <") or "not in" in source
    assert ev(source, {"d": answer}, date(2030, 1, 1)) is in_the_past


def test_today_changes_with_the_evaluation_date() -> None:
    tree = to_json(parse("d >= today"))
    assert evaluate(tree, {"d": "2026-03-15"}, date(2026, 3, 15)) is True
    assert evaluate(tree, {"d": "2026-03-15"}, date(2026, 3, 16)) is False


def test_evaluate_with_date_objects_from_the_checker() -> None:
    tree: dict[str, object] = {
        "and": [
            {"op": ">=", "field": "d", "value": {"date": "2026-01-01"}},
            {"op": "<", "field": "d", "value": {"today": "today"}},
        ]
    }
    assert evaluate(tree, {"d": "2026-02-01"}, TODAY) is True
    assert evaluate(tree, {"d": "2025-02-01"}, TODAY) is False
    assert evaluate(tree, {"d": "2026-03-15"}, TODAY) is False


# --- properties ---------------------------------------------------------------------

ALPHABET = st.sampled_from(
    [*"abcxyz_019.-'\"()[],=!<> \t\nés", "and", "or", "not", "in", "contains", "today"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.lists(ALPHABET, max_size=25).map(" ".join))
def test_parse_raises_only_condition_error(source: str) -> None:
    try:
        expr = parse(source)
    except ConditionError as err:
        assert 0 <= err.pos <= len(source)
        assert err.message
    else:
        json.dumps(to_json(expr))


IDS = ["a", "b", "q_1", "grid.row", "grid.r2", "m.1"]
WORDS = ["x", "yes", "no", "dont_know", "a-b", "_z"]


def number_text() -> st.SearchStrategy[str]:
    whole = st.integers(min_value=-10_000, max_value=10_000).map(str)
    decimal = st.builds(
        lambda i, f: f"{i}.{f}",
        st.integers(min_value=-999, max_value=999),
        st.integers(min_value=0, max_value=999),
    )
    return whole | decimal


def string_text() -> st.SearchStrategy[str]:
    body = st.text(st.characters(blacklist_characters="'\"\x00"), max_size=8)
    return body.map(lambda s: f"'{s}'") | body.map(lambda s: f'"{s}"')


VALUES = number_text() | string_text() | st.sampled_from([*WORDS, "today", "'2026-03-15'"])


def single_tests() -> st.SearchStrategy[str]:
    ref = st.sampled_from(IDS)
    compare = st.builds(
        lambda r, op, v: f"{r} {op} {v}",
        ref,
        st.sampled_from(c.COMPARISONS),
        VALUES,
    )
    member = st.builds(
        lambda r, neg, vs: f"{r} {'not in' if neg else 'in'} [{', '.join(vs)}]",
        ref,
        st.booleans(),
        st.lists(VALUES, min_size=1, max_size=4),
    )
    contains = st.builds(lambda r, v: f"{r} contains {v}", ref, VALUES)
    answered = ref.map(lambda r: f"answered({r})")
    return compare | member | contains | answered


def expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        single_tests(),
        lambda inner: (
            inner.map(lambda e: f"not {e}")
            | inner.map(lambda e: f"({e})")
            | st.lists(inner, min_size=2, max_size=4).map(" and ".join)
            | st.lists(inner, min_size=2, max_size=4).map(" or ".join)
        ),
        max_leaves=12,
    )


def unparse(node: dict[str, Any]) -> str:
    """Write a manifest tree back as a condition, fully parenthesised."""

    def lit(v: Any) -> str:
        if isinstance(v, dict):
            return "today"
        if isinstance(v, str):
            return f'"{v}"' if "'" in v else f"'{v}'"
        return repr(v)

    if "and" in node or "or" in node:
        op = "and" if "and" in node else "or"
        return "(" + f" {op} ".join(unparse(a) for a in node[op]) + ")"
    if "not" in node:
        return f"not {unparse(node['not'])}"
    if node["op"] == "answered":
        return f"answered({node['field']})"
    if node["op"] in ("in", "not in"):
        return f"{node['field']} {node['op']} [{', '.join(lit(v) for v in node['values'])}]"
    return f"{node['field']} {node['op']} {lit(node['value'])}"


def answer_values() -> st.SearchStrategy[object]:
    scalar = (
        st.none()
        | st.booleans()
        | st.integers(-5, 5)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.sampled_from(["", "x", "yes", "dont_know", "2026", "2026-03", "2026-03-15", "1"])
        | st.text(max_size=5)
    )
    return scalar | st.lists(scalar, max_size=3)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=expressions(),
    answers=st.dictionaries(st.sampled_from(IDS), answer_values(), max_size=len(IDS)),
    today=st.dates(),
)
def test_well_formed_expressions_round_trip_and_evaluate(
    source: str, answers: dict[str, object], today: date
) -> None:
    expr = parse(source)
    tree = to_json(expr)
    # the manifest holds plain JSON
    assert json.loads(json.dumps(tree)) == tree
    # writing the tree back as a condition gives the same tree
    assert to_json(parse(unparse(tree))) == tree
    result = evaluate(tree, answers, today)
    assert isinstance(result, bool)
    # not negates, whatever the answers
    assert evaluate({"not": tree}, answers, today) is (not result)


@settings(max_examples=100, deadline=None)
@given(source=expressions(), today=st.dates())
def test_nothing_answered_makes_every_test_false(source: str, today: date) -> None:
    tree = to_json(parse(source))

    def expected(node: dict[str, Any]) -> bool:
        if "and" in node:
            return all(expected(a) for a in node["and"])
        if "or" in node:
            return any(expected(a) for a in node["or"])
        if "not" in node:
            return not expected(node["not"])
        return False

    assert evaluate(tree, {}, today) is expected(tree)


def test_a_long_chain_of_operators_is_refused_with_a_hint() -> None:
    parse(" + ".join(["a"] * 101) + " > 1")  # 100 operators: fine
    with pytest.raises(ConditionError) as info:
        parse(" + ".join(["a"] * 102) + " > 1")
    assert info.value.message == "more than 100 operators"
    assert "sum(a, b, ...)" in info.value.hint
