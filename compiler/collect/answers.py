"""Check a response's answers against the manifest: the endpoint's one verdict on them.

The post is first read into typed answers (parsing.py, re-exported here). `check`
then walks the questionnaire in order exactly as the browser's `apply()` does,
over the answers kept so far:

- hidden fields come first (allowed values only), since conditions may test them;
- a page is shown when its condition holds; a group when its condition holds
  where its first question stands; a question when its page's, its group's and
  its own conditions hold, in that order. Answers to anything not shown are
  dropped silently, and only what is shown is validated (problems.py);
- a calculated value is recomputed here, shown page or not, and kept with its
  band; the script's value is never stored (calculated.py);
- a question's rules are checked when it is shown and answered, a page's rules
  after its questions when the page is shown (Validator.rules says when a rule
  is skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..language.evaluate import evaluate
from ..strings import Strings
from .calculated import recompute
from .parsing import (
    Index,
    Malformed,
    Manifest,
    Parsed,
    Problem,
    Question,
    from_form,
    from_json,
    index,
)
from .problems import Validator

__all__ = [
    "Checked",
    "Index",
    "Malformed",
    "Parsed",
    "Problem",
    "check",
    "from_form",
    "from_json",
    "index",
]


@dataclass
class Checked:
    answers: dict[str, object]
    problems: list[Problem]


def _holds(condition: dict[str, Any] | None, kept: dict[str, object], today: date) -> bool:
    return condition is None or evaluate(condition, kept, today)


def check(man: Manifest | Index, parsed: Parsed, strings: Strings, today: date) -> Checked:
    """Apply conditions in questionnaire order, validate what is shown, compute the rest."""
    idx = index(man)
    by_id, analysis = idx.by_id, idx.analysis
    validator = Validator(idx, strings, today)
    for name in parsed.unknown:
        # No catalog string names an unknown field; the real form never posts one.
        validator.add(name, "unknown_field", "err_not_option", question=name)
    kept: dict[str, object] = dict(parsed.hidden)
    for page in idx.manifest["pages"]:
        page_on = _holds(page["condition"], kept, today)
        groups: dict[str, bool] = {}  # a group's condition, read at its first question
        for qid in page["questions"]:
            q: Question = by_id[qid]
            if q["type"] == "calculate":
                # computed wherever it stands, shown or not, as the script does: it has
                # no display, and what it uses from hidden questions is unanswered
                recompute(q, parsed.calculated, kept, today, qid in analysis.today)
                continue
            if not page_on:
                continue
            group = q.get("group")
            if group is not None and group not in groups:
                groups[group] = _holds(analysis.groups.get((page["id"], group)), kept, today)
            if (group is not None and not groups[group]) or not _holds(
                q.get("condition"), kept, today
            ):
                continue
            if q["type"] != "statement" and validator.question(q, parsed, kept):
                validator.rules(q.get("rules", []), qid, kept)
        if page_on:
            for rule in page.get("rules", []):
                validator.rules([rule], analysis.page_rule_field[rule["key"]], kept)
    return Checked(kept, validator.problems)
