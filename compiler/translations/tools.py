"""The translators' tools: status, skeletons, reviews, and writing locale files.

Locale files are written in one fixed layout (the English as a comment above
each key), so a file that formwright wrote reads back and writes again byte
for byte, and diffs in review show only what a translator changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..language.model import Questionnaire
from ..language.texts import describe_key, source_texts
from .files import LocaleFile, fingerprint

SCHEMA_COMMENT = "# yaml-language-server: $schema=../../compiler/schemas/locale.schema.json"


@dataclass(frozen=True)
class Status:
    lang: str
    total: int
    translated: int
    missing: int
    stale: int
    review: str

    @property
    def percent(self) -> float:
        return round(100 * self.translated / self.total, 1) if self.total else 100.0


def status(qn: Questionnaire, loc: LocaleFile) -> Status:
    source = source_texts(qn)
    current = loc.current(source)
    present = {k for k, e in loc.entries.items() if k in source and e.text.strip()}
    return Status(
        lang=loc.tag,
        total=len(source),
        translated=len(current),
        missing=len(source) - len(present),
        stale=len(present) - len(current),
        review=loc.status,
    )


def _scalar(text: str, indent: str) -> str:
    """A YAML scalar: a literal block for multi-line text, else a JSON string (valid YAML)."""
    lines = text.split("\n")
    body = lines[:-1] if text.endswith("\n") else lines
    literal = (
        "\n" in text.rstrip("\n")
        and not text.endswith("\n\n")
        and not text.startswith((" ", "\n"))
        and all(line == line.rstrip() for line in body)
        and "\t" not in text
    )
    if literal:
        chomp = "" if text.endswith("\n") else "-"
        return f"|{chomp}\n" + "\n".join(f"{indent}{line}" if line else "" for line in body)
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> list[str]:
    lines = text.rstrip("\n").split("\n")
    return [f"  # en: {lines[0]}"] + [f"  #     {line}".rstrip() for line in lines[1:]]


def render_locale(
    qn: Questionnaire,
    entries: dict[str, tuple[str, str]],
    meta: Mapping[str, object],
    interface: Mapping[str, object],
) -> str:
    """A locale file's text. `entries` maps key → (translation, source fingerprint)."""
    source = source_texts(qn)
    out = [SCHEMA_COMMENT, "formwright: 1", f"questionnaire: {qn.id}"]
    if meta:
        out.append("language:")
        for key, value in meta.items():
            out.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    if interface:
        out.append("interface:")
        for key, value in interface.items():
            out.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    out.append("texts:")
    keys = list(source) + [k for k in entries if k not in source]
    for key in keys:
        if key not in entries:
            continue
        text, source_fp = entries[key]
        if key in source:
            out.append(f"  # {describe_key(key)}")
            out.extend(_comment(source[key]))
        else:
            out.append("  # not in the questionnaire any more")
        out.append(f"  {key}:")
        out.append(f"    text: {_scalar(text, '      ')}")
        out.append(f"    from: {json.dumps(source_fp)}")
    return "\n".join(out) + "\n"


def entries_of(loc: LocaleFile) -> dict[str, tuple[str, str]]:
    return {k: (e.text, e.source_fingerprint) for k, e in loc.entries.items()}


def skeleton(qn: Questionnaire, meta: dict[str, object]) -> str:
    """A new locale file with every key, each translation empty and already marked as
    made from today's source text: the translator writes `text` and leaves `from` alone
    (docs/translating.md), so what they write must be current until the source changes."""
    entries = {key: ("", fingerprint(text)) for key, text in source_texts(qn).items()}
    return render_locale(qn, entries, meta, {})


def update(qn: Questionnaire, loc: LocaleFile) -> tuple[dict[str, tuple[str, str]], int, int]:
    """Every current key (new ones empty); texts of keys that no longer exist dropped.

    An untranslated entry is made from nothing yet, so it takes today's fingerprint,
    as in `skeleton`: the English its comment now shows is what the translator will
    translate. A translated entry keeps its fingerprint: only `review` may say it
    matches today's source."""
    source = source_texts(qn)
    old = entries_of(loc)
    entries = {}
    for key, text in source.items():
        translation, made_from = old.get(key, ("", ""))
        if not translation.strip():
            made_from = fingerprint(text)
        entries[key] = (translation, made_from)
    return entries, len(set(source) - set(old)), len(set(old) - set(source))


def review(
    qn: Questionnaire, loc: LocaleFile, keys: list[str]
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Mark translations as made from today's source text. Returns the entries and any
    keys that could not be marked (unknown, or with no translation)."""
    source = source_texts(qn)
    entries = entries_of(loc)
    refused = []
    for key in keys:
        if key not in source or key not in entries or not entries[key][0].strip():
            refused.append(key)
            continue
        entries[key] = (entries[key][0], fingerprint(source[key]))
    return entries, refused


def write_locale(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
