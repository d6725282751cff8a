"""What a compiled condition means: the endpoint's evaluator of manifest syntax trees.

The browser's script (static/form.js) evaluates the same JSON with the same
rules; tests/test_parity.py holds the two to one meaning.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any


def is_answered(value: object) -> bool:
    return value is not None and value != "" and value != []


def _operand(value: object, today: date) -> object:
    if isinstance(value, dict):
        return today.isoformat() if "today" in value else value.get("date")
    return value


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
    return type(a) is type(b) and a == b


def evaluate(node: dict[str, object], answers: dict[str, object], today: date) -> bool:
    """Evaluate a manifest syntax tree. Every test on an unanswered question is false."""
    if "and" in node:
        return all(evaluate(a, answers, today) for a in node["and"])  # type: ignore[attr-defined]
    if "or" in node:
        return any(evaluate(a, answers, today) for a in node["or"])  # type: ignore[attr-defined]
    if "not" in node:
        return not evaluate(node["not"], answers, today)  # type: ignore[arg-type]
    answer = answers.get(str(node["field"]))
    op = node["op"]
    if not is_answered(answer):
        return False
    if op == "answered":
        return True
    if op == "contains":
        target = _operand(node["value"], today)
        return isinstance(answer, list) and any(_same(a, target) for a in answer)
    if op in ("in", "not in"):
        values = [_operand(v, today) for v in node["values"]]  # type: ignore[attr-defined]
        found = any(_compare("==", answer, v) for v in values)
        return found if op == "in" else not found
    return _compare(str(op), answer, _operand(node["value"], today))
