"""The reference documentation, the published schema and the example stay in step with the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from compiler.diagnostics import CODES
from compiler.schema import SCHEMA_FILE, schema
from compiler.validate.questionnaire import validate_file

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "questionnaire.md"
EXAMPLE = ROOT / "questionnaire" / "victim-voice.yaml"
SCHEMA_PATH = ROOT / "compiler" / "schemas" / SCHEMA_FILE


def doc_text() -> str:
    if not DOC.exists():
        pytest.fail(
            f"{DOC.relative_to(ROOT)} does not exist: every diagnostic code needs its entry"
        )
    return DOC.read_text("utf-8")


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_documented(code: str) -> None:
    assert f"`{code}`" in doc_text(), f"{code} ({CODES[code][1]}) is not in docs/questionnaire.md"


def test_the_doc_names_no_unknown_code() -> None:
    mentioned = set(re.findall(r"\bFW[0-9]{3}\b", doc_text()))
    assert mentioned <= set(CODES), f"documented but unknown: {sorted(mentioned - set(CODES))}"


def test_codes_are_well_formed() -> None:
    for code, (severity, title) in CODES.items():
        assert re.fullmatch(r"FW[0-9]{3}", code)
        assert severity.value in ("error", "warning")
        assert title and title == title.strip() and not title.endswith(".")


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    data = json.loads(SCHEMA_PATH.read_text("utf-8"))
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)
    assert jsonschema.validators.validator_for(data) is jsonschema.Draft202012Validator
    # the validator uses the packaged copy of the same file
    assert schema() == data


def test_schema_references_resolve() -> None:
    data = schema()
    refs = set(re.findall(r'"\$ref": "#/\$defs/([a-z0-9_]+)"', json.dumps(data, indent=1)))
    assert refs
    assert refs <= set(data["$defs"]), sorted(refs - set(data["$defs"]))
    unused = set(data["$defs"]) - refs
    assert not unused, f"unused definitions: {sorted(unused)}"


def test_every_question_type_has_its_definition() -> None:
    data = schema()
    types = data["$defs"]["question_type"]["enum"]
    assert set(types) == {"single", "multiple", "matrix", "scale", "text", "textarea",
                          "number", "date", "statement", "calculate", "group"}  # fmt: skip
    for kind in types:
        definition = data["$defs"][f"q_{kind}"]
        assert definition["additionalProperties"] is False
        shown = {"id", "type"} if kind in ("calculate", "group") else {"id", "type", "text"}
        assert shown <= set(definition["required"])


def test_example_questionnaire_is_strictly_clean() -> None:
    """The questionnaire itself; its translations (locales/) are checked with them."""
    if not EXAMPLE.exists():
        pytest.skip("questionnaire/victim-voice.yaml is not written yet")
    result = validate_file(EXAMPLE, "questionnaire/victim-voice.yaml")
    # strictly clean: no error and no warning either
    assert result.diagnostics == []
    assert result.questionnaire is not None and result.questionnaire.id == "victim-voice"
