"""The condition language used by `when`: one parser, one meaning.

Grammar (also in docs/questionnaire.md):

    condition  := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | "(" condition ")" | "answered" "(" ref ")" | test
    test       := ref OP value
                | ref ["not"] "in" "[" value ("," value)* "]"
                | ref "contains" value
    OP         := "==" | "!=" | "<" | "<=" | ">" | ">="
    ref        := question_id ["." item_id]
    value      := NUMBER | 'text' | "text" | WORD | "today"

The compiler parses a condition into the syntax tree below, checks it
against the questionnaire (`validate/conditions.py`), and writes it into manifest.json as
JSON (`to_json`). The endpoint evaluates that JSON with `evaluate.py`; the
browser's script evaluates the same JSON with the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 2000
MAX_NESTING = 32
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
KEYWORDS = {"and", "or", "not", "in", "contains", "answered", "today"}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_]))
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)?)
  | (?P<op>==|!=|<=|>=|<|>)
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
    def __init__(self, message: str, pos: int, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.pos, self.hint = message, pos, hint


# --- syntax tree ------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    question: str
    item: str | None
    pos: int

    @property
    def field(self) -> str:
        return self.question if self.item is None else f"{self.question}.{self.item}"


@dataclass(frozen=True)
class Literal:
    kind: str  # number, string, word, today
    value: int | float | str
    pos: int


@dataclass(frozen=True)
class Compare:
    op: str
    ref: Ref
    value: Literal


@dataclass(frozen=True)
class Member:
    negated: bool
    ref: Ref
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Contains:
    ref: Ref
    value: Literal


@dataclass(frozen=True)
class Answered:
    ref: Ref


@dataclass(frozen=True)
class Not:
    arg: Expr


@dataclass(frozen=True)
class BoolOp:
    op: str  # and, or
    args: tuple[Expr, ...]


Expr = Compare | Member | Contains | Answered | Not | BoolOp
Test = Compare | Member | Contains | Answered


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
            raise ConditionError(f"unexpected character {char!r}", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        tok = self.tok
        self.index += 1
        return tok

    def accept(self, text: str) -> bool:
        if self.tok.text == text and self.tok.kind in ("word", "op", "punct"):
            self.index += 1
            return True
        return False

    def expect(self, text: str, what: str) -> None:
        if not self.accept(text):
            raise ConditionError(f"expected {what}, found {describe(self.tok)}", self.tok.pos)

    def parse(self) -> Expr:
        expr = self.or_()
        if self.tok.kind != "end":
            hint = ""
            if self.tok.kind == "word" and self.tok.text not in KEYWORDS:
                hint = "join tests with 'and' or 'or'; put a list of codes in [ ]"
            raise ConditionError(f"unexpected {describe(self.tok)}", self.tok.pos, hint)
        return expr

    def or_(self) -> Expr:
        args = [self.and_()]
        while self.accept("or"):
            args.append(self.and_())
        return args[0] if len(args) == 1 else BoolOp("or", tuple(args))

    def and_(self) -> Expr:
        args = [self.unary()]
        while self.accept("and"):
            args.append(self.unary())
        return args[0] if len(args) == 1 else BoolOp("and", tuple(args))

    def unary(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionError(f"nested more than {MAX_NESTING} deep", self.tok.pos)
        try:
            if self.accept("not"):
                return Not(self.unary())
            if self.accept("("):
                inner = self.or_()
                self.expect(")", "')'")
                return inner
            if self.tok.text == "answered" and self.tok.kind == "word":
                self.advance()
                self.expect("(", "'(' after answered")
                ref = self.ref()
                self.expect(")", "')'")
                return Answered(ref)
            return self.test()
        finally:
            self.depth -= 1

    def ref(self) -> Ref:
        tok = self.tok
        if tok.kind != "word" or tok.text in KEYWORDS:
            raise ConditionError(
                f"expected a question id, found {describe(tok)}",
                tok.pos,
                "a test starts with the id of an earlier question, e.g. reported == yes",
            )
        self.advance()
        question, _, item = tok.text.partition(".")
        return Ref(question, item or None, tok.pos)

    def test(self) -> Test:
        ref = self.ref()
        tok = self.tok
        if tok.kind == "op":
            self.advance()
            return Compare(tok.text, ref, self.value())
        if self.accept("contains"):
            return Contains(ref, self.value())
        negated = False
        if self.tok.text == "not" and self.tokens[self.index + 1].text == "in":
            self.advance()
            negated = True
        if self.accept("in"):
            self.expect("[", "'[' to start the list")
            values = [self.value()]
            while self.accept(","):
                values.append(self.value())
            self.expect("]", "',' or ']'")
            return Member(negated, ref, tuple(values))
        raise ConditionError(
            f"expected a comparison after {ref.field!r}, found {describe(tok)}",
            tok.pos,
            "use == != < <= > >=, in [...], not in [...], contains, or answered(question)",
        )

    def value(self) -> Literal:
        tok = self.advance()
        if tok.kind == "number":
            number = float(tok.text) if "." in tok.text else int(tok.text)
            return Literal("number", number, tok.pos)
        if tok.kind == "string":
            return Literal("string", tok.text[1:-1], tok.pos)
        if tok.kind == "word" and tok.text == "today":
            return Literal("today", "today", tok.pos)
        if tok.kind == "word" and tok.text not in KEYWORDS and "." not in tok.text:
            return Literal("word", tok.text, tok.pos)
        raise ConditionError(
            f"expected a value, found {describe(tok)}",
            tok.pos,
            "a value is an option code, a number, 'text in quotes', a 'YYYY-MM-DD' date or today",
        )


def describe(tok: Token) -> str:
    return "the end of the condition" if tok.kind == "end" else repr(tok.text)


def parse(source: str) -> Expr:
    """Parse a condition; raises ConditionError with the 0-based offset of the problem."""
    if len(source) > MAX_LENGTH:
        raise ConditionError(f"the condition is longer than {MAX_LENGTH} characters", 0)
    if not source.strip():
        raise ConditionError("the condition is empty", 0)
    return _Parser(source).parse()


def tests(expr: Expr) -> list[Test]:
    """Every comparison in the tree, in source order."""
    if isinstance(expr, Not):
        return tests(expr.arg)
    if isinstance(expr, BoolOp):
        return [t for arg in expr.args for t in tests(arg)]
    return [expr]


# --- JSON form (manifest.json) and evaluation --------------------------------

JSONValue = int | float | str | dict[str, str]


def to_json(expr: Expr, resolve: dict[int, JSONValue] | None = None) -> dict[str, object]:
    """The manifest's syntax tree. `resolve` maps a literal's position to its typed value
    (a question's real option code, or {"date": ...}); the checker fills it in."""
    resolve = resolve or {}

    def lit(v: Literal) -> JSONValue:
        if v.pos in resolve:
            return resolve[v.pos]
        if v.kind == "today":
            return {"today": "today"}
        return v.value

    if isinstance(expr, BoolOp):
        return {expr.op: [to_json(a, resolve) for a in expr.args]}
    if isinstance(expr, Not):
        return {"not": to_json(expr.arg, resolve)}
    if isinstance(expr, Answered):
        return {"op": "answered", "field": expr.ref.field}
    if isinstance(expr, Contains):
        return {"op": "contains", "field": expr.ref.field, "value": lit(expr.value)}
    if isinstance(expr, Member):
        op = "not in" if expr.negated else "in"
        return {"op": op, "field": expr.ref.field, "values": [lit(v) for v in expr.values]}
    return {"op": expr.op, "field": expr.ref.field, "value": lit(expr.value)}
