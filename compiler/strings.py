"""Interface strings (buttons, notes, validation messages) from the catalogs.

Catalogs live in compiler/catalogs/<lang>.yaml. A value is either text with
{placeholders} or a mapping of CLDR plural categories chosen by Babel's
plural rule for the language, never by a hand-written table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml
from babel.numbers import format_decimal

from .languages import cldr_locale

SOURCE_CATALOG = "en"
Entry = str | dict[str, str]


@cache
def _catalog(lang: str) -> dict[str, Entry]:
    folder = resources.files("compiler").joinpath("catalogs")
    entry = folder.joinpath(f"{lang}.yaml")
    if not entry.is_file():
        return {}
    # libyaml when present: the pure-Python parser took longer than rendering a form
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(entry.read_text("utf-8"), Loader=loader)
    return data if isinstance(data, dict) else {}


def catalog(lang: str) -> dict[str, Entry]:
    """One language's own catalog, without fallback (empty when there is none)."""
    return dict(_catalog(lang))


@dataclass(frozen=True)
class Strings:
    """The strings of one language: a questionnaire's overrides, then the language's
    catalog, then English for any key the catalog lacks (a test keeps that empty)."""

    lang: str
    overrides: dict[str, Entry] = field(default_factory=dict, compare=False)
    plural: Callable[[float], str] | None = field(default=None, compare=False)

    def entry(self, key: str) -> Entry:
        if key in self.overrides:
            return self.overrides[key]
        for lang in (self.lang, self.lang.split("-")[0], SOURCE_CATALOG):
            found = _catalog(lang).get(key)
            if found is not None:
                return found
        raise KeyError(f"no interface string {key!r}")

    def number(self, value: float) -> str:
        locale = cldr_locale(self.lang)
        return format_decimal(value, locale=locale) if locale else str(value)

    def plural_category(self, count: float) -> str:
        if self.plural is not None:
            return self.plural(count)
        locale = cldr_locale(self.lang)
        return locale.plural_form(count) if locale else ("one" if count == 1 else "other")

    def __call__(self, key: str, count: float | None = None, **values: object) -> str:
        entry = self.entry(key)
        if isinstance(entry, dict):
            if count is None:
                raise KeyError(f"interface string {key!r} needs a count")
            text = entry.get(self.plural_category(count)) or entry["other"]
            values["count"] = self.number(count)
        else:
            text = entry
        return text.format(**values) if values else text

    def plural_forms(self, key: str) -> dict[str, str]:
        """All forms of a plural string, for the browser's script to choose from."""
        entry = self.entry(key)
        return entry if isinstance(entry, dict) else {"other": entry}
