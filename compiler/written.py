"""Manifest syntax trees written back in the questionnaire's expression language.

For the codebook: a researcher reads a condition, a rule or a calculated value
as the designer wrote it (`views.a >= 2 and not score in [1, dont_know]`,
`phq.q1 + phq.q2`), not as JSON. Round-1 trees ({"op", "field", "value"}) are
written exactly as they always were; version-2 trees (arithmetic, functions,
{"op", "left", "right"}) with the fewest brackets that keep their meaning.
"""

from __future__ import annotations

import re
from typing import Any

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# How tightly each arithmetic operator binds; a lower one inside a higher needs brackets.
_BINDING = {"+": 1, "-": 1, "*": 2, "/": 2}
_UNARY = 3


def literal(v: object) -> str:
    """A fixed value: a date in quotes, today, a code or number as it is, text in quotes."""
    if isinstance(v, dict):
        return "today" if "today" in v else f"'{v.get('date')}'"
    if isinstance(v, str) and not _WORD.fullmatch(v):
        return f"'{v}'"
    return str(v)


def quoted(text: str) -> str:
    """Text in the quotes that do not occur in it (the language has no escapes)."""
    return f'"{text}"' if "'" in text else f"'{text}'"


def expression_text(node: object, binding: int = 0) -> str:
    """A value tree (a calculated value, either side of a general test). A string here
    is text (codes beside a question keep the round-1 shape, written by literal())."""
    if isinstance(node, str):
        return quoted(node)
    if not isinstance(node, dict) or "today" in node or "date" in node:
        return literal(node)
    if "ref" in node:
        return str(node["ref"])
    if "fn" not in node:
        return _test(node, binding == 0)  # a test used as a value, e.g. inside if()
    fn, args = str(node["fn"]), list(node["args"])
    if fn == "neg":
        return "-" + expression_text(args[0], _UNARY)
    if fn in _BINDING:
        own = _BINDING[fn]
        # left-associative: a - (b - c) keeps its brackets, (a - b) - c does not need them
        text = f"{expression_text(args[0], own)} {fn} {expression_text(args[1], own + 1)}"
        return f"({text})" if own < binding else text
    if fn == "if":
        condition = _test(args[0], True)
        return f"if({condition}, {expression_text(args[1])}, {expression_text(args[2])})"
    return f"{fn}({', '.join(expression_text(a) for a in args)})"


def _test(n: dict[str, Any], top: bool) -> str:
    for op in ("and", "or"):
        if op in n:
            text = f" {op} ".join(_test(a, False) for a in n[op])
            return text if top else f"({text})"
    if "not" in n:
        return f"not {_test(n['not'], False)}"
    op = n["op"]
    if op == "answered":
        return f"answered({n['field']})"
    if op == "is":
        return expression_text(n["value"], _UNARY)
    plain = "field" in n  # the round-1 shape: one question against literals
    left = str(n["field"]) if plain else expression_text(n["left"])
    side = literal if plain else expression_text
    if op in ("in", "not in"):
        return f"{left} {op} [{', '.join(side(v) for v in n['values'])}]"
    return f"{left} {op} {side(n['right'] if 'right' in n else n['value'])}"


def condition_text(node: dict[str, Any] | None) -> str:
    """A condition or rule tree written back; empty for none."""
    return "" if node is None else _test(node, True)
