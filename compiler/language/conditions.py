"""The expression language of `when`, `rules` and calculated values: one parser, one meaning.

Grammar (also in docs/questionnaire.md), loosest binding first:

    expr     := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | test
    test     := sum [OP sum | ["not"] "in" "[" sum ("," sum)* "]" | "contains" sum]
    sum      := product (("+" | "-") product)*
    product  := unary (("*" | "/") unary)*
    unary    := "-" unary | atom
    atom     := NUMBER | 'text' | "text" | "today" | NAME "(" [expr ("," expr)*] ")"
              | NAME | "(" expr ")"
    OP       := "==" | "!=" | "<" | "<=" | ">" | ">="
    NAME     := question_id ["." item] | option_code

A bare NAME is a question (or calculated value, or hidden field); on the other side
of a comparison with a choice question, or in its list, it is first one of that
question's option codes (validate/types.py resolves it, with a warning when it is
both). The compiler parses an expression into the tree of tree.py, checks it
against the questionnaire, and writes it into manifest.json as JSON (`to_json`).
The endpoint evaluates that JSON with evaluate.py; the browser's script
evaluates the same JSON with the same rules.
"""

from __future__ import annotations

from .tokens import (
    ALLOWED,
    ARITHMETIC,
    COMPARISONS,
    FUNCTIONS,
    KEYWORDS,
    MAX_LENGTH,
    ConditionError,
    Token,
    describe,
    tokenize,
)
from .tree import (
    Arith,
    BoolOp,
    Call,
    Compare,
    Contains,
    Expr,
    Literal,
    Member,
    Neg,
    Not,
    Ref,
    Test,
    Value,
    walk,
)

__all__ = ["COMPARISONS", "KEYWORDS", "ConditionError", "Expr", "Test", "parse", "to_json"]
MAX_NESTING = 32
# Operators in one chain (a + b + c ...): each is a level of the tree every stage walks.
MAX_CHAIN = 100


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0
        self.operators = 0  # arithmetic operators in the whole expression

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

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionError(f"nested more than {MAX_NESTING} deep", self.tok.pos)

    def parse(self) -> Expr:
        expr = self.or_()
        if self.tok.kind != "end":
            self.trailing(expr)
        return expr

    def trailing(self, expr: Value) -> None:
        tok = self.tok
        if isinstance(expr, Ref) and tok.kind in ("word", "string", "number"):
            raise ConditionError(
                f"expected a comparison after {expr.field!r}, found {describe(tok)}",
                tok.pos,
                "use == != < <= > >=, in [...], not in [...], contains, or answered(question)",
            )
        hint = ""
        if tok.kind == "word" and tok.text not in KEYWORDS:
            hint = "join tests with 'and' or 'or'; put a list of codes in [ ]"
        raise ConditionError(f"unexpected {describe(tok)}", tok.pos, hint)

    def or_(self) -> Expr:
        args = [self.and_()]
        while self.accept("or"):
            args.append(self.and_())
        return args[0] if len(args) == 1 else BoolOp("or", tuple(args))

    def and_(self) -> Expr:
        args = [self.not_()]
        while self.accept("and"):
            args.append(self.not_())
        return args[0] if len(args) == 1 else BoolOp("and", tuple(args))

    def not_(self) -> Expr:
        self.nest()
        try:
            pos = self.tok.pos
            if self.accept("not"):
                return Not(self.not_(), pos)
            return self.test()
        finally:
            self.depth -= 1

    def test(self) -> Value:
        left = self.sum(start=True)
        tok = self.tok
        if tok.kind == "op" and tok.text in COMPARISONS:
            self.advance()
            return Compare(tok.text, left, self.sum(), tok.pos)
        if self.accept("contains"):
            return Contains(left, self.sum(), tok.pos)
        negated = False
        if self.tok.text == "not" and self.tokens[self.index + 1].text == "in":
            self.advance()
            negated = True
        if self.accept("in"):
            self.expect("[", "'[' to start the list")
            values = [self.sum()]
            while self.accept(","):
                values.append(self.sum())
            self.expect("]", "',' or ']'")
            return Member(negated, left, tuple(values), tok.pos)
        if negated or (self.tok.text == "not" and isinstance(left, Ref)):
            raise ConditionError(
                f"expected a comparison after {getattr(left, 'field', '')!r}, "
                f"found {describe(self.tok)}",
                self.tok.pos,
                "use == != < <= > >=, in [...], not in [...], contains, or answered(question)",
            )
        return left

    def chain(self) -> None:
        self.operators += 1
        if self.operators > MAX_CHAIN:
            raise ConditionError(
                f"more than {MAX_CHAIN} operators",
                self.tok.pos,
                "add many answers with sum(a, b, ...) instead of a + b + ...",
            )

    def sum(self, start: bool = False) -> Value:
        left = self.product(start)
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            self.chain()
            op = self.advance()
            left = Arith(op.text, left, self.product(), op.pos)
        return left

    def product(self, start: bool = False) -> Value:
        left = self.unary(start)
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            self.chain()
            op = self.advance()
            left = Arith(op.text, left, self.unary(), op.pos)
        return left

    def unary(self, start: bool = False) -> Value:
        if self.tok.kind == "op" and self.tok.text == "-":
            op = self.advance()
            self.nest()
            try:
                arg = self.unary()
            finally:
                self.depth -= 1
            if isinstance(arg, Literal) and arg.kind == "number":
                # -3 is a number, as it always was; only names and calls are negated
                return Literal("number", -arg.value, op.pos)  # type: ignore[operator]
            return Neg(arg, op.pos)
        return self.atom(start)

    def atom(self, start: bool) -> Value:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            whole = "." not in tok.text and len(tok.text) <= 400  # int() stops at 4300 digits
            number = int(tok.text) if whole else float(tok.text)
            if abs(number) >= 2**1024:  # past a double's range: Infinity in the manifest
                raise ConditionError(
                    f"the number {tok.text[:10]}… ({len(tok.text):,} characters) is out of "
                    "range: numbers must lie between -1.7e308 and 1.7e308",
                    tok.pos,
                    "write the number you mean; a few digits are enough for any answer",
                )
            return Literal("number", number, tok.pos)
        if tok.kind == "string":
            self.advance()
            return Literal("string", tok.text[1:-1], tok.pos)
        if self.accept("("):
            inner = self.or_()  # each level nests through not_()
            self.expect(")", "')'")
            return inner
        if tok.kind == "word" and tok.text == "today":
            self.advance()
            return Literal("today", "today", tok.pos)
        if tok.kind == "word" and tok.text not in KEYWORDS:
            self.advance()
            if tok.text == "answered" or self.tok.text == "(":
                return self.call(tok)
            question, _, item = tok.text.partition(".")
            return Ref(question, item or None, tok.pos)
        if start:
            raise ConditionError(
                f"expected a question id, found {describe(tok)}",
                tok.pos,
                "a test starts with the id of an earlier question, e.g. reported == yes",
            )
        raise ConditionError(
            f"expected a value, found {describe(tok)}",
            tok.pos,
            "a value is an option code, a number, 'text in quotes', a 'YYYY-MM-DD' date, "
            "today, a question id or a function such as sum(...)",
        )

    def call(self, name: Token) -> Call:
        if name.text not in FUNCTIONS:
            raise ConditionError(f"there is no function {name.text!r}", name.pos, ALLOWED)
        self.expect("(", f"'(' after {name.text}")
        args: list[Value] = []
        if name.text == "answered":
            args.append(self.answered_ref())
        elif not self.accept(")"):
            args.append(self.or_())
            while self.accept(","):
                args.append(self.or_())
            self.expect(")", "',' or ')'")
            return Call(name.text, tuple(args), name.pos)
        else:
            return Call(name.text, (), name.pos)
        self.expect(")", "')'")
        return Call(name.text, tuple(args), name.pos)

    def answered_ref(self) -> Ref:
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


def parse(source: str) -> Expr:
    """Parse an expression; raises ConditionError with the 0-based offset of the problem."""
    if len(source) > MAX_LENGTH:
        raise ConditionError(f"the condition is longer than {MAX_LENGTH} characters", 0)
    if not source.strip():
        raise ConditionError("the condition is empty", 0)
    return _Parser(source).parse()


def tests(expr: Expr) -> list[Test]:
    """Every comparison in the tree, in source order."""
    return [n for n in walk(expr) if isinstance(n, Compare | Member | Contains)]


# --- JSON form (manifest.json) -------------------------------------------------

JSONValue = int | float | str | dict[str, object]
_ARITH_FN = dict(zip(ARITHMETIC, ARITHMETIC, strict=True))


def to_json(
    expr: Expr, resolve: dict[int, JSONValue] | None = None, names: set[int] | None = None
) -> dict[str, object]:
    """The manifest's tree of a condition (something true or false).

    `resolve` maps the position of a name or literal to its typed value (a
    question's real option code, or {"date": ...}); the checker fills it in. A test
    of one question against literals keeps the round-1 shape {"op", "field",
    "value(s)"}, which every earlier manifest uses; anything else is general.
    `names` holds the positions of words beside a test that the checker found to be
    questions; any other such word is a code, as it always was."""
    return _JSON(resolve or {}, names or set()).boolean(expr)


def value_json(
    expr: Value, resolve: dict[int, JSONValue] | None = None, names: set[int] | None = None
) -> object:
    """The manifest's tree of a value (a calculated value's expression)."""
    return _JSON(resolve or {}, names or set()).value(expr)


class _JSON:
    def __init__(self, resolve: dict[int, JSONValue], names: set[int]) -> None:
        self.resolve, self.names = resolve, names

    def literal(self, node: Value, word: bool = False) -> tuple[bool, object]:
        """(True, JSON literal) if the node stands for a fixed value."""
        if isinstance(node, Ref | Literal) and node.pos in self.resolve:
            return True, self.resolve[node.pos]
        if word and isinstance(node, Ref) and node.item is None and node.pos not in self.names:
            return True, node.question
        if isinstance(node, Literal):
            return True, {"today": "today"} if node.kind == "today" else node.value
        return False, None

    def boolean(self, node: Value) -> dict[str, object]:
        if isinstance(node, BoolOp):
            return {node.op: [self.boolean(a) for a in node.args]}
        if isinstance(node, Not):
            return {"not": self.boolean(node.arg)}
        if isinstance(node, Call) and node.name == "answered":
            arg = node.args[0]
            assert isinstance(arg, Ref)
            return {"op": "answered", "field": arg.field}
        if isinstance(node, Compare | Member | Contains):
            return self.test(node)
        return {"op": "is", "value": self.value(node)}

    def test(self, node: Compare | Member | Contains) -> dict[str, object]:
        left = node.left
        plain = isinstance(left, Ref) and left.pos not in self.resolve
        if isinstance(node, Member):
            values = [self.literal(v, word=True) for v in node.values]
            op = "not in" if node.negated else "in"
            if plain and all(ok for ok, _ in values):
                return {"op": op, "field": left.field, "values": [v for _, v in values]}  # type: ignore[union-attr]
            return {
                "op": op,
                "left": self.value(left),
                "values": [self.value(v) for v in node.values],
            }
        right = node.value if isinstance(node, Contains) else node.right
        op = "contains" if isinstance(node, Contains) else node.op
        ok, lit = self.literal(right, word=True)
        if plain and ok:
            return {"op": op, "field": left.field, "value": lit}  # type: ignore[union-attr]
        key = "value" if isinstance(node, Contains) else "right"
        return {"op": op, "left": self.value(left), key: self.value(right)}

    def value(self, node: Value) -> object:
        ok, lit = self.literal(node)
        if ok:
            return lit
        if isinstance(node, Ref):
            return {"ref": node.field}
        if isinstance(node, Neg):
            return {"fn": "neg", "args": [self.value(node.arg)]}
        if isinstance(node, Arith):
            return {
                "fn": _ARITH_FN[node.op],
                "args": [self.value(node.left), self.value(node.right)],
            }
        if isinstance(node, Call) and node.name != "answered":
            if node.name == "if":
                cond, *rest = node.args
                return {"fn": "if", "args": [self.boolean(cond), *[self.value(a) for a in rest]]}
            return {"fn": node.name, "args": [self.value(a) for a in node.args]}
        return self.boolean(node)
