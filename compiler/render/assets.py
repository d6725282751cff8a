"""The form's stylesheet and script as pages carry them (part of stage 4).

The stylesheet is written into every page: on a slow connection a separate,
render-blocking stylesheet costs a whole round trip before anything shows (about
400 ms on slow 3G), and the policy still admits only this one stylesheet, by its
hash. The script stays a separate, content-hashed file, loaded `defer`, so it
never delays the first question; it is minified because it is a third of what a
respondent downloads, while minifying the stylesheet saves about 0.1 kB gzipped,
not worth a second dependency.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import rjsmin
from markupsafe import Markup


@dataclass(frozen=True)
class Style:
    text: Markup  # inlined in a <style> element
    source: str  # for the policy: 'sha256-…' of exactly that text


@dataclass(frozen=True)
class Assets:
    script_name: str  # file name under assets/, changes whenever the script does
    script: bytes
    base_style: str
    fonts: tuple[tuple[tuple[str, ...], str], ...]  # (languages, rule) from fonts.css

    def script_path(self, prefix: str) -> str:
        return f"{prefix}assets/{self.script_name}"

    def style(self, tags: Iterable[str]) -> Style:
        """The stylesheet for a page whose text is in these languages: the font rules
        of other scripts stay out (a tenth of the stylesheet, in every page)."""
        return _style(self.base_style, self.fonts, frozenset(tags))


def _matches(tag: str, wanted: str) -> bool:
    # what CSS :lang() does: the language itself or any of its subtags
    tag, wanted = tag.lower(), wanted.lower()
    return tag == wanted or tag.startswith(wanted + "-")


@cache
def _style(
    base: str, fonts: tuple[tuple[tuple[str, ...], str], ...], tags: frozenset[str]
) -> Style:
    # Font rules first, where the cascade had them: later rules may override them.
    rules = [rule for langs, rule in fonts if any(_matches(t, w) for t in tags for w in langs)]
    text = "".join(rule + "\n" for rule in rules) + base
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return Style(Markup(text), f"'sha256-{digest}'")


_FONT_RULE = re.compile(r"((?::lang\([A-Za-z0-9-]+\),?)+)\{[^{}]*\}")
_COMMENT = re.compile(r"/\*.*?\*/\n?", re.DOTALL)


def font_rules(css: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """fonts.css as (languages, rule) pairs: one rule per line, selecting by :lang() only."""
    out = []
    for line in _COMMENT.sub("", css).splitlines():
        if not line.strip():
            continue
        match = _FONT_RULE.fullmatch(line)
        if match is None:
            raise ValueError(f"fonts.css: not one :lang() rule on a line: {line!r}")
        out.append((tuple(re.findall(r":lang\(([A-Za-z0-9-]+)\)", match.group(1))), line))
    return tuple(out)


def _static(name: str) -> str:
    return resources.files("compiler").joinpath("static", name).read_text(encoding="utf-8")


def make_assets(style: str, script: str, fonts: str = "") -> Assets:
    if "</" in style + fonts:
        # would end the <style> element early; our own stylesheet never needs it
        raise ValueError("the stylesheet must not contain '</'")
    minified = (rjsmin.jsmin(script).strip() + "\n").encode("utf-8")
    digest = hashlib.sha256(minified).hexdigest()[:12]
    return Assets(
        script_name=f"form.{digest}.js",
        script=minified,
        base_style=style,
        fonts=font_rules(fonts),
    )


FEATURE = re.compile(r"/\*(\w+)\{\*/.*?/\*\}\1\*/", re.DOTALL)
FEATURES = frozenset({"date", "expr", "v2"})  # the parts of form.js marked /*name{*/ ... /*}name*/
_GENERAL = ("left", "fn", "ref")  # keys only the general expressions' nodes have


def script_for(script: str, features: frozenset[str]) -> str:
    """The script without the marked parts of features a questionnaire does not use."""
    return FEATURE.sub(lambda m: m.group(0) if m.group(1) in features else "", script)


def uses_expressions(trees: Iterable[object]) -> bool:
    """Whether any manifest tree needs more than the round-1 evaluator: a node of the
    general shapes (a test between values, `is`, a function, a question as a value)."""
    stack = list(trees)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("op") == "is" or any(key in node for key in _GENERAL):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def features_of(question_types: set[str], expressions: bool, version: int = 1) -> frozenset[str]:
    """The parts of the script a questionnaire needs; `expressions` as uses_expressions;
    `version` the questionnaire language's (piping, rules, groups... are version 2)."""
    have = question_types | ({"expr"} if expressions else set())
    have |= {"v2"} if version >= 2 else set()
    return frozenset(f for f in FEATURES if f in have)


@cache
def form_assets(features: frozenset[str] = FEATURES) -> Assets:
    """The package's own stylesheet, font rules and script (with these features' parts)."""
    script = script_for(_static("form.js"), features)
    return make_assets(_static("form.css"), script, _static("fonts.css"))
