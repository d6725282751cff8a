"""YAML nodes that remember where they came from.

Every value the loader produces carries the 1-based line and column of its
source, so any later stage can point at the exact spot of a problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

ScalarValue = str | int | float | bool | None
NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


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
    def unread(self) -> bool:
        """A plain number the loader could not hold (reported there, FW106): no value."""
        return self.style == "" and self.value is None and self.raw not in NULL_WORDS

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


# Bidi controls (Trojan Source): overrides reorder what follows them as displayed;
# embeddings and isolates are legitimate (a phone number isolated in Arabic text) only
# when each is closed within its own text.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_NAMES = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}


def bidi_name(char: str) -> str:
    return f"U+{ord(char):04X} ({_BIDI_NAMES[char]})"


def bidi_problems(text: str) -> list[tuple[int, str, str]]:
    """Offsets of the bidi controls in one text that need a warning, with message and hint:
    every override, and every embedding or isolate left open or closing nothing."""
    out: list[tuple[int, str, str]] = []
    opened: list[tuple[int, str]] = []  # offset and character of each open control
    for i, char in enumerate(text):
        if char not in BIDI_CONTROLS:
            continue
        if char in "\u202d\u202e":
            out.append(
                (
                    i,
                    f"the text has the bidi override {bidi_name(char)}, which "
                    "displays the characters after it in an order other than the one "
                    "they are read in",
                    "remove it; to keep a number or a word of "
                    "another script in order, wrap it in U+2066 … U+2069 (an isolate)",
                )
            )
        if char in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068":
            opened.append((i, char))
        elif char == "\u202c" and opened and opened[-1][1] < "\u2066":
            opened.pop()
        elif char == "\u2069" and any(c >= "\u2066" for _, c in opened):
            while opened.pop()[1] < "\u2066":  # a PDI closes the embeddings inside it too
                pass
        else:
            out.append(
                (
                    i,
                    f"the bidi control {bidi_name(char)} closes nothing opened "
                    "before it in this text",
                    "remove it, or add the control it closes",
                )
            )
    for i, char in opened:
        if char not in "\u202d\u202e":  # overrides are reported already
            closer = "U+2069" if char >= "\u2066" else "U+202C"
            out.append(
                (
                    i,
                    f"the bidi control {bidi_name(char)} is never closed in this "
                    "text, so it changes the direction of what the page shows after it",
                    f"close it with {closer} in the same text, or remove it",
                )
            )
    return out
