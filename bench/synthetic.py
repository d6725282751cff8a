"""One synthetic questionnaire, written both as a formwright project and as an XLSForm.

N questions (single, multiple, number, text and date in turn, a condition on
every third) in L languages, with labels, hints and option labels in every
language, so both tools compile the same content.
"""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from compiler.translations.files import fingerprint

LANGS = [
    "en", "sq", "ar", "bn", "bg", "zh-Hans", "zh-Hant", "el", "gu", "hi", "ku",
    "ckb", "lt", "pl", "pt", "pa", "ro", "so", "es", "ta", "tr", "ur", "vi",
]  # fmt: skip
KINDS = ["single", "multiple", "number", "text", "date"]
OPTIONS = ["a", "b", "c", "d"]


def _q(i: int) -> str:
    return f"q{i:05d}"


def texts(n: int) -> dict[str, str]:
    """The source texts by formwright key."""
    out = {"title": "Synthetic questionnaire"}
    for i in range(n):
        page = i // 10
        if i % 10 == 0:
            out[f"pages.p{page:04d}.title"] = f"Part {page + 1}"
        out[f"questions.{_q(i)}.text"] = f"Question number {i} about something that matters?"
        out[f"questions.{_q(i)}.hint"] = f"A hint for question {i} that explains it."
        if KINDS[i % 5] in ("single", "multiple"):
            for code in OPTIONS:
                out[f"questions.{_q(i)}.options.{code}"] = f"Answer {code} to {i}"
    return out


def _condition(i: int) -> str | None:
    # a third of the questions depend on an earlier single-choice question
    if i % 3 != 2 or i < 5:
        return None
    earlier = (i // 5) * 5 - 5 if (i // 5) * 5 == i else (i // 5) * 5
    return f"{_q(earlier)} == a" if earlier < i else None


def write_formwright(folder: Path, n: int, langs: list[str]) -> None:
    lines = [
        "formwright: 1",
        "id: synthetic",
        'version: "1"',
        "title: Synthetic questionnaire",
        "language: en",
        f"translations: [{', '.join(langs[1:])}]",
        "pages:",
    ]
    for i in range(n):
        if i % 10 == 0:
            lines += [f"  - id: p{i // 10:04d}", f"    title: Part {i // 10 + 1}", "    questions:"]
        kind = KINDS[i % 5]
        lines += [
            f"      - id: {_q(i)}",
            f"        type: {kind}",
            f"        text: Question number {i} about something that matters?",
            f"        hint: A hint for question {i} that explains it.",
        ]
        if kind in ("single", "multiple"):
            lines.append(
                "        options: {" + ", ".join(f"{c}: Answer {c} to {i}" for c in OPTIONS) + "}"
            )
        if kind == "number":
            lines += ["        min: 0", "        max: 100", "        integer: true"]
        if (cond := _condition(i)) is not None:
            lines.append(f"        when: {cond}")
    (folder / "questionnaire").mkdir(parents=True, exist_ok=True)
    (folder / "questionnaire" / "synthetic.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    source = texts(n)
    for lang in langs[1:]:
        out = ["formwright: 1", "questionnaire: synthetic", "texts:"]
        for key, text in source.items():
            out.append(f"  {key}:")
            out.append(f"    text: {json.dumps(f'[{lang}] {text}', ensure_ascii=False)}")
            out.append(f'    from: "{fingerprint(text)}"')
        path = folder / "locales" / lang / "synthetic.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(out) + "\n", "utf-8")


def write_xlsform(path: Path, n: int, langs: list[str]) -> None:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    label = [f"label::{lang} ({lang})" for lang in langs]
    hint = [f"hint::{lang} ({lang})" for lang in langs]
    message = [f"constraint_message::{lang} ({lang})" for lang in langs]
    survey.append(["type", "name", *label, *hint, "relevant", "constraint", *message])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *label])
    for i in range(n):
        if i % 10 == 0:
            survey.append(
                ["begin group", f"p{i // 10:04d}", *[f"[{x}] Part {i // 10 + 1}" for x in langs]]
            )
        kind = KINDS[i % 5]
        xls_type = {
            "single": f"select_one l{i}",
            "multiple": f"select_multiple l{i}",
            "number": "integer",
            "text": "text",
            "date": "date",
        }[kind]
        cond = _condition(i)
        relevant = f"${{{cond.split(' ')[0]}}} = 'a'" if cond else ""
        constraint = ". >= 0 and . <= 100" if kind == "number" else ""
        survey.append(
            [
                xls_type,
                _q(i),
                *[f"[{x}] Question number {i} about something that matters?" for x in langs],
                *[f"[{x}] A hint for question {i} that explains it." for x in langs],
                relevant,
                constraint,
                *[
                    f"[{x}] The answer must be between 0 and 100" if constraint else ""
                    for x in langs
                ],
            ]
        )
        if kind in ("single", "multiple"):
            for code in OPTIONS:
                choices.append([f"l{i}", code, *[f"[{x}] Answer {code} to {i}" for x in langs]])
        if i % 10 == 9 or i == n - 1:
            survey.append(["end group"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Synthetic questionnaire", "synthetic", f"{langs[0]} ({langs[0]})"])
    book.save(path)
