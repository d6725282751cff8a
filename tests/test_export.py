"""Exports and codebooks against golden files (FORMWRIGHT_UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import copy
import io
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from collect_support import build

from compiler.cli import cli
from compiler.export import ExportOptions, condition_text, redact, write_codebook, write_export
from compiler.store import NewResponse, Store, open_store

GOLDEN = Path(__file__).parent / "golden" / "export"
UPDATE = os.environ.get("FORMWRIGHT_UPDATE_GOLDEN") == "1"


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), "no golden file: run with FORMWRIGHT_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def man(project: Path) -> dict[str, Any]:
    return json.loads((project / "build" / "every-construct" / "manifest.json").read_text())


def version_two(man: dict[str, Any]) -> dict[str, Any]:
    """A later version: weight is gone, a new question asked at the end."""
    v2 = copy.deepcopy(man)
    v2["version"] = "2"
    v2["questions"] = [q for q in v2["questions"] if q["id"] != "weight"]
    v2["questions"].append(
        {
            "id": "feel",
            "type": "single",
            "page": "details",
            "text": "How do you feel?",
            "required": False,
            "condition": None,
            "options": [{"code": 1, "label": "Fine"}, {"code": 2, "label": "Not fine"}],
        }
    )
    v2["pages"][1]["questions"] = [*v2["pages"][1]["questions"], "feel"]
    return v2


RESPONSES: list[tuple[str, dict[str, Any]]] = [
    (
        "1",
        {
            "colour": "other",
            "colour.other": "Teal, mail me at jo@example.org",
            "views.a": 2,
            "views.b": 3,
            "pets": ["cat", "dog"],
            "name_of_pet": "Tom",
            "score": 3,
            "story": "Call 07700 900123 or visit SW1A 1AA",
            "count": 2,
            "weight": 4.5,
            "day": "2025-02-03",
            "month": "2025-01",
            "year": "1999",
        },
    ),
    ("1", {"colour": "red", "views.a": 1, "views.b": 1, "score": "dont_know"}),
    ("2", {"colour": "blue", "views.a": 3, "views.b": 2, "pets": ["none"], "feel": 2}),
]


@pytest.fixture
def filled(tmp_path: Path, man: dict[str, Any]) -> tuple[Store, dict[str, str]]:
    store = open_store(str(tmp_path / "r.sqlite3"))
    store.remember_manifest(man)
    store.remember_manifest(version_two(man))
    names: dict[str, str] = {}
    for n, (version, answers) in enumerate(RESPONSES, start=1):
        sid = f"00000000-0000-4000-8000-00000000000{n}"
        rid = store.save(
            NewResponse(sid, "every-construct", version, "en", answers), date(2025, 3, n)
        )
        names[rid] = f"response-{n}"
    return store, names


def export_text(filled: tuple[Store, dict[str, str]], options: ExportOptions) -> str:
    store, names = filled
    out = io.StringIO()
    ticks: list[int] = []
    count = write_export(store, store.manifests(), out, options, "every-construct", ticks.append)
    assert count == len(ticks) == 3
    text = out.getvalue()
    for rid, name in names.items():  # response ids are random: name them for the golden file
        text = text.replace(rid, name)
    return text


def test_csv_codes(filled: tuple[Store, dict[str, str]]) -> None:
    golden("responses.csv", export_text(filled, ExportOptions("csv")))


def test_csv_labels_redacted(filled: tuple[Store, dict[str, str]]) -> None:
    text = export_text(filled, ExportOptions("csv", labels=True, redact=True))
    assert "jo@example.org" not in text and "07700" not in text and "SW1A" not in text
    golden("responses-labels-redacted.csv", text)


def test_jsonl(filled: tuple[Store, dict[str, str]]) -> None:
    text = export_text(filled, ExportOptions("jsonl"))
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows[0]["pets.cat"] == 1 and rows[0]["pets.none"] == 0 and rows[1]["pets.cat"] is None
    assert rows[0]["feel"] is None and rows[2]["weight"] is None and rows[2]["feel"] == 2
    golden("responses.jsonl", text)


def test_versions_share_one_header(filled: tuple[Store, dict[str, str]]) -> None:
    header = export_text(filled, ExportOptions("csv")).splitlines()[0].split(",")
    assert header[:5] == ["response_id", "questionnaire", "version", "language", "submitted"]
    assert "weight" in header and header[-1] == "feel"
    assert len(header) == len(set(header))


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_codebook(man: dict[str, Any], fmt: str) -> None:
    out = io.StringIO()
    write_codebook(man, out, fmt)
    golden(f"codebook.{'md' if fmt == 'markdown' else 'csv'}", out.getvalue())


def test_condition_text_round_trips_the_manifest(man: dict[str, Any]) -> None:
    story = next(q for q in man["questions"] if q["id"] == "story")
    assert condition_text(story["condition"]) == "views.a >= 2 and not score in [1, dont_know]"
    month = next(q for q in man["questions"] if q["id"] == "month")
    assert condition_text(month["condition"]) == "day > '2024-12-31'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to a.b+c@mail.example.co.uk now", "write to [email] now"),
        ("ring +44 20 7946 0958 or (020) 7946-0958", "ring [phone] or [phone]"),
        ("post code ec1a 1bb please", "post code [postcode] please"),
        ("in 2024 I was 35 and saw 12 police", "in 2024 I was 35 and saw 12 police"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_cli_export_codebook_and_db(project: Path, tmp_path: Path, man: dict[str, Any]) -> None:
    runner = CliRunner()
    db = str(tmp_path / "cli.sqlite3")
    result = runner.invoke(cli, ["db", "upgrade", "--db", db])
    assert result.exit_code == 0 and "schema version 3" in result.output
    store = open_store(db)
    store.save(
        NewResponse(
            "00000000-0000-4000-8000-000000000009",
            "every-construct",
            "1",
            "en",
            {"colour": "red", "views.a": 1, "views.b": 2},
        ),
        date(2025, 1, 1),
    )
    store.close()
    out = tmp_path / "out.csv"
    args = ["export", "--db", db, "-C", str(project), "-o", str(out), "--labels", "text"]
    assert runner.invoke(cli, args).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and ",Red," in lines[1] and ",Disagree,Neutral," in lines[1]
    result = runner.invoke(cli, ["codebook", "-C", str(project), "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith(
        "column,question,type,codes,condition"
    )
    bad = runner.invoke(cli, ["export", "--db", db, "-C", str(project), "--questionnaire", "nope"])
    assert bad.exit_code == 1 and "no questionnaire 'nope'" in bad.output
    assert bad.exception is None or isinstance(bad.exception, SystemExit)
    bad = runner.invoke(cli, ["db", "upgrade", "--db", "mysql://x/y"])
    assert bad.exit_code == 1 and "unsupported database URL" in bad.output
    bad = runner.invoke(cli, ["codebook", "-C", str(tmp_path)])
    assert bad.exit_code == 1 and "run formwright build first" in bad.output
    assert runner.invoke(cli, ["export", "--format", "xml"]).exit_code == 2


def test_specify_columns_for_multiple_and_single() -> None:
    from compiler.export import question_columns

    option = {"code": "other", "label": "Other", "specify": "Which?"}
    multiple = {"id": "m", "type": "multiple", "options": [{"code": "a", "label": "A"}, option]}
    single = {**multiple, "id": "s", "type": "single"}
    assert [c.name for c in question_columns(multiple)] == ["m.a", "m.other", "m.other.text"]
    assert [c.name for c in question_columns(single)] == ["s", "s.other"]


def test_a_round_1_manifest_exports_unchanged(tmp_path: Path) -> None:
    """The manifest as round 1 wrote it (no hidden, messages or calculated values)
    gives exactly the exports and codebook it always gave."""
    frozen_path = Path(__file__).parent / "golden" / "every-construct" / "expected"
    frozen = json.loads((frozen_path / "manifest.json").read_text("utf-8"))
    assert frozen["formwright"] == 1 and "hidden" not in frozen
    store = open_store(str(tmp_path / "r.sqlite3"))
    store.remember_manifest(frozen)
    store.remember_manifest(version_two(frozen))
    names: dict[str, str] = {}
    for n, (version, answers) in enumerate(RESPONSES, start=1):
        sid = f"00000000-0000-4000-8000-00000000000{n}"
        rid = store.save(
            NewResponse(sid, "every-construct", version, "en", answers), date(2025, 3, n)
        )
        names[rid] = f"response-{n}"
    for options, name in [
        (ExportOptions("csv"), "responses.csv"),
        (ExportOptions("csv", labels=True, redact=True), "responses-labels-redacted.csv"),
        (ExportOptions("jsonl"), "responses.jsonl"),
    ]:
        assert export_text((store, names), options) == (GOLDEN / name).read_text("utf-8")
    for fmt, name in [("csv", "codebook.csv"), ("markdown", "codebook.md")]:
        out = io.StringIO()
        write_codebook(frozen, out, fmt)
        assert out.getvalue() == (GOLDEN / name).read_text("utf-8")
    store.close()
