"""Say a condition in plain words, for the notes shown when JavaScript is off.

"Answer this only if you answered “Robbery” or “Something else” to “What
type of crime were you a victim of?”." Every phrase comes from the
interface-string catalog, so the notes are translated like everything else.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from babel.dates import format_date

from ..language.formats import parse_date
from ..language.model import Option, Question
from ..languages import cldr_locale
from ..strings import Strings

Texts = Callable[[Question], str]
Labels = Callable[[Question, Option], str]
Tree = dict[str, object]

_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class Describer:
    def __init__(
        self, strings: Strings, questions: dict[str, Question], text: Texts, label: Labels
    ) -> None:
        self.t = strings
        self.questions = questions
        self.text = text
        self.label = label

    def __call__(self, tree: Tree) -> str:
        return self.describe(tree, negated=False, nested=False)

    def describe(self, tree: Tree, negated: bool, nested: bool) -> str:
        for key in ("and", "or"):
            if key in tree:
                # De Morgan: "not (a and b)" reads as "not a or not b"
                joined = key if not negated else ("or" if key == "and" else "and")
                parts = [self.describe(sub, negated, True) for sub in tree[key]]  # type: ignore[attr-defined]
                if nested and len(parts) == 2:
                    wrap = "cond_both" if joined == "and" else "cond_either"
                    return self.t(wrap, left=parts[0], right=parts[1])
                text = parts[0]
                for part in parts[1:]:
                    text = self.t(f"cond_{joined}", left=text, right=part)
                return text
        if "not" in tree:
            return self.describe(tree["not"], not negated, nested)  # type: ignore[arg-type]
        return self.test(tree, negated)

    def name(self, field: str) -> tuple[Question, str]:
        qid, _, item = field.partition(".")
        q = self.questions[qid]
        text = self.text(q)
        if item:
            found = next(i for i in q.items if str(i.code) == item)
            text = self.t("cond_item", question=text, item=self.label(q, found))
        return q, text

    def options(self, q: Question, codes: Sequence[object]) -> str:
        labels = []
        for code in codes:
            option = next((o for o in q.choices if o.code == code), None)
            shown = self.label(q, option) if option else str(code)
            labels.append(self.t("cond_option", label=shown))
        return f" {self.t('or')} ".join(labels)

    def value(self, q: Question, value: object) -> str:
        if isinstance(value, dict):
            if "today" in value:
                return self.t("cond_today")
            parsed = parse_date(str(value.get("date")))
            locale = cldr_locale(self.t.lang)
            if parsed and locale:
                return format_date(parsed, format="long", locale=locale)
            return str(value.get("date"))
        if isinstance(value, int | float):
            return self.t.number(value)
        return f"“{value}”"

    def test(self, tree: Tree, negated: bool) -> str:
        op = str(tree["op"])
        answerable = self.questions.get(str(tree.get("field", "")).partition(".")[0])
        if answerable is None or answerable.type == "calculate":
            # arithmetic, calculated values, hidden fields: no plain words say them well
            return self.t("cond_expression")
        q, question = self.name(str(tree["field"]))
        if op == "answered":
            return self.t("cond_not_answered" if negated else "cond_answered", question=question)
        if op == "contains":
            key = "cond_not_chose" if negated else "cond_chose"
            return self.t(key, options=self.options(q, [tree["value"]]), question=question)
        if op in ("in", "not in"):
            positive = (op == "in") != negated
            values = list(tree["values"])  # type: ignore[call-overload]
            return self.equals(q, question, values, positive)
        if negated:
            op = _NEGATE[op]
        if op in ("==", "!="):
            return self.equals(q, question, [tree["value"]], op == "==")
        target = tree["value"]
        if q.type == "date":
            key = {"<": "before", "<=": "until", ">": "after", ">=": "from"}[op]
            return self.t(f"cond_date_{key}", question=question, value=self.value(q, target))
        if q.type in ("single", "matrix", "scale") and q.choices:
            # "satisfaction <= 2" reads better as the labels it admits
            admitted = [
                o.code for o in q.choices if isinstance(o.code, int) and _ORDER[op](o.code, target)
            ]
            if admitted:
                return self.equals(q, question, admitted, True)
        key = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[op]
        return self.t(f"cond_{key}", question=question, value=self.value(q, target))

    def equals(self, q: Question, question: str, values: Sequence[object], positive: bool) -> str:
        if q.type in ("text", "textarea", "number", "date"):
            shown = f" {self.t('or')} ".join(self.value(q, v) for v in values)
        else:
            shown = self.options(q, values)
        return self.t("cond_is" if positive else "cond_is_not", options=shown, question=question)
