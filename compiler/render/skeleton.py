"""Render a form once for all its languages, then fill in each language (stage 4).

A questionnaire's form has the same structure in every language: only texts,
interface strings, condition notes, `lang`/`dir` and the script's data differ.
Rendering the templates once with a numbered slot wherever such a value goes,
then filling the slots per language, costs one template pass instead of one per
language: with many languages the templates were most of a build's time.
Each slot is filled by the ordinary `PageRenderer` of that language, so both
paths share every rule about escaping and fallback `lang` marking.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from ..language.model import Group, Page, Question, Questionnaire
from ..language.texts import Text, TextLookup
from ..languages import Language
from ..strings import Strings
from .assets import Assets
from .pages import PageRenderer

Fill = Callable[[PageRenderer], str]

# A slot is NUL, a random token and a number: a text can hold NUL (YAML's "\0"
# escape), but not the token, which is new for each skeleton and never written out.
_SLOT = "\x00{token}:{number}\x00"


class _KeyLookup(TextLookup):
    """Hands out each text's key where a lookup would give its value."""

    def __call__(self, key: str) -> Text:
        return Text(key, "")


class _SlotRenderer(PageRenderer):
    """A renderer that writes a slot wherever the language matters."""

    def __init__(
        self,
        qn: Questionnaire,
        assets: Assets,
        source: Language,
        fills: list[Fill],
        token: str,
    ) -> None:
        strings = Strings(source.tag, plural=source.plural)
        super().__init__(qn, _KeyLookup({}, source.tag), assets, source, source, strings)
        self.fills = fills
        self.token = token

    def slot(self, fill: Fill) -> Markup:
        self.fills.append(fill)
        return Markup(_SLOT.format(token=self.token, number=len(self.fills) - 1))

    def show(self, text: Text) -> Markup:
        key = text.value
        return self.slot(lambda r: r.show(r.tx(key)))

    def md(self, text: Text) -> Markup:
        key = text.value
        return self.slot(lambda r: r.md(r.tx(key)))

    def note(self, owner: Page | Group | Question, key: str) -> str | None:
        if owner.condition_json is None:
            return None
        return self.slot(lambda r: escape(r.note(owner, key)))

    def interface(self, key: str, count: float | None = None, **values: object) -> Markup:
        return self.slot(lambda r: escape(r.t(key, count, **values)))

    def data_json(self) -> Markup:
        return self.slot(lambda r: r.data_json())

    def context(self, prefix: str = "../", **extra: Any) -> dict[str, Any]:
        values = super().context(prefix, **extra)
        values["lang"] = self.slot(lambda r: escape(r.lang))
        # each language's own font rules, and the policy hash of exactly them
        values["style"] = self.slot(lambda r: r.style_context()["style"])
        values["csp"] = self.slot(lambda r: escape(r.style_context()["csp"]))
        values["dir"] = self.slot(lambda r: escape(r.language.direction))
        values["title_text"] = self.slot(lambda r: escape(r.show_plain(r.tx("title"))))
        values["t"] = self.interface
        return values


class FormSkeleton:
    """One questionnaire's form page, rendered once with slots for every language."""

    def __init__(self, qn: Questionnaire, assets: Assets, source: Language, minutes: int) -> None:
        self.fills: list[Fill] = []
        token = secrets.token_hex(8)
        self.pattern = re.compile(_SLOT.format(token=token, number="([0-9]+)"))
        self.html = _SlotRenderer(qn, assets, source, self.fills, token).form(minutes)

    def fill(self, renderer: PageRenderer) -> str:
        values = [fill(renderer) for fill in self.fills]
        # one pass over the skeleton: a filled-in value is never scanned again
        return self.pattern.sub(lambda m: values[int(m.group(1))], self.html)
