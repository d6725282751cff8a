"""Stored responses out as tables (CSV, JSON Lines), and the codebook that explains them.

One row per response, one column per answer field. A multiple choice becomes
one 0/1 column per option (`<qid>.<code>`, its specify text `<qid>.<code>.text`);
a single choice's specify text is `<qid>.<code>`; a matrix has one column per
item. A calculated value (version 2) is a column of its own, with `<id>.band`
beside it when it has bands; hidden fields (values read from the form's
address) come after every question's columns. Responses to several versions
share one header: the union of every version's columns, in the order they were
first seen. Everything is read from manifests, the same contract the endpoint
checks answers against.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .manifest import ManifestError, built_manifests
from .store import Store, StoredResponse, StoreError, open_store
from .written import condition_text as condition_text  # also the export's, as before
from .written import expression_text

META = ("response_id", "questionnaire", "version", "language", "submitted")
FREE_TEXT = ("text", "textarea")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
# Nine or more digits, possibly spaced, dashed or bracketed: phone numbers, not years.
_PHONE = re.compile(r"(?<![\w])\+?\(?\d[\d\s().-]{7,}\d(?![\w])")


def redact(text: str) -> str:
    """Replace e-mail addresses, phone numbers and UK postcodes with placeholders."""
    text = _EMAIL.sub("[email]", text)
    text = _POSTCODE.sub("[postcode]", text)

    def phone(m: re.Match[str]) -> str:
        return "[phone]" if sum(c.isdigit() for c in m.group()) >= 9 else m.group()

    return _PHONE.sub(phone, text)


@dataclass(frozen=True)
class Column:
    """One output column and how to read it from a response's answers."""

    name: str
    question: dict[str, Any]
    kind: str  # value, flag (0/1 for a multiple's option), text (free text), band, hidden
    key: str  # the answers key read
    code: object = None  # the option a flag column stands for


def question_columns(q: dict[str, Any]) -> list[Column]:
    qid, kind = q["id"], q["type"]
    if kind == "statement":
        return []
    if kind == "calculate":
        # A calculated text may copy free text (a name, an address): --redact treats it so.
        calculated = [Column(qid, q, "text" if q["value_type"] == "text" else "value", qid)]
        if q.get("bands"):
            calculated.append(Column(f"{qid}.band", q, "band", f"{qid}.band"))
        return calculated
    if kind == "matrix":
        return [Column(f"{qid}.{i['code']}", q, "value", f"{qid}.{i['code']}") for i in q["items"]]
    cols: list[Column] = []
    if kind == "multiple":
        cols += [Column(f"{qid}.{o['code']}", q, "flag", qid, o["code"]) for o in q["options"]]
    else:
        cols.append(Column(qid, q, "text" if kind in FREE_TEXT else "value", qid))
    suffix = ".text" if kind == "multiple" else ""
    for o in q.get("options", []) if kind in ("single", "multiple") else []:
        if "specify" in o:
            name = f"{qid}.{o['code']}"
            cols.append(Column(name + suffix, q, "text", name, o["code"]))
    return cols


def hidden_columns(man: dict[str, Any]) -> list[Column]:
    """One column per hidden field; its `question` is a stand-in holding the allowed values."""
    return [
        Column(h["id"], {"id": h["id"], "type": "hidden", "values": h["values"]}, "hidden", h["id"])
        for h in man.get("hidden", [])
    ]


def columns(manifests: Iterable[dict[str, Any]]) -> list[Column]:
    """The merged columns of several versions; a later version's question wins for labels."""
    merged: dict[str, Column] = {}
    hidden: dict[str, Column] = {}
    for man in manifests:
        for q in man["questions"]:
            for col in question_columns(q):
                merged[col.name] = col  # a dict keeps the first position of a key
        for col in hidden_columns(man):
            hidden[col.name] = col
    # after every version's questions, so a later version's new question stays among them
    return [*merged.values(), *(c for name, c in hidden.items() if name not in merged)]


def _label(q: dict[str, Any], code: object) -> object:
    for o in [*q.get("options", []), *q.get("points", []), *q.get("extra", [])]:
        if o["code"] == code and type(o["code"]) is type(code):
            return o["label"]
    return code


def _band_label(q: dict[str, Any], number: object) -> object:
    bands = q.get("bands", [])
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= len(bands):
        return bands[number - 1]["label"]
    return number


def cell(col: Column, answers: dict[str, object], labels: bool, redacted: bool) -> object:
    """One typed value (None when unanswered or not asked)."""
    value = answers.get(col.key)
    if value is None:
        return None
    if col.kind == "flag":
        return 1 if isinstance(value, list) and col.code in value else 0
    if col.kind == "text":
        return redact(str(value)) if redacted else value
    if col.kind == "band":
        return _band_label(col.question, value) if labels else value
    if labels and col.question["type"] in ("single", "scale", "matrix"):
        return _label(col.question, value)
    return value


@dataclass(frozen=True)
class ExportOptions:
    fmt: str = "csv"  # csv or jsonl
    labels: bool = False
    redact: bool = False


def rows(
    cols: list[Column], responses: Iterable[StoredResponse], options: ExportOptions
) -> Iterator[dict[str, object]]:
    for r in responses:
        row: dict[str, object] = {
            "response_id": r.id,
            "questionnaire": r.questionnaire,
            "version": r.version,
            "language": r.language,
            "submitted": r.submitted,
        }
        for col in cols:
            row[col.name] = cell(col, r.answers, options.labels, options.redact)
        yield row


def write_export(
    store: Store,
    manifests: list[dict[str, Any]],
    out: TextIO,
    options: ExportOptions,
    questionnaire: str | None = None,
    tick: Callable[[int], None] | None = None,
) -> int:
    """Write every stored response of one (or every) questionnaire; returns the count."""
    wanted = [m for m in manifests if questionnaire is None or m["id"] == questionnaire]
    cols = columns(wanted)
    header = [*META, *(c.name for c in cols)]
    writer = csv.DictWriter(out, header, lineterminator="\n") if options.fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    count = 0
    for row in rows(cols, store.responses(questionnaire), options):
        if writer is not None:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
        if tick is not None:
            tick(1)
    return count


# --- the codebook -------------------------------------------------------------


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _codes(col: Column) -> str:
    q = col.question
    if col.kind == "flag":
        return "0=not chosen; 1=chosen"
    if col.kind == "band":
        return "; ".join(
            f"{n}={b['label']} ({_number(b['min'])} to {_number(b['max'])})"
            for n, b in enumerate(q["bands"], start=1)
        )
    if col.kind == "hidden":
        return "; ".join(str(v) for v in q["values"])
    if q["type"] == "calculate":
        return ""
    if col.kind == "text" or q["type"] not in ("single", "scale", "matrix"):
        return ""
    options = [*q.get("options", []), *q.get("points", []), *q.get("extra", [])]
    return "; ".join(f"{o['code']}={o['label']}" for o in options)


def _condition(man: dict[str, Any], q: dict[str, Any]) -> str:
    """When a column can hold a value: its page's, group's and own conditions together."""
    if q["type"] == "hidden":
        return ""  # whenever the form's address supplied an allowed value
    page = next(p for p in man["pages"] if p["id"] == q["page"])
    group: dict[str, Any] = next(
        (g for g in page.get("groups", []) if g["id"] == q.get("group")), {}
    )
    trees = [page["condition"], group.get("condition"), q.get("condition")]
    parts = [text for tree in trees if (text := condition_text(tree))]
    return parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)


def _derived(col: Column) -> tuple[str, str]:
    """The question and type cells of a calculated value, its band or a hidden field.

    A calculated value shows its expression as written: what a researcher needs to
    reproduce it exactly, in the same language as the condition column."""
    q = col.question
    if col.kind == "hidden":
        return "hidden field, read from the form's address", "hidden"
    if col.kind == "band":
        return f"calculated: the band of {q['id']}", "band"
    return f"calculated: {expression_text(q['value'])}", f"calculated {q['value_type']}"


def codebook_rows(man: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for col in columns([man]):
        q = col.question
        condition = _condition(man, q)
        if q["type"] in ("calculate", "hidden"):
            text, kind = _derived(col)
            entry = {"column": col.name, "question": text, "type": kind, "codes": _codes(col)}
            out.append({**entry, "condition": condition})
            continue
        text = q["text"]
        if q["type"] == "matrix":
            text += " — " + next(
                i["label"] for i in q["items"] if col.name.endswith(f".{i['code']}")
            )
        elif col.kind == "flag":
            text += " — " + str(_label(q, col.code))
        elif col.key != q["id"]:
            specify = next(o["specify"] for o in q["options"] if o["code"] == col.code)
            text += " — " + specify
        kind = "text" if col.kind == "text" and col.key != q["id"] else q["type"]
        out.append(
            {
                "column": col.name,
                "question": text,
                "type": kind,
                "codes": _codes(col),
                "condition": condition,
            }
        )
    return out


def write_codebook(man: dict[str, Any], out: TextIO, fmt: str) -> None:
    entries = codebook_rows(man)
    fields = ["column", "question", "type", "codes", "condition"]
    if fmt == "csv":
        writer = csv.DictWriter(out, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(entries)
        return
    out.write(f"# Codebook: {man['title']} (version {man['version']})\n\n")
    out.write("| " + " | ".join(fields) + " |\n")
    out.write("|" + "---|" * len(fields) + "\n")
    for entry in entries:
        cells = [_md(entry[f]) for f in fields]
        out.write("| " + " | ".join(cells) + " |\n")


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# --- entry points for the command line ------------------------------------------


Progress = Callable[[int], AbstractContextManager[Callable[[int], None]]]


def _no_progress(total: int) -> AbstractContextManager[Callable[[int], None]]:
    return nullcontext(lambda done: None)


def _open_output(output: Path | None) -> TextIO:
    if output is None:
        return sys.stdout
    # newline="" lets the csv module write its own line ends
    return output.open("w", encoding="utf-8", newline="")


def run_export(
    url: str,
    build_dir: Path,
    questionnaire: str | None,
    fmt: str,
    labels: str,
    redacted: bool,
    output: Path | None,
    progress: Progress = _no_progress,
) -> str | None:
    """The `formwright export` command; returns a problem's message, or None.

    `progress(total)` gives a context whose value is called with each batch's size.
    """
    try:
        store = open_store(url)
    except StoreError as exc:
        return str(exc)
    try:
        manifests = store.manifests()
        seen = {(m["id"], m["version"]) for m in manifests}
        try:
            built = built_manifests(build_dir)
        except ManifestError as exc:
            return str(exc)
        manifests += [m for m in built if (m["id"], m["version"]) not in seen]
        if questionnaire and questionnaire not in {m["id"] for m in manifests}:
            return f"no questionnaire {questionnaire!r} in the database or in {build_dir}"
        options = ExportOptions(fmt, labels == "text", redacted)
        total = store.count(questionnaire)
        out = _open_output(output)
        try:
            with progress(total) as advance:
                write_export(store, manifests, out, options, questionnaire, advance)
        finally:
            if out is not sys.stdout:
                out.close()
    finally:
        store.close()
    return None


def run_codebook(
    build_dir: Path, questionnaire: str | None, fmt: str, output: Path | None
) -> str | None:
    """The `formwright codebook` command; returns a problem's message, or None."""
    try:
        manifests = [m for m in built_manifests(build_dir) if questionnaire in (None, m["id"])]
    except ManifestError as exc:
        return str(exc)
    if not manifests:
        what = f"questionnaire {questionnaire!r}" if questionnaire else "questionnaire"
        return f"no built {what} in {build_dir}: run formwright build first"
    out = _open_output(output)
    try:
        for i, man in enumerate(manifests):
            if i:
                out.write("\n")
            write_codebook(man, out, fmt)
    finally:
        if out is not sys.stdout:
            out.close()
    return None
