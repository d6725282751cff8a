"""Where a character inside a YAML scalar is in its file, for located messages."""

from __future__ import annotations

from ..yamlnodes import Scalar


def position(text: str, node: Scalar, offset: int) -> tuple[int, int]:
    """File position of the character at `offset` in a scalar's value.

    Walks the value and the source side by side: quotes, escapes, folded line
    breaks and block indentation all leave the value's characters in order in
    the source; a folded line break (newline and indentation) stands for one space."""
    value = str(node.value)
    if not text or node.end <= node.start:
        return node.line, node.column
    raw = text[node.start : node.end]
    j = raw.find("\n") + 1 if node.style in ("|", ">") else (0 if node.plain else 1)
    beyond = max(0, offset - len(value) + 1)  # an offset at the end points past the last char
    found = j - 1
    for i in range(min(offset + 1, len(value))):
        char = value[i]
        if char.isspace():
            while j < len(raw) and not raw[j].isspace():
                j += 1
            found = j
            if j < len(raw) and raw[j] == "\n":
                while j < len(raw) and raw[j] in " \n":
                    j += 1
            else:
                j += 1
        else:
            found = raw.find(char, j)
            if found < 0:
                return node.line, node.column
            j = found + 1
    index = node.start + found + beyond
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
