"""Render the HTML pages of one questionnaire in one language (stage 4).

Templates get small view objects, never raw YAML: every text arrives as a
`Text` that knows its language, so a fragment still in the source language
is marked with its own `lang` (WCAG 3.1.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from ..language.formats import FORMATS, SPECIFY_MAX_LENGTH
from ..language.model import Group, Option, Page, Question, Questionnaire
from ..language.piping import placeholders, with_fallbacks
from ..language.texts import Text, TextLookup
from ..languages import Language
from ..patterns import digits_only, portable
from ..strings import Strings
from . import piping, richtext, scriptdata
from .assets import Assets
from .describe import Describer

JS_STRINGS = scriptdata.JS_STRINGS  # what the script reads (tests/test_build.py)
DATE_PARTS = {
    "day": [("day", 2, 2), ("month", 2, 2), ("year", 4, 4)],
    "month": [("month", 2, 2), ("year", 4, 4)],
    "year": [("year", 4, 4)],
}


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("compiler", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def csp(endpoint: str, style: str) -> str:
    """Only our own script and the inlined stylesheet; answers go only to the endpoint."""
    target = "'self'"
    if endpoint.startswith("https://"):
        parts = urlsplit(endpoint)
        target = f"{parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; script-src 'self'; style-src {style}; img-src 'self' data:; "
        f"connect-src {target}; form-action {target}; base-uri 'none'"
    )


@dataclass
class ViewOption:
    fid: str
    code: int | str
    label: Text
    specify: Text | None = None
    exclusive: bool = False
    extra_first: bool = False


@dataclass
class ViewItem:
    fid: str
    code: int | str
    label: Text
    options: list[ViewOption]


@dataclass
class ViewQuestion:
    id: str
    type: str
    text: Text
    hint: Text | None
    required: bool
    note: str | None
    source: Question
    options: list[ViewOption] = field(default_factory=list)
    items: list[ViewItem] = field(default_factory=list)
    date_parts: list[dict[str, Any]] = field(default_factory=list)
    input_pattern: str | None = None  # the portable pattern (compiler/patterns)
    group_note: bool = False  # its group's condition note describes it too
    input_mode: str | None = None
    privacy_note: bool = False  # text and textarea: "Do not include names or contact details."
    privacy: Text | None = None  # the designer's own wording of that note (`privacy_hint:`)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)


@dataclass
class ViewGroup:
    """Questions sharing one condition: shown, hidden and explained together."""

    id: str
    note: str | None
    questions: list[ViewQuestion]


@dataclass
class ViewPage:
    id: str
    title: Text
    note: str | None
    items: list[ViewQuestion | ViewGroup]


class PageRenderer:
    def __init__(
        self,
        qn: Questionnaire,
        tx: TextLookup,
        assets: Assets,
        language: Language,
        source: Language,
        strings: Strings,
    ) -> None:
        self.qn = qn
        self.tx = tx
        self.lang = language.tag
        self.language = language
        self.source = source
        self.t = strings
        self.assets = assets
        questions = {q.id: q for q in qn.questions}
        self.describe = Describer(self.t, questions, self.plain_text, self.plain_label)

    # --- texts -------------------------------------------------------------

    @property
    def pipes(self) -> bool:
        return self.qn.format_version >= 2  # braces are plain text in version 1

    def missing(self) -> str:
        return self.t("pipe_unknown")  # what a placeholder without a fallback shows

    def show(self, text: Text) -> Markup:
        value = piping.inline(text.value, self.missing()) if self.pipes else escape(text.value)
        if text.lang == self.lang:
            return value
        # Untranslated: say which language it is in, and isolate its direction.
        return Markup('<bdi lang="{}" dir="{}">{}</bdi>').format(
            text.lang, self.source.direction, value
        )

    def show_plain(self, text: Text) -> str:
        """A text where no markup can go (the page's <title>): plain, and an untranslated
        text of the other direction isolated as <bdi> would (FSI … PDI)."""
        value = self.plain(text.value)
        if text.lang != self.lang and self.source.direction != self.language.direction:
            return f"\u2068{value}\u2069"
        return value

    def md(self, text: Text) -> Markup:
        if self.pipes:
            html = piping.markdown(text.value, self.missing(), richtext.render)
        else:
            html = richtext.render(text.value)
        if text.lang == self.lang:
            return html
        return Markup('<div lang="{}" dir="{}">{}</div>').format(
            text.lang, self.source.direction, html
        )

    def label(self, q: Question, option: Option) -> Text:
        if q.type == "scale":
            return self.tx.option(q, option, "points" if option in q.points else "extra")
        return self.tx.option(q, option)

    def plain(self, text: str) -> str:
        return with_fallbacks(text, self.missing()) if self.pipes else text

    def plain_text(self, q: Question) -> str:
        return self.plain(self.tx.question(q).value)

    def plain_label(self, q: Question, option: Option) -> str:
        if option in q.items:
            return self.plain(self.tx.option(q, option, "items").value)
        return self.plain(self.label(q, option).value)

    def note(self, owner: Page | Group | Question, key: str) -> str | None:
        if owner.condition_json is None:
            return None
        return self.t(key, condition=self.describe(owner.condition_json))

    # --- view models -------------------------------------------------------

    def options(self, q: Question, prefix: str, options: list[Option]) -> list[ViewOption]:
        out = []
        for o in options:
            specify = self.tx.specify(q, o) if o.specify else None
            first_extra = q.type == "scale" and bool(q.extra) and o is q.extra[0]
            fid = f"{prefix}--{o.code}"
            out.append(ViewOption(fid, o.code, self.label(q, o), specify, o.exclusive, first_extra))
        return out

    def question(self, q: Question) -> ViewQuestion:
        view = ViewQuestion(
            id=q.id,
            type=q.type,
            text=self.tx.question(q),
            hint=self.tx.question(q, "hint") if q.hint else None,
            required=q.required,
            note=self.note(q, "note_question"),
            source=q,
        )
        view.options = self.options(q, f"f-{q.id}", q.choices)
        view.group_note = q.group is not None and q.group.condition_json is not None
        if q.type == "matrix":
            for item in q.items:
                prefix = f"f-{q.id}--{item.code}"
                options = self.options(q, prefix, q.options)
                label = self.tx.option(q, item, "items")
                view.items.append(ViewItem(prefix, item.code, label, options))
        pattern = FORMATS.get(q.text_format or "", q.pattern)
        if q.type == "text" and pattern is not None:
            # spaces at the ends allowed, as the script and the endpoint trim them
            view.input_pattern = f"[\\u0020]*(?:{portable(pattern)})[\\u0020]*"
            view.input_mode = "numeric" if digits_only(pattern) else None
        if q.type in ("text", "textarea"):  # anonymous: never names or contact details
            view.privacy_note = True
            view.privacy = self.tx.question(q, "privacy_hint") if q.privacy_hint else None
        if q.type == "date":
            view.date_parts = [
                {"name": name, "width": width, "maxlength": size}
                for name, width, size in DATE_PARTS.get(q.precision, DATE_PARTS["day"])
            ]
        return view

    def script_data(self) -> dict[str, Any]:
        return scriptdata.script_data(self)

    def data_json(self) -> Markup:
        # made safe inside <script> as Jinja's tojson does; keys sorted, no spaces
        return Markup(
            htmlsafe_json_dumps(self.script_data(), sort_keys=True, separators=(",", ":"))
        )

    # --- pages -------------------------------------------------------------

    def context(self, prefix: str = "../", **extra: Any) -> dict[str, Any]:
        """`prefix` leads from the page's folder to the questionnaire's folder."""
        return {
            "lang": self.lang,
            "dir": self.language.direction,
            "t": self.t,
            "site_title": self.show(self.tx("title")),
            "title_text": self.show_plain(self.tx("title")),
            "quick_exit": self.qn.quick_exit,
            "script": self.assets.script_path(prefix),
            **self.style_context(),
            **extra,
        }

    def style_context(self, tags: list[str] | None = None) -> dict[str, Any]:
        """The inlined stylesheet and the policy that admits it, for a page in these
        languages; by default this page's own and its source language."""
        style = self.assets.style(tags if tags is not None else [self.lang, self.source.tag])
        return {"style": style.text, "csp": csp(self.qn.endpoint, style.source)}

    def items(self, page: Page) -> list[ViewQuestion | ViewGroup]:
        out: list[ViewQuestion | ViewGroup] = []
        for q in page.questions:
            view = self.question(q)
            if q.group is None:
                out.append(view)
            elif out and isinstance(out[-1], ViewGroup) and out[-1].id == q.group.id:
                out[-1].questions.append(view)
            else:
                out.append(ViewGroup(q.group.id, self.note(q.group, "note_page"), [view]))
        return out

    def form(self, estimated_minutes: int) -> str:
        pages = [
            ViewPage(
                id=p.id,
                title=self.tx(f"pages.{p.id}.title"),
                note=self.note(p, "note_page"),
                items=self.items(p),
            )
            for p in self.qn.pages
        ]
        intro = self.md(self.tx("intro")) if self.qn.intro else None
        template = environment().get_template("form.html")
        template.globals["specify_max"] = SPECIFY_MAX_LENGTH
        return template.render(
            self.context(
                qn=self.qn,
                pages=pages,
                intro=intro,
                estimated_minutes=estimated_minutes,
                endpoint=self.qn.endpoint,
                data=self.data_json(),
                show=self.show,
                md=self.md,
            )
        )

    def thanks(self) -> str:
        statements = [
            self.md(self.tx.question(q))
            for q in self.qn.questions
            if q.type == "statement"
            and q.condition_json is None
            # a statement that pipes answers means nothing once they are sent
            and not (self.pipes and placeholders(q.text))
        ]
        return environment().get_template("thanks.html").render(self.context(statements=statements))

    def error(self) -> str:
        return environment().get_template("error.html").render(self.context())

    def chooser(self, languages: list[Language]) -> str:
        entries = [{"tag": x.tag, "name": x.name, "dir": x.direction} for x in languages]
        return (
            environment()
            .get_template("chooser.html")
            .render(
                self.context(
                    prefix="", languages=entries, **self.style_context([x.tag for x in languages])
                )
            )
        )
