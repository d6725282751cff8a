"""What a compiled expression means: the endpoint's evaluator of manifest trees.

The browser's script (static/form.js) evaluates the same JSON with the same
rules; tests/test_parity.py holds the two to one meaning. Rules, for both:

- A test on an unanswered question is false (so is `!=`); `not` turns it true.
- Arithmetic with an unanswered operand, or dividing by zero, gives no value,
  and any comparison with no value is false. sum() and count() skip
  unanswered arguments (an empty sum is 0); min() and max() of nothing give none.
- Numbers are exact decimals (numbers.py); round() rounds half away from zero.
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction
from typing import Any

from ..patterns import full_match
from . import numbers as n

_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")  # ASCII digits, as in the browser
Answers = dict[str, object]


def is_answered(value: object) -> bool:
    return value is not None and value != "" and value != []


def _operand(value: object, today: date) -> object:
    if isinstance(value, dict):
        return today.isoformat() if "today" in value else value.get("date")
    return value


def _number(value: object) -> bool:
    return isinstance(value, int | float | Fraction) and not isinstance(value, bool)


def _compare(op: str, answer: object, target: object) -> bool:
    if (
        isinstance(answer, str)
        and isinstance(target, str)
        and len(answer) != len(target)
        and _DATE.fullmatch(answer)
        and _DATE.fullmatch(target)
    ):
        # dates given to different precisions (day, month, year) compare at the coarser one
        size = min(len(answer), len(target))
        answer, target = answer[:size], target[:size]
    if op == "==":
        return _same(answer, target)
    if op == "!=":
        return not _same(answer, target)
    comparable = (_number(answer) and _number(target)) or (
        isinstance(answer, str) and isinstance(target, str)
    )
    if not comparable:
        return False
    a: Any = answer
    b: Any = target
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _same(a: object, b: object) -> bool:
    if _number(a) and _number(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):  # item by item: [1] is not [True]
        return len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def _exact(value: object) -> object:
    """Numbers as fractions for the general tests; everything else as it is."""
    f = n.fraction(value)
    return f if f is not None else value


def evaluate(node: dict[str, object], answers: Answers, today: date) -> bool:
    """Evaluate a manifest condition tree. Every test on an unanswered question is false."""
    if "and" in node:
        return all(evaluate(a, answers, today) for a in node["and"])  # type: ignore[attr-defined]
    if "or" in node:
        return any(evaluate(a, answers, today) for a in node["or"])  # type: ignore[attr-defined]
    if "not" in node:
        return not evaluate(node["not"], answers, today)  # type: ignore[arg-type]
    op = str(node["op"])
    if op == "is":
        return value(node["value"], answers, today) is True
    if "field" in node:  # the round-1 shape: one question against literals
        answer = answers.get(str(node["field"]))
        if not is_answered(answer):
            return False
        if op == "answered":
            return True

        def lit(v: object) -> object:
            return _operand(v, today)
    else:
        answer = value(node["left"], answers, today)
        if answer is None:
            return False

        def lit(v: object) -> object:
            return value(v, answers, today)

    if op == "contains":
        target = _exact(lit(node["value"]))
        return isinstance(answer, list) and any(_same(_exact(a), target) for a in answer)
    if op in ("in", "not in"):
        values = [lit(v) for v in node["values"]]  # type: ignore[attr-defined]
        found = any(v is not None and _compare("==", answer, v) for v in values)
        return found if op == "in" else not found
    target = lit(node["right"] if "right" in node else node["value"])
    return target is not None and _compare(op, answer, target)


def value(node: object, answers: Answers, today: date) -> object:
    """A value tree's value: a Fraction, text, date text, list, bool, or None (no value)."""
    if not isinstance(node, dict):
        return n.fraction(node) if _number(node) else node
    if "ref" in node:
        got = answers.get(str(node["ref"]))
        if not is_answered(got):
            return None
        return [_exact(x) for x in got] if isinstance(got, list) else _exact(got)
    if "today" in node or "date" in node:
        return _operand(node, today)
    if "fn" in node:
        return _call(str(node["fn"]), node["args"], answers, today)
    return evaluate(node, answers, today)


def _numbers(args: list[object], answers: Answers, today: date) -> list[Fraction]:
    out: list[Fraction] = []
    for arg in args:
        got = value(arg, answers, today)
        for x in got if isinstance(got, list) else [got]:
            if isinstance(x, Fraction):
                out.append(x)
    return out


def _call(fn: str, args: list[object], answers: Answers, today: date) -> object:
    if fn == "if":
        chosen = args[1] if evaluate(args[0], answers, today) else args[2]  # type: ignore[arg-type]
        return value(chosen, answers, today)
    if fn == "sum":
        return sum(_numbers(args, answers, today), Fraction(0))
    if fn in ("min", "max"):
        found = _numbers(args, answers, today)
        return (min if fn == "min" else max)(found) if found else None
    if fn == "count":
        total = 0
        for arg in args:
            got = value(arg, answers, today)
            total += len(got) if isinstance(got, list) else int(got is not None)
        return Fraction(total)
    got = [value(a, answers, today) for a in args]
    if fn == "length":
        return Fraction(len(got[0])) if isinstance(got[0], str) else Fraction(0)
    if fn == "matches":
        return full_match(str(got[1]), got[0]) if isinstance(got[0], str) else None
    if any(g is None for g in got):
        return None
    if fn == "neg":
        return -got[0] if isinstance(got[0], Fraction) else None
    if fn in ("+", "-", "*", "/"):
        a, b = got
        if not (isinstance(a, Fraction) and isinstance(b, Fraction)):
            return None
        if fn == "/":
            return a / b if b != 0 else None
        return a + b if fn == "+" else a - b if fn == "-" else a * b
    if fn == "round":
        x, places = got
        if not (isinstance(x, Fraction) and isinstance(places, Fraction)):
            return None
        return n.round_half_away(x, int(places))
    if fn in ("days_between", "months_between", "years_between"):
        a, b = (n.as_date(g) if isinstance(g, str) else None for g in got)
        if a is None or b is None:
            return None
        if fn == "days_between":
            return Fraction(b.toordinal() - a.toordinal())
        months = n.months_between(a, b)
        return Fraction(months if fn == "months_between" else int(months / 12))
    raise ValueError(f"unknown function {fn!r}")


def stored(result: object) -> object:
    """A calculated value as it is stored in a response: JSON, numbers rounded (numbers.py)."""
    if isinstance(result, Fraction):
        return n.to_json_number(result)
    return result
