"""A built form page, filled with what a respondent sent, for a refusal without JavaScript.

The build's own page is the template (docs/architecture.md): every input keeps the
`name` and `value` the endpoint reads back, each question has an empty error line
(`id="err-…"`) and the form an empty error summary (`data-fw-summary`). This module
rewrites that page in memory with the standard library's HTML parser: radios and
checkboxes checked, text, numbers, dates and specify boxes filled, the error summary
shown at the top with a link to each field ("Error:" in the title, GOV.UK's
pattern), each message beside its question. Nothing is written to disk or device:
the page keeps `autocomplete="off"`, and the filled page exists only in the answer.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Fields the endpoint reads from the envelope, not from the answers.
ENVELOPE_FIELDS = {"fw_questionnaire", "fw_version", "fw_language"}
_TEXT_INPUTS = {"text", "number", "search", "tel", "email", "url", ""}


@dataclass(frozen=True)
class Message:
    """One line of the error summary: its text, and the answer field it is about, if any."""

    text: str
    field: str | None = None


@dataclass
class Refill:
    """What goes into the page: the posted fields, the summary, and the extra lines."""

    values: dict[str, list[str]]
    messages: list[Message]
    error_prefix: str  # "Error:" in the page's language
    notes: list[str] = field(default_factory=list)  # lines under the summary's list
    link: tuple[str, str] | None = None  # (href, text) shown in the summary
    submission_id: str = ""


def values_of(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        found[name].append(value)
    return dict(found)


class _Scan(HTMLParser):
    """First pass: the id of each question's first field and of each error line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.first_field: dict[str, str] = {}  # question id or "q.item" -> input id
        self.error_ids: set[str] = set()
        self._question: str | None = None
        self._item: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("data-fw-question"):
            self._question, self._item = a["data-fw-question"], None
        if tag == "fieldset" and self._question and "fw-matrix__item" in (a.get("class") or ""):
            fid = a.get("id") or ""
            self._item = f"{self._question}.{fid.rsplit('--', 1)[-1]}" if "--" in fid else None
        if tag == "p" and (a.get("id") or "").startswith("err-"):
            self.error_ids.add(a["id"] or "")
        if tag in ("input", "textarea") and self._question and a.get("id"):
            self.first_field.setdefault(self._question, a["id"] or "")
            if self._item:
                self.first_field.setdefault(self._item, a["id"] or "")


def _attrs(attrs: list[tuple[str, str | None]]) -> str:
    out = []
    for name, value in attrs:
        out.append(f" {name}" if value is None else f' {name}="{html.escape(value)}"')
    return "".join(out)


def _set(attrs: list[tuple[str, str | None]], name: str, value: str | None) -> None:
    for i, (n, _) in enumerate(attrs):
        if n == name:
            attrs[i] = (name, value)
            return
    attrs.append((name, value))


def _drop(attrs: list[tuple[str, str | None]], name: str) -> None:
    attrs[:] = [(n, v) for n, v in attrs if n != name]


class _Fill(HTMLParser):
    def __init__(self, refill: Refill, errors: dict[str, list[str]], links: list[str]) -> None:
        super().__init__(convert_charrefs=False)
        self.r, self.errors, self.links = refill, errors, links
        self.out: list[str] = []
        self._used: dict[str, int] = defaultdict(int)  # text fields of one name, filled in order
        self._in_title = self._titled = False
        self._skip_textarea = False
        self._question: str | None = None

    # --- the parser's events ----------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        raw = self.get_starttag_text() or ""
        after = ""
        if a.get("data-fw-question"):
            self._question = a["data-fw-question"]
            if any(k.split("--")[0] == f"err-{self._question}" for k in self.errors):
                _set(attrs, "class", f"{a.get('class') or ''} fw-question--error".strip())
                raw = ""
        if tag == "title":
            self._in_title = True
        elif tag == "form" and "data-fw-form" in a:
            _set(attrs, "data-fw-refused", None)  # the script leaves a refused page as it is
            raw = ""
        elif tag == "div" and "data-fw-summary" in a:
            _drop(attrs, "hidden")
            _set(attrs, "role", "alert")
            raw = ""
        elif tag == "ul" and "data-fw-summary-list" in a:
            after = "".join(self.links)
        elif tag == "p" and (a.get("id") or "") in self.errors:
            _drop(attrs, "hidden")
            raw = ""
            prefix = f'<span class="fw-visually-hidden">{html.escape(self.r.error_prefix)} </span>'
            after = prefix + "<br>".join(html.escape(m) for m in self.errors[a["id"] or ""])
        elif tag == "input":
            raw = self._input(attrs, a) or raw
        elif tag == "textarea":
            name = a.get("name") or ""
            self._described(attrs, a)
            self.out.append(f"<textarea{_attrs(attrs)}>")
            self.out.append(html.escape(self._next(name) or "", quote=False))
            self._skip_textarea = True
            return
        elif tag == "fieldset" and self._question and self._described(attrs, a):
            raw = ""
        self.out.append(raw or f"<{tag}{_attrs(attrs)}>")
        self.out.append(after)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "textarea":
            self._skip_textarea = False
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._skip_textarea:
            return
        if self._in_title and not self._titled:
            data = f"{html.escape(self.r.error_prefix, quote=False)} {data}"
            self._titled = True
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    # --- fields --------------------------------------------------------------------------
    def _next(self, name: str) -> str | None:
        given = self.r.values.get(name, [])
        i = self._used[name]
        self._used[name] += 1
        return given[i] if i < len(given) else None

    def _described(self, attrs: list[tuple[str, str | None]], a: dict[str, str | None]) -> bool:
        """Point a question's field (or fieldset) at its error line, as the script does."""
        q = self._question
        if q is None:
            return False
        mine = [k for k in self.errors if k == f"err-{q}" or k.startswith(f"err-{q}--")]
        if not mine:
            return False
        if a.get("type") in ("radio", "checkbox"):
            return False  # their fieldset carries it
        fid = a.get("id") or ""
        # the question's own line; a matrix item's line on that item's fieldset
        wanted = [k for k in mine if k == f"err-{q}" or fid == f"f-{q}--{k[len(q) + 6 :]}"]
        if not wanted:
            return False
        ids = (a.get("aria-describedby") or "").split()
        ids += [k for k in wanted if k not in ids]
        _set(attrs, "aria-describedby", " ".join(ids))
        return True

    def _input(self, attrs: list[tuple[str, str | None]], a: dict[str, str | None]) -> str:
        name, kind = a.get("name") or "", (a.get("type") or "").lower()
        if name == "fw_submission":
            _set(attrs, "value", self.r.submission_id)
        elif name in ENVELOPE_FIELDS or name == "fw_website" or not name:
            return ""
        elif kind in ("radio", "checkbox"):
            if (a.get("value") or "") in self.r.values.get(name, []):
                _set(attrs, "checked", None)
            else:
                _drop(attrs, "checked")
        elif kind in _TEXT_INPUTS:
            value = self._next(name)
            if value is not None:
                _set(attrs, "value", value)
            if self._described(attrs, a):
                _set(attrs, "aria-invalid", "true")
        else:
            return ""
        return f"<input{_attrs(attrs)}>"


def _error_id(field: str, known: set[str]) -> str:
    question, _, rest = field.partition(".")
    question = question.split(":", 1)[0]
    item = f"err-{question}--{rest}"
    return item if rest and item in known else f"err-{question}"


def fill(page: str, refill: Refill) -> str:
    """The form page with the respondent's answers in it and the refusal's messages."""
    scan = _Scan()
    scan.feed(page)
    scan.close()
    errors: dict[str, list[str]] = defaultdict(list)
    links: list[str] = []
    for m in refill.messages:
        text = html.escape(m.text)
        if m.field is None:
            links.append(f"<li>{text}</li>")
            continue
        err = _error_id(m.field, scan.error_ids)
        if err in scan.error_ids:
            errors[err].append(m.text)
        question = m.field.split(".", 1)[0].split(":", 1)[0]
        target = scan.first_field.get(m.field) or scan.first_field.get(question)
        href = f"#{target}" if target else f"#q-{question}"
        links.append(f'<li><a href="{html.escape(href)}">{text}</a></li>')
    links += [f"<li>{html.escape(note)}</li>" for note in refill.notes]
    if refill.link:
        href, label = refill.link
        links.append(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>')
    filler = _Fill(refill, dict(errors), links)
    filler.feed(page)
    filler.close()
    return "".join(filler.out)
