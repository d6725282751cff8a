"""Numbers in expressions: exact fractions, so 0.1 + 0.2 == 0.3, as in the browser.

An answer arrives as a JSON number, a binary float. It is read as the shortest
decimal that prints as it (what Python's repr and JavaScript's String give, the
digits the respondent typed), and arithmetic on those decimals is exact: the
browser's script does the same with BigInt fractions (static/form.js). A stored
calculated value is rounded to PLACES decimal places, half away from zero.
"""

from __future__ import annotations

import math
import re
from datetime import date
from fractions import Fraction

PLACES = 10


def fraction(value: object) -> Fraction | None:
    """A JSON number as an exact fraction; None for anything else (a text code, a bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Fraction):
        return value
    return None


def round_half_away(x: Fraction, places: int) -> Fraction:
    scale = Fraction(10) ** places
    scaled = abs(x) * scale
    whole = math.floor(scaled + Fraction(1, 2))
    return Fraction(whole if x >= 0 else -whole) / scale


# Past this a JSON number (a binary float) cannot hold the value: it has none.
LARGEST = Fraction(10) ** 308


def to_json_number(x: Fraction) -> int | float | None:
    """The value a calculated number is stored as: PLACES decimals, half away from zero;
    None (no value) beyond what a JSON number holds, as in the browser."""
    r = round_half_away(x, PLACES)
    if abs(r) > LARGEST:
        return None
    if r.denominator == 1 and abs(r.numerator) < 2**53:
        return int(r.numerator)
    sign = "-" if r < 0 else ""
    whole, rest = divmod(abs(r.numerator) * 10**PLACES // r.denominator, 10**PLACES)
    return float(f"{sign}{whole}.{rest:0{PLACES}d}")


_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def as_date(text: str) -> date | None:
    """A stored date of any precision, at its first day (2026-03 is 2026-03-01).

    Only as dates are stored, YYYY[-MM[-DD]] in ASCII digits: int() would also read
    2026-1-5, ' 2026', '+2026' or other scripts' digits, which the browser does not."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(*(int(part) if part else 1 for part in match.groups()))
    except ValueError:
        return None


def months_between(a: date, b: date) -> int:
    """Whole months from a to b (negative when b is earlier)."""
    if b < a:
        return -months_between(b, a)
    months = (b.year - a.year) * 12 + b.month - a.month
    return months - 1 if b.day < a.day else months
