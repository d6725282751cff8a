"""The check of one locale file against its questionnaire: keys, staleness, markup.

A translation is current while its `from` fingerprint matches the source
text's; its placeholders and Markdown must match the source's, and its
interface strings must be keys the catalogs know. In a questionnaire of
`formwright: 2` a text may pipe in answers (`language/piping.py`): a translation
must pipe in the same names, or it is an error and is not published.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import get_close_matches

from markdown_it import MarkdownIt

from ..diagnostics import Diagnostic, did_you_mean, make
from ..language import piping
from ..language.model import Questionnaire
from ..language.texts import http_link_message, http_links, markdown_keys, source_entries
from ..languages import RuleError, language
from ..strings import Strings, catalog
from ..yamlnodes import Mapping, Node, Scalar
from .files import PLACEHOLDER, Entry, LocaleFile, fingerprint


def pipes(qn: Questionnaire) -> bool:
    """Whether the questionnaire's texts may hold placeholders (version 2 of the language);
    in version 1 a brace is text like any other."""
    node = qn.node.get("formwright")
    return isinstance(node, Scalar) and type(node.value) is int and node.value >= 2


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
        piped = pipes(self.qn)
        markdown = markdown_keys(self.qn)
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
            elif not entry.source_fingerprint:
                # Written by an `i18n new` from before it set `from`. Nothing records
                # which English the text was made from, and the designer may have
                # changed it since; publishing an unchecked translation as current is
                # the failure that matters here, so it stays stale until a translator
                # says, with `review`, that it matches today's source.
                self.add(
                    "FW604",
                    entry.node,
                    f"the translation of {key!r} does not say which source text it was "
                    "made from (its `from` is empty)",
                    f"check it against the source text at {where}, then run "
                    f"`formwright i18n review --lang {self.loc.tag} {key}` (or `--all` once "
                    "you have checked every text); until then the form shows the source text",
                )
            elif entry.source_fingerprint != fingerprint(text):
                self.add(
                    "FW604",
                    entry.node,
                    f"the translation of {key!r} was made from an older source text",
                    f"the source changed at {where}; update the translation, then run "
                    f"`formwright i18n review --lang {self.loc.tag} {key}`",
                )
            else:
                if piped:
                    self.placeholders(key, text, entry, where)
                problem = markup_difference(text, entry.text, piped)
                if problem is not None:
                    self.add("FW605", entry.node, f"the translation of {key!r} {problem}")
            if entry is not None and key in markdown:
                self.links(key, text, entry)
        for key, entry in self.loc.entries.items():
            if key not in sources:
                hint = did_you_mean(key, list(sources)) or "remove it; its question may be gone"
                self.add("FW603", entry.node, f"{key!r} is not a text of {self.qn.id!r}", hint)

    def links(self, key: str, source: str, entry: Entry) -> None:
        """Plain http:// links of a translated Markdown text (FW111), but for those of the
        source, which the designer is told of."""
        texts = self.loc.node.get("texts") if self.loc.node else None
        value = texts.get(key) if isinstance(texts, Mapping) else None
        node = value.get("text") if isinstance(value, Mapping) else None
        known = {href for _, _, href in http_links(source, "", self.qn.node)}
        for line, column, href in http_links(entry.text, self.loc.text, node or entry.node):
            if href not in known:
                message, hint = http_link_message(href)
                self.out.append(make("FW111", self.loc.path, line, column, message, hint))

    def placeholders(self, key: str, source: str, entry: Entry, where: str) -> None:
        """The same names piped in as the source; each fallback is the translator's."""
        written: dict[str, str] = {}  # each name as the source first writes it
        for p in piping.placeholders(source):
            written.setdefault(p.name, source[p.start : p.end])
        wanted, got = set(written), piping.names(entry.text)
        for name in sorted(wanted - got):
            hint = f"keep {written[name]} as in the source at {where}"
            if "|" in written[name]:
                hint += ", translating only the text after '|'"
            message = f"the translation of {key!r} leaves out the placeholder {{{name}}}"
            self.add("FW614", entry.node, message, hint)
        for name in sorted(got - wanted):
            close = get_close_matches(name, sorted(wanted), n=1, cutoff=0.6)
            if close:
                hint = f"did you mean {written[close[0]]}? Placeholder names are not translated"
            elif wanted:
                known = ", ".join(written[n] for n in sorted(wanted))
                hint = f"the source pipes in only {known}; placeholder names are not translated"
            else:
                hint = "the source pipes in no answer here; write a literal brace as {{ or }}"
            self.add(
                "FW615",
                entry.node,
                f"the translation of {key!r} has a placeholder {{{name}}} the source does not have",
                hint,
            )
        if wanted != got:
            self.loc.refused.add(key)
        self.plural_forms(key, entry)

    def plural_forms(self, key: str, entry: Entry) -> None:
        """A piped number's words need every plural category of the translation's language."""
        lang = self.loc.language
        categories = set(getattr(lang.plural, "tags", ())) if lang is not None else set()
        for p in piping.placeholders(entry.text):
            missing = categories - {c for c, _ in p.forms} - {"other"}
            if p.forms and missing:
                self.add(
                    "FW616",
                    entry.node,
                    f"the translation of {key!r} gives no {', '.join(sorted(missing))} form "
                    f"for {{{p.name}}}",
                    f"numbers in {lang.tag if lang else key} take the forms "
                    + ", ".join(sorted(categories | {"other"}))
                    + "; the 'other' form is used where one is missing",
                )

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


_PIPED = "\ufffc"  # stands in for a placeholder: no Markdown, and never typed


def _without_placeholders(text: str) -> str:
    # Fallbacks are the translator's to write (and to emphasise); only the text
    # around the placeholders must keep the source's Markdown.
    return "".join(p if isinstance(p, str) else _PIPED for p in piping.split(text))


def markup_difference(source: str, translation: str, piped: bool = False) -> str | None:
    """How the translation's Markdown or placeholders differ from the source's, if they do.

    `piped`: the texts are of a `formwright: 2` questionnaire, whose placeholders are
    checked by name (FW614, FW615) before this, so here they count only as text."""
    if piped:
        source, translation = _without_placeholders(source), _without_placeholders(translation)
    elif set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(translation)):
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
