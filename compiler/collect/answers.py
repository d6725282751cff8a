"""Turn a posted response into typed answers and check them against the manifest.

Two shapes arrive: the fields of a form posted without JavaScript (every value a
string, dates in parts) and the JSON the form's script posts (values already
typed). Both become one dict of typed answers, which `check` then walks in
questionnaire order exactly as the browser's `apply()` does: a question whose
page or own condition is false over the answers kept so far is dropped
silently, and only the questions shown are validated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from ..language.evaluate import evaluate, is_answered
from ..language.formats import SPECIFY_MAX_LENGTH, parse_date
from ..strings import Strings

Manifest = dict[str, Any]
Question = dict[str, Any]
DATE_PARTS = {"day": ("year", "month", "day"), "month": ("year", "month"), "year": ("year",)}
DATE_SIZE = {"day": 10, "month": 7, "year": 4}
# ASCII digits only, as the browser's script reads them: `٣` is not a number to either.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


class Malformed(Exception):
    """The body is not a response at all (answered with 400, not 422)."""


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class Parsed:
    """Answers read from a post, and what could not even be read."""

    answers: dict[str, object] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # field -> problem code
    unknown: list[str] = field(default_factory=list)


@dataclass
class Checked:
    answers: dict[str, object]
    problems: list[Problem]


def _choices(q: Question) -> list[dict[str, Any]]:
    if q["type"] == "scale":
        return list(q["points"]) + list(q["extra"])
    return list(q.get("options", []))


def _specify_fields(q: Question) -> dict[str, dict[str, Any]]:
    if q["type"] not in ("single", "multiple"):
        return {}
    return {f"{q['id']}.{o['code']}": o for o in q["options"] if "specify" in o}


def _answer_fields(q: Question) -> list[str]:
    """The answer keys one question may contribute, besides its specify texts."""
    if q["type"] == "statement":
        return []
    if q["type"] == "matrix":
        return [f"{q['id']}.{item['code']}" for item in q["items"]]
    return [q["id"]]


@dataclass(frozen=True)
class Index:
    """A manifest's lookup tables, built once when it is loaded, never per response.

    The endpoint checks every response against the same few manifests; rebuilding
    these for each answer was a twentieth of a request's CPU when last profiled.
    Codes are looked up by (type, code) so that 1, 1.0 and True stay different,
    as the browser's strict comparison keeps them.
    """

    manifest: Manifest
    by_id: Mapping[str, Question]
    known: Mapping[str, Question]  # every answer and specify key -> its question
    specify: Mapping[str, Mapping[str, dict[str, Any]]]  # question id -> key -> option
    by_text: Mapping[str, Mapping[str, object]]  # question id -> str(code) -> code
    by_code: Mapping[str, Mapping[tuple[type, object], object]]  # question id -> code

    @classmethod
    def of(cls, man: Manifest) -> Index:
        by_id: dict[str, Question] = {}
        known: dict[str, Question] = {}
        specify: dict[str, Mapping[str, dict[str, Any]]] = {}
        by_text: dict[str, Mapping[str, object]] = {}
        by_code: dict[str, Mapping[tuple[type, object], object]] = {}
        for q in man["questions"]:
            qid = q["id"]
            by_id[qid] = q
            specify[qid] = MappingProxyType(_specify_fields(q))
            for name in [*_answer_fields(q), *specify[qid]]:
                known[name] = q
            texts: dict[str, object] = {}
            codes: dict[tuple[type, object], object] = {}
            for option in _choices(q):
                code = option["code"]
                texts.setdefault(str(code), code)  # the first option wins, as in a scan
                codes.setdefault((type(code), code), code)
            by_text[qid], by_code[qid] = MappingProxyType(texts), MappingProxyType(codes)
        proxy = MappingProxyType
        return cls(man, proxy(by_id), proxy(known), proxy(specify), proxy(by_text), proxy(by_code))


def index(man: Manifest | Index) -> Index:
    """The tables of a manifest: the prebuilt ones, or built now for a plain manifest."""
    return man if isinstance(man, Index) else Index.of(man)


def _code_from_text(idx: Index, q: Question, text: str) -> object:
    return idx.by_text[q["id"]].get(text)


def _code_exact(idx: Index, q: Question, value: object) -> object:
    try:
        return idx.by_code[q["id"]].get((type(value), value))
    except TypeError:  # a list or object posted where a code belongs: no option matches
        return None


def _parse_number(text: str) -> float | int | None:
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    number = float(text)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _combine_date(parts: dict[str, str], precision: str) -> str | None:
    """'YYYY-MM-DD' / 'YYYY-MM' / 'YYYY' from the boxes, None if not a real date."""
    wanted = DATE_PARTS[precision]
    values = {p: parts.get(p, "").strip() for p in wanted}
    limits = {"year": 4, "month": 2, "day": 2}
    if any(not v.isascii() or not v.isdigit() or len(v) > limits[p] for p, v in values.items()):
        return None
    text = "-".join(f"{int(values[p]):0{4 if p == 'year' else 2}d}" for p in wanted)
    real = parse_date(text)
    if real is None or real.year < 1000:
        return None
    return text


def from_form(man: Manifest | Index, pairs: Iterable[tuple[str, str]]) -> Parsed:
    """Read the fields of a form posted without JavaScript (empty strings mean unanswered)."""
    idx = index(man)
    known, by_id = idx.known, idx.by_id
    grouped: dict[str, list[str]] = {}
    dates: dict[str, dict[str, str]] = {}
    out = Parsed()
    for name, value in pairs:
        qid, colon, part = name.partition(":")
        if colon:
            q = by_id.get(qid)
            if q is None or q["type"] != "date" or part not in DATE_PARTS[q["precision"]]:
                out.unknown.append(name)
            elif part in dates.setdefault(qid, {}):
                out.unreadable[qid] = "not_option"
            else:
                dates[qid][part] = value
        elif name in known:
            grouped.setdefault(name, []).append(value)
        else:
            out.unknown.append(name)
    for name, values in grouped.items():
        q = known[name]
        filled = [v for v in values if v.strip()]
        if not filled:
            continue
        if q["type"] == "multiple" and name == q["id"]:
            codes = [_code_from_text(idx, q, v) for v in filled]
            if None in codes or len(set(map(str, codes))) != len(codes):
                out.unreadable[name] = "not_option"
            else:
                out.answers[name] = codes
        elif len(filled) > 1:
            out.unreadable[name] = "not_option"
        elif name in idx.specify[q["id"]] or q["type"] in ("text", "textarea"):
            out.answers[name] = filled[0]
        elif q["type"] == "number":
            number = _parse_number(filled[0])
            if number is None:
                out.unreadable[name] = "number"
            else:
                out.answers[name] = number
        else:
            code = _code_from_text(idx, q, filled[0])
            if code is None:
                out.unreadable[name] = "not_option"
            else:
                out.answers[name] = code
    for qid, parts in dates.items():
        if not any(v.strip() for v in parts.values()):
            continue
        combined = _combine_date(parts, by_id[qid]["precision"])
        if combined is None:
            out.unreadable[qid] = "date"
        else:
            out.answers[qid] = combined
    return out


def _finite_number(value: object) -> bool:
    """A JSON number the browser reads as finite: an int past a float's range is Infinity there."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # math.isfinite converts an int to a float first
        return False


def _typed(idx: Index, q: Question, name: str, value: object) -> tuple[object, str | None]:
    """One JSON value checked for its type: (value, None) or (None, problem code)."""
    kind = q["type"]
    if name in idx.specify[q["id"]] or kind in ("text", "textarea"):
        return (value, None) if isinstance(value, str) else (None, "not_text")
    if kind == "number":
        return (value, None) if _finite_number(value) else (None, "number")
    if kind == "date":
        if not isinstance(value, str) or len(value) != DATE_SIZE[q["precision"]]:
            return None, "date"
        parts = dict(zip(DATE_PARTS[q["precision"]], value.split("-"), strict=False))
        return (value, None) if _combine_date(parts, q["precision"]) == value else (None, "date")
    if kind == "multiple":
        if not isinstance(value, list) or not value:
            return None, "not_option"
        codes = [_code_exact(idx, q, v) for v in value]
        if None in codes or len(set(map(repr, codes))) != len(codes):
            return None, "not_option"
        return codes, None
    code = _code_exact(idx, q, value)
    return (code, None) if code is not None else (None, "not_option")


def from_json(man: Manifest | Index, answers: object) -> Parsed:
    """Read the `answers` object the form's script posts (typed values)."""
    if not isinstance(answers, dict):
        raise Malformed("answers must be an object")
    idx = index(man)
    known = idx.known
    out = Parsed()
    for name, value in answers.items():
        q = known.get(name)
        if q is None:
            out.unknown.append(name)
            continue
        if not is_answered(value) or (isinstance(value, str) and not value.strip()):
            continue
        typed, problem = _typed(idx, q, name, value)
        if problem is None:
            out.answers[name] = typed
        else:
            out.unreadable[name] = problem
    return out


class _Validator:
    def __init__(self, idx: Index, strings: Strings, today: date) -> None:
        self.idx, self.t, self.today = idx, strings, today
        self.problems: list[Problem] = []

    def add(self, name: str, code: str, key: str, count: float | None = None, **kw: Any) -> None:
        self.problems.append(Problem(name, code, self.t(key, count=count, **kw)))

    def question(self, q: Question, parsed: Parsed, kept: dict[str, object]) -> None:
        """Validate one shown question, copying its valid answers into `kept`."""
        text, qid, kind = q["text"], q["id"], q["type"]
        if kind == "matrix":
            for name, item in zip(_answer_fields(q), q["items"], strict=True):
                if name in parsed.unreadable:
                    self.add(name, "not_option", "err_not_option", question=text)
                elif name in parsed.answers:
                    kept[name] = parsed.answers[name]
                elif q["required"]:
                    label = f"{text} — {item['label']}"
                    self.add(name, "required", "err_required_choice", question=label)
            return
        problem = parsed.unreadable.get(qid)
        if problem is not None:
            key = {"number": "err_number", "date": "err_date"}.get(problem, "err_not_option")
            self.add(qid, problem, key, question=text)
            return
        value = parsed.answers.get(qid)
        if value is None:
            if q["required"]:
                choice = kind in ("single", "multiple", "scale")
                key = "err_required_choice" if choice else "err_required_text"
                self.add(qid, "required", key, question=text)
            return
        before = len(self.problems)
        self.limits(q, value)
        if len(self.problems) == before:
            kept[qid] = value
            self.specify(q, value, parsed, kept)

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
                self.add(qid, "too_long", "err_too_long", q["max_length"], question=text)
        elif kind == "number":
            if q["integer"] and not float(value).is_integer():
                self.add(qid, "integer", "err_integer", question=text)
            elif q["min"] is not None and value < q["min"]:
                self.add(qid, "min", "err_min", question=text, min=self.t.number(q["min"]))
            elif q["max"] is not None and value > q["max"]:
                self.add(qid, "max", "err_max", question=text, max=self.t.number(q["max"]))
        elif kind == "date":
            # The respondent's today may be a day either side of the server's.
            earliest = (self.today - timedelta(days=1)).isoformat()
            latest = (self.today + timedelta(days=1)).isoformat()
            low = earliest if q["min"] == "today" else q["min"]
            high = latest if q["max"] == "today" else q["max"]
            if low and value < low[: len(value)]:
                self.add(qid, "date_min", "err_date_min", question=text, date=low[: len(value)])
            if high and value > high[: len(value)]:
                self.add(qid, "date_max", "err_date_max", question=text, date=high[: len(value)])

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


def check(man: Manifest | Index, parsed: Parsed, strings: Strings, today: date) -> Checked:
    """Apply conditions in questionnaire order and validate what is shown."""
    idx = index(man)
    by_id = idx.by_id
    validator = _Validator(idx, strings, today)
    for name in parsed.unknown:
        # No catalog string names an unknown field; the real form never posts one.
        validator.add(name, "unknown_field", "err_not_option", question=name)
    kept: dict[str, object] = {}
    for page in idx.manifest["pages"]:
        page_on = page["condition"] is None or evaluate(page["condition"], kept, today)
        for qid in page["questions"]:
            q = by_id[qid]
            shown = page_on and (q["condition"] is None or evaluate(q["condition"], kept, today))
            if shown and q["type"] != "statement":
                validator.question(q, parsed, kept)
    return Checked(kept, validator.problems)
