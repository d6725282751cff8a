"""What formwright knows about a language: its name, direction and plural rule.

Everything comes from CLDR through Babel. Only where CLDR has no locale
(Sylheti, for one) does it come from the locale file's `language:` block,
and then that block must say it; formwright has no table of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.plural import PluralRule, RuleError

TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|[0-9]{3}))?$")


def normalise_tag(tag: str) -> str | None:
    """BCP 47 spelling: `zh_hant` → `zh-Hant`, `pt_br` → `pt-BR`; None if not a tag we read."""
    match = TAG.match(tag.strip())
    if not match:
        return None
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


@cache
def cldr_locale(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@dataclass(frozen=True)
class Language:
    tag: str
    name: str  # in the language itself
    direction: str  # ltr or rtl
    plural: Callable[[float], str]
    from_cldr: bool


def _cldr_plural(locale: Locale) -> Callable[[float], str]:
    return locale.plural_form


def plural_rule(rules: dict[str, str]) -> Callable[[float], str]:
    """A plural rule written in CLDR syntax, e.g. {"one": "i = 0 or n = 1"}; raises RuleError."""
    return PluralRule(rules)


def language(
    tag: str,
    name: str | None = None,
    direction: str | None = None,
    plural: dict[str, str] | None = None,
) -> Language | None:
    """The language for a tag; the explicit values override CLDR. None if nothing is known."""
    locale = cldr_locale(tag)
    if locale is None and not (name and direction and plural):
        return None
    if locale is not None:
        cldr_name = locale.get_display_name(locale) or tag
        name = name or cldr_name[:1].upper() + cldr_name[1:]
        direction = direction or ("rtl" if locale.character_order == "right-to-left" else "ltr")
    if plural:
        rule = plural_rule(plural)
    else:
        assert locale is not None
        rule = _cldr_plural(locale)
    assert name is not None and direction is not None
    return Language(tag, name, direction, rule, locale is not None)


__all__ = ["Language", "RuleError", "cldr_locale", "language", "normalise_tag", "plural_rule"]
