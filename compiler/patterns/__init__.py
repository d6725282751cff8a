"""The regular expressions `matches()` and `pattern:` accept: a subset that runs in linear time.

Allowed: characters, `.`, classes `[a-z]` `[^...]`, `\\d \\w \\s` (ASCII, and their
capitals), groups `(...)` `(?:...)`, `|`, and `* + ? {n} {n,} {n,m}`. The whole
answer must match, so `^` and `$` are only allowed at the ends, and mean nothing.
Refused at build time: back-references, look-around, `\\b`, lazy quantifiers,
and a repeated group that itself repeats or has alternatives (`(a+)+`, `(a|b)*`),
the shapes that stall backtracking engines.

The endpoint never hands a respondent's text to a backtracking engine: `full_match`
runs the pattern as a Thompson automaton (time proportional to the text times the
pattern). The browser runs `portable()`, the same pattern spelled out so that
JavaScript's RegExp (with the u flag) and this module agree character for character.
"""

from .machine import MAX_STATES, full_match, size
from .spelling import portable
from .syntax import MAX_REPEAT, RegexError, digits_only, parse

__all__ = [
    "MAX_REPEAT",
    "MAX_STATES",
    "RegexError",
    "check",
    "digits_only",
    "full_match",
    "parse",
    "portable",
    "size",
]


def check(pattern: str) -> str:
    """The pattern's portable spelling, if it is in the subset and small enough to run
    on every answer quickly; raises RegexError (at its start when it is too large)."""
    spelled = portable(pattern)
    states = size(spelled)
    if states > MAX_STATES:
        raise RegexError(
            f"this pattern is too large to check quickly ({states} steps for each "
            f"character of an answer; at most {MAX_STATES})",
            0,
            "use smaller repeat counts, such as {1,20} instead of {1,100}, or * instead of {0,n}",
        )
    return spelled
