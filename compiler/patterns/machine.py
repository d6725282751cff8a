"""The endpoint's matcher: a Thompson automaton, linear in the text whatever the pattern."""

from __future__ import annotations

from functools import cache

from .syntax import Alt, Chars, Node, Seq, parse


def _compile(node: Node, states: list[tuple[object, list[int]]]) -> tuple[int, list[int]]:
    """Thompson construction: (start state, the dangling exits to patch)."""
    if isinstance(node, Chars):
        states.append((node, []))
        return len(states) - 1, [len(states) - 1]
    if isinstance(node, Seq):
        if not node.parts:
            states.append((None, []))
            return len(states) - 1, [len(states) - 1]
        start, exits = _compile(node.parts[0], states)
        for part in node.parts[1:]:
            nxt, more = _compile(part, states)
            for e in exits:
                states[e][1].append(nxt)
            exits = more
        return start, exits
    if isinstance(node, Alt):
        states.append((None, []))
        split = len(states) - 1
        ends: list[int] = []
        for option in node.options:
            start, more = _compile(option, states)
            states[split][1].append(start)
            ends += more
        return split, ends
    required = [node.node] * node.low
    if node.high is None:
        states.append((None, []))
        loop = len(states) - 1
        body, exits = _compile(node.node, states)
        states[loop][1].append(body)
        for e in exits:
            states[e][1].append(loop)
        tail: tuple[int, list[int]] = (loop, [loop])
    else:
        optional = Seq(())
        for _ in range(node.high - node.low):
            optional = Alt((Seq((node.node, optional)), Seq(())))  # type: ignore[assignment]
        tail = _compile(optional, states)
    if not required:
        return tail
    start, exits = _compile(Seq(tuple(required)), states)
    for e in exits:
        states[e][1].append(tail[0])
    return start, tail[1]


@cache
def _machine(pattern: str) -> tuple[tuple[tuple[object, tuple[int, ...]], ...], int]:
    states: list[tuple[object, list[int]]] = []
    start, exits = _compile(parse(pattern), states)
    states.append(("accept", []))
    for e in exits:
        states[e][1].append(len(states) - 1)
    return tuple((kind, tuple(nxt)) for kind, nxt in states), start


MAX_STATES = 1000  # beyond this a pattern is refused at build time (validate: FW312)


def size(pattern: str) -> int:
    """The automaton's states: what one character of an answer costs at most."""
    return len(_machine(pattern)[0])


@cache
def _steps(pattern: str) -> tuple[tuple[frozenset[int], ...], frozenset[int], int]:
    """For each state, the character states (and the accepting one) its exits lead to
    through empty moves; the start's; and the accepting state."""
    states, start = _machine(pattern)
    accept = len(states) - 1

    def closure(ids: tuple[int, ...]) -> frozenset[int]:
        stack, seen, out = list(ids), set(ids), set()
        while stack:
            s = stack.pop()
            kind, nxt = states[s]
            if kind is None:
                for t in nxt:
                    if t not in seen:
                        seen.add(t)
                        stack.append(t)
            else:
                out.add(s)
        return frozenset(out)

    return tuple(closure(nxt) for _, nxt in states), closure((start,)), accept


def full_match(pattern: str, text: str) -> bool:
    """Whether the whole text matches: linear in the text, whatever the pattern."""
    states, _ = _machine(pattern)
    after, current, accept = _steps(pattern)
    for char in text:
        code = ord(char)
        step: set[int] = set()
        for s in current:
            kind = states[s][0]
            if isinstance(kind, Chars) and kind.test(code):
                step |= after[s]
        if not step:
            return False
        current = frozenset(step)
    return accept in current
