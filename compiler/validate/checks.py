"""Semantic checks on ids, options, numbers and dates (conditions: conditions.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ..diagnostics import Diagnostic, did_you_mean, make
from ..language.conditions import KEYWORDS
from ..language.estimate import estimate_minutes
from ..language.formats import (
    DEFAULT_MAX_BODY_BYTES,
    data_columns,
    largest_response,
    parse_date,
)
from ..language.model import Option, Question, Questionnaire
from ..language.texts import http_link_message, http_links, markdown_keys, source_entries
from ..languages import cldr_locale, normalise_tag
from ..yamlnodes import Mapping, Node, Scalar

# Response metadata stored beside the answers; a question may not take these names.
RESERVED_IDS = {
    "id",
    "response_id",
    "submission_id",
    "questionnaire",
    "version",
    "language",
    "lang",
    "submitted",
}
RESERVED_PREFIX = "fw_"
ID = re.compile(r"[a-z][a-z0-9-]*")


class _Checker:
    def __init__(self, qn: Questionnaire) -> None:
        self.qn = qn
        self.out: list[Diagnostic] = []

    def add(self, code: str, node: Node, message: str, hint: str = "") -> None:
        self.out.append(make(code, self.qn.path, node.line, node.column, message, hint))

    def duplicates(self, what: str, entries: Iterator[tuple[str, Node]]) -> None:
        seen: dict[str, Node] = {}
        for ident, node in entries:
            if ident in seen:
                self.add(
                    "FW201",
                    node,
                    f"duplicate {what} {ident!r}",
                    f"it is already used on line {seen[ident].line}; every {what} must be unique",
                )
            else:
                seen[ident] = node

    def id_node(self, node: Node) -> Node:
        if isinstance(node, Mapping):
            return node.get("id") or node
        return node

    def run(self, stem: str) -> list[Diagnostic]:
        qn = self.qn
        id_node = qn.node.get("id")
        if qn.id and stem != qn.id and id_node is not None and ID.fullmatch(qn.id):
            self.add(
                "FW205",
                id_node,
                f"the questionnaire id {qn.id!r} does not match its file name {stem!r}",
                f"rename the file to {qn.id}.yaml, or change the id; translations are "
                "found by this name",
            )
        self.source_language()
        self.duplicates("page id", ((p.id, self.id_node(p.node)) for p in qn.pages))
        self.duplicates("question id", ((q.id, self.id_node(q.node)) for q in qn.questions))
        self.columns()
        used = {q.option_list for q in qn.questions if q.option_list}
        for name, key in qn.option_list_nodes.items():
            if name not in used:
                self.add("FW206", key, f"the option list {name!r} is not used by any question")
        for q in qn.questions:
            self.question(q)
        return self.out

    def source_language(self) -> None:
        node = self.qn.node.get("language")
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            return
        tag = normalise_tag(node.value)
        if tag is None:
            self.add("FW610", node, f"{node.value!r} is not a language tag", "e.g. en or en-GB")
        elif cldr_locale(tag) is None:
            self.add(
                "FW607",
                node,
                f"CLDR has no data for the source language {tag!r}",
                "write the questionnaire in a language CLDR knows, and translate it into others",
            )
        elif tag in {normalise_tag(t) for t in self.qn.translations}:
            self.add("FW201", node, f"the source language {tag!r} is also listed in translations")

    def columns(self) -> None:
        seen: dict[str, tuple[str, Node]] = {}
        for q in self.qn.questions:
            if q.id in RESERVED_IDS or q.id.startswith(RESERVED_PREFIX):
                self.add(
                    "FW204",
                    self.id_node(q.node),
                    f"the question id {q.id!r} is reserved for response data",
                    f"choose another id; reserved: {', '.join(sorted(RESERVED_IDS))} "
                    f"and anything starting with {RESERVED_PREFIX}",
                )
            elif q.id in KEYWORDS:
                self.add(
                    "FW204",
                    self.id_node(q.node),
                    f"the question id {q.id!r} is a word of the condition language",
                    "choose another id, or no condition could refer to this question",
                )
            for column, node in data_columns(q):
                folded = column.casefold()
                if folded in seen and seen[folded][0] != column:
                    self.add(
                        "FW202",
                        node,
                        f"the data column {column!r} collides with {seen[folded][0]!r}",
                        "spreadsheets and statistics packages ignore case in column names; "
                        "make the codes differ by more than case",
                    )
                seen.setdefault(folded, (column, node))

    def question(self, q: Question) -> None:
        if q.option_list is not None and q.option_list not in self.qn.option_lists:
            node = q.get("options") or q.node
            names = list(self.qn.option_lists)
            hint = did_you_mean(q.option_list, names) or (
                "defined lists: " + ", ".join(names) if names else "define it under option_lists"
            )
            self.add("FW203", node, f"there is no option list named {q.option_list!r}", hint)
        if q.type == "scale":  # points and extra are two mappings that share one set of codes
            self.duplicates("option code", ((str(o.code), o.node) for o in q.choices))
        if q.type == "scale":
            self.scale(q)
        for o in q.options:
            self.option(q, o)
        known = q.option_list is None or q.option_list in self.qn.option_lists
        if q.type == "multiple" and known and (q.max_choices or 0) > len(q.options):
            node = q.get("max_choices") or q.node
            assert q.max_choices is not None
            self.add(
                "FW402",
                node,
                f"max_choices is {q.max_choices} but {q.id!r} has only {len(q.options)} options",
                "lower max_choices, or remove it to allow any number",
            )
        if q.type == "number" and None not in (q.minimum, q.maximum):
            assert q.minimum is not None and q.maximum is not None
            if q.minimum > q.maximum:
                self.add(
                    "FW401", q.get("min") or q.node, f"min {q.minimum} is above max {q.maximum}"
                )
        if q.type == "date":
            self.dates(q)

    def scale(self, q: Question) -> None:
        for o in q.points:
            if not isinstance(o.code, int):
                self.add(
                    "FW405",
                    o.node,
                    f"the scale point {o.code!r} is not a whole number",
                    "scale points are numbers such as 1 to 5; put answers such as "
                    "'Don't know' under extra",
                )
        for o in q.extra:
            if isinstance(o.code, int):
                self.add(
                    "FW405",
                    o.node,
                    f"the extra answer {o.code!r} has a number as its code",
                    "give extra answers word codes (e.g. dont_know) so they are never "
                    "averaged with the scale",
                )

    def option(self, q: Question, o: Option) -> None:
        if o.exclusive and q.type != "multiple":
            at = o.exclusive_node or o.node
            self.add(
                "FW403",
                at,
                f"the option {o.code!r} is exclusive, but {q.id!r} is a {q.type} question",
                "only a multiple-choice question can have an exclusive option; "
                "other types already take one answer",
            )
        if o.specify is not None and q.type not in ("single", "multiple"):
            at = o.specify_node or o.node
            self.add(
                "FW406",
                at,
                f"the option {o.code!r} has a specify text box, but {q.id!r} is a {q.type} "
                "question",
                "specify is for single and multiple questions",
            )

    def dates(self, q: Question) -> None:
        bounds: dict[str, date] = {}
        for key, text in (("min", q.date_min), ("max", q.date_max)):
            if text is None or text == "today":
                continue
            node = q.get(key) or q.node
            parsed = parse_date(text)
            if parsed is None:
                self.add("FW404", node, f"{text!r} is not a real date", "write YYYY-MM-DD")
            else:
                bounds[key] = parsed
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            self.add("FW401", q.get("min") or q.node, f"min {q.date_min} is after max {q.date_max}")


def check(qn: Questionnaire, stem: str) -> list[Diagnostic]:
    return _Checker(qn).run(stem)


def check_size(qn: Questionnaire) -> list[Diagnostic]:
    """A respondent's full answers must fit what the endpoint accepts (no 413 for them)."""
    largest = largest_response(qn)
    if largest <= DEFAULT_MAX_BODY_BYTES:
        return []
    node = qn.node.key_node("pages") or qn.node
    message = (
        f"a response with every answer at its longest takes up to {largest} bytes, more "
        f"than the {DEFAULT_MAX_BODY_BYTES} the endpoint accepts by default"
    )
    return [
        make(
            "FW502",
            qn.path,
            node.line,
            node.column,
            message,
            "lower the max_length of the longest text questions, or "
            "raise FORMWRIGHT_MAX_BODY_BYTES where the endpoint runs",
        )
    ]


def check_links(qn: Questionnaire) -> list[Diagnostic]:
    """Links in the Markdown texts to plain http:// addresses (FW111), each where it stands."""
    out = []
    markdown = markdown_keys(qn)
    for key, (text, node) in source_entries(qn).items():
        if key in markdown:
            for line, column, href in http_links(text, qn.source_text, node):
                out.append(make("FW111", qn.path, line, column, *http_link_message(href)))
    return out


def check_budget(qn: Questionnaire) -> list[Diagnostic]:
    node = qn.node.get("time_budget_minutes")
    if qn.time_budget_minutes is None or qn.time_budget_minutes < 1 or node is None:
        return []
    minutes = estimate_minutes(qn)
    if minutes <= qn.time_budget_minutes:
        return []
    return [
        make(
            "FW501",
            qn.path,
            node.line,
            node.column,
            f"the questionnaire takes about {minutes} minutes to complete, "
            f"more than its budget of {qn.time_budget_minutes}",
            "shorten texts, remove questions, or ask some only when they apply (when:)",
        )
    ]
