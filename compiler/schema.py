"""The JSON Schemas in compiler/schemas/, and their errors as located diagnostics.

The published JSON Schema is the single description of a file's structure; its
errors are translated here into located diagnostics with plain messages and
did-you-mean hints, which is the step check-jsonschema never took. Questionnaires
and locale files both go through it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from .diagnostics import Diagnostic, did_you_mean, make
from .yamlnodes import Mapping, Node, Scalar, Sequence, locate, to_data

SCHEMA_FILE = "questionnaire.schema.json"


@cache
def schema(name: str = SCHEMA_FILE) -> dict[str, Any]:
    text = resources.files("compiler").joinpath("schemas").joinpath(name).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name))


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "null": "nothing",
}
_YAML11_BOOL = re.compile(r"(?i)yes|no|on|off|y|n")
_YAML11_NUMBER = re.compile(
    r"[-+]?(0[0-9_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|[0-9][0-9_]*(:[0-5]?[0-9])+|[0-9]+(_[0-9]+)+)"
)


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    return "a list"


def _context(root: Node, path: list[str | int]) -> str:
    """'in question 'crime_type'' for messages, from the nearest object with an id."""
    node: Node = root
    label = ""
    for i, step in enumerate(path):
        node, _ = locate(root, path[: i + 1])
        if isinstance(node, Mapping) and isinstance(step, int):
            ident = node.get("id")
            kind = "page" if path[i - 1] == "pages" else "question"
            if isinstance(ident, Scalar):
                label = f" in {kind} {ident.text!r}"
            elif kind == "question":  # no id yet: say where it is
                label = f" in question {step + 1}{label.replace(' in ', ' of ', 1)}"
            else:
                label = f" in page {step + 1}"
    return label


def _schema_diagnostic(path: str, root: Node, err: jsonschema.ValidationError) -> list[Diagnostic]:
    loc = list(err.absolute_path)
    node, _ = locate(root, loc)
    if isinstance(node, Scalar) and node.unread:
        return []  # the loader said what is wrong with it (FW106)
    ctx = _context(root, loc)
    name = f"{loc[-1]!s}" if loc and isinstance(loc[-1], str) else "value"
    v = err.validator
    schema_: Any = err.schema
    expected_value: Any = err.validator_value
    instance: Any = err.instance

    def diag(code: str, at: Node, message: str, hint: str = "") -> Diagnostic:
        return make(code, path, at.line, at.column, message, hint)

    if v == "additionalProperties" and expected_value is False and isinstance(node, Mapping):
        allowed = sorted(schema_.get("properties", {}))
        out = []
        for k, _ in node:
            if k.text not in allowed:
                hint = did_you_mean(k.text, allowed) or "allowed keys: " + ", ".join(allowed)
                out.append(diag("FW101", k, f"unknown key {k.text!r}{ctx}", hint))
        return out
    if v == "required":
        missing = [m for m in expected_value if m not in (instance or {})]
        return [diag("FW102", node, f"missing required key {m!r}{ctx}") for m in missing]
    if "propertyNames" in err.absolute_schema_path:
        bad = str(err.instance)
        _, key_node = locate(root, [*loc, bad])
        return [
            diag(
                "FW105",
                key_node or node,
                f"{bad!r} is not a valid {'option list name' if name == 'option_lists' else 'code'}"
                f"{ctx}",
                "a code is a whole number or a word of letters, digits, '_' and '-' "
                "starting with a letter; codes are stored in the data, so keep them short",
            )
        ]
    if v == "type":
        expected = expected_value if isinstance(expected_value, list) else [expected_value]
        words = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in expected)
        hint = ""
        raw = node.raw if isinstance(node, Scalar) and node.plain else ""
        if "boolean" in expected and _YAML11_BOOL.fullmatch(raw):
            hint = f"formwright reads {raw} as text (YAML 1.2); write true or false"
        elif {"integer", "number"} & set(expected) and _YAML11_NUMBER.fullmatch(raw):
            hint = f"formwright reads {raw} as text, not as YAML 1.1 would; write a plain number"
        elif "string" in expected and isinstance(err.instance, int | float | bool):
            hint = f'put it in quotes to keep it as written: {name}: "{raw or err.instance}"'
        return [
            diag("FW103", node, f"{name}{ctx} must be {words}, found {_found(err.instance)}", hint)
        ]
    if v == "const" or (v == "enum" and loc == ["formwright"]):
        return [
            diag(
                "FW108",
                node,
                f"formwright: {instance!r} is not a format version this formwright reads",
                "write formwright: 2 (or 1 for a questionnaire written for version 1)",
            )
        ]
    if v == "enum":
        choices = [str(c) for c in expected_value]
        hint = did_you_mean(str(err.instance), choices) or "choose one of: " + ", ".join(choices)
        return [diag("FW104", node, f"{_found(err.instance)} is not a valid {name}{ctx}", hint)]
    if v == "pattern":
        desc = schema_.get("description", "")
        code = "FW105" if name in ("id", "options") or loc[-1] == "id" else "FW104"
        return [diag(code, node, f"{_found(err.instance)} is not a valid {name}{ctx}", desc)]
    if v in ("minItems", "minProperties", "minLength"):
        return [diag("FW107", node, f"{name}{ctx} must not be empty")]
    if v in ("minimum", "maximum", "maxLength", "exclusiveMinimum", "exclusiveMaximum"):
        return [diag("FW106", node, f"{name}{ctx}: {err.message}")]
    if v == "uniqueItems" and isinstance(node, Sequence):
        seen: set[object] = set()
        out = []
        for item in node:
            value = to_data(item)
            key = json.dumps(value, sort_keys=True)
            if key in seen:
                out.append(diag("FW201", item, f"{name}{ctx} lists {_found(value)} twice"))
            seen.add(key)
        return out
    return [diag("FW104", node, f"{name}{ctx}: {err.message}")]


def schema_diagnostics(path: str, root: Node, schema_name: str = SCHEMA_FILE) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for err in _validator(schema_name).iter_errors(to_data(root)):
        # if/then wrappers report nothing themselves; their inner errors come separately
        if err.validator in ("if", "then", "else", "allOf", "$ref"):
            continue
        out.extend(_schema_diagnostic(path, root, err))
    return out
