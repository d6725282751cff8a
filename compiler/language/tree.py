"""The syntax tree of an expression, as the parser (conditions.py) builds it."""

from __future__ import annotations

from dataclasses import dataclass


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
class Call:
    name: str
    args: tuple[Value, ...]
    pos: int


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: Value
    right: Value
    pos: int  # of the operator


@dataclass(frozen=True)
class Neg:
    arg: Value
    pos: int


@dataclass(frozen=True)
class Compare:
    op: str
    left: Value
    right: Value
    pos: int  # of the operator


@dataclass(frozen=True)
class Member:
    negated: bool
    left: Value
    values: tuple[Value, ...]
    pos: int


@dataclass(frozen=True)
class Contains:
    left: Value
    value: Value
    pos: int


@dataclass(frozen=True)
class Not:
    arg: Expr
    pos: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # and, or
    args: tuple[Expr, ...]


Value = Ref | Literal | Call | Arith | Neg | Compare | Member | Contains | Not | BoolOp
Expr = Value  # a condition is an expression whose value is true or false
Test = Compare | Member | Contains


def start(node: Value) -> int:
    """Offset of the first character of a subexpression, for located messages."""
    if isinstance(node, Arith | Compare):
        return start(node.left)
    if isinstance(node, Member | Contains):
        return start(node.left)
    if isinstance(node, BoolOp):
        return start(node.args[0])
    return node.pos


def walk(node: Value) -> list[Value]:
    """Every node, parents before children, in source order."""
    out: list[Value] = [node]
    children: tuple[Value, ...] = ()
    if isinstance(node, Call):
        children = node.args
    elif isinstance(node, Arith | Compare):
        children = (node.left, node.right)
    elif isinstance(node, Neg | Not):
        children = (node.arg,)
    elif isinstance(node, Member):
        children = (node.left, *node.values)
    elif isinstance(node, Contains):
        children = (node.left, node.value)
    elif isinstance(node, BoolOp):
        children = node.args
    for child in children:
        out.extend(walk(child))
    return out


def refs(node: Value) -> list[Ref]:
    return [n for n in walk(node) if isinstance(n, Ref)]
