"""Check the `{placeholders}` of a version 2 questionnaire's texts (language/piping.py).

A placeholder must name something with a value — a question's answer, a calculated
value or a hidden field — known where the text is shown: an answer or calculated
value before it in questionnaire order, a hidden field anywhere. Window titles
(the questionnaire's and each page's), the introduction and band labels cannot pipe
at all: the first two are kept free of answers (they reach <title>, the browser's
history and its tab list), and a band label is itself what `{x.band}` pipes in.
Every problem is placed at its brace, inside the text.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, did_you_mean, make
from ..language import piping
from ..language.model import Question, Questionnaire
from ..yamlnodes import Mapping, Node, Scalar
from .positions import position

_KIND_WORDS = {"single": "single-choice", "multiple": "multiple-choice"}
_EVERYWHERE = 1 << 30  # a text shown after every answer (no order check)


def _labels(node: Node | None) -> Iterator[Scalar]:
    """The label (and specify label) scalars of an options/items/points mapping."""
    if not isinstance(node, Mapping):
        return
    for _, value in node:
        if isinstance(value, Scalar):
            yield value
        elif isinstance(value, Mapping):
            for key in ("label", "specify"):
                if isinstance(label := value.get(key), Scalar):
                    yield label


class _Piping:
    def __init__(self, qn: Questionnaire) -> None:
        self.qn = qn
        self.out: list[Diagnostic] = []
        self.index: dict[str, int] = {}  # question id -> its place in questionnaire order
        self.by_id: dict[str, Question] = {}
        for n, q in enumerate(qn.questions):
            self.index.setdefault(q.id, n)
            self.by_id.setdefault(q.id, q)
        self.groups = {g.id for p in qn.pages for g in p.groups}

    def add(self, code: str, node: Scalar, offset: int, message: str, hint: str = "") -> None:
        line, col = position(self.qn.source_text, node, offset)
        self.out.append(make(code, self.qn.path, line, col, message, hint))

    def run(self) -> list[Diagnostic]:
        qn = self.qn
        self.no_piping(qn.node.get("title"), "the questionnaire's title is the window title")
        self.no_piping(qn.node.get("intro"), "the introduction is shown before any question")
        lists = qn.node.get("option_lists")
        users: dict[str, list[Question]] = {}
        for q in qn.questions:
            if q.option_list is not None:
                users.setdefault(q.option_list, []).append(q)
        for name, value in lists if isinstance(lists, Mapping) else []:
            # a shared label is shown with every question that uses the list
            at = [self.index[q.id] for q in users.get(name.text, [])]
            for label in _labels(value):
                self.text(label, at or [_EVERYWHERE], own=bool(at))
        end = 0  # the place just after the page's last question
        for page in qn.pages:
            self.no_piping(page.node.get("title"), "a page title is also the window title")
            for q in page.questions:
                self.question(q)
            end += len(page.questions)
            # a page's rules are checked once the whole page is answered
            for rule in page.rules:
                self.text(rule.message_node, [end], own=False)
        return self.out

    def question(self, q: Question) -> None:
        here = self.index[q.id]
        if self.by_id.get(q.id) is not q:
            return  # a duplicate id (FW201): its place in the order is unclear
        for key in ("text", "hint", "privacy_hint"):
            if isinstance(node := q.get(key), Scalar):
                self.text(node, [here], own=True)
        if q.option_list is None:
            for label in _labels(q.get("options")):
                self.text(label, [here], own=True)
        for key in ("items", "points", "extra"):
            for label in _labels(q.get(key)):
                self.text(label, [here], own=True)
        # messages are shown once the question is answered, so they may pipe its answer
        for node in q.message_nodes.values():
            self.text(node, [here + 1], own=False)
        for rule in q.rules:
            self.text(rule.message_node, [here + 1], own=False)
        for band in q.bands:
            self.no_piping(band.node.get("label"), "a band label is itself piped in")

    def malformed(self, node: Scalar, text: str) -> None:
        for bad in piping.malformed(text):
            if bad.text == "}":
                message, hint = "a lone '}' is not a placeholder", "write }} for a brace"
            elif not bad.text.endswith("}"):
                message = f"{bad.text!r} is not closed"
                hint = "end a placeholder with }, or write {{ for a brace"
            else:
                message = f"{bad.text!r} is not a placeholder"
                hint = (
                    "a placeholder is {question_id} or {question_id|fallback}, the id as "
                    "written in the questionnaire; write {{ or }} for a brace"
                )
            self.add("FW705", node, bad.start, message, hint)

    def no_piping(self, node: Node | None, why: str) -> None:
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            return
        self.malformed(node, node.value)
        for p in piping.placeholders(node.value):
            written = node.value[p.start : p.end]
            self.add(
                "FW706",
                node,
                p.start,
                f"{why} and cannot pipe answers: {written}",
                "write it without the placeholder; pipe answers into a question's text "
                "or a statement instead",
            )

    def text(self, node: Scalar, shown_at: list[int], own: bool) -> None:
        """One text, shown before the answers at each of `shown_at` are given; `own`:
        those are the places of the questions that show it (their own answer is not given)."""
        if not isinstance(node.value, str):
            return
        self.malformed(node, node.value)
        for p in piping.placeholders(node.value):
            if p.forms or p.bad_forms:
                self.plural(node, p)
            if self.placeholder(node, p, shown_at, own) and p.fallback is None:
                self.add(
                    "FW704",
                    node,
                    p.start,
                    f"{{{p.name}}} has no fallback: {self.unknown(p.question)}, "
                    "the page shows '…' here",
                    f"add a few words to show instead after a bar: {{{p.name}|…}}",
                )

    def plural(self, node: Scalar, p: piping.Placeholder) -> None:
        """`{n|fallback|one: # thing|other: # things}`: forms for a number, `other` among them."""
        for bad in p.bad_forms:
            self.add(
                "FW705",
                node,
                p.start,
                f"{bad.strip()!r} in {{{p.name}|…}} is not a plural form",
                "write each form as category: words, with # for the number, e.g. "
                "one: # night|other: # nights (categories: "
                + ", ".join(piping.PLURAL_CATEGORIES)
                + ")",
            )
        if p.forms and "other" not in {c for c, _ in p.forms}:
            self.add(
                "FW707",
                node,
                p.start,
                f"the plural forms of {{{p.name}}} have no 'other' form",
                "add other: # …, used for every number no other form fits",
            )
        q = self.by_id.get(p.question)
        number = q is not None and (
            q.type == "number" or (q.type == "calculate" and q.value_type == "number")
        )
        if p.forms and q is not None and (not number or p.part is not None):
            self.add(
                "FW707",
                node,
                p.start,
                f"plural forms choose words for a number, but {{{p.name}}} is not one",
                "use plural forms with a number question or a calculated number",
            )

    def unknown(self, name: str) -> str:
        """When a value is not known, to say what a page shows without a fallback."""
        if name in self.qn.hidden and name not in self.by_id:
            return "without JavaScript, or when the address does not give it"
        q = self.by_id.get(name)
        if q is not None and q.type == "calculate":
            return "without JavaScript, and before it can be calculated"
        return "without JavaScript, and before it is answered"

    def placeholder(
        self, node: Scalar, p: piping.Placeholder, shown_at: list[int], own: bool
    ) -> bool:
        """Report what is wrong with one placeholder; True when nothing is."""
        name = p.question
        q = self.by_id.get(name)
        if q is None:
            return self.not_a_question(node, p)
        if q.type == "statement":
            self.add(
                "FW703", node, p.start, f"{name!r} is a statement and has no answer to pipe in"
            )
            return False
        ok = self.part(node, p, q)
        later = [n for n in shown_at if self.index[name] >= n]
        if later:
            if own and self.index[name] in later:
                what = f"{name!r} is this question itself"
                hint = "a question's text is shown before it is answered; pipe in an earlier answer"
            else:
                thing = "the calculated value" if q.type == "calculate" else "the question"
                what = f"{thing} {name!r} comes later"
                hint = f"move {name!r} before the text that pipes it in"
            self.add(
                "FW702",
                node,
                p.start,
                f"{{{p.name}}} pipes in an answer not yet given: {what}",
                hint,
            )
            ok = False
        return ok

    def part(self, node: Scalar, p: piping.Placeholder, q: Question) -> bool:
        """`.item` of a matrix, `.band` of a calculated value with bands."""
        part = p.part
        if q.type == "matrix":
            items = [str(i.code) for i in q.items]
            if part is None:
                hint = f"e.g. {{{q.id}.{items[0]}|…}}" if items else ""
                self.add(
                    "FW703", node, p.start, f"{q.id!r} is a matrix; name one of its items", hint
                )
                return False
            if part not in items:
                hint = did_you_mean(part, items) or "its items: " + ", ".join(items)
                self.add("FW703", node, p.start, f"the matrix {q.id!r} has no item {part!r}", hint)
                return False
            return True
        if part is None:
            return True
        if q.type == "calculate":
            if part != "band":
                self.add(
                    "FW703",
                    node,
                    p.start,
                    f"{{{p.name}}}: a calculated value has no part {part!r}",
                    f"write {{{q.id}}} for the value, or {{{q.id}.band}} for its band's label",
                )
                return False
            if not q.bands:
                self.add(
                    "FW703",
                    node,
                    p.start,
                    f"{{{p.name}}}: the calculated value {q.id!r} has no bands",
                    f"give {q.id!r} bands: [{{min, max, label}}], or write {{{q.id}}}",
                )
                return False
            return True
        self.add(
            "FW703",
            node,
            p.start,
            f"{q.id!r} is a {_KIND_WORDS.get(q.type, q.type)} question and has no items",
            f"write {{{q.id}}} alone",
        )
        return False

    def not_a_question(self, node: Scalar, p: piping.Placeholder) -> bool:
        name = p.question
        if name in self.qn.hidden:
            if p.part is None:
                return True
            self.add(
                "FW703",
                node,
                p.start,
                f"the hidden field {name!r} has no part {p.part!r}",
                f"write {{{name}}}",
            )
            return False
        if name in self.groups:
            self.add(
                "FW703",
                node,
                p.start,
                f"{name!r} is a group of questions and has no answer of its own",
                "pipe in one of its questions",
            )
            return False
        names = [q.id for q in self.qn.questions if q.type != "statement"]
        hint = did_you_mean(name, [*names, *self.qn.hidden])
        self.add(
            "FW701",
            node,
            p.start,
            f"{{{p.name}}} names no question, calculated value or hidden field",
            hint or "a placeholder names a question id, a calculated value or a hidden field",
        )
        return False


def check(qn: Questionnaire) -> list[Diagnostic]:
    """Placeholders exist only from version 2: in version 1 a brace is text."""
    if qn.format_version < 2:
        return []
    return _Piping(qn).run()
