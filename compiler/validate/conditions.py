"""Check every `when` against the questionnaire, and resolve it for the manifest.

Each test must name an earlier, answerable question, use an operator that
fits its type, and compare with a value it can take. A condition that no
combination of answers can make true is reported as a warning.
"""

from __future__ import annotations

import itertools
import math
from datetime import date

from ..diagnostics import Diagnostic, did_you_mean, make
from ..language import conditions as c
from ..language.evaluate import evaluate
from ..language.formats import parse_date
from ..language.model import CHOICE_TYPES, Page, Question, Questionnaire
from ..yamlnodes import Scalar

MAX_COMBINATIONS = 20_000
ORDERED = {"<", "<=", ">", ">="}


def position(text: str, node: Scalar, offset: int) -> tuple[int, int]:
    """File position of the character at `offset` in a scalar's value.

    Walks the value and the source side by side: quotes, escapes, folded line
    breaks and block indentation all leave the value's characters in order in
    the source; a folded line break (newline and indentation) stands for one space."""
    value = str(node.value)
    if not text or node.end <= node.start:
        return node.line, node.column
    raw = text[node.start : node.end]
    j = raw.find("\n") + 1 if node.style in ("|", ">") else (0 if node.plain else 1)
    beyond = max(0, offset - len(value) + 1)  # an offset at the end points past the last char
    found = j - 1
    for i in range(min(offset + 1, len(value))):
        char = value[i]
        if char.isspace():
            while j < len(raw) and not raw[j].isspace():
                j += 1
            found = j
            if j < len(raw) and raw[j] == "\n":
                while j < len(raw) and raw[j] in " \n":
                    j += 1
            else:
                j += 1
        else:
            found = raw.find(char, j)
            if found < 0:
                return node.line, node.column
            j = found + 1
    index = node.start + found + beyond
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class _ConditionChecker:
    def __init__(self, qn: Questionnaire) -> None:
        self.qn = qn
        self.by_id: dict[str, Question] = {}
        for q in qn.questions:
            self.by_id.setdefault(q.id, q)  # a duplicate id is reported by checks.py
        self.out: list[Diagnostic] = []

    def run(self) -> list[Diagnostic]:
        asked: list[Question] = []
        for page in self.qn.pages:
            self.owner(page, list(asked))
            for q in page.questions:
                self.owner(q, list(asked))
                asked.append(q)
        return self.out

    def owner(self, owner: Page | Question, before: list[Question]) -> None:
        if owner.when is None or owner.when_node is None:
            return
        node = owner.when_node
        try:
            expr = c.parse(owner.when)
        except c.ConditionError as err:
            line, col = position(self.qn.source_text, node, err.pos)
            self.out.append(make("FW301", self.qn.path, line, col, err.message, err.hint))
            return
        errors_before = len(self.out)
        resolved: dict[int, c.JSONValue] = {}
        available = {q.id for q in before}
        for test in c.tests(expr):
            self.test(test, node, available, owner, resolved)
        if len(self.out) > errors_before:
            return
        owner.condition = expr
        owner.condition_json = c.to_json(expr, resolved)
        if self.never_true(owner.condition_json):
            what = "page" if isinstance(owner, Page) else "question"
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

    def err(self, code: str, node: Scalar, pos: int, message: str, hint: str = "") -> None:
        line, col = position(self.qn.source_text, node, pos)
        self.out.append(make(code, self.qn.path, line, col, message, hint))

    def test(
        self,
        test: c.Test,
        node: Scalar,
        available: set[str],
        owner: Page | Question,
        resolved: dict[int, c.JSONValue],
    ) -> None:
        ref = test.ref
        q = self.by_id.get(ref.question)
        if q is None:
            ids = [x.id for x in self.qn.questions if x.type != "statement"]
            hint = did_you_mean(ref.question, ids)
            self.err("FW302", node, ref.pos, f"there is no question {ref.question!r}", hint)
            return
        if q.type == "statement":
            self.err(
                "FW304",
                node,
                ref.pos,
                f"{q.id!r} is a statement and has no answer",
                "a condition can only test questions that take an answer",
            )
            return
        if q.id not in available:
            where = "itself" if q is owner else "a question that is asked later"
            hint = (
                "a question cannot depend on its own answer"
                if q is owner
                else "move the question after the one it depends on"
            )
            self.err(
                "FW303",
                node,
                ref.pos,
                f"{q.id!r} is {where}; a condition can only use earlier answers",
                hint,
            )
            return
        if not self.item(q, ref, node):
            return
        if isinstance(test, c.Answered):
            return
        op = "contains" if isinstance(test, c.Contains) else getattr(test, "op", "in")
        if isinstance(test, c.Contains) != (q.type == "multiple"):
            hint = (
                "use: " + f"{q.id} contains CODE"
                if q.type == "multiple"
                else "contains is for multiple-choice questions; use == or in [...]"
            )
            self.err(
                "FW306", node, ref.pos, f"{op!r} does not fit the {q.type} question {q.id!r}", hint
            )
            return
        if op in ORDERED and not self.ordered(q):
            self.err(
                "FW306",
                node,
                ref.pos,
                f"{op!r} needs numbers or dates, but {q.id!r} is a {q.type} question "
                "whose answers are not numbers",
                "use == or in [...] with its codes"
                if q.type in CHOICE_TYPES
                else f"compare its text with == '...', or use answered({q.id})",
            )
            return
        values = test.values if isinstance(test, c.Member) else (test.value,)
        for lit in values:
            value = self.value(q, lit, op, node)
            if value is not None:
                resolved[lit.pos] = value

    def item(self, q: Question, ref: c.Ref, node: Scalar) -> bool:
        items = [str(i.code) for i in q.items]
        if q.type == "matrix" and ref.item is None:
            self.err(
                "FW307",
                node,
                ref.pos,
                f"{q.id!r} is a matrix; name one of its items",
                f"e.g. {q.id}.{items[0]}" if items else "",
            )
            return False
        if q.type != "matrix" and ref.item is not None:
            self.err(
                "FW307",
                node,
                ref.pos,
                f"{q.id!r} is a {q.type} question and has no items",
                f"write {q.id} alone",
            )
            return False
        if ref.item is not None and ref.item not in items:
            hint = did_you_mean(ref.item, items) or "its items: " + ", ".join(items)
            self.err("FW307", node, ref.pos, f"the matrix {q.id!r} has no item {ref.item!r}", hint)
            return False
        return True

    @staticmethod
    def ordered(q: Question) -> bool:
        if q.type in ("number", "date", "scale"):
            return True
        if q.type in ("single", "matrix"):
            return bool(q.options) and all(isinstance(o.code, int) for o in q.options)
        return False

    def value(self, q: Question, lit: c.Literal, op: str, node: Scalar) -> c.JSONValue | None:
        def bad(message: str, hint: str = "", code: str = "FW309") -> None:
            self.err(code, node, lit.pos, message, hint)

        shown = lit.value if lit.kind != "string" else f"'{lit.value}'"
        if q.type in CHOICE_TYPES:
            if op in ORDERED:
                if lit.kind == "number":
                    return lit.value
                bad(f"{op!r} compares numbers; {shown} is not one", f"e.g. {q.id} <= 2")
                return None
            codes = {str(o.code): o.code for o in q.choices}
            if str(lit.value) in codes:  # a code may even be called today
                return codes[str(lit.value)]
            hint = did_you_mean(str(lit.value), list(codes)) or "its codes: " + ", ".join(codes)
            bad(f"{q.id!r} has no option with the code {shown}", hint, "FW305")
            return None
        if q.type == "number":
            if lit.kind == "number":
                return lit.value
            bad(f"{q.id!r} is a number question; compare it with a number, not {shown}")
            return None
        if q.type == "date":
            if lit.kind == "today":
                return {"today": "today"}
            if lit.kind == "string" and parse_date(str(lit.value)):
                return {"date": str(lit.value)}
            bad(
                f"{q.id!r} is a date question; compare it with a date, not {shown}",
                "write the date in quotes as 'YYYY-MM-DD', or use today",
                "FW404" if lit.kind == "string" else "FW309",
            )
            return None
        if lit.kind == "string":
            return lit.value
        bad(
            f"{q.id!r} is a {q.type} question; put the text it is compared with in quotes",
            f"{q.id} == '{lit.value}'",
        )
        return None

    # --- satisfiability ------------------------------------------------------

    def never_true(self, tree: dict[str, object]) -> bool:
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
