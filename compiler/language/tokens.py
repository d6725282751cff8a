"""The expression language's words: how a `when`, a rule or a calculated value is cut up.

A name may contain '-' (option codes such as `dont-know` do; question ids never do),
so subtraction is written with a space before the '-' or after it: `a - b`, `a -1`.
`a-b` is one word: an option code, never a sum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 2000
KEYWORDS = {"and", "or", "not", "in", "contains", "today"}
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
ARITHMETIC = ("+", "-", "*", "/")
FUNCTIONS = (
    "answered",
    "sum",
    "count",
    "min",
    "max",
    "round",
    "if",
    "matches",
    "length",
    "days_between",
    "months_between",
    "years_between",
)
ALLOWED = (
    "operators: == != < <= > >= + - * / and or not in [...] contains; "
    "functions: " + ", ".join(f"{f}()" for f in FUNCTIONS)
)

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?![A-Za-z_]))
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)?)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, word, op, punct, end
    text: str
    pos: int


class ConditionError(Exception):
    """A problem in an expression, at a 0-based offset into its text."""

    def __init__(self, message: str, pos: int, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.pos, self.hint = message, pos, hint


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            char = source[pos]
            if char in "'\"":
                raise ConditionError("text in quotes is not closed", pos, f"add the closing {char}")
            if char == "=":
                raise ConditionError("'=' is not an operator", pos, "write == to compare")
            if char.isdigit():
                hint = "a name starts with a letter; put text in quotes"
                raise ConditionError(f"unexpected character {char!r}", pos, hint)
            raise ConditionError(f"unexpected character {char!r}", pos, ALLOWED)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


def describe(tok: Token) -> str:
    return "the end of the condition" if tok.kind == "end" else repr(tok.text)
