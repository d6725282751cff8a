"""The data formats shared by every stage: answer columns, dates, limits, ids.

The compiler writes these into manifest.json and the endpoint checks answers
against them; both import them from here, so neither needs the other.
"""

from __future__ import annotations

import re
from datetime import date

from ..yamlnodes import Node
from .model import Question, Questionnaire

SPECIFY_MAX_LENGTH = 500  # characters of an "Other, please specify" answer
DEFAULT_MAX_BODY_BYTES = 262144  # what the endpoint accepts unless told otherwise
NUMBER_MAX_CHARS = 40  # a legitimate number, as typed, is shorter than this
# What one character can cost in a post: three UTF-8 bytes (every script a survey's
# languages are written in: Arabic, Bengali, Chinese, Tamil ...), each percent-encoded
# in a form post; JSON costs less. Emoji (four bytes) are not expected page-long.
BYTES_PER_CHAR = 9
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# The outward half of a UK postcode (SW1A, M1, B33): it locates a district, not a home.
POSTCODE_DISTRICT = "[A-Za-z]{1,2}[0-9][A-Za-z0-9]?"
FORMATS = {"postcode-district": POSTCODE_DISTRICT}  # `format:` of a text question


def data_columns(q: Question) -> list[tuple[str, Node]]:
    """The answer fields a question stores, each with the node that names it."""
    cols: list[tuple[str, Node]] = []
    if q.type == "statement":
        return cols
    if q.type == "calculate":
        cols.append((q.id, q.node.key_node("id") or q.node))
        if q.bands:
            cols.append((f"{q.id}.band", q.node.get("bands") or q.node))
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


def largest_response(qn: Questionnaire) -> int:
    """The most bytes one legitimate post of the questionnaire can take.

    Counted as a form post with every answer at its longest and every character at
    its costliest, which is never less than the same answers sent as JSON."""
    pairs = envelope_sizes(qn)
    for q in qn.questions:
        codes = [len(str(o.code)) for o in q.choices] or [0]
        if q.type in ("single", "scale"):
            pairs.append((q.id, max(codes)))
        elif q.type == "multiple":
            pairs += [(q.id, len(str(o.code))) for o in q.options]
        elif q.type == "matrix":
            longest = max([len(str(o.code)) for item in q.items for o in q.options] or [0])
            pairs += [(f"{q.id}.{item.code}", longest) for item in q.items]
        elif q.type == "date":
            pairs += [(f"{q.id}:{part}", 4) for part in ("day", "month", "year")]
        elif q.type == "number":
            pairs.append((q.id, NUMBER_MAX_CHARS))
        elif q.type in ("text", "textarea"):
            pairs.append((q.id, q.max_length or 0))  # the model gives every text a limit
        pairs += [(f"{q.id}.{o.code}", SPECIFY_MAX_LENGTH) for o in q.options if o.specify]
    # name=value&, names percent-encoded at worst too
    return sum(len(name) * 3 + 2 + chars * BYTES_PER_CHAR for name, chars in pairs)


def envelope_sizes(qn: Questionnaire) -> list[tuple[str, int]]:
    """The envelope of a post, as (field, most characters): what every response carries."""
    longest_tag = max([len(qn.language), *(len(t) for t in qn.translations)])
    return [
        ("fw_questionnaire", len(qn.id)),
        ("fw_version", len(qn.version)),
        ("fw_language", longest_tag),
        ("fw_submission", 36),
        ("fw_website", 0),
    ]
