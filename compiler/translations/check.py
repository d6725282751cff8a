"""The check of one locale file against its questionnaire: keys, staleness, markup.

A translation is current while its `from` fingerprint matches the source
text's; its placeholders and Markdown must match the source's, and its
interface strings must be keys the catalogs know.
"""

from __future__ import annotations

import re
from collections import Counter

from markdown_it import MarkdownIt

from ..diagnostics import Diagnostic, did_you_mean, make
from ..language.model import Questionnaire
from ..language.texts import source_entries
from ..languages import RuleError, language
from ..strings import Strings, catalog
from ..yamlnodes import Mapping, Node, Scalar
from .files import PLACEHOLDER, LocaleFile, fingerprint


class _LocaleChecker:
    def __init__(self, qn: Questionnaire, loc: LocaleFile) -> None:
        self.qn, self.loc = qn, loc
        self.out: list[Diagnostic] = []

    def add(self, code: str, node: Node | None, message: str, hint: str = "") -> None:
        at = node or self.loc.node
        line, col = (at.line, at.column) if at else (1, 1)
        self.out.append(make(code, self.loc.path, line, col, message, hint))

    def run(self) -> list[Diagnostic]:
        loc, qn = self.loc, self.qn
        if loc.node is None:
            return self.out
        named = loc.node.get("questionnaire")
        if isinstance(named, Scalar) and named.value != qn.id:
            self.add(
                "FW609",
                named,
                f"this file translates {named.value!r}, but it sits where {qn.id!r} "
                "looks for its translation",
                f"set questionnaire: {qn.id}, or move the file",
            )
        self.language()
        self.texts()
        self.interface()
        return self.out

    def language(self) -> None:
        meta, node = self.loc.meta, self.loc.node
        assert node is not None
        plural = meta.get("plural")
        try:
            lang = language(
                self.loc.tag,
                name=str(meta["name"]) if meta.get("name") else None,
                direction=str(meta["direction"]) if meta.get("direction") else None,
                plural={str(k): str(v) for k, v in plural.items()}
                if isinstance(plural, dict)
                else None,
            )
        except (RuleError, ValueError) as exc:
            self.add("FW612", node.get("language"), f"the plural rule cannot be read: {exc}")
            return
        if lang is None:
            self.add(
                "FW607",
                node.get("language") or node,
                f"CLDR has no data for {self.loc.tag!r}, so this file must say what it is",
                "add language: with name (in the language itself), direction (ltr or rtl) "
                "and plural (a CLDR plural rule, e.g. {one: 'n = 1'})",
            )
        self.loc.language = lang

    def texts(self) -> None:
        sources = source_entries(self.qn)
        for key, (text, src_node) in sources.items():
            where = f"{self.qn.path}:{src_node.line}"
            entry = self.loc.entries.get(key)
            if entry is None:
                self.add(
                    "FW601",
                    self.loc.node.key_node("texts") if self.loc.node else None,
                    f"no translation for {key!r}",
                    f"the source text is at {where}; `formwright i18n new` writes every key",
                )
            elif not entry.text.strip():
                self.add(
                    "FW602", entry.node, f"the translation of {key!r} is empty", f"source: {where}"
                )
            elif entry.source_fingerprint != fingerprint(text):
                self.add(
                    "FW604",
                    entry.node,
                    f"the translation of {key!r} was made from an older source text",
                    f"the source changed at {where}; update the translation, then run "
                    f"`formwright i18n review --lang {self.loc.tag} {key}`",
                )
            elif (problem := markup_difference(text, entry.text)) is not None:
                self.add("FW605", entry.node, f"the translation of {key!r} {problem}")
        for key, entry in self.loc.entries.items():
            if key not in sources:
                hint = did_you_mean(key, list(sources)) or "remove it; its question may be gone"
                self.add("FW603", entry.node, f"{key!r} is not a text of {self.qn.id!r}", hint)

    def interface(self) -> None:
        english = Strings("en")
        missing = [k for k in catalog("en") if k not in catalog(self.loc.tag)]
        missing = [k for k in missing if k not in self.loc.interface]
        if missing:
            self.add(
                "FW613",
                self.loc.node.get("language") if self.loc.node else None,
                f"formwright has no interface strings in {self.loc.tag!r} for "
                f"{len(missing)} of its {len(catalog('en'))} buttons and messages; "
                "they will be in English",
                "add them under interface: in this file (see docs/translating.md), "
                "or contribute a catalog to formwright",
            )
        node = self.loc.node.get("interface") if self.loc.node else None
        for key, value in self.loc.interface.items():
            at = node.key_node(key) if isinstance(node, Mapping) else None
            try:
                source = english.entry(key)
            except KeyError:
                self.add("FW611", at, f"there is no interface string {key!r}")
                continue
            wanted = set(PLACEHOLDER.findall(str(source)))
            got = set(PLACEHOLDER.findall(str(value)))
            if wanted != got:
                self.add(
                    "FW605",
                    at,
                    f"the interface string {key!r} has placeholders {sorted(got)}, "
                    f"the English has {sorted(wanted)}",
                    "keep every {name} exactly as in the English",
                )


_MD = MarkdownIt("zero").enable(["emphasis", "link", "list", "newline"])


def _markup(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for token in _MD.parse(text):
        for t in [token, *(token.children or [])]:
            if t.type in ("link_open", "strong_open", "em_open", "list_item_open"):
                counts[t.type] += 1
            if t.type == "link_open":
                counts["href " + str(t.attrGet("href"))] += 1
    return counts


_MAYBE_MARKUP = re.compile(r"[*_<>`]|\]\(|^\s*([-+*]|\d+[.)])\s", re.MULTILINE)


def markup_difference(source: str, translation: str) -> str | None:
    """How the translation's Markdown or placeholders differ from the source's, if they do."""
    if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(translation)):
        return "has different {placeholders} from the source"
    if not (_MAYBE_MARKUP.search(source) or _MAYBE_MARKUP.search(translation)):
        return None  # plain text on both sides: no need to parse (most texts)
    a, b = _markup(source), _markup(translation)
    if a != b:
        missing = sorted((a - b).keys()) or sorted((b - a).keys())
        names = {"link_open": "links", "strong_open": "bold", "em_open": "italics"}
        what = ", ".join(names.get(m, m.replace("list_item_open", "list items")) for m in missing)
        return f"has different Markdown from the source ({what})"
    return None


def check_locale(qn: Questionnaire, loc: LocaleFile) -> list[Diagnostic]:
    return _LocaleChecker(qn, loc).run()
