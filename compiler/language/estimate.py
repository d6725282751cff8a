"""Estimate how long a questionnaire takes to complete, and warn past its budget.

The model is deliberately simple and conservative: every question is counted
as shown, text is read at 200 words a minute (a common figure for reading on
screens), and each answer type adds a fixed time to decide and respond.
"""

from __future__ import annotations

import math

from .model import Question, Questionnaire

WORDS_PER_SECOND = 200 / 60
ANSWER_SECONDS = {
    "single": 4.0,
    "multiple": 6.0,
    "scale": 4.0,
    "matrix": 2.0,  # for the question; each item adds ITEM_SECONDS
    "text": 15.0,
    "textarea": 60.0,
    "number": 6.0,
    "date": 10.0,
    "statement": 0.0,
}
ITEM_SECONDS = 4.0
PAGE_SECONDS = 3.0


def _reading(*texts: str | None) -> float:
    return sum(len(t.split()) for t in texts if t) / WORDS_PER_SECOND


def question_seconds(q: Question) -> float:
    if q.type == "calculate":
        return 0.0  # computed, never read or answered
    seconds = ANSWER_SECONDS.get(q.type, 5.0) + _reading(q.text, q.hint)
    seconds += _reading(*(o.label for o in q.choices))
    if q.type == "matrix":
        seconds += len(q.items) * ITEM_SECONDS + _reading(*(i.label for i in q.items))
    return seconds


def estimate_seconds(qn: Questionnaire) -> float:
    total = _reading(qn.intro, qn.title)
    for page in qn.pages:
        total += PAGE_SECONDS + _reading(page.title)
        total += sum(question_seconds(q) for q in page.questions)
    return total


def estimate_minutes(qn: Questionnaire) -> int:
    return max(1, math.ceil(estimate_seconds(qn) / 60))
