"""Compile a validated questionnaire into its manifest (stage 3).

manifest.json is the contract with everything downstream: the browser's
script, the endpoint, exports and codebooks read only this. It holds every
field with its type, options, limits and condition syntax tree, plus the
source-language texts for codebooks.
"""

from __future__ import annotations

from typing import Any

from .language.estimate import estimate_minutes
from .language.formats import (
    FORMATS,
    SPECIFY_MAX_LENGTH,
    UUID_PATTERN,
    data_columns,
    largest_response,
)
from .language.model import Option, Page, Question, Questionnaire, Rule
from .language.piping import with_fallbacks
from .patterns import portable

MANIFEST_FORMAT = 1  # a version-1 questionnaire's manifest, unchanged since round 1
MANIFEST_FORMAT_2 = 2  # adds calculated values, rules, messages, groups, hidden fields
DATE_PATTERNS = {
    "day": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "month": "^[0-9]{4}-[0-9]{2}$",
    "year": "^[0-9]{4}$",
}


def _options(options: list[Option]) -> list[dict[str, Any]]:
    out = []
    for o in options:
        entry: dict[str, Any] = {"code": o.code, "label": o.label}
        if o.specify is not None:
            entry["specify"] = o.specify
        if o.exclusive:
            entry["exclusive"] = True
        out.append(entry)
    return out


def _rules(rules: list[Rule]) -> list[dict[str, Any]]:
    return [{"must": r.tree, "message": r.message, "key": r.key} for r in rules]


def _version2(q: Question, entry: dict[str, Any]) -> None:
    if q.group is not None:
        entry["group"] = q.group.id
    if q.rules:
        entry["rules"] = _rules(q.rules)
    if q.messages:
        entry["messages"] = dict(q.messages)
    if q.text_format is not None:
        entry["format"] = q.text_format
    pattern = FORMATS.get(q.text_format or "", q.pattern)
    if pattern is not None:
        entry["pattern"] = portable(pattern)


def _calculated(q: Question) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": q.id, "type": "calculate", "page": q.page.id}
    entry.update(value=q.value_tree, value_type=q.value_type)
    if q.group is not None:
        entry["group"] = q.group.id
    if q.bands:
        entry["bands"] = [{"min": b.minimum, "max": b.maximum, "label": b.label} for b in q.bands]
    entry["columns"] = [name for name, _ in data_columns(q)]
    return entry


def _question(q: Question) -> dict[str, Any]:
    if q.type == "calculate":
        return _calculated(q)
    entry: dict[str, Any] = {"id": q.id, "type": q.type, "page": q.page.id, "text": q.text}
    if q.hint:
        entry["hint"] = q.hint
    if q.type != "statement":
        entry["required"] = q.required
    entry["condition"] = q.condition_json
    if q.type in ("single", "multiple", "matrix"):
        entry["options"] = _options(q.options)
    if q.type == "matrix":
        entry["items"] = _options(q.items)
    if q.type == "scale":
        entry["points"] = _options(q.points)
        entry["extra"] = _options(q.extra)
    if q.type == "multiple" and q.max_choices is not None:
        entry["max_choices"] = q.max_choices
    if q.type in ("text", "textarea") and q.max_length is not None:
        entry["max_length"] = q.max_length
    if q.type == "number":
        entry.update(min=q.minimum, max=q.maximum, integer=q.integer)
    if q.type == "date":
        entry.update(precision=q.precision, min=q.date_min, max=q.date_max)
    if q.type != "statement":
        entry["columns"] = [name for name, _ in data_columns(q)]
    _version2(q, entry)
    return entry


def _page(p: Page) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": p.id,
        "title": p.title,
        "condition": p.condition_json,
        "questions": [q.id for q in p.questions],
    }
    if p.groups:
        entry["groups"] = [
            {"id": g.id, "condition": g.condition_json, "questions": [q.id for q in g.questions]}
            for g in p.groups
        ]
    if p.rules:
        entry["rules"] = _rules(p.rules)
    return entry


def manifest(
    qn: Questionnaire, languages: list[str], messages: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """The manifest. `messages` holds each published language's translations of the
    designer's own messages (rules, custom messages), which the endpoint shows in 422s."""
    man = _manifest(qn, languages)
    if qn.format_version >= 2:
        _unpipe(man)
        man["formwright"] = MANIFEST_FORMAT_2
        man["hidden"] = [{"id": k, "values": list(v)} for k, v in qn.hidden.items()]
        keys = {r["key"] for q in man["questions"] for r in q.get("rules", [])}
        keys |= {r["key"] for p in man["pages"] for r in p.get("rules", [])}
        keys |= {
            f"questions.{q['id']}.messages.{k}"
            for q in man["questions"]
            for k in q.get("messages", {})
        }
        man["messages"] = {
            lang: {k: v for k, v in sorted(texts.items()) if k in keys}
            for lang, texts in sorted((messages or {}).items())
        }
    return man


def _unpipe(man: dict[str, Any]) -> None:
    """Texts as a page shows them before answers are known: what the endpoint's
    messages and the codebook quote (a `{placeholder}` means nothing there)."""
    for q in man["questions"]:
        for key in ("text", "hint"):
            if key in q:
                q[key] = with_fallbacks(q[key])
        for kind in ("options", "items", "points", "extra"):
            for option in q.get(kind, []):
                option["label"] = with_fallbacks(option["label"])


def _manifest(qn: Questionnaire, languages: list[str]) -> dict[str, Any]:
    return {
        "formwright": MANIFEST_FORMAT,
        "id": qn.id,
        "version": qn.version,
        "title": qn.title,
        "language": qn.language,
        "languages": languages,
        "endpoint": qn.endpoint,
        "quick_exit": qn.quick_exit,
        "estimated_minutes": estimate_minutes(qn),
        "grace_period_days": qn.grace_period_days,
        "max_response_bytes": largest_response(qn),
        "pages": [_page(p) for p in qn.pages],
        "questions": [_question(q) for q in qn.questions],
    }


def _codes(options: list[dict[str, Any]]) -> list[Any]:
    return [o["code"] for o in options]


def _answer_schemas(q: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """JSON Schema of each answer field one question contributes."""
    qid, kind = q["id"], q["type"]
    fields: dict[str, dict[str, Any]] = {}
    if kind == "calculate":
        # The script may send it; the endpoint recomputes it and stores its own.
        types = {"number": "number", "text": "string", "date": "string", "bool": "boolean"}
        fields[qid] = {"type": types[q["value_type"]]}
        if q.get("bands"):
            fields[f"{qid}.band"] = {"type": "integer", "minimum": 1, "maximum": len(q["bands"])}
    elif kind == "single":
        fields[qid] = {"enum": _codes(q["options"])}
    elif kind == "multiple":
        fields[qid] = {
            "type": "array",
            "items": {"enum": _codes(q["options"])},
            "uniqueItems": True,
        }
        if "max_choices" in q:
            fields[qid]["maxItems"] = q["max_choices"]
    elif kind == "matrix":
        for item in q["items"]:
            fields[f"{qid}.{item['code']}"] = {"enum": _codes(q["options"])}
    elif kind == "scale":
        fields[qid] = {"enum": _codes(q["points"]) + _codes(q["extra"])}
    elif kind in ("text", "textarea"):
        fields[qid] = {"type": "string"}
        if "max_length" in q:
            fields[qid]["maxLength"] = q["max_length"]
    elif kind == "number":
        fields[qid] = {"type": "integer" if q["integer"] else "number"}
        for key, word in (("min", "minimum"), ("max", "maximum")):
            if q[key] is not None:
                fields[qid][word] = q[key]
    elif kind == "date":
        fields[qid] = {"type": "string", "pattern": DATE_PATTERNS[q["precision"]]}
    for option in q.get("options", []):
        if "specify" in option:
            fields[f"{qid}.{option['code']}"] = {
                "type": "string",
                "maxLength": SPECIFY_MAX_LENGTH,
            }
    return fields


def response_schema(man: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema (2020-12) of one response as the form's script posts it.

    Conditions and required-on-the-path-taken need the condition evaluator,
    so the endpoint checks those beyond this schema.
    """
    answers: dict[str, Any] = {}
    for q in man["questions"]:
        answers.update(_answer_schemas(q))
    for hidden in man.get("hidden", []):
        # A value outside the list is dropped by the endpoint, not refused: the schema
        # says what can be stored.
        answers[hidden["id"]] = {"enum": list(hidden["values"])}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"A response to {man['title']} (version {man['version']})",
        "type": "object",
        "properties": {
            "questionnaire": {"const": man["id"]},
            "version": {"const": man["version"]},
            "language": {"enum": man["languages"]},
            "submission_id": {"type": "string", "pattern": UUID_PATTERN},
            "answers": {
                "type": "object",
                "properties": answers,
                "additionalProperties": False,
            },
        },
        "required": ["questionnaire", "version", "language", "answers"],
        "additionalProperties": False,
    }
