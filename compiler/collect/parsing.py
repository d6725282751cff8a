"""Read a posted response into typed answers, before anything is checked.

Two shapes arrive: the fields of a form posted without JavaScript (every value a
string, dates in parts) and the JSON the form's script posts (values already
typed). Both become one `Parsed`: typed answers, what could not be read, and
names the manifest does not know, which answers.py's `check` then walks in
questionnaire order. Two kinds of field are read but never trusted as answers:
a hidden field (a value from the page's address) is kept only when its
allow-list holds it, and otherwise dropped silently, since a respondent cannot
fix a URL; a calculated value the script sends is put aside, for `check` to
compare with its own (calculated.py), and is never stored as sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..language.evaluate import is_answered
from ..language.formats import parse_date
from .calculated import Analysis, analyse

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
    hidden: dict[str, str] = field(default_factory=dict)  # allowed hidden values only
    calculated: dict[str, object] = field(default_factory=dict)  # as the script sent them


def _choices(q: Question) -> list[dict[str, Any]]:
    if q["type"] == "scale":
        return list(q["points"]) + list(q["extra"])
    return list(q.get("options", []))


def _specify_fields(q: Question) -> dict[str, dict[str, Any]]:
    if q["type"] not in ("single", "multiple"):
        return {}
    return {f"{q['id']}.{o['code']}": o for o in q["options"] if "specify" in o}


def answer_fields(q: Question) -> list[str]:
    """The answer keys one question may contribute, besides its specify texts."""
    if q["type"] in ("statement", "calculate"):
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
    # version 2: calculated value and band keys -> the calculate; hidden id -> allowed values
    calculated: Mapping[str, Question]
    hidden: Mapping[str, frozenset[str]]
    analysis: Analysis  # groups, rules and today, read once (calculated.py)

    @classmethod
    def of(cls, man: Manifest) -> Index:
        by_id: dict[str, Question] = {}
        known: dict[str, Question] = {}
        specify: dict[str, Mapping[str, dict[str, Any]]] = {}
        by_text: dict[str, Mapping[str, object]] = {}
        by_code: dict[str, Mapping[tuple[type, object], object]] = {}
        calculated: dict[str, Question] = {}
        for q in man["questions"]:
            qid = q["id"]
            by_id[qid] = q
            if q["type"] == "calculate":
                calculated.update(dict.fromkeys(q["columns"], q))  # its id, and id.band
            specify[qid] = MappingProxyType(_specify_fields(q))
            for name in [*answer_fields(q), *specify[qid]]:
                known[name] = q
            texts: dict[str, object] = {}
            codes: dict[tuple[type, object], object] = {}
            for option in _choices(q):
                code = option["code"]
                texts.setdefault(str(code), code)  # the first option wins, as in a scan
                codes.setdefault((type(code), code), code)
            by_text[qid], by_code[qid] = MappingProxyType(texts), MappingProxyType(codes)
        proxy = MappingProxyType
        hidden = {h["id"]: frozenset(h["values"]) for h in man.get("hidden", [])}
        return cls(
            man,
            proxy(by_id),
            proxy(known),
            proxy(specify),
            proxy(by_text),
            proxy(by_code),
            proxy(calculated),
            proxy(hidden),
            analyse(man, known),
        )


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
        elif name in known or name in idx.hidden:
            grouped.setdefault(name, []).append(value)
        elif name not in idx.calculated:  # a calculated value is the endpoint's to compute
            out.unknown.append(name)
    for name, values in grouped.items():
        filled = [v for v in values if v.strip()]
        if name in idx.hidden:
            if len(values) == 1 and values[0] in idx.hidden[name]:
                out.hidden[name] = values[0]
            continue  # not allowed, or given twice: dropped, never an error
        if not filled:
            continue
        q = known[name]
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
        if name in idx.hidden:
            if isinstance(value, str) and value in idx.hidden[name]:
                out.hidden[name] = value
            continue  # not in the allow-list (or not text): dropped, never an error
        if name in idx.calculated:
            out.calculated[name] = value
            continue
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
