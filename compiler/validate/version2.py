"""Checks of the constructs added by `formwright: 2` that are not types of expressions.

In a file that says `formwright: 1`, each of them is an error of its own (FW109): a
version 1 questionnaire must keep building exactly as before, so nothing new is
read into it silently. In version 2: bands of calculated values, groups that do not
nest, hidden fields that do not share a name, text patterns in the linear-time
subset, and custom messages that can be shown. Placeholders: piping.py.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

from .. import patterns
from ..diagnostics import Diagnostic, make
from ..language import conditions as c
from ..language import tree as t
from ..language.model import Band, Group, Page, Question, Questionnaire
from ..patterns import RegexError
from ..yamlnodes import Mapping, Node, Scalar, Sequence
from .checks import RESERVED_IDS, RESERVED_PREFIX
from .positions import position

_V1_HINT = "write formwright: 2 at the top; version 1 questionnaires keep building unchanged"
_QUESTION_KEYS = ("rules", "messages", "pattern", "format", "privacy_hint")
_INTEGRAL_CALLS = {"count", "length", "days_between", "months_between", "years_between"}


def _questions(node: Node | None) -> Iterator[Mapping]:
    for q in node if isinstance(node, Sequence) else []:
        if isinstance(q, Mapping):
            yield q


def _type(node: Mapping) -> Scalar | None:
    typ = node.get("type")
    return typ if isinstance(typ, Scalar) and isinstance(typ.value, str) else None


class _Version2:
    def __init__(self, qn: Questionnaire) -> None:
        self.qn = qn
        self.out: list[Diagnostic] = []
        self.by_id: dict[str, Question] = {}
        for q in qn.questions:
            self.by_id.setdefault(q.id, q)

    def add(self, code: str, node: Node, message: str, hint: str = "") -> None:
        self.out.append(make(code, self.qn.path, node.line, node.column, message, hint))

    def add_at(self, code: str, node: Scalar, offset: int, message: str, hint: str = "") -> None:
        line, col = position(self.qn.source_text, node, offset)
        self.out.append(make(code, self.qn.path, line, col, message, hint))

    # --- version 1 ---------------------------------------------------------------

    def version1(self) -> list[Diagnostic]:
        """One FW109 for each version 2 construct, read from the YAML as written."""
        root = self.qn.node
        if (key := root.key_node("hidden")) is not None:
            self.add("FW109", key, "hidden fields ('hidden') need formwright: 2", _V1_HINT)
        pages = root.get("pages")
        for page in pages if isinstance(pages, Sequence) else []:
            if not isinstance(page, Mapping):
                continue
            if (key := page.key_node("rules")) is not None:
                self.add("FW109", key, "rules on a page ('rules') need formwright: 2", _V1_HINT)
            self.version1_questions(page.get("questions"))
        groups = [g for p in self.qn.pages for g in p.groups]
        owners: list[Page | Group | Question] = [*self.qn.pages, *groups, *self.qn.questions]
        for owner in owners:
            if owner.when is not None and owner.when_node is not None:
                self.version1_expression(owner.when, owner.when_node)
        return self.out

    def version1_questions(self, node: Node | None) -> None:
        for q in _questions(node):
            typ = _type(q)
            if typ is not None and typ.value in ("calculate", "group"):
                self.add("FW109", typ, f"the type {typ.value!r} needs formwright: 2", _V1_HINT)
            for key in _QUESTION_KEYS:
                if (k := q.key_node(key)) is not None:
                    self.add("FW109", k, f"the key {key!r} needs formwright: 2", _V1_HINT)
            if typ is not None and typ.value == "group":
                self.version1_questions(q.get("questions"))

    def version1_expression(self, source: str, node: Scalar) -> None:
        try:
            expr = c.parse(source)
        except c.ConditionError:
            return  # reported by conditions.py
        self.version1_node(expr, node)

    def version1_node(self, expr: t.Value, node: Scalar) -> None:
        """The round 1 grammar: tests of a question against fixed values, and answered()."""
        if isinstance(expr, t.BoolOp):
            for arg in expr.args:
                self.version1_node(arg, node)
        elif isinstance(expr, t.Not):
            self.version1_node(expr.arg, node)
        elif isinstance(expr, t.Arith | t.Neg):
            self.add_at("FW109", node, expr.pos, "arithmetic needs formwright: 2", _V1_HINT)
        elif isinstance(expr, t.Call):
            if expr.name != "answered":
                message = f"the function {expr.name}() needs formwright: 2"
                self.add_at("FW109", node, expr.pos, message, _V1_HINT)
        elif isinstance(expr, t.Compare | t.Member | t.Contains):
            if not isinstance(expr.left, t.Ref):
                self.version1_node(expr.left, node)  # a function or arithmetic on the left
                return
            if isinstance(expr, t.Compare):
                others: tuple[t.Value, ...] = (expr.right,)
            else:
                others = expr.values if isinstance(expr, t.Member) else (expr.value,)
            for other in others:
                self.version1_value(expr.left, other, node)

    def version1_value(self, left: t.Ref, other: t.Value, node: Scalar) -> None:
        if isinstance(other, t.Literal):
            return
        if isinstance(other, t.Ref):
            q = self.by_id.get(left.question)
            codes = {str(o.code) for o in q.choices} if q is not None else set()
            if other.question not in self.by_id or (other.item is None and other.field in codes):
                return  # a word: one of the left question's codes (or not, FW305)
            message = f"comparing {left.field!r} with another answer needs formwright: 2"
            self.add_at("FW109", node, other.pos, message, _V1_HINT)
            return
        self.version1_node(other, node)

    # --- version 2 ---------------------------------------------------------------

    def version2(self) -> list[Diagnostic]:
        self.names()
        pages = self.qn.node.get("pages")
        for page in pages if isinstance(pages, Sequence) else []:
            if isinstance(page, Mapping):
                for item in _questions(page.get("questions")):
                    if (typ := _type(item)) is not None and typ.value == "group":
                        self.nested(item)
        for q in self.qn.questions:
            if q.bands:
                self.bands(q)
            self.pattern(q)
            self.messages(q)
        return self.out

    def names(self) -> None:
        """Hidden fields and groups share one namespace with the questions."""
        seen: dict[str, tuple[str, Node]] = {}
        for q in self.qn.questions:
            seen.setdefault(q.id, ("question", q.get("id") or q.node))
        found: list[tuple[str, str, Node]] = [
            ("hidden field", name, key) for name, key in self.qn.hidden_nodes.items()
        ]
        for page in self.qn.pages:
            found += [("group", g.id, g.node.get("id") or g.node) for g in page.groups]
        for what, name, node in found:
            if name in RESERVED_IDS or name.startswith(RESERVED_PREFIX) or name in c.KEYWORDS:
                self.add(
                    "FW204",
                    node,
                    f"the {what} name {name!r} is reserved",
                    "choose another name; response data and the expression language use it",
                )
            if name in seen:
                other, at = seen[name]
                first, second = sorted((at, node), key=lambda n: (n.line, n.column))
                self.add(
                    "FW201",
                    second,
                    f"{name!r} names both a {other} and a {what}"
                    if other != what
                    else f"duplicate {what} {name!r}",
                    f"it is already used on line {first.line}; questions, calculated values, "
                    "groups and hidden fields each need a name of their own",
                )
            else:
                seen[name] = (what, node)

    def nested(self, group: Mapping) -> None:
        gid = group.get("id")
        outer = gid.value if isinstance(gid, Scalar) else "?"
        for q in _questions(group.get("questions")):
            typ = _type(q)
            if typ is not None and typ.value == "group":
                self.add(
                    "FW104",
                    typ,
                    f"a group cannot hold another group (inside the group {outer!r})",
                    f"groups do not nest: put these questions in {outer!r} itself, or in a "
                    "group of their own on the page, with both conditions joined by 'and'",
                )

    def bands(self, q: Question) -> None:
        for band in q.bands:
            if band.minimum > band.maximum:
                self.add(
                    "FW315",
                    band.node.get("min") or band.node,
                    f"the band {band.label!r} of {q.id!r} runs backwards: "
                    f"min {_num(band.minimum)} is above max {_num(band.maximum)}",
                    "swap min and max",
                )
        ordered = sorted((b for b in q.bands if b.minimum <= b.maximum), key=_span)
        whole = q.value_type == "number" and self.integral(q, set())
        for low, high in itertools.pairwise(ordered):
            later = max(low, high, key=lambda b: (b.node.line, b.node.column))
            # bands hold both ends and the first listed wins (form.js): a fraction may
            # touch the next band's min, a whole number at that point would be in both
            if high.minimum < low.maximum or (high.minimum == low.maximum and whole):
                top = min(low.maximum, high.maximum)
                both = _num(top) if top == high.minimum else f"{_num(high.minimum)} to {_num(top)}"
                self.add(
                    "FW315",
                    later.node,
                    f"the bands {low.label!r} and {high.label!r} of {q.id!r} overlap: "
                    f"{both} is in both",
                    "each value may have one band: make each band's min follow the "
                    "previous band's max",
                )
            elif q.value_type == "number":  # a value that failed its checks has no gaps
                self.gap(q, low, high, later, whole)

    def gap(self, q: Question, low: Band, high: Band, later: Band, whole: bool) -> None:
        if whole:  # only whole numbers between the bands are missing
            first, last = math.floor(low.maximum) + 1, math.ceil(high.minimum) - 1
            if first > last:
                return
            missing = f"{first}" if first == last else f"{first} to {last}"
            hint = f"start {high.label!r} at {_num(math.floor(low.maximum) + 1)}"
        else:
            if high.minimum <= low.maximum:
                return
            missing = f"values between {_num(low.maximum)} and {_num(high.minimum)}"
            hint = (
                f"{q.id!r} may be a fraction: start {high.label!r} at {_num(low.maximum)} "
                "(a value of exactly that takes the band listed first), or round the value "
                "with round(…, 0)"
            )
        self.add(
            "FW316",
            later.node,
            f"no band of {q.id!r} labels {missing}, where {{{q.id}.band}} would show nothing",
            hint,
        )

    def integral(self, q: Question, seen: set[str]) -> bool:
        """Whether a calculated number is always whole (so 0–4 and 5–9 leave no gap)."""
        if q.value is None or q.id in seen:
            return False
        try:
            expr = c.parse(q.value)
        except c.ConditionError:
            return False
        return self.whole(expr, seen | {q.id})

    def whole(self, node: t.Value, seen: set[str]) -> bool:
        if isinstance(node, t.Literal):
            return node.kind == "number" and isinstance(node.value, int)
        if isinstance(node, t.Ref):
            q = self.by_id.get(node.question)
            if q is None:
                return node.question in self.qn.hidden  # hidden fields hold codes
            if q.type == "calculate":
                return self.integral(q, seen)
            if q.type == "number":
                return q.integer
            return True  # a choice counts by its codes, whole numbers (words are not numbers)
        if isinstance(node, t.Neg):
            return self.whole(node.arg, seen)
        if isinstance(node, t.Arith):
            return node.op != "/" and self.whole(node.left, seen) and self.whole(node.right, seen)
        if isinstance(node, t.Call):
            if node.name in _INTEGRAL_CALLS:
                return True
            if node.name == "round":
                places = node.args[1] if len(node.args) > 1 else None
                fixed = isinstance(places, t.Literal) and places.value == 0
                return fixed or self.whole(node.args[0], seen)
            args = node.args[1:] if node.name == "if" else node.args
            return all(self.whole(a, seen) for a in args)
        return False

    def pattern(self, q: Question) -> None:
        node = q.get("pattern")
        if q.pattern is not None and isinstance(node, Scalar):
            try:
                patterns.check(q.pattern)
            except RegexError as err:
                self.add_at("FW312", node, err.pos, err.message, err.hint)
        if q.pattern is not None and q.text_format is not None:
            at = q.node.key_node("format") or q.node
            self.add(
                "FW407",
                at,
                f"{q.id!r} has both a pattern and a format; choose one",
                f"format: {q.text_format} checks the answer itself; remove pattern, or "
                "remove format and keep your own pattern",
            )

    def messages(self, q: Question) -> None:
        """A message for a check the question does not make would never be shown."""
        checks = {
            "required": (q.required, f"{q.id!r} is not required"),
            "pattern": (
                q.pattern is not None or q.text_format is not None,
                f"{q.id!r} has no pattern or format",
            ),
            "integer": (q.integer, f"{q.id!r} does not ask for a whole number (integer: true)"),
            "min": (q.get("min") is not None, f"{q.id!r} has no min"),
            "max": (q.get("max") is not None, f"{q.id!r} has no max"),
        }
        for kind, node in q.message_nodes.items():
            made, why = checks.get(kind, (True, ""))
            if not made:
                key = q.node.get("messages")
                at = key.key_node(kind) if isinstance(key, Mapping) else None
                self.add(
                    "FW408",
                    at or node,
                    f"the message for {kind!r} is never shown: {why}",
                    "remove it, or add the check it is written for",
                )


def _span(band: Band) -> tuple[float, float]:
    return band.minimum, band.maximum


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def check(qn: Questionnaire) -> list[Diagnostic]:
    """Run after conditions.py, whose calculated value types the band checks read."""
    version = qn.node.get("formwright")
    if qn.format_version >= 2:
        return _Version2(qn).version2()
    if isinstance(version, Scalar) and version.value == 1 and type(version.value) is int:
        return _Version2(qn).version1()
    return []  # no version, or one that is not allowed: FW102 or FW108 already
