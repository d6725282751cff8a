"""Anonymity: questions that ask for contact or identifying details (FW801).

formwright collects anonymously, and every form says so; a question that asks
for a name, an e-mail address, a phone number, an address, a full postcode, a
date of birth or a reference number would make that untrue. Such a question is
a warning (so `--strict` refuses to publish it), never silently accepted.

What is looked at (docs/questionnaire.md#anonymity says the same):

- Only questions a respondent types into: `text`, `textarea`, `number`, `date`,
  and the text boxes of `specify` options. A choice question stores only one of
  the designer's codes, so "Were you given a crime reference number?" is fine.
- Their ids, word by word (`email`, `phone`, `full_name`, `dob`, `crime_ref`),
  and their source texts, by whole English phrases ("your name", "e-mail
  address", "phone number", "home address", "date of birth", "reference
  number"), never by a bare word: "name" alone, "the name of the crime",
  "unnamed" and "your phone" (stolen, perhaps) do not warn.
- A phrase after a negation in its sentence ("Do not include your name") does
  not warn.
- Only the source language, and its texts only when it is English: the
  translations say the same as the source, and ids are checked in any language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, make
from ..language.model import Question, Questionnaire
from ..yamlnodes import Node, Scalar
from .positions import position

FREE_TEXT = {"text", "textarea", "number", "date"}
_ANCHOR = "docs/questionnaire.md#anonymity"
_CONTACT_HINT = f"link to a separate contact service from a statement instead ({_ANCHOR})"
_PERSON = (
    r"(?:(?:police\s+)?officers?|persons?|people|offenders?|suspects?|perpetrators?|"
    r"attackers?|abusers?|victims?|witness(?:es)?|child(?:ren)?|partners?)"
)
_HYPHEN = "[-\u2010\u2011]?"
_MAIL = f"e{_HYPHEN}mail"
# "officer_name", "your_full_name": an id's words before "name" that make it a person's
_NAMED = (
    *("your", "full", "first", "last", "given", "family", "real", "legal", "middle"),
    *("officer", "offender", "suspect", "perpetrator", "attacker", "abuser", "victim"),
    *("witness", "partner", "person", "respondent", "contact", "child", "user"),
)
_NUMBER = r"(?:numbers?|nos?\.|ref(?:erence)?s?(?:\s+(?:numbers?|nos?\.))?)"


@dataclass(frozen=True)
class _Kind:
    what: str  # what the question asks for, after "asks for"
    phrases: re.Pattern[str]  # in an English source text
    ids: tuple[str, ...]  # runs of words in an id; ^ and $ tie a run to the id's ends
    hint: str = _CONTACT_HINT


def _phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?![\w-])", re.IGNORECASE)


def _runs(runs: str, *more: str) -> tuple[str, ...]:
    """Runs of id words, separated by commas: "^email$, email address"."""
    return tuple(run.strip() for run in runs.split(",") if run.strip()) + more


def _has_run(words: list[str], run: str) -> bool:
    """Whether the id's words hold the run ("full name"; "^name$" is the whole id)."""
    wanted = run.strip("^$").split()
    last = len(words) - len(wanted)  # the last place the run can start
    starts = [i for i in range(last + 1) if i == 0 or not run.startswith("^")]
    return any(
        words[i : i + len(wanted)] == wanted for i in starts if i == last or not run.endswith("$")
    )


KINDS = [
    _Kind(
        "an e-mail address",
        _phrases(
            f"(?:(?:your|their)\\s+)?{_MAIL}\\s+address(?:es)?", f"(?:your|their)\\s+{_MAIL}s?"
        ),
        _runs(
            "^email$, ^emails$, ^e mail$, email address, email addr, emailaddress, your email, "
            "contact email, respondent email",
        ),
    ),
    _Kind(
        "a phone number",
        _phrases(
            r"(?:tele)?phone\s+" + _NUMBER,
            r"(?:mobile|cell)(?:\s*phone)?\s+" + _NUMBER,
            r"contact\s+(?:tele)?(?:phone\s+)?" + _NUMBER,
            r"(?:your|their)\s+land-?lines?",
            r"numbers?\s+(?:we|they|the\s+police|someone)\s+(?:can|could|may|should)\s+"
            r"(?:call|ring|phone|text|reach)",
        ),
        _runs(
            "^phone$, ^phones$, ^telephone$, ^tel$, ^mobile$, phone number, phone no, phonenumber, "
            "telephone number, tel no, telno, mobile number, mobile no, mobilenumber, cell number, "
            "landline, your phone, contact phone",
        ),
    ),
    _Kind(
        "a full postcode",
        _phrases(r"post\s?codes?", r"zip\s?codes?", r"postal\s+codes?"),
        _runs("postcode, postcodes, post code, postal code, ^zip$, zipcode, zip code"),
        f"ask only for its first part, with `format: postcode-district`, or link to a "
        f"separate contact service from a statement instead ({_ANCHOR})",
    ),
    _Kind(
        "an address",
        _phrases(
            r"(?:home|street|postal|full|residential|house|mailing|current|previous|permanent|"
            r"your|their|his|her)\s+address(?:es)?",
            r"(?:house|flat|street)\s+(?:number|name)s?",
        ),
        _runs(
            "^address$, ^addresses$, ^addr$, address line, home address, homeaddress, street "
            "address, postal address, full address, your address, current address, street name, "
            "house number",
        ),
    ),
    _Kind(
        "a date of birth",
        _phrases(
            r"dates?\s+of\s+birth",
            r"birth\s?-?dates?",
            r"(?:your|their|his|her)\s+birthdays?",
            r"when\s+(?:were|was)\s+(?:you|they|he|she)\s+born",
            r"(?-i:DOB)",
            r"d\.o\.b\.?",
        ),
        _runs("dob, birthday, birthdate, date of birth, birth date, when born"),
        f"ask for an age range with a `single` question instead ({_ANCHOR})",
    ),
    _Kind(
        "a reference number",
        _phrases(
            r"(?:crime|case|incident|report|log|reference|ref|claim|complaint|occurrence|NHS|"
            r"national\s+insurance|N\.?I\.?|passport|(?:driving|driver'?s?)\s+licen[cs]e|"
            r"social\s+security|ID|identity|identification|account|customer|membership|"
            r"badge|collar|warrant|patient|hospital)\s+" + _NUMBER,
            r"crime\s+reference",  # "your crime reference, if you have one"
            r"national\s+insurance",
            r"(?-i:NINO|URN)",
        ),
        _runs(
            "crime ref, crime reference, crime number, crime no, crime num, crimeref, case number, "
            "case no, case num, case ref, case reference, ref number, ref no, reference number, "
            "reference no, urn, incident number, incident ref, police ref, police reference, "
            "^nhs$, nhs number, nhs no, ni number, ni no, nino, national insurance, ^passport$, "
            "passport number, passport no, ssn, id number, account number",
        ),
    ),
    _Kind(
        "a name",
        _phrases(
            r"(?:your|their|his|her|his\s+or\s+her)\s+(?:(?:full|first|last|given|family|real|"
            r"legal|maiden|middle|christian)\s+)?names?",
            r"(?:full|first|last|given|family|maiden|middle|christian|legal)\s+names?",
            r"(?:sur|fore|user)-?\s?names?",
            f"names?\\s+of\\s+(?:the\\s+|your\\s+|any\\s+)?{_PERSON}",
            f"{_PERSON}['\u2019]s?\\s+names?",
            r"names?\s+(?:and|or|,)\s+(?:address|phone|e-?mail|contact)",
        ),
        _runs(
            "^name$, ^names$, surname, surnames, forename, forenames, fullname, firstname, "
            "lastname, username, maiden name",
            *(f"{who} {name}" for who in _NAMED for name in ("name", "names")),
        ),
    ),
    _Kind(
        "contact details",
        _phrases(
            r"contact\s+(?:details|information|info|address(?:es)?)",
            r"(?:how|where|when)\s+(?:can|could|may|might|should|shall)\s+(?:we|they|someone|"
            r"the\s+police|our\s+team)\s+(?:contact|reach|call|phone|ring|text|e-?mail|"
            r"write\s+to|get\s+(?:in\s+touch\s+with|hold\s+of))\s+you",
        ),
        _runs(
            "^contact details, ^contact info, ^contact information, ^contact number, your contact, "
            "respondent contact",
        ),
    ),
]
# a negation earlier in the phrase's sentence: "Do not include your name."
_NEGATION = re.compile(r"\b(?:not|never|without|no)\b|n['\u2019]t\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;:\n]")
# "the first part of your postcode", "postcode district": not the full postcode
_PART_BEFORE = re.compile(
    r"(?:first|outward|opening)\s+(?:part|half|bit|section)s?\s+of\s+(?:(?:your|the|their|a)\s+)?$",
    re.IGNORECASE,
)
_PART_AFTER = re.compile(r"^\s*(?:district|area|sector|prefix)", re.IGNORECASE)
_PART_WORDS = {"district", "districts", "area", "areas", "sector", "prefix", "outward", "part"}


def _negated(text: str, start: int) -> bool:
    before = text[:start]
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    return bool(_NEGATION.search(before[ends[-1] if ends else 0 :]))


def _partial_postcode(kind: _Kind, text: str, start: int, end: int) -> bool:
    if kind.what != "a full postcode":
        return False
    return bool(_PART_BEFORE.search(text[:start]) or _PART_AFTER.match(text[end:]))


def in_text(text: str, q: Question | None = None) -> tuple[_Kind, int, int] | None:
    """The first phrase in an English text that asks for contact or identifying details."""
    found: tuple[_Kind, int, int] | None = None
    for kind in KINDS:
        if kind.what == "a full postcode" and q is not None and q.text_format:
            continue  # postcode-district keeps only the first part
        for match in kind.phrases.finditer(text):
            start, end = match.span()
            if _negated(text, start) or _partial_postcode(kind, text, start, end):
                continue
            if found is None or start < found[1]:
                found = (kind, start, end)
            break
    return found


def in_id(qid: str, q: Question | None = None) -> _Kind | None:
    """What an id's words say the question asks for, if it asks for contact details."""
    words = qid.split("_")
    for kind in KINDS:
        if kind.what == "a full postcode" and (
            (q is not None and q.text_format) or _PART_WORDS & set(words)
        ):
            continue
        if any(_has_run(words, run) for run in kind.ids):
            return kind
    return None


class _Checker:
    def __init__(self, qn: Questionnaire) -> None:
        self.qn = qn
        self.english = qn.language.split("-")[0].lower() == "en"
        self.out: list[Diagnostic] = []

    def warn(self, node: Node, offset: int | None, subject: str, kind: _Kind, why: str) -> None:
        line, column = node.line, node.column
        if offset is not None and isinstance(node, Scalar):
            line, column = position(self.qn.source_text, node, offset)
        message = (
            f"{subject} asks for {kind.what}{why}; formwright forms are anonymous and "
            "never collect contact or identifying details"
        )
        self.out.append(make("FW801", self.qn.path, line, column, message, kind.hint))

    def text(self, node: Node | None, text: str, subject: str, q: Question) -> bool:
        if not self.english or not isinstance(node, Scalar):
            return False
        found = in_text(text, q)
        if found is None:
            return False
        kind, start, end = found
        self.warn(node, start, subject, kind, f" (“{text[start:end]}”)")
        return True

    def question(self, q: Question) -> None:
        if q.type in FREE_TEXT:
            subject = f"question {q.id!r}"
            if not self.text(q.get("text"), q.text, subject, q):
                kind = in_id(q.id, q)
                if kind is not None:
                    self.warn(q.get("id") or q.node, None, subject, kind, ", by its id")
        for option in q.options if q.type in ("single", "multiple") else []:
            if option.specify is not None:
                subject = f"the text box of option {option.code!r} in question {q.id!r}"
                self.text(option.specify_node, option.specify, subject, q)

    def run(self) -> list[Diagnostic]:
        for q in self.qn.questions:
            self.question(q)
        return self.out


def check(qn: Questionnaire) -> list[Diagnostic]:
    """FW801 for every question that asks for contact or identifying details."""
    return _Checker(qn).run()
