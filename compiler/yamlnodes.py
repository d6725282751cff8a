"""YAML nodes that remember where they came from.

Every value the loader produces carries the 1-based line and column of its
source, so any later stage can point at the exact spot of a problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

ScalarValue = str | int | float | bool | None


@dataclass(eq=False, slots=True)
class Node:
    line: int
    column: int


@dataclass(eq=False, slots=True)
class Scalar(Node):
    value: ScalarValue
    raw: str = ""
    style: str = ""  # "" plain, "'" or '"' quoted, "|" or ">" block
    start: int = 0  # character offsets of the scalar as written, quotes included
    end: int = 0

    @property
    def plain(self) -> bool:
        return self.style == ""

    @property
    def text(self) -> str:
        """The value as written, for messages and for keys."""
        return self.raw if self.plain else str(self.value)


@dataclass(eq=False, slots=True)
class Mapping(Node):
    items: list[tuple[Scalar, Node]] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        for k, v in self.items:
            if k.text == key:
                return v
        return None

    def key_node(self, key: str) -> Scalar | None:
        for k, _ in self.items:
            if k.text == key:
                return k
        return None

    def keys(self) -> list[str]:
        return [k.text for k, _ in self.items]

    def __iter__(self) -> Iterator[tuple[Scalar, Node]]:
        return iter(self.items)


@dataclass(eq=False, slots=True)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)


def key_value(key: Scalar) -> str | int:
    """A mapping key as data: whole numbers stay numbers, everything else is its text."""
    if key.plain and isinstance(key.value, int) and not isinstance(key.value, bool):
        return key.value
    return key.text


def to_data(node: Node) -> object:
    """Plain JSON-like data (string keys) for JSON Schema validation."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {k.text: to_data(v) for k, v in node.items}
    if isinstance(node, Sequence):
        return [to_data(v) for v in node.items]
    raise TypeError(node)  # pragma: no cover - exhaustive


def locate(root: Node, path: list[str | int]) -> tuple[Node, Scalar | None]:
    """Follow a JSON path to a node; returns the node and the key that names it."""
    node, key = root, None
    for step in path:
        if isinstance(node, Mapping):
            found = False
            for k, v in node.items:
                if k.text == str(step):
                    node, key, found = v, k, True
                    break
            if not found:
                break
        elif isinstance(node, Sequence) and isinstance(step, int) and step < len(node.items):
            node, key = node.items[step], None
        else:
            break
    return node, key
