"""Version-2 exports, codebooks and response schemas: calculated values, bands, hidden fields."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from v2_support import build_example, build_inline, manifest_of

from compiler.export import (
    ExportOptions,
    codebook_rows,
    columns,
    write_codebook,
    write_export,
)
from compiler.store import NewResponse, open_store
from compiler.written import condition_text, expression_text


@pytest.fixture(scope="module")
def phq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example("phq-9", tmp_path_factory.mktemp("phq"))


@pytest.fixture(scope="module")
def travel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example("travel-diary", tmp_path_factory.mktemp("travel"))


def exported(
    tmp: Path, man: dict[str, Any], responses: list[dict[str, Any]], options: ExportOptions
) -> str:
    store = open_store(str(tmp / "r.sqlite3"))
    store.remember_manifest(man)
    for n, answers in enumerate(responses, start=1):
        sid = f"00000000-0000-4000-8000-{n:012d}"
        store.save(NewResponse(sid, man["id"], "1", "en", answers), date(2025, 3, 1))
    out = io.StringIO()
    write_export(store, store.manifests(), out, options, man["id"])
    store.close()
    return out.getvalue()


def test_calculated_values_and_bands_are_columns(phq: Path, tmp_path: Path) -> None:
    man = manifest_of(phq, "phq-9")
    items = {f"phq.q{n}": 1 for n in range(1, 10)}
    text = exported(tmp_path, man, [{**items, "total": 9, "total.band": 2}], ExportOptions("csv"))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["total"] == "9" and row["total.band"] == "2" and row["difficult"] == ""
    header = text.splitlines()[0].split(",")
    assert header.index("phq.q9") < header.index("total") < header.index("total.band")


def test_a_band_exports_as_its_label_with_labels(phq: Path, tmp_path: Path) -> None:
    man = manifest_of(phq, "phq-9")
    text = exported(tmp_path, man, [{"total": 21, "total.band": 5}], ExportOptions("jsonl", True))
    row = json.loads(text.splitlines()[0])
    assert row["total"] == 21 and row["total.band"] == "Severe"


def test_hidden_fields_come_after_every_question(travel: Path, tmp_path: Path) -> None:
    man = manifest_of(travel, "travel-diary")
    names = [c.name for c in columns([man])]
    assert names[-1] == "channel" and "nights" in names
    text = exported(
        tmp_path,
        man,
        [{"start_date": "2025-06-01", "end_date": "2025-06-03", "nights": 2, "channel": "web"}, {}],
        ExportOptions("jsonl"),
    )
    rows = [json.loads(line) for line in text.splitlines()]
    supplied = next(r for r in rows if r["nights"] == 2)  # rows come in the store's order
    assert supplied["channel"] == "web" and [r["channel"] for r in rows].count(None) == 1
    assert list(supplied)[-1] == "channel"


def test_the_codebook_of_calculated_values_bands_and_hidden_fields(phq: Path, travel: Path) -> None:
    rows = {r["column"]: r for r in codebook_rows(manifest_of(phq, "phq-9"))}
    assert rows["total"]["type"] == "calculated number"
    assert rows["total"]["question"] == "calculated: " + " + ".join(
        f"phq.q{n}" for n in range(1, 10)
    )
    assert rows["total.band"]["type"] == "band"
    assert rows["total.band"]["codes"].startswith("1=None to minimal (0 to 4); 2=Mild (5 to 9)")
    assert rows["difficult"]["condition"] == "total > 0"
    assert "score" not in rows  # a statement has no column
    rows = {r["column"]: r for r in codebook_rows(manifest_of(travel, "travel-diary"))}
    assert rows["nights"]["question"] == "calculated: days_between(start_date, end_date)"
    assert (
        rows["channel"]["type"] == "hidden" and rows["channel"]["codes"] == "web; leaflet; poster"
    )
    out = io.StringIO()
    write_codebook(manifest_of(travel, "travel-diary"), out, "markdown")
    assert "| channel |" in out.getvalue()


def test_a_groups_condition_is_in_the_codebook(tmp_path: Path) -> None:
    rows = {r["column"]: r for r in codebook_rows(manifest_of(build_inline(tmp_path), "checks"))}
    assert rows["pet_name"]["condition"] == "pet == yes"
    assert rows["where"]["condition"] == "channel == leaflet"
    assert rows["score.band"]["codes"] == "1=Low (0 to 5); 2=High (6 to 10)"


def test_a_calculated_text_is_redacted_like_free_text() -> None:
    from compiler.export import question_columns

    q = {"id": "who", "type": "calculate", "value_type": "text", "value": {"ref": "x"}}
    assert [c.kind for c in question_columns(q)] == ["text"]


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (
            {"fn": "-", "args": [{"ref": "a"}, {"fn": "-", "args": [{"ref": "b"}, 1]}]},
            "a - (b - 1)",
        ),
        (
            {"fn": "*", "args": [{"fn": "+", "args": [{"ref": "a"}, 2]}, {"ref": "b"}]},
            "(a + 2) * b",
        ),
        ({"fn": "round", "args": [{"fn": "/", "args": [{"ref": "d"}, 7]}, 1]}, "round(d / 7, 1)"),
        ({"fn": "neg", "args": [{"ref": "a"}]}, "-a"),
        (
            {"fn": "days_between", "args": [{"ref": "d"}, {"today": "today"}]},
            "days_between(d, today)",
        ),
        (
            {"fn": "if", "args": [{"op": ">", "field": "a", "value": 1}, "big", "small text"]},
            "if(a > 1, 'big', 'small text')",
        ),
    ],
)
def test_expressions_are_written_back(tree: object, text: str) -> None:
    assert expression_text(tree) == text


def test_general_conditions_are_written_back() -> None:
    tree = {
        "and": [
            {"op": ">=", "left": {"fn": "+", "args": [{"ref": "a"}, {"ref": "b"}]}, "right": 3},
            {
                "or": [
                    {"op": "answered", "field": "c"},
                    {"op": "in", "left": {"ref": "d"}, "values": [1, 2]},
                ]
            },
            {"op": "is", "value": {"fn": "matches", "args": [{"ref": "e"}, "[A-Z]+"]}},
        ]
    }
    assert condition_text(tree) == (
        "a + b >= 3 and (answered(c) or d in [1, 2]) and matches(e, '[A-Z]+')"
    )


def test_the_response_schema_has_calculated_values_and_hidden_fields(
    phq: Path, travel: Path
) -> None:
    schema = json.loads((phq / "phq-9" / "response.schema.json").read_text("utf-8"))
    answers = schema["properties"]["answers"]["properties"]
    assert answers["total"] == {"type": "number"}
    assert answers["total.band"] == {"type": "integer", "minimum": 1, "maximum": 5}
    items = {f"phq.q{n}": 0 for n in range(1, 10)}
    body = {"questionnaire": "phq-9", "version": "1", "language": "en"}
    jsonschema.validate({**body, "answers": {**items, "total": 0, "total.band": 1}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**body, "answers": {"total.band": 6}}, schema)
    schema = json.loads((travel / "travel-diary" / "response.schema.json").read_text("utf-8"))
    answers = schema["properties"]["answers"]["properties"]
    assert answers["channel"] == {"enum": ["web", "leaflet", "poster"]}
    assert answers["nights"] == {"type": "number"}
    assert "required" not in schema["properties"]["answers"]  # all optional
