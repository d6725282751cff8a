"""Every translatable text of a questionnaire, under a stable key.

Keys are built from ids and codes, never from positions, so a translation
stays attached to its text when questions move:

    title, intro, pages.<page>.title, questions.<q>.text, questions.<q>.hint,
    questions.<q>.options.<code>, questions.<q>.options.<code>.specify,
    questions.<q>.items.<code>, questions.<q>.points.<code>,
    questions.<q>.extra.<code>, option_lists.<list>.<code>,
    option_lists.<list>.<code>.specify
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Option, Question, Questionnaire


def option_key(q: Question, option: Option, kind: str = "options") -> str:
    if kind == "options" and q.option_list is not None:
        return f"option_lists.{q.option_list}.{option.code}"
    return f"questions.{q.id}.{kind}.{option.code}"


def source_texts(qn: Questionnaire) -> dict[str, str]:
    out: dict[str, str] = {"title": qn.title}
    if qn.intro:
        out["intro"] = qn.intro
    for name, options in qn.option_lists.items():
        for o in options:
            out[f"option_lists.{name}.{o.code}"] = o.label
            if o.specify:
                out[f"option_lists.{name}.{o.code}.specify"] = o.specify
    for page in qn.pages:
        out[f"pages.{page.id}.title"] = page.title
        for q in page.questions:
            out[f"questions.{q.id}.text"] = q.text
            if q.hint:
                out[f"questions.{q.id}.hint"] = q.hint
            if q.option_list is None:
                for o in q.options:
                    out[option_key(q, o)] = o.label
                    if o.specify:
                        out[option_key(q, o) + ".specify"] = o.specify
            for kind in ("items", "points", "extra"):
                for o in getattr(q, kind):
                    out[option_key(q, o, kind)] = o.label
    return out


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
