"""Whatever is done to a valid questionnaire, validation reports diagnostics and never raises."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import CODES, Diagnostic
from compiler.load import load_text
from compiler.validate.questionnaire import validate_file
from compiler.yamlnodes import Mapping, Node, Scalar, key_value

CASES = Path(__file__).resolve().parent / "cases"
SOURCE = (CASES / "valid-victim-voice" / "questionnaire" / "victim-voice.yaml").read_text("utf-8")
NAME = "victim-voice.yaml"


def as_data(node: Node) -> Any:
    """Plain data, keeping whole-number keys as numbers (to_data makes every key text)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {key_value(k): as_data(v) for k, v in node.items}
    return [as_data(v) for v in node.items]  # type: ignore[attr-defined]


_root = load_text(NAME, SOURCE.encode()).root
assert _root is not None
BASE: Any = as_data(_root)
_counter = itertools.count()

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mutations")


def validate_bytes(workdir: Path, data: bytes) -> list[Diagnostic]:
    # a fresh folder each time: the file name must stay victim-voice.yaml
    folder = workdir / str(next(_counter))
    folder.mkdir()
    path = folder / NAME
    path.write_bytes(data)
    result = validate_file(path, NAME)
    check(result.diagnostics)
    return result.diagnostics


def check(diagnostics: list[Diagnostic]) -> None:
    assert isinstance(diagnostics, list)
    for d in diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.code in CODES, d
        assert d.severity is CODES[d.code][0], d
        assert isinstance(d.line, int) and d.line >= 1, d
        assert isinstance(d.column, int) and d.column >= 1, d
        assert d.file == NAME, d
        assert d.message, d


def test_the_base_is_valid(workdir: Path) -> None:
    assert validate_bytes(workdir, SOURCE.encode()) == []
    assert validate_bytes(workdir, dump(BASE)) == []


# --- structural mutations -----------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "yes",
            "no",
            "010",
            "1:30",
            "today",
            "2026-02-30",
            "single",
            "matrix",
            "agree5",
            "crime_type",
            "reported == yes",
            "satisfaction <=",
            "crime_type in [",
            "answered(borough)",
            "when_happened > today",
            "x" * 300,
        ]
    )
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(-3, 3), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = [
    "formwright", "id", "version", "title", "language", "translations", "endpoint",
    "time_budget_minutes", "quick_exit", "intro", "option_lists", "pages", "questions",
    "type", "text", "hint", "required", "when", "options", "items", "points", "extra",
    "max_choices", "max_length", "min", "max", "integer", "precision", "label", "specify",
    "exclusive",
]  # fmt: skip
keys = st.sampled_from(KEYS) | st.text(max_size=10) | st.integers(-5, 5)


def containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every mapping and list in the tree."""
    out = []
    if isinstance(node, dict):
        out.append(path)
        for k, v in node.items():
            out += containers(v, (*path, k))
    elif isinstance(node, list):
        out.append(path)
        for i, v in enumerate(node):
            out += containers(v, (*path, i))
    return out


def at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def mutate(data: st.DataObject, tree: Any) -> Any:
    tree = copy.deepcopy(tree)
    paths = containers(tree)
    target = at(tree, data.draw(st.sampled_from(paths), label="container"))
    if isinstance(target, dict):
        if not target:
            target[data.draw(keys)] = data.draw(values)
            return tree
        key = data.draw(st.sampled_from(list(target)), label="key")
        action = data.draw(st.sampled_from(["delete", "rename", "replace", "add"]))
        if action == "delete":
            del target[key]
        elif action == "rename":
            target[data.draw(keys, label="new key")] = target.pop(key)
        elif action == "replace":
            target[key] = data.draw(values, label="value")
        else:
            target[data.draw(keys, label="new key")] = data.draw(values, label="value")
    else:
        if not target:
            target.append(data.draw(values))
            return tree
        index = data.draw(st.integers(0, len(target) - 1), label="index")
        action = data.draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
        if action == "delete":
            del target[index]
        elif action == "duplicate":
            target.insert(index, copy.deepcopy(target[index]))
        elif action == "replace":
            target[index] = data.draw(values, label="value")
        else:
            target.insert(index, data.draw(values, label="value"))
    return tree


def dump(tree: Any) -> bytes:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=200).encode("utf-8")


@SETTINGS
@given(data=st.data(), rounds=st.integers(1, 3))
def test_structural_mutations(workdir: Path, data: st.DataObject, rounds: int) -> None:
    tree = BASE
    for _ in range(rounds):
        tree = mutate(data, tree)
    validate_bytes(workdir, dump(tree))


# --- mutations of the text -------------------------------------------------------------

SNIPPETS = st.sampled_from(
    [
        "\t", "\n", " ", ":", ": ", "- ", "#", "'", '"', "[", "]", "{", "}", ",", "&a ", "*a",
        "*b ", "!!python/object:os.system ", "!!str ", "? ", "---\n", "...\n", "|", ">",
        "%", "@", "`", "\\", "\x00", "\x01", "\ufeff", "\u2028", "é", "\U0001f600",
        "yes", "010", "1:30", "<<: *a\n", "&a [1, 2]", "- id: dup\n",
    ]
)  # fmt: skip
LINES = SOURCE.splitlines(keepends=True)


@SETTINGS
@given(
    position=st.integers(0, len(SOURCE)),
    text=SNIPPETS | st.text(max_size=6),
    repeat=st.integers(1, 3),
)
def test_inserted_text(workdir: Path, position: int, text: str, repeat: int) -> None:
    source = SOURCE[:position] + text * repeat + SOURCE[position:]
    validate_bytes(workdir, source.encode("utf-8", errors="surrogatepass"))


@SETTINGS
@given(line=st.integers(0, len(LINES) - 1), action=st.sampled_from(["delete", "dup", "swap"]))
def test_line_edits(workdir: Path, line: int, action: str) -> None:
    lines = list(LINES)
    if action == "delete":
        del lines[line]
    elif action == "dup":
        lines.insert(line, lines[line])
    elif line + 1 < len(lines):
        lines[line], lines[line + 1] = lines[line + 1], lines[line]
    validate_bytes(workdir, "".join(lines).encode())


@SETTINGS
@given(size=st.integers(0, len(SOURCE.encode())))
def test_truncated_file(workdir: Path, size: int) -> None:
    validate_bytes(workdir, SOURCE.encode()[:size])


@SETTINGS
@given(
    position=st.integers(0, len(SOURCE.encode())),
    noise=st.binary(min_size=1, max_size=8),
)
def test_random_bytes(workdir: Path, position: int, noise: bytes) -> None:
    data = SOURCE.encode()
    validate_bytes(workdir, data[:position] + noise + data[position:])


@settings(max_examples=60, deadline=None)
@given(noise=st.binary(max_size=200))
def test_entirely_random_bytes(workdir: Path, noise: bytes) -> None:
    validate_bytes(workdir, noise)
