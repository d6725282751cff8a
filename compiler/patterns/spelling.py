"""The browser's spelling of a pattern: explicit classes that JavaScript's RegExp (u and
v flags) and Python read alike, character for character."""

from __future__ import annotations

from .syntax import Alt, Chars, Node, Seq, parse


def _class_char(code: int) -> str:
    # Everything but letters and digits escaped: an HTML pattern attribute is compiled
    # with the v flag, which reserves more characters inside [ ] than u does.
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    if code < 0x80 or 0x2028 <= code <= 0x2029:
        return f"\\u{code:04x}"
    return char


def portable(pattern: str) -> str:
    """The pattern for JavaScript's `new RegExp("^(?:" + p + ")$", "u")`."""
    return _spell(parse(pattern))


def _spell(node: Node) -> str:
    if isinstance(node, Chars):
        body = "".join(
            _class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}"
            for lo, hi in node.ranges
        )
        return f"[{'^' if node.negated else ''}{body}]"
    if isinstance(node, Seq):
        return "".join(_spell(p) for p in node.parts)
    if isinstance(node, Alt):
        return "(?:" + "|".join(_spell(o) for o in node.options) + ")"
    high = "" if node.high is None else str(node.high)
    return f"(?:{_spell(node.node)}){{{node.low},{high}}}"
