"""The problems of one shown question, each with its message in the form's language.

A message is the designer's when they wrote one: a question's `messages` replace
the standard message for their kind of problem, and a rule's message is its
own. Either comes in the form's language from the manifest's `messages`
(translated by the designer's translators), else as written in the source. The
rest come from the interface catalogs. Placeholders in a designer's message are
left as written: the page pipes answers into them, the endpoint does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from ..language import piping
from ..language.evaluate import evaluate, is_answered
from ..language.formats import SPECIFY_MAX_LENGTH
from ..patterns import full_match
from ..strings import Strings
from .parsing import Index, Parsed, Problem, Question, answer_fields

EDGE_SPACE = " \t\n\r\f\v"  # ASCII, as the script trims before matching

# Which of a question's `messages` replaces the standard message for a problem code.
KINDS = {
    "required": "required",
    "min": "min",
    "max": "max",
    "date_min": "min",
    "date_max": "max",
    "too_long": "max_length",
    "pattern": "pattern",
    "number": "number",
    "integer": "integer",
    "date": "date",
}
POSTCODE_DISTRICT = "postcode-district"


class Validator:
    def __init__(self, idx: Index, strings: Strings, today: date) -> None:
        self.idx, self.t, self.today = idx, strings, today
        self.problems: list[Problem] = []
        translated = idx.manifest.get("messages", {}).get(strings.lang, {})
        self.translated: dict[str, str] = translated if isinstance(translated, dict) else {}

    def designer(self, key: str, source: str, kept: dict[str, object] | None = None) -> str:
        """A designer's message in the form's language, else as they wrote it, with the
        numbers it pipes written in and every other placeholder as its fallback."""
        text = self.translated.get(key)
        chosen = text if isinstance(text, str) and text else source
        return piping.fill(chosen, kept or {}, self.t.number, self.t.plural_category)

    def add(
        self,
        name: str,
        code: str,
        key: str,
        count: float | None = None,
        q: Question | None = None,
        **kw: Any,
    ) -> None:
        """One problem; q is the question whose own `messages` may replace the standard one."""
        kind = KINDS.get(code)
        custom = q.get("messages", {}) if q is not None else {}
        if q is not None and kind in custom:
            message = self.designer(f"questions.{q['id']}.messages.{kind}", custom[kind])
        else:
            message = self.t(key, count=count, **kw)
        self.problems.append(Problem(name, code, message))

    def question(self, q: Question, parsed: Parsed, kept: dict[str, object]) -> bool:
        """Validate one shown question, copying its valid answers into `kept`.

        Returns whether it is answered: whether any answer of it was kept."""
        text, qid, kind = q["text"], q["id"], q["type"]
        if kind == "matrix":
            answered = False
            for name, item in zip(answer_fields(q), q["items"], strict=True):
                if name in parsed.unreadable:
                    self.add(name, "not_option", "err_not_option", question=text)
                elif name in parsed.answers:
                    kept[name], answered = parsed.answers[name], True
                elif q["required"]:
                    label = f"{text} — {item['label']}"
                    self.add(name, "required", "err_required_choice", q=q, question=label)
            return answered
        problem = parsed.unreadable.get(qid)
        if problem is not None:
            key = {"number": "err_number", "date": "err_date"}.get(problem, "err_not_option")
            self.add(qid, problem, key, q=q, question=text)
            return False
        value = parsed.answers.get(qid)
        if value is None:
            if q["required"]:
                choice = kind in ("single", "multiple", "scale")
                key = "err_required_choice" if choice else "err_required_text"
                self.add(qid, "required", key, q=q, question=text)
            return False
        before = len(self.problems)
        self.limits(q, value)
        if len(self.problems) != before:
            return False
        kept[qid] = value
        self.specify(q, value, parsed, kept)
        return True

    def limits(self, q: Question, value: Any) -> None:
        text, qid, kind = q["text"], q["id"], q["type"]
        if kind == "multiple":
            if "max_choices" in q and len(value) > q["max_choices"]:
                self.add(qid, "too_many", "err_too_many", q["max_choices"], question=text)
            for option in q["options"]:
                if option.get("exclusive") and len(value) > 1 and option["code"] in value:
                    self.add(
                        qid, "exclusive", "err_exclusive", question=text, option=option["label"]
                    )
        elif kind in ("text", "textarea"):
            if "max_length" in q and len(value) > q["max_length"]:
                self.add(qid, "too_long", "err_too_long", q["max_length"], q, question=text)
            elif "pattern" in q and not full_match(q["pattern"], value.strip(EDGE_SPACE)):
                # the manifest's pattern is portable (compiler/patterns): linear in the text;
                # spaces a phone's keyboard adds at the ends are not the respondent's answer
                self.pattern(q)
        elif kind == "number":
            if q["integer"] and not float(value).is_integer():
                self.add(qid, "integer", "err_integer", q=q, question=text)
            elif q["min"] is not None and value < q["min"]:
                number = self.t.number(q["min"])
                self.add(qid, "min", "err_min", q=q, question=text, min=number)
            elif q["max"] is not None and value > q["max"]:
                number = self.t.number(q["max"])
                self.add(qid, "max", "err_max", q=q, question=text, max=number)
        elif kind == "date":
            # The respondent's today may be a day either side of the server's.
            earliest = (self.today - timedelta(days=1)).isoformat()
            latest = (self.today + timedelta(days=1)).isoformat()
            low = earliest if q["min"] == "today" else q["min"]
            high = latest if q["max"] == "today" else q["max"]
            if low and value < low[: len(value)]:
                day = low[: len(value)]
                self.add(qid, "date_min", "err_date_min", q=q, question=text, date=day)
            if high and value > high[: len(value)]:
                day = high[: len(value)]
                self.add(qid, "date_max", "err_date_max", q=q, question=text, date=day)

    def pattern(self, q: Question) -> None:
        key = "err_postcode_district" if q.get("format") == POSTCODE_DISTRICT else "err_pattern"
        self.add(q["id"], "pattern", key, q=q, question=q["text"])

    def specify(self, q: Question, value: object, parsed: Parsed, kept: dict[str, object]) -> None:
        chosen = value if isinstance(value, list) else [value]
        for name, option in self.idx.specify[q["id"]].items():
            if name in parsed.unreadable:
                self.add(name, "not_text", "err_not_option", question=q["text"])
            elif name in parsed.answers and option["code"] in chosen:
                specified = str(parsed.answers[name])
                if len(specified) > SPECIFY_MAX_LENGTH:
                    question = f"{q['text']} — {option['specify']}"
                    self.add(
                        name, "too_long", "err_too_long", SPECIFY_MAX_LENGTH, question=question
                    )
                else:
                    kept[name] = specified
            # a specify text for an option not chosen is dropped, as the script does

    def holds(self, must: dict[str, Any], kept: dict[str, object]) -> bool:
        """A rule holds on the respondent's date, which may be a day either side of ours."""
        if evaluate(must, kept, self.today):
            return True
        if '"today"' not in json.dumps(must):
            return False
        one = timedelta(days=1)
        return any(evaluate(must, kept, day) for day in (self.today - one, self.today + one))

    def rules(self, rules: Iterable[dict[str, Any]], field: str, kept: dict[str, object]) -> None:
        """Check rules over the answers kept so far; a failing one is a `rule` problem.

        A rule is checked only when every answer it names directly is given: one
        it names only inside sum(), count(), min(), max(), length() or answered()
        may be unanswered. Otherwise a rule such as `train_journeys <= journeys`
        would refuse a respondent who skipped either optional question, which
        they are free to do; the rule is about the two answers together.
        """
        for rule in rules:
            operands = self.idx.analysis.operands.get(rule["key"], ())
            if not all(is_answered(kept.get(name)) for name in operands):
                continue
            if not self.holds(rule["must"], kept):
                message = self.designer(rule["key"], rule["message"], kept)
                self.problems.append(Problem(field, "rule", message))
