"""The data formats shared by every stage: answer columns, dates, limits, ids.

The compiler writes these into manifest.json and the endpoint checks answers
against them; both import them from here, so neither needs the other.
"""

from __future__ import annotations

import re
from datetime import date

from ..yamlnodes import Node
from .model import Question

SPECIFY_MAX_LENGTH = 500  # characters of an "Other, please specify" answer
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def data_columns(q: Question) -> list[tuple[str, Node]]:
    """The answer fields a question stores, each with the node that names it."""
    cols: list[tuple[str, Node]] = []
    if q.type == "statement":
        return cols
    if q.type == "matrix":
        return [(f"{q.id}.{item.code}", item.node) for item in q.items]
    if q.type == "multiple":
        cols += [(f"{q.id}.{o.code}", o.node) for o in q.options]
    else:
        cols.append((q.id, q.node.key_node("id") or q.node))
    # a multiple choice's option already owns q.code (its 0/1 column)
    suffix = ".text" if q.type == "multiple" else ""
    cols += [(f"{q.id}.{o.code}{suffix}", o.node) for o in q.options if o.specify is not None]
    return cols


_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def parse_date(text: str) -> date | None:
    """A real date written YYYY-MM-DD, YYYY-MM or YYYY (the first of the period)."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
