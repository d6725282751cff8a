"""Check every expression against the questionnaire, and resolve it for the manifest.

Conditions (`when` on pages, groups and questions), rules (`must`), and calculated
values, in questionnaire order: each may use only the answers before it (a rule
on a question may also use that question). Types are checked by types.py. A
condition that no combination of answers can make true is reported as a warning.
"""

from __future__ import annotations

import itertools
import math
from datetime import date

from ..diagnostics import Diagnostic, make
from ..language import conditions as c
from ..language.evaluate import evaluate
from ..language.formats import parse_date
from ..language.model import CHOICE_TYPES, Group, Page, Question, Questionnaire, Rule
from ..yamlnodes import Scalar
from .positions import position
from .types import Typer

MAX_COMBINATIONS = 20_000
Owner = Page | Group | Question


class _ConditionChecker:
    def __init__(self, qn: Questionnaire) -> None:
        self.qn = qn
        self.by_id: dict[str, Question] = {}
        for q in qn.questions:
            self.by_id.setdefault(q.id, q)  # a duplicate id is reported by checks.py
        self.out: list[Diagnostic] = []

    def run(self) -> list[Diagnostic]:
        asked: set[str] = set()
        for page in self.qn.pages:
            self.owner(page, set(asked))
            groups_seen: set[str] = set()
            for q in page.questions:
                if q.group is not None and q.group.id not in groups_seen:
                    groups_seen.add(q.group.id)
                    self.owner(q.group, set(asked))
                self.owner(q, set(asked))
                if q.type == "calculate":
                    self.calculated(q, set(asked))
                for rule in q.rules:
                    self.rule(rule, q, asked | {q.id})
                asked.add(q.id)
            for rule in page.rules:
                self.rule(rule, page, set(asked))
        return self.out

    def parse(self, source: str, node: Scalar) -> c.Expr | None:
        try:
            return c.parse(source)
        except c.ConditionError as err:
            line, col = position(self.qn.source_text, node, err.pos)
            self.out.append(make("FW301", self.qn.path, line, col, err.message, err.hint))
            return None

    def owner(self, owner: Owner, available: set[str]) -> None:
        if owner.when is None or owner.when_node is None:
            return
        node = owner.when_node
        expr = self.parse(owner.when, node)
        if expr is None:
            return
        typer = Typer(self.qn, self.by_id, node, available, owner)
        ok = typer.boolean(expr)
        self.out.extend(typer.out)
        if not ok:
            return
        owner.condition = expr
        owner.condition_json = c.to_json(expr, typer.resolve, typer.names)
        if self.never_true(owner.condition_json):
            what = {Page: "page", Group: "group"}.get(type(owner), "question")
            self.out.append(
                make(
                    "FW308",
                    self.qn.path,
                    node.line,
                    node.column,
                    f"this condition can never be true, so the {what} {owner.id!r} is never shown",
                    "check the codes and numbers it compares with, and 'and' versus 'or'",
                )
            )

    def calculated(self, q: Question, available: set[str]) -> None:
        if q.value is None or q.value_node is None:
            return
        expr = self.parse(q.value, q.value_node)
        if expr is None:
            return
        typer = Typer(self.qn, self.by_id, q.value_node, available, q)
        typ = typer.value(expr)
        self.out.extend(typer.out)
        if typ is None or typer.out:
            return
        kind = "number" if typ.numeric() and typ.kind not in ("code", "codes") else typ.kind
        if kind in ("code", "codes"):
            self.out.append(
                make(
                    "FW310",
                    self.qn.path,
                    q.value_node.line,
                    q.value_node.column,
                    f"the calculated value {q.id!r} would be an option of another question",
                    "calculate a number, a text, a date or a test; use the question itself "
                    "where you need its answer",
                )
            )
            return
        if q.bands and kind != "number":
            node = q.node.get("bands") or q.node
            self.out.append(
                make(
                    "FW314",
                    self.qn.path,
                    node.line,
                    node.column,
                    f"bands label numbers, but {q.id!r} is not a number",
                )
            )
            return
        q.value_type = kind
        q.value_tree = c.value_json(expr, typer.resolve, typer.names)

    def rule(self, rule: Rule, owner: Page | Question, available: set[str]) -> None:
        expr = self.parse(rule.must, rule.must_node)
        if expr is None:
            return
        typer = Typer(self.qn, self.by_id, rule.must_node, available, None)
        ok = typer.boolean(expr)
        self.out.extend(typer.out)
        if ok:
            rule.tree = c.to_json(expr, typer.resolve, typer.names)

    # --- satisfiability ------------------------------------------------------

    def plain(self, tree: dict[str, object]) -> bool:
        """A tree of round-1 tests on questions, whose answers can be enumerated."""
        for key in ("and", "or"):
            if key in tree:
                return all(self.plain(sub) for sub in tree[key])  # type: ignore[attr-defined]
        if "not" in tree:
            return self.plain(tree["not"])  # type: ignore[arg-type]
        q = self.by_id.get(str(tree.get("field", "")).split(".")[0])
        return q is not None and q.type != "calculate"

    def never_true(self, tree: dict[str, object]) -> bool:
        if not self.plain(tree):
            return False  # arithmetic, calculated values, hidden fields: assume it can be
        fields: dict[str, list[object]] = {}
        self._collect(tree, fields)
        domains: list[list[object]] = []
        for field, literals in fields.items():
            q = self.by_id[field.split(".")[0]]
            domains.append(self._domain(q, literals))
        total = 1
        for d in domains:
            total *= len(d)
        if total > MAX_COMBINATIONS:
            return False
        names = list(fields)
        today = date.today()
        for combo in itertools.product(*domains):
            answers = {n: v for n, v in zip(names, combo, strict=True) if v is not None}
            if evaluate(tree, answers, today):
                return False
        return True

    def _collect(self, tree: dict[str, object], fields: dict[str, list[object]]) -> None:
        for key in ("and", "or"):
            if key in tree:
                for sub in tree[key]:  # type: ignore[attr-defined]
                    self._collect(sub, fields)
                return
        if "not" in tree:
            self._collect(tree["not"], fields)  # type: ignore[arg-type]
            return
        values = tree.get("values", [tree.get("value")])
        fields.setdefault(str(tree["field"]), []).extend(values)  # type: ignore[arg-type]

    @staticmethod
    def _domain(q: Question, literals: list[object]) -> list[object]:
        if q.type == "multiple":
            codes = [o.code for o in q.options]
            named = [x for x in codes if x in literals]
            rest = [x for x in codes if x not in literals][:1]
            pool = named + rest
            if len(pool) > 10:
                return [None] * (MAX_COMBINATIONS + 1)  # too many: give up, assume possible
            subsets = itertools.chain.from_iterable(
                itertools.combinations(pool, n) for n in range(1, len(pool) + 1)
            )
            return [None, *[list(s) for s in subsets]]
        if q.type in CHOICE_TYPES:
            return [None, *[o.code for o in q.choices]]
        if q.type == "number":
            return [None, *_number_candidates(q, [x for x in literals if _is_number(x)])]
        if q.type == "date":
            return [None, *_date_candidates(q, literals)]
        return [None, "\x00", *[x for x in literals if isinstance(x, str)]]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _around(points: list[float], step: float) -> set[float]:
    """Each point, a step either side, and the midpoint of every neighbouring pair:
    enough to meet every region that comparisons with these points carve out."""
    ordered = sorted({float(p) for p in points})
    out = {p + d for p in ordered for d in (-step, 0, step)}
    out |= {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
    return out


def _number_candidates(q: Question, literals: list[object]) -> list[float]:
    points = [float(x) for x in literals]  # type: ignore[arg-type]
    points += [v for v in (q.minimum, q.maximum) if v is not None]
    values = _around(points or [0.0], 1.0)
    if q.integer:
        values = {float(f(v)) for v in values for f in (math.floor, math.ceil)}
    low = q.minimum if q.minimum is not None else -math.inf
    high = q.maximum if q.maximum is not None else math.inf
    return sorted(int(v) if v.is_integer() else v for v in values if low <= v <= high)


def _date_candidates(q: Question, literals: list[object]) -> list[str]:
    size = {"year": 4, "month": 7}.get(q.precision, 10)
    days = []
    for lit in literals:
        if isinstance(lit, dict):
            base = date.today() if "today" in lit else parse_date(str(lit.get("date")))
            if base is not None:
                days.append(float(base.toordinal()))
    out = set()
    for day in _around(days, 1.0) | _around(days, 400.0):
        if 1 <= day <= date.max.toordinal():
            out.add(date.fromordinal(int(day)).isoformat()[:size])
    return sorted(out)


def check(qn: Questionnaire) -> list[Diagnostic]:
    return _ConditionChecker(qn).run()
