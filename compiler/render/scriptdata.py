"""The form script's data (`fw-data`): what it cannot read from the page.

Conditions, the limits no HTML attribute holds, calculated values, rules and
messages. Types, codes, items, `required`, number limits, lengths, patterns,
date precision and exclusive options the script reads from the markup, so no
respondent downloads them twice. Parts only some forms need are left out of
the others.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..language.model import Question, Rule

if TYPE_CHECKING:
    from .pages import PageRenderer

_WHOLE = re.compile(r"-?[0-9]+")

JS_STRINGS = [
    "page_of",
    "error_prefix",
    "sending",
    "err_required_choice",
    "err_required_text",
    "err_too_many",
    "err_exclusive",
    "err_too_long",
    "err_number",
    "err_integer",
    "err_min",
    "err_max",
    "err_date",
    "err_date_min",
    "err_date_max",
    "chars_left",
    "chars_over",
    "err_send",
    "kept_answers",
    "refused_unavailable",
    "refused_busy",
    "refused_closed",
    "refused_duplicate",
    "refused_unreadable",
    "retry",
    "open_current",
    "err_pattern",
    "err_postcode_district",
]
# strings only forms with text patterns read
PATTERN_STRINGS = {"err_pattern", "err_postcode_district"}


def _rules(r: PageRenderer, rules: list[Rule]) -> list[dict[str, Any]]:
    return [{"must": rule.tree, "message": r.tx(rule.key).value} for rule in rules if rule.tree]


def _question(r: PageRenderer, q: Question) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if q.condition_json:
        entry["condition"] = q.condition_json
    if q.type == "multiple":  # checkboxes carry neither `required` nor a limit
        if q.required:
            entry["required"] = True
        if q.max_choices:
            entry["max_choices"] = q.max_choices
    if q.type == "date":
        for key, value in (("min", q.date_min), ("max", q.date_max)):
            if value is not None:
                entry[key] = value
    # a quoted "1": is the text "1", though the page's value looks like the number
    quoted = [o.code for o in q.choices if isinstance(o.code, str) and _WHOLE.fullmatch(o.code)]
    if quoted:
        entry["text_codes"] = quoted
    if q.rules:
        entry["rules"] = _rules(r, q.rules)
    if q.messages:
        entry["messages"] = {k: r.tx(f"questions.{q.id}.messages.{k}").value for k in q.messages}
    if q.text_format:
        entry["format"] = q.text_format
    return entry


def _calculated(r: PageRenderer, q: Question) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": q.value_tree}
    if q.bands:
        entry["bands"] = [
            [b.minimum, b.maximum, r.tx(f"questions.{q.id}.bands.{n}").value]
            for n, b in enumerate(q.bands, start=1)
        ]
    return entry


def script_data(r: PageRenderer) -> dict[str, Any]:
    qn = r.qn
    questions: dict[str, dict[str, Any]] = {}
    calcs: dict[str, dict[str, Any]] = {}
    for q in qn.questions:
        if q.type == "calculate":
            if q.value_tree is not None:
                calcs[q.id] = _calculated(r, q)
        elif entry := _question(r, q):
            questions[q.id] = entry
    strings = [k for k in JS_STRINGS if k not in PATTERN_STRINGS]
    if any(q.pattern or q.text_format for q in qn.questions):
        strings += sorted(PATTERN_STRINGS)
    data: dict[str, Any] = {
        "pages": {p.id: p.condition_json for p in qn.pages if p.condition_json},
        "questions": questions,
        "strings": {key: r.t.plural_forms(key) for key in strings},
    }
    groups = {g.id: g.condition_json for p in qn.pages for g in p.groups if g.condition_json}
    page_rules = {p.id: _rules(r, p.rules) for p in qn.pages if p.rules}
    for key, value in (
        ("calcs", calcs),
        ("groups", groups),
        ("page_rules", page_rules),
        ("hidden", qn.hidden),
    ):
        if value:
            data[key] = value
    return data
