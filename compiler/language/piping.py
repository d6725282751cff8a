"""Piping: earlier answers and computed values inside later texts.

A placeholder is `{name}` or `{name|fallback}`. The name is a question id, the id
of a calculated value or a hidden field, with `.item` for a matrix item or `.band`
for a calculated value's band label. The fallback is what a page shows where the
value is not known (without JavaScript every question is on one page, so nothing
is known yet); it is translated with the text around it. `{{` and `}}` stand for
literal braces. Placeholders exist only in questionnaires of `formwright: 2`:
a version 1 text keeps its braces as written.

A number can choose its words by CLDR plural category, each form after another
`|` with `#` for the number: `{nights|some nights|one: # night|other: # nights}`.
Each language writes the categories it has (Polish adds few: and many:).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# The name's shape follows ids and codes (validate/checks.py); the fallback is any
# text without braces or a line break.
_PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{(?P<name>[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_-]+)?)(?:\|(?P<fallback>[^{}\n]*))?\}"
)
# Anything else that opens a brace, for a located "not a placeholder" diagnostic.
_OPEN = re.compile(r"\{\{|\}\}|\{[^{}\n]*\}?|\}")


PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_FORM = re.compile(r"\s*(zero|one|two|few|many|other)\s*:\s?(.*)", re.DOTALL)


@dataclass(frozen=True)
class Placeholder:
    name: str
    fallback: str | None
    start: int  # offset of '{' in the text
    end: int  # offset just past '}'
    forms: tuple[tuple[str, str], ...] = ()  # (plural category, words with #)
    bad_forms: tuple[str, ...] = ()  # parts after the fallback that are no form

    @property
    def question(self) -> str:
        return self.name.partition(".")[0]

    @property
    def part(self) -> str | None:
        return self.name.partition(".")[2] or None


@dataclass(frozen=True)
class Malformed:
    text: str
    start: int


Piece = str | Placeholder


def split(text: str) -> list[Piece]:
    """The text as literal runs and placeholders, in order ({{ and }} already unescaped)."""
    out: list[Piece] = []
    literal: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        literal.append(text[pos : m.start()])
        pos = m.end()
        if m.group() in ("{{", "}}"):
            literal.append(m.group()[0])
            continue
        if literal:
            out.append("".join(literal))
            literal = []
        fallback: str | None = None
        parts: list[str] = []
        if m["fallback"] is not None:
            fallback, *parts = m["fallback"].split("|")
        forms = [f for part in parts if (f := _FORM.fullmatch(part))]
        bad = tuple(part for part in parts if not _FORM.fullmatch(part))
        pairs = tuple((f[1], f[2]) for f in forms)
        out.append(Placeholder(m["name"], fallback, m.start(), m.end(), pairs, bad))
    literal.append(text[pos:])
    if "".join(literal):
        out.append("".join(literal))
    return out


def placeholders(text: str) -> list[Placeholder]:
    return [p for p in split(text) if isinstance(p, Placeholder)]


def names(text: str) -> set[str]:
    """The names a text pipes in: what a translation must keep, whatever its fallbacks say."""
    return {p.name for p in placeholders(text)}


def malformed(text: str) -> list[Malformed]:
    """Braces that are neither a placeholder nor an escaped brace."""
    good = {m.start() for m in _PLACEHOLDER.finditer(text)}
    return [Malformed(m.group(), m.start()) for m in _OPEN.finditer(text) if m.start() not in good]


def with_fallbacks(text: str, missing: str = "…") -> str:
    """The text as a page shows it before any value is known (and in a page's <title>)."""
    return "".join(
        p if isinstance(p, str) else (p.fallback if p.fallback is not None else missing)
        for p in split(text)
    )


def fill(
    text: str,
    answers: dict[str, object],
    number: Callable[[float], str],
    category: Callable[[float], str],
    missing: str = "…",
) -> str:
    """A message with the numbers it pipes written in, each other placeholder as its
    fallback: what the endpoint can say without the page (it has no translated labels)."""
    out: list[str] = []
    for piece in split(text):
        if isinstance(piece, str):
            out.append(piece)
            continue
        value = answers.get(piece.name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown = number(value)
            forms = dict(piece.forms)
            if forms:
                shown = forms.get(category(value), forms.get("other", "#")).replace("#", shown)
            out.append(shown)
        else:
            out.append(piece.fallback if piece.fallback is not None else missing)
    return "".join(out)
