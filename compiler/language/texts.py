"""Every translatable text of a questionnaire, under a stable key.

Keys are built from ids and codes, never from positions, so a translation
stays attached to its text when questions move:

    title, intro, pages.<page>.title, questions.<q>.text, questions.<q>.hint,
    questions.<q>.options.<code>, questions.<q>.options.<code>.specify,
    questions.<q>.items.<code>, questions.<q>.points.<code>,
    questions.<q>.extra.<code>, option_lists.<list>.<code>,
    option_lists.<list>.<code>.specify

and from version 2: questions.<q>.privacy_hint, questions.<q>.messages.<kind>,
questions.<q>.rules.<n> and pages.<page>.rules.<n> (a rule's message, numbered
from 1 in the order written: the fingerprint in `from` catches a reordering),
questions.<calculated>.bands.<n>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from ..yamlnodes import Node, Scalar
from .model import Option, Question, Questionnaire


def option_key(q: Question, option: Option, kind: str = "options") -> str:
    if kind == "options" and q.option_list is not None:
        return f"option_lists.{q.option_list}.{option.code}"
    return f"questions.{q.id}.{kind}.{option.code}"


def source_entries(qn: Questionnaire) -> dict[str, tuple[str, Node]]:
    """Every source text under its key, with the YAML node it was written at."""
    out: dict[str, tuple[str, Node]] = {}

    def add(key: str, text: str | None, node: Node | None) -> None:
        if text:
            out[key] = (text, node or qn.node)

    add("title", qn.title, qn.node.get("title"))
    add("intro", qn.intro, qn.node.get("intro"))
    for name, options in qn.option_lists.items():
        for o in options:
            add(f"option_lists.{name}.{o.code}", o.label, o.node)
            add(f"option_lists.{name}.{o.code}.specify", o.specify, o.specify_node)
    for page in qn.pages:
        add(f"pages.{page.id}.title", page.title, page.node.get("title"))
        for q in page.questions:
            add(f"questions.{q.id}.text", q.text, q.get("text"))
            add(f"questions.{q.id}.hint", q.hint, q.get("hint"))
            add(f"questions.{q.id}.privacy_hint", q.privacy_hint, q.get("privacy_hint"))
            for kind, message in q.messages.items():
                add(f"questions.{q.id}.messages.{kind}", message, q.message_nodes[kind])
            for rule in q.rules:
                add(rule.key, rule.message, rule.message_node)
            for n, band in enumerate(q.bands, start=1):
                add(f"questions.{q.id}.bands.{n}", band.label, band.node.get("label"))
            if q.option_list is None:
                for o in q.options:
                    add(option_key(q, o), o.label, o.node)
                    add(option_key(q, o) + ".specify", o.specify, o.specify_node)
            for kind in ("items", "points", "extra"):
                for o in getattr(q, kind):
                    add(option_key(q, o, kind), o.label, o.node)
        for rule in page.rules:
            add(rule.key, rule.message, rule.message_node)
    return out


_MARKDOWN = MarkdownIt("zero").enable(["emphasis", "link", "list", "newline"])
_HTTP_LINK = re.compile(r"\]\(\s*<?\s*(http://)", re.IGNORECASE)


def markdown_keys(qn: Questionnaire) -> set[str]:
    """The keys of the texts written in Markdown: the intro and each statement's."""
    return {"intro"} | {f"questions.{q.id}.text" for q in qn.questions if q.type == "statement"}


def http_links(text: str, source: str, node: Node) -> list[tuple[int, int, str]]:
    """Each link of a Markdown text to a plain http:// address, with the line and column
    of the address in the file (`source`, its text), or of the text where it is not
    found there as written."""
    if "http:" not in text.lower():
        return []
    hrefs = [
        str(t.attrGet("href"))
        for block in _MARKDOWN.parse(text)
        for t in block.children or []
        if t.type == "link_open" and str(t.attrGet("href")).lower().startswith("http://")
    ]
    spots: list[int] = []
    if hrefs and isinstance(node, Scalar) and node.end > node.start:
        written = source[node.start : node.end]
        spots = [node.start + m.start(1) for m in _HTTP_LINK.finditer(written)]
    out = []
    for n, href in enumerate(hrefs):
        line, column = node.line, node.column
        if len(spots) == len(hrefs):
            line = source.count("\n", 0, spots[n]) + 1
            column = spots[n] - source.rfind("\n", 0, spots[n])
        out.append((line, column, href))
    return out


def http_link_message(href: str) -> tuple[str, str]:
    return (
        f"the link to {href} uses plain http://: anyone on the respondent's network can "
        "see the page it opens, and change it",
        "link to its https:// address instead",
    )


def source_texts(qn: Questionnaire) -> dict[str, str]:
    return {key: text for key, (text, _) in source_entries(qn).items()}


def describe_key(key: str) -> str:
    """What a key's text is, for translators (PO comments, skeletons)."""
    parts = key.split(".")
    if parts[0] in ("title", "intro"):
        return {"title": "The questionnaire's title", "intro": "Introduction (Markdown)"}[parts[0]]
    if parts[0] == "pages":
        if len(parts) == 4 and parts[2] == "rules":
            return f"Message of rule {parts[3]} of the page '{parts[1]}'"
        return f"Title of the page '{parts[1]}'"
    if parts[0] == "option_lists":
        what = "Text box label for option" if parts[-1] == "specify" else "Option"
        return f"{what} '{parts[2]}' of the shared option list '{parts[1]}'"
    qid, kind = parts[1], parts[2]
    if kind == "text":
        return f"Question '{qid}'"
    if kind == "hint":
        return f"Hint for question '{qid}'"
    if kind == "privacy_hint":
        return f"Note on names and contact details for question '{qid}'"
    if kind == "messages":
        return f"Message '{parts[3]}' of question '{qid}'"
    if kind == "rules":
        return f"Message of rule {parts[3]} of question '{qid}'"
    if kind == "bands":
        return f"Label of band {parts[3]} of the calculated value '{qid}'"
    if kind == "options" and parts[-1] == "specify":
        return f"Text box label for option '{parts[3]}' of question '{qid}'"
    names = {"options": "Option", "items": "Item", "points": "Scale point", "extra": "Answer"}
    return f"{names.get(kind, kind)} '{parts[3]}' of question '{qid}'"


@dataclass(frozen=True)
class Text:
    """A text and the language it is really in (the source language when untranslated)."""

    value: str
    lang: str


class TextLookup:
    """Texts of one language, falling back to the source language per key."""

    def __init__(
        self,
        source: dict[str, str],
        source_lang: str,
        translated: dict[str, str] | None = None,
        lang: str | None = None,
    ) -> None:
        self.source = source
        self.source_lang = source_lang
        self.translated = translated or {}
        self.lang = lang or source_lang

    def __call__(self, key: str) -> Text:
        if key in self.translated and self.translated[key].strip():
            return Text(self.translated[key], self.lang)
        return Text(self.source.get(key, ""), self.source_lang)

    def question(self, q: Question, part: str = "text") -> Text:
        return self(f"questions.{q.id}.{part}")

    def option(self, q: Question, option: Option, kind: str = "options") -> Text:
        return self(option_key(q, option, kind))

    def specify(self, q: Question, option: Option) -> Text:
        return self(option_key(q, option) + ".specify")
