"""Load YAML files safely into located nodes (stage 1 of the pipeline).

PyYAML's own constructors are never used: they follow YAML 1.1, where `no`
is False and `010` is 8, and they keep the last of two duplicate keys. We
walk the parser's events ourselves, resolve plain scalars by a strict
YAML 1.2-like rule (anything else stays the text that was written), reject
every explicit tag but `!!str`, and bound alias expansion so that a
"billion laughs" file fails at once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, make
from .yamlnodes import (
    BIDI_CONTROLS,
    NULL_WORDS,
    Mapping,
    Node,
    Scalar,
    ScalarValue,
    Sequence,
    bidi_problems,
)

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 250_000
MAX_DEPTH = 64

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = NULL_WORDS
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?=[eE]))([eE][-+]?[0-9]+)?")
_STR_TAG = "tag:yaml.org,2002:str"
_MAX_DIGITS = 400
_MAX_FLOAT_INT = 2**1024  # the first whole number a double cannot hold


def unread(value: ScalarValue) -> bool:
    """A number no JSON reader (and no browser) holds as a finite value: 1e400, 10**400."""
    if type(value) is float:
        return not math.isfinite(value)
    return type(value) is int and abs(value) >= _MAX_FLOAT_INT


def _number_shown(raw: str) -> str:
    digits = sum(c.isdigit() for c in raw)
    return raw if len(raw) <= 24 else f"{raw[:10]}…{raw[-4:]} ({digits:,} digits)"


def resolve_plain(text: str) -> ScalarValue:
    """YAML 1.2 core schema, minus its octal and hex forms: `yes`, `010`, `1:30` stay text."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text[:1].isalpha():  # most scalars, and no number starts with a letter
        return text
    if _INT.fullmatch(text):
        # Python refuses to read an int of more than 4300 digits; one of more than
        # 309 is past a double's range anyway, so it reads as float('inf') for unread().
        return int(text) if len(text) <= _MAX_DIGITS else float(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


@dataclass
class LoadedFile:
    path: str
    root: Node | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""


class _Abort(Exception):
    pass


class _Composer:
    """Builds located nodes from parser events, without recursion."""

    def __init__(self, path: str, text: str = "") -> None:
        self.path = path
        self.text = text
        self.bidi = any(c in BIDI_CONTROLS for c in text)  # most files have none
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.expanded = 0

    def error(self, code: str, mark: Any, message: str, hint: str = "") -> None:
        self.diagnostics.append(
            make(code, self.path, mark.line + 1, mark.column + 1, message, hint)
        )

    def _too_many(self, mark: Any) -> None:
        self.error(
            "FW008",
            mark,
            f"the aliases in this file expand to more than {MAX_EXPANDED_NODES:,} values",
            "a questionnaire never needs this; remove the anchors (&) and aliases (*), "
            "and use option_lists for repeated options",
        )
        raise _Abort

    def _check_tag(self, tag: str | None, mark: Any) -> None:
        if tag is None or tag in ("!", _STR_TAG):
            return
        unsafe = "python" in tag
        shown = tag.replace("tag:yaml.org,2002:", "!!")  # as it was written
        self.error(
            "FW007",
            mark,
            f"the YAML tag {shown!r} is {'unsafe and ' if unsafe else ''}not supported",
            "remove the tag; quote the value if it should be text",
        )

    def _unread_number(self, raw: str, mark: Any) -> ScalarValue:
        """A number past a double's range is reported here and has no value (None): the
        later checks, which see a plain scalar with no value, say nothing more of it."""
        self.error(
            "FW106",
            mark,
            f"the number {_number_shown(raw)} is out of range: numbers in a questionnaire or "
            "locale file must lie between -1.7e308 and 1.7e308",
            "write the limit you mean (a few digits are enough for any answer); "
            "put it in quotes if it is meant as text",
        )
        return None

    def _bidi(self, value: str, start: int, end: int) -> None:
        """Each bidi control needing a warning (FW110) where written, or at its text's start."""
        problems = bidi_problems(value)
        if not problems:
            return
        written = [(start + i, c) for i, c in enumerate(self.text[start:end]) if c in BIDI_CONTROLS]
        where: dict[int, int] = {}  # each control of the value where it is written, in order
        for i, char in enumerate(value):
            if char in BIDI_CONTROLS:
                match = written and written[0][1] == char
                where[i] = written.pop(0)[0] if match else start
        for offset, message, hint in problems:
            line, col = _position(self.text, where[offset])
            self.diagnostics.append(make("FW110", self.path, line, col, message, hint))

    def compose(self, events: list[yaml.Event]) -> Node | None:
        # The hot loop of every build: event types are dispatched by identity rather
        # than isinstance chains, which with slotted nodes halved the time per file.
        # Each open container: [node, anchor, size, pending key or None, keys seen].
        stack: list[list[Any]] = []
        holder: list[Any] = [[None, None, 0, None, {}]]  # a frame that receives the root
        frame = holder[0]
        resolve = resolve_plain
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        opening = {yaml.MappingStartEvent: Mapping, yaml.SequenceStartEvent: Sequence}
        closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        event: Any  # dispatched on its exact type below, which mypy cannot follow
        for event in events:
            kind = type(event)
            if kind is scalar_event:
                mark: Any = event.start_mark
                tag = event.tag
                if tag is not None:
                    self._check_tag(tag, mark)
                raw = event.value
                # libyaml reports plain style as '' where PyYAML says None.
                plain = not event.style and tag is None
                value = resolve(raw) if plain else raw
                if plain and type(value) is not str and unread(value):
                    value = self._unread_number(raw, mark)
                if self.bidi:
                    self._bidi(raw, mark.index, event.end_mark.index)
                node: Node = Scalar(
                    mark.line + 1,
                    mark.column + 1,
                    value,
                    raw,
                    "" if plain else event.style or "!",
                    mark.index,
                    event.end_mark.index,
                )
                size = 1
                self.expanded += 1
                if event.anchor:
                    self.anchors[event.anchor] = (node, 1)
            elif kind in opening:
                mark = event.start_mark
                if event.tag is not None:
                    self._check_tag(event.tag, mark)
                if len(stack) >= MAX_DEPTH:
                    self.error("FW005", mark, f"values are nested more than {MAX_DEPTH} deep")
                    raise _Abort
                frame = [opening[kind](mark.line + 1, mark.column + 1), event.anchor, 1, None, {}]
                stack.append(frame)
                continue
            elif kind in closing:
                mark = event.start_mark
                node, anchor, size, _, _ = stack.pop()
                frame = stack[-1] if stack else holder[0]
                self.expanded += 1
                if anchor:
                    self.anchors[str(anchor)] = (node, size)
            elif kind is alias_event:
                mark = event.start_mark
                target = self.anchors.get(event.anchor or "")
                if target is None:
                    # neither libyaml nor PyYAML's parser reports these; an anchor still
                    # open (an alias inside its own anchor) is not defined yet either
                    self.error(
                        "FW005",
                        mark,
                        f"the alias *{event.anchor} refers to no anchor defined before it",
                        f"define &{event.anchor} first, or remove the alias",
                    )
                    raise _Abort
                node, size = target
                self.expanded += size
            else:
                continue
            if self.expanded > MAX_EXPANDED_NODES:
                self._too_many(mark)
            self._attach(frame, node, size, mark)
        root: Node | None = holder[0][0]
        return root

    def _attach(self, frame: list[Any], node: Node, size: int, mark: Any) -> None:
        parent = frame[0]
        frame[2] += size
        if parent is None:
            frame[0] = node
        elif type(parent) is Sequence:
            parent.items.append(node)
        elif frame[3] is None:
            if type(node) is not Scalar:
                self.error(
                    "FW103", mark, "a mapping key must be a plain value, not a list or mapping"
                )
                node = Scalar(node.line, node.column, "?", "?")
            frame[3] = node
        else:
            key: Scalar = frame[3]
            text = key.text
            seen: dict[str, Scalar] = frame[4]
            existing = seen.get(text)
            if existing is not None:
                self.diagnostics.append(
                    make(
                        "FW006",
                        self.path,
                        key.line,
                        key.column,
                        f"duplicate key {text!r}",
                        f"it is already set on line {existing.line}; "
                        "YAML would silently keep only the last one",
                    )
                )
            else:
                seen[text] = key
            parent.items.append((key, node))
            frame[3] = None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def load_text(path: str, data: bytes) -> LoadedFile:
    """Parse one file's bytes; problems become diagnostics, never exceptions."""
    result = LoadedFile(path, None)
    diags = result.diagnostics
    if len(data) > MAX_FILE_BYTES:
        diags.append(
            make(
                "FW002",
                path,
                1,
                1,
                f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                "split the questionnaire or shorten its texts",
            )
        )
        return result
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        line, col = _position(good, len(good))
        diags.append(
            make(
                "FW003",
                path,
                line,
                col,
                f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                "save the file as UTF-8 (every modern editor can: look for 'Encoding')",
            )
        )
        return result
    text = text.removeprefix("\ufeff")
    result.text = text

    composer = _Composer(path, text)
    try:
        events = list(yaml.parse(text, Loader=_Parser))
    except yaml.MarkedYAMLError as exc:
        tab_lines = [
            (n, row.index("\t") + 1)
            for n, row in enumerate(text.splitlines(), 1)
            if "\t" in row[: len(row) - len(row.lstrip(" \t"))]
        ]
        for n, column in tab_lines:
            diags.append(
                make(
                    "FW004",
                    path,
                    n,
                    column,
                    "a tab is used for indentation",
                    "YAML allows only spaces for indentation; replace the tabs with spaces",
                )
            )
        if not tab_lines:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = exc.problem or exc.context or "invalid YAML"
            diags.append(
                make(
                    "FW005",
                    path,
                    line,
                    col,
                    f"YAML syntax error: {problem}",
                    "check the indentation and quoting near this spot; text containing "
                    "': ' or starting with a special character needs quotes",
                )
            )
        return result
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line, col = _position(text, exc.position)
        diags.append(
            make(
                "FW005",
                path,
                line,
                col,
                f"the character U+{exc.character:04X} is not allowed in YAML",
                "remove it; it is usually an invisible control character pasted in by accident",
            )
        )
        return result
    except yaml.YAMLError as exc:
        diags.append(make("FW005", path, 1, 1, "YAML error: " + str(exc).splitlines()[0]))
        return result

    documents = sum(isinstance(e, yaml.DocumentStartEvent) for e in events)
    if documents > 1:
        second = [e for e in events if isinstance(e, yaml.DocumentStartEvent)][1]
        composer.error(
            "FW009",
            second.start_mark,
            "the file holds more than one YAML document",
            "put each questionnaire in its own file and remove the '---' separator",
        )
        events = events[: events.index(second)]
    try:
        result.root = composer.compose(events)
    except _Abort:
        result.root = None
    diags.extend(composer.diagnostics)
    empty = result.root is None or (isinstance(result.root, Scalar) and result.root.value is None)
    if empty and not diags:
        result.root = None
        diags.append(make("FW011", path, 1, 1, "the file is empty"))
    return result


def load_file(path: Path, display: str | None = None) -> LoadedFile:
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return LoadedFile(
            name, None, [make("FW001", name, 1, 1, f"cannot read the file: {reason}")]
        )
    return load_text(name, data)
