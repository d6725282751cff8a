"""What the endpoint works out itself: calculated values, their bands, and what a rule names.

A calculated value is recomputed here from the answers kept so far, never taken
from the post: a respondent's script could send anything. Its band is the
1-based number of the first band whose range holds the value as stored (none
when outside every band), so the band always agrees with the number a
researcher reads.

The respondent's today may be a day either side of the server's (time zones,
midnight). A value whose expression names `today` is computed for the server's
yesterday, today and tomorrow: the script's value is kept when it equals one of
those three, since it is what the respondent saw; otherwise the server's today
gives the value. A value that depends on today only through another calculated
value needs no window: that one's kept value already carries the day chosen.

What a rule names (`Analysis.operands`) is read from its tree once, when the
manifest is loaded, never per response.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from ..language import numbers
from ..language.evaluate import stored, value

# Functions whose arguments may be unanswered by design: a sum, count, min, max or
# length over what was answered. A name inside them does not hold a rule back.
AGGREGATES = frozenset({"sum", "count", "min", "max", "length"})
_NOTHING = object()  # the script sent no value (None is a value it may send)


def names(tree: object, direct: bool = False) -> list[str]:
    """The answer keys an expression names, in order, each once.

    With direct, only those it names outside sum(), count(), min(), max(),
    length() and answered(): the answers it cannot be judged without.
    """
    found: dict[str, None] = {}

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        if not isinstance(node, dict):
            return
        if "ref" in node:
            found[str(node["ref"])] = None
        if "field" in node and not (direct and node.get("op") == "answered"):
            found[str(node["field"])] = None  # the round-1 shape: a question and literals
        if direct and node.get("fn") in AGGREGATES:
            return
        for key, child in node.items():
            if key not in ("ref", "field"):
                walk(child)

    walk(tree)
    return list(found)


def names_today(tree: object) -> bool:
    """Whether an expression's value can change with the day it is computed on."""
    if isinstance(tree, list):
        return any(names_today(item) for item in tree)
    return isinstance(tree, dict) and ("today" in tree or any(map(names_today, tree.values())))


@dataclass(frozen=True)
class Analysis:
    """The parts of a manifest's expressions the checker needs, read once at load."""

    groups: Mapping[tuple[str, str], Any]  # (page, group) -> its condition
    operands: Mapping[str, tuple[str, ...]]  # rule key -> the names it needs answered
    page_rule_field: Mapping[str, str]  # page rule key -> the field its message sits by
    today: frozenset[str]  # the calculated values whose expression names today


def _rules(man: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for holder in [*man["questions"], *man["pages"]]:
        yield from holder.get("rules", [])


def _page_rule_field(
    page: Mapping[str, Any], rule: Mapping[str, Any], known: Mapping[str, Any]
) -> str:
    """The question a page rule's message sits beside: the first on the page it names,
    else the page's first question that takes an answer."""
    by_id = {q["id"]: q for q in known.values()}
    named = {known[n]["id"] for n in names(rule["must"]) if n in known}
    answerable = [qid for qid in page["questions"] if qid in by_id]
    for qid in answerable:
        if qid in named:
            return str(qid)
    return str((answerable or page["questions"] or [page["id"]])[0])


def analyse(man: Mapping[str, Any], known: Mapping[str, Any]) -> Analysis:
    """`known`: every answer key a respondent fills in -> its question."""
    groups = {
        (page["id"], group["id"]): group["condition"]
        for page in man["pages"]
        for group in page.get("groups", [])
    }
    operands = {rule["key"]: tuple(names(rule["must"], direct=True)) for rule in _rules(man)}
    fields = {
        rule["key"]: _page_rule_field(page, rule, known)
        for page in man["pages"]
        for rule in page.get("rules", [])
    }
    today = frozenset(
        q["id"] for q in man["questions"] if q["type"] == "calculate" and names_today(q["value"])
    )
    proxy = MappingProxyType
    return Analysis(proxy(groups), proxy(operands), proxy(fields), today)


def _same(a: object, b: object) -> bool:
    """JSON equality as the script's values arrive: 3 and 3.0 are one number, True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _storable(result: object) -> object:
    """The stored form of a value, or None when JSON cannot hold it (past a float's range)."""
    out = stored(result)
    if isinstance(out, float) and not math.isfinite(out):
        return None
    return out


def band(q: Mapping[str, Any], number: object) -> int | None:
    """The 1-based number of the first band that holds the value, or None."""
    x = numbers.fraction(number)
    if x is None:
        return None
    for n, b in enumerate(q.get("bands", []), start=1):
        low, high = numbers.fraction(b["min"]), numbers.fraction(b["max"])
        if low is not None and high is not None and low <= x <= high:
            return n
    return None


def recompute(
    q: Mapping[str, Any],
    client: Mapping[str, object],
    kept: dict[str, object],
    today: date,
    window: bool,
) -> None:
    """Put a shown calculated value (and its band) into `kept`, computed here.

    window: its expression names today, so the script's value stands when it is the
    value of the server's yesterday, today or tomorrow (see the module's docstring).
    """
    qid = q["id"]
    result = _storable(value(q["value"], kept, today))
    if window:
        sent = client.get(qid, _NOTHING)
        for day in (today - timedelta(days=1), today + timedelta(days=1)):
            other = _storable(value(q["value"], kept, day))
            if not _same(result, sent) and other is not None and _same(other, sent):
                result = other
    if result is None:
        return  # no value (an operand unanswered, a division by zero): nothing stored
    kept[qid] = result
    if "bands" in q and (n := band(q, result)) is not None:
        kept[f"{qid}.band"] = n
