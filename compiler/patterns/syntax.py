"""The pattern subset's parser: what is allowed, refused with a position, and its tree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

MAX_REPEAT = 100
_META = set("\\.[](){}*+?|^$/")
_CLASSES = {
    "d": (False, ((48, 57),)),
    "w": (False, ((48, 57), (65, 90), (95, 95), (97, 122))),
    "s": (False, ((9, 13), (32, 32))),
}
_DOT = (True, ((10, 10), (13, 13), (0x2028, 0x2029)))
_ESCAPES = {"n": 10, "t": 9, "r": 13, "f": 12, "v": 11}

Ranges = tuple[tuple[int, int], ...]


class RegexError(Exception):
    def __init__(self, message: str, pos: int, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.pos, self.hint = message, pos, hint


@dataclass(frozen=True)
class Chars:
    negated: bool
    ranges: Ranges

    def test(self, code: int) -> bool:
        inside = any(lo <= code <= hi for lo, hi in self.ranges)
        return inside != self.negated


@dataclass(frozen=True)
class Seq:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    node: Node
    low: int
    high: int | None  # None: no upper bound


Node = Chars | Seq | Alt | Repeat


class _Parser:
    def __init__(self, source: str) -> None:
        self.s, self.i = source, 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def fail(self, message: str, hint: str = "") -> RegexError:
        return RegexError(message, self.i, hint)

    def parse(self) -> Node:
        if self.s.startswith("^"):
            self.i = 1
        node = self.alt()
        if self.peek() == "$" and self.i == len(self.s) - 1:
            self.i += 1
        if self.i < len(self.s):
            char = self.peek()
            if char in "^$":
                raise self.fail(
                    f"{char!r} may only start or end the pattern",
                    "the whole answer must match anyway",
                )
            raise self.fail(
                f"unexpected {char!r} in the pattern",
                "write \\" + char + " for the character itself",
            )
        return node

    def alt(self) -> Node:
        options = [self.seq()]
        while self.peek() == "|":
            self.i += 1
            options.append(self.seq())
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def seq(self) -> Node:
        parts: list[Node] = []
        while self.peek() and self.peek() not in "|)":
            if self.peek() == "$" and self.i == len(self.s) - 1:
                break
            parts.append(self.quantified())
        return parts[0] if len(parts) == 1 else Seq(tuple(parts))

    def quantified(self) -> Node:
        start = self.i
        node = self.atom()
        char = self.peek()
        if char not in ("*", "+", "?", "{"):
            return node
        low, high = self.quantifier()
        if self.peek() in ("?", "+"):
            raise self.fail(
                "lazy and possessive quantifiers are not supported", "remove the extra ? or +"
            )
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail("a quantifier cannot follow another", "group the part first: (ab)?")
        repeats = high is None or high > 1
        if repeats and self.s[start] == "(" and _unsafe(node):
            raise RegexError(
                "a repeated group must not repeat inside or have alternatives",
                start,
                "these shapes make matching slow; e.g. write [ab]* instead of (a|b)*",
            )
        return Repeat(node, low, high)

    def quantifier(self) -> tuple[int, int | None]:
        char = self.s[self.i]
        self.i += 1
        if char == "*":
            return 0, None
        if char == "+":
            return 1, None
        if char == "?":
            return 0, 1
        end = self.s.find("}", self.i)
        body = self.s[self.i : end] if end >= 0 else ""
        low_text, comma, high_text = body.partition(",")
        if end < 0 or not low_text.isdigit() or (high_text and not high_text.isdigit()):
            raise self.fail("a repeat is written {n}, {n,} or {n,m}", "write \\{ for a brace")
        self.i = end + 1
        low = int(low_text)
        high = None if comma and not high_text else int(high_text or low_text)
        if low > MAX_REPEAT or (high is not None and (high > MAX_REPEAT or high < low)):
            raise self.fail(f"repeat counts go up to {MAX_REPEAT}, the smaller first")
        return low, high

    def atom(self) -> Node:
        char = self.peek()
        if char == "(":
            self.i += 1
            if self.s.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise self.fail(
                    "look-around and named groups are not supported", "use (...) or (?:...)"
                )
            node = self.alt()
            if self.peek() != ")":
                raise self.fail("the group is not closed", "add )")
            self.i += 1
            return node
        if char == "[":
            return self.chars()
        if char == ".":
            self.i += 1
            return Chars(*_DOT)
        if char == "\\":
            return self.escape(in_class=False)
        if char in "*+?{":
            raise self.fail(
                f"{char!r} has nothing to repeat", f"write \\{char} for the character itself"
            )
        if char in _META - set("/"):
            raise self.fail(
                f"unexpected {char!r} in the pattern",
                "write \\" + char + " for the character itself",
            )
        self.i += 1
        return Chars(False, ((ord(char), ord(char)),))

    def escape(self, in_class: bool) -> Chars:
        self.i += 1
        char = self.peek()
        self.i += 1
        if char.lower() in _CLASSES:
            if in_class and char.isupper():
                raise self.fail(f"\\{char} is not supported inside [...]", "use [^...]")
            negated, ranges = _CLASSES[char.lower()]
            return Chars(negated != char.isupper(), ranges)
        if (
            char == "u"
            and len(hexa := self.s[self.i : self.i + 4]) == 4
            and all(h in "0123456789abcdefABCDEF" for h in hexa)
        ):
            self.i += 4
            return Chars(False, ((int(hexa, 16),) * 2,))
        if char in _ESCAPES:
            return Chars(False, ((_ESCAPES[char],) * 2,))
        if char and (char in _META or char == "-"):
            return Chars(False, ((ord(char), ord(char)),))
        self.i -= 1
        if char.isdigit():
            raise self.fail("back-references are not supported")
        if char in ("b", "B"):
            raise self.fail("word boundaries (\\b) are not supported")
        raise self.fail(
            f"\\{char} is not supported", "escape only . [ ] ( ) { } * + ? | ^ $ \\ / -"
        )

    def chars(self) -> Chars:
        self.i += 1
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            char = self.peek()
            if not char:
                raise self.fail("the [ ] class is not closed", "add ]")
            if char == "]" and not first:
                self.i += 1
                break
            first = False
            if char == "\\":
                got = self.escape(in_class=True)
                if len(got.ranges) != 1 or got.ranges[0][0] != got.ranges[0][1]:
                    ranges.extend(got.ranges)
                    continue
                low = got.ranges[0][0]
            elif char == "[":
                raise self.fail("write \\[ for a bracket inside [ ]")
            else:
                self.i += 1
                low = ord(char)
            if self.peek() == "-" and self.i + 1 < len(self.s) and self.s[self.i + 1] != "]":
                self.i += 1
                char = self.peek()
                if char == "\\":
                    got = self.escape(in_class=True)
                    high = got.ranges[0][0]
                else:
                    self.i += 1
                    high = ord(char)
                if high < low:
                    raise self.fail("a range goes from the smaller character to the larger")
                ranges.append((low, high))
            else:
                ranges.append((low, low))
        return Chars(negated, tuple(ranges))


def _unsafe(node: Node) -> bool:
    if isinstance(node, Alt):
        return True
    if isinstance(node, Repeat):
        return node.high is None or node.high > 1 or _unsafe(node.node)
    if isinstance(node, Seq):
        return any(_unsafe(p) for p in node.parts)
    return False


@cache
def parse(pattern: str) -> Node:
    """The pattern's tree; raises RegexError at the offending offset."""
    return _Parser(pattern).parse()


def digits_only(pattern: str) -> bool:
    """Whether the pattern takes only the digits 0-9 (the page then offers a number pad)."""

    def walk(node: Node) -> bool:
        if isinstance(node, Chars):
            return not node.negated and all(48 <= lo <= hi <= 57 for lo, hi in node.ranges)
        if isinstance(node, Seq):
            return all(walk(p) for p in node.parts)
        if isinstance(node, Alt):
            return all(walk(o) for o in node.options)
        return walk(node.node)

    return walk(parse(pattern))
