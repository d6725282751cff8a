"""The YAML loader: scalar resolution, positions, limits and unsafe input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler import load
from compiler.load import LoadedFile, load_file, load_text, resolve_plain
from compiler.yamlnodes import Mapping, Scalar, Sequence, key_value, locate, to_data


def loaded(source: str | bytes) -> LoadedFile:
    data = source.encode("utf-8") if isinstance(source, str) else source
    return load_text("test.yaml", data)


def codes(result: LoadedFile) -> list[str]:
    return [d.code for d in result.diagnostics]


def value(source: str) -> object:
    """The value of key `a` in a one-line document."""
    result = loaded(source)
    assert result.diagnostics == []
    assert isinstance(result.root, Mapping)
    node = result.root.get("a")
    assert node is not None
    return to_data(node)


# --- scalars -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # YAML 1.1 booleans, octals, sexagesimals and underscores stay text
        ("yes", "yes"),
        ("no", "no"),
        ("Yes", "Yes"),
        ("NO", "NO"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("010", "010"),
        ("0o10", "0o10"),
        ("0x10", "0x10"),
        ("1:30", "1:30"),
        ("1_000", "1_000"),
        ("2026-01-01", "2026-01-01"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("00", "00"),
        ("-01", "-01"),
        # the YAML 1.2 core schema
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("~", None),
        ("", None),
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("+7", 7),
        ("1.5", 1.5),
        ("-0.5", -0.5),
        (".5", 0.5),
        ("2.", 2.0),
        ("1e3", 1000.0),
        ("1.5E-2", 0.015),
        # anything else is the text that was written
        ("hello", "hello"),
        ("1.2.3", "1.2.3"),
        ("tRUE", "tRUE"),
        ("nul", "nul"),
    ],
)
def test_resolve_plain(text: str, expected: object) -> None:
    result = resolve_plain(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a: yes", "yes"),
        ("a: no", "no"),
        ("a: on", "on"),
        ("a: off", "off"),
        ("a: 010", "010"),
        ("a: 1:30", "1:30"),
        ("a: true", True),
        ("a: false", False),
        ("a: null", None),
        ("a:", None),
        ("a: 12", 12),
        ("a: 1.25", 1.25),
        ('a: "12"', "12"),
        ("a: '12'", "12"),
        ('a: "true"', "true"),
        ("a: 'null'", "null"),
        ("a: !!str 12", "12"),
        ("a: ! 12", "12"),
        ("a: |\n  12\n", "12\n"),
        ("a: >-\n  12\n", "12"),
        ("a: [yes, 1, 1.5, ~, 'x']", ["yes", 1, 1.5, None, "x"]),
        ("a: {yes: Yes, no: No}", {"yes": "Yes", "no": "No"}),
    ],
)
def test_values_in_documents(source: str, expected: object) -> None:
    result = value(source)
    assert result == expected
    assert type(result) is type(expected)


def test_quoted_scalars_are_never_resolved() -> None:
    result = loaded('a: "1"\nb: \'true\'\nc: "~"\n')
    assert isinstance(result.root, Mapping)
    for key in "abc":
        node = result.root.get(key)
        assert isinstance(node, Scalar)
        assert isinstance(node.value, str)
        assert not node.plain


def test_keys_keep_whole_number_codes() -> None:
    result = loaded('options: {1: One, "2": Two, yes: Yes, -3: Minus, 1.5: Half, true: T}\n')
    assert result.diagnostics == []
    assert isinstance(result.root, Mapping)
    options = result.root.get("options")
    assert isinstance(options, Mapping)
    assert [key_value(k) for k, _ in options] == [1, "2", "yes", -3, "1.5", "true"]
    assert options.keys() == ["1", "2", "yes", "-3", "1.5", "true"]
    assert to_data(options) == {
        "1": "One",
        "2": "Two",
        "yes": "Yes",
        "-3": "Minus",
        "1.5": "Half",
        "true": "T",
    }


def test_key_text_is_as_written() -> None:
    result = loaded("010: a\n+1: b\n")
    assert isinstance(result.root, Mapping)
    assert result.root.keys() == ["010", "+1"]
    assert [key_value(k) for k, _ in result.root] == ["010", 1]


# --- positions ---------------------------------------------------------------


def test_positions_are_one_based() -> None:
    source = (
        "title: Hello\n"  # 1
        "pages:\n"  # 2
        "  - id: p1\n"  # 3
        "    questions:\n"  # 4
        "      - {id: q1, type: text}\n"  # 5
        "    when: 'x == 1'\n"  # 6
    )
    result = loaded(source)
    assert result.diagnostics == []
    root = result.root
    assert isinstance(root, Mapping)
    assert (root.line, root.column) == (1, 1)
    title_key = root.key_node("title")
    assert title_key is not None
    assert (title_key.line, title_key.column) == (1, 1)
    title = root.get("title")
    assert isinstance(title, Scalar)
    assert (title.line, title.column) == (1, 8)
    pages = root.get("pages")
    assert isinstance(pages, Sequence)
    assert (pages.line, pages.column) == (3, 3)
    page, _ = locate(root, ["pages", 0])
    assert isinstance(page, Mapping)
    assert (page.line, page.column) == (3, 5)
    pid, pid_key = locate(root, ["pages", 0, "id"])
    assert (pid.line, pid.column) == (3, 9)
    assert pid_key is not None and (pid_key.line, pid_key.column) == (3, 5)
    question, _ = locate(root, ["pages", 0, "questions", 0])
    assert (question.line, question.column) == (5, 9)
    qtype, _ = locate(root, ["pages", 0, "questions", 0, "type"])
    assert (qtype.line, qtype.column) == (5, 24)
    when, _ = locate(root, ["pages", 0, "when"])
    assert isinstance(when, Scalar)
    assert (when.line, when.column) == (6, 11)
    assert when.style == "'"
    assert when.value == "x == 1"


def test_positions_count_characters_not_bytes() -> None:
    result = loaded("title: Café\nlabel: ünïcödé ✓\nnext: x\n")
    assert isinstance(result.root, Mapping)
    node = result.root.get("next")
    assert node is not None and (node.line, node.column) == (3, 7)
    result = loaded("a: é\nb: 'x'\n")
    assert isinstance(result.root, Mapping)
    node = result.root.get("b")
    assert node is not None and (node.line, node.column) == (2, 4)


def test_locate_stops_at_the_deepest_existing_node() -> None:
    result = loaded("a:\n  b: [x, y]\n")
    assert isinstance(result.root, Mapping)
    node, key = locate(result.root, ["a", "b", 5])
    assert isinstance(node, Sequence)
    assert key is not None and key.text == "b"
    node, _ = locate(result.root, ["a", "missing", "deeper"])
    assert isinstance(node, Mapping) and (node.line, node.column) == (2, 3)


# --- aliases -----------------------------------------------------------------


def test_anchors_and_aliases_are_resolved() -> None:
    result = loaded("a: &x {k: 1}\nb: *x\nc: &y 5\nd: *y\n")
    assert result.diagnostics == []
    assert result.root is not None
    assert to_data(result.root) == {"a": {"k": 1}, "b": {"k": 1}, "c": 5, "d": 5}


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    rows = ['lol0: &lol0 "lol"']
    for i in range(1, levels + 1):
        rows.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]")
    return "\n".join(rows) + "\n"


def test_billion_laughs_fails_with_fw008() -> None:
    result = loaded(billion_laughs())
    assert codes(result) == ["FW008"]
    assert result.root is None
    d = result.diagnostics[0]
    assert d.message == "the aliases in this file expand to more than 250,000 values"
    assert d.hint


def test_alias_bomb_in_flow_mappings_fails_with_fw008() -> None:
    rows = ["a0: &a0 {" + ", ".join(f"k{i}: lol" for i in range(10)) + "}"]
    for i in range(1, 8):
        rows.append(f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(10)) + "}")
    result = loaded("\n".join(rows) + "\n")
    assert codes(result) == ["FW008"]


def test_alias_limit_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_EXPANDED_NODES", 20)
    source = "a: &x [1, 2, 3, 4, 5]\nb: *x\nc: *x\nd: *x\n"
    result = loaded(source)
    assert codes(result) == ["FW008"]
    d = result.diagnostics[0]
    assert d.message == "the aliases in this file expand to more than 20 values"
    monkeypatch.setattr(load, "MAX_EXPANDED_NODES", 1000)
    assert loaded(source).diagnostics == []


def test_undefined_alias_is_an_error() -> None:
    result = loaded("a: *nope\nb: c\n")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("FW005", 1, 4)]


def test_recursive_alias_is_an_error() -> None:
    result = loaded("a: &x [1, *x]\n")
    assert result.diagnostics
    assert result.diagnostics[0].code in ("FW005", "FW008")


# --- nesting and size ----------------------------------------------------------


def test_nesting_within_the_limit_loads() -> None:
    depth = load.MAX_DEPTH - 1  # plus the root mapping
    result = loaded("a: " + "[" * depth + "]" * depth + "\n")
    assert result.diagnostics == []
    node = result.root
    levels = 0
    while isinstance(node, Mapping | Sequence) and node.items:
        node = node.items[0][1] if isinstance(node, Mapping) else node.items[0]
        levels += 1
    assert levels == depth


def test_deep_nesting_fails_with_fw005() -> None:
    depth = load.MAX_DEPTH
    result = loaded("a: " + "[" * depth + "]" * depth + "\n")
    assert codes(result) == ["FW005"]
    assert result.root is None
    d = result.diagnostics[0]
    assert d.message == f"values are nested more than {load.MAX_DEPTH} deep"
    assert (d.line, d.column) == (1, 4 + depth - 1)


def test_deep_block_nesting_fails_with_fw005() -> None:
    source = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80))
    result = loaded(source)
    assert codes(result) == ["FW005"]


def test_extreme_nesting_fails_quickly() -> None:
    depth = 100_000
    result = loaded("a: " + "[" * depth + "]" * depth + "\n")
    assert codes(result) == ["FW005"]
    assert result.root is None


def test_file_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 100)
    result = loaded("a: " + "x" * 200 + "\n")
    assert codes(result) == ["FW002"]
    d = result.diagnostics[0]
    assert (d.line, d.column) == (1, 1)
    assert d.message == "the file is 204 bytes; the limit is 100"
    assert result.root is None
    assert loaded("a: " + "x" * 90 + "\n").diagnostics == []


def test_file_too_large_through_load_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.yaml"
    path.write_text("title: far too long for the limit\n")
    result = load_file(path, "big.yaml")
    assert [(d.file, d.code) for d in result.diagnostics] == [("big.yaml", "FW002")]


# --- encodings and characters -----------------------------------------------------


def test_utf8_bom_is_ignored() -> None:
    result = loaded(b"\xef\xbb\xbftitle: x\nn: 1\n")
    assert result.diagnostics == []
    assert isinstance(result.root, Mapping)
    assert result.root.keys() == ["title", "n"]
    key = result.root.key_node("title")
    assert key is not None and (key.line, key.column) == (1, 1)


@pytest.mark.parametrize(
    ("data", "position", "byte"),
    [
        (b"title: caf\xe9\n", (1, 11), "0xe9"),
        (b"a: 1\nb: ok\xc3\xa9\xff\n", (2, 7), "0xff"),
        (b"\xff\xfet\x00i\x00", (1, 1), "0xff"),  # UTF-16
        (b"a: 1\n\x80\n", (2, 1), "0x80"),
    ],
)
def test_non_utf8_bytes(data: bytes, position: tuple[int, int], byte: str) -> None:
    result = loaded(data)
    assert codes(result) == ["FW003"]
    d = result.diagnostics[0]
    assert (d.line, d.column) == position
    assert d.message == f"byte {byte} is not valid UTF-8"
    assert result.root is None


def test_control_character_is_a_yaml_error() -> None:
    result = loaded("a: 1\nb: x\x01\n")
    assert codes(result) == ["FW005"]


def test_control_character_position() -> None:
    result = loaded("a: 1\nb: x\x01\n")
    d = result.diagnostics[0]
    assert (d.line, d.column) == (2, 5)
    assert "<unicode string>" not in d.message


# --- tabs, syntax, documents ---------------------------------------------------------


def test_tab_indentation_is_fw004_on_every_line() -> None:
    result = loaded("a:\n\tb: 1\n\tc: 2\n")
    assert [(d.code, d.line) for d in result.diagnostics] == [("FW004", 2), ("FW004", 3)]
    assert result.root is None


def test_tab_inside_a_flow_collection_is_fine() -> None:
    result = loaded("a: [1,\n\t2]\nb:\tc\n")
    assert result.diagnostics == []
    assert result.root is not None
    assert to_data(result.root) == {"a": [1, 2], "b": "c"}


def test_tab_indentation_points_at_the_tab() -> None:
    result = loaded("a:\n  b: 1\n  \tc: 2\n")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("FW004", 3, 3)]


@pytest.mark.parametrize(
    ("source", "position", "message"),
    [
        ("a: b: c\n", (1, 5), "YAML syntax error: mapping values are not allowed in this context"),
        (
            "a: 1\n  b: 2\n",
            (2, 4),
            "YAML syntax error: mapping values are not allowed in this context",
        ),
        ('a: "x\n', (2, 1), "YAML syntax error: found unexpected end of stream"),
        ("a: [1, 2\n", (2, 1), None),
        ("- a\nb: c\n", (2, 1), None),
        ("a: @x\n", (1, 4), "YAML syntax error: found character that cannot start any token"),
    ],
)
def test_syntax_errors(source: str, position: tuple[int, int], message: str | None) -> None:
    result = loaded(source)
    assert codes(result) == ["FW005"]
    d = result.diagnostics[0]
    assert (d.line, d.column) == position
    if message:
        assert d.message == message
    assert d.hint
    assert result.root is None


def test_multiple_documents_keep_the_first() -> None:
    result = loaded("a: 1\n---\nb: 2\n---\nc: 3\n")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("FW009", 2, 1)]
    assert result.root is not None and to_data(result.root) == {"a": 1}


@pytest.mark.parametrize("source", ["---\na: 1\n", "a: 1\n...\n", "%YAML 1.2\n---\na: 1\n"])
def test_one_explicit_document_is_fine(source: str) -> None:
    result = loaded(source)
    assert result.diagnostics == []
    assert result.root is not None and to_data(result.root) == {"a": 1}


@pytest.mark.parametrize("source", ["", "\n\n", "# only a comment\n", "   \n# x\n", "~\n", "---\n"])
def test_empty_file(source: str) -> None:
    result = loaded(source)
    assert [(d.code, d.line, d.column, d.message) for d in result.diagnostics] == [
        ("FW011", 1, 1, "the file is empty")
    ]
    assert result.root is None


@pytest.mark.parametrize("source", ["- a\n- b\n", "just text\n", "42\n"])
def test_a_document_that_is_not_a_mapping_still_loads(source: str) -> None:
    result = loaded(source)
    assert result.diagnostics == []
    assert result.root is not None
    assert not isinstance(result.root, Mapping)


# --- keys and tags ------------------------------------------------------------


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    result = loaded("a: 1\nb: 2\n'a': 3\nc:\n  x: 1\n  x: 2\n")
    assert [(d.code, d.line, d.column, d.message) for d in result.diagnostics] == [
        ("FW006", 3, 1, "duplicate key 'a'"),
        ("FW006", 6, 3, "duplicate key 'x'"),
    ]
    assert "line 1" in result.diagnostics[0].hint
    assert "line 5" in result.diagnostics[1].hint


def test_int_and_text_keys_with_the_same_text_are_duplicates() -> None:
    result = loaded('1: a\n"1": b\n')
    assert codes(result) == ["FW006"]


def test_collection_as_key_is_fw103() -> None:
    result = loaded("[a]: 1\nb: 2\n")
    assert codes(result) == ["FW103"]
    assert result.root is not None
    assert to_data(result.root) == {"?": 1, "b": 2}


@pytest.mark.xfail(
    strict=True,
    reason="a list or mapping used as a key is reported at the spot where it ends "
    "('[a]: 1' at 1:3, '? [a]' at the ']'), not where it starts (1:1)",
)
def test_collection_as_key_points_at_its_start() -> None:
    result = loaded("[a]: 1\n")
    assert [(d.line, d.column) for d in result.diagnostics] == [(1, 1)]


@pytest.mark.parametrize(
    ("source", "unsafe"),
    [
        ("a: !!python/object:os.system x\n", True),
        ('a: !!python/object/apply:os.system ["echo hi"]\n', True),
        ("a: !!python/name:os.system ''\n", True),
        ("a: !!int 5\n", False),
        ("a: !!binary aGVsbG8=\n", False),
        ("a: !custom x\n", False),
        ("a: !!map {b: 1}\n", False),
        ("a: !!seq [1]\n", False),
    ],
)
def test_tags_are_rejected(source: str, unsafe: bool) -> None:
    result = loaded(source)
    assert codes(result) == ["FW007"]
    d = result.diagnostics[0]
    assert (d.line, d.column) == (1, 4)
    assert ("unsafe" in d.message) is unsafe
    assert d.hint


def test_python_tags_never_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    source = f'a: !!python/object/apply:os.system ["touch {marker}"]\n'
    loaded(source)
    assert not marker.exists()


# --- reading files -------------------------------------------------------------


def test_missing_file_is_fw001(tmp_path: Path) -> None:
    result = load_file(tmp_path / "missing.yaml", "questionnaire/missing.yaml")
    assert [(d.file, d.code, d.line, d.column) for d in result.diagnostics] == [
        ("questionnaire/missing.yaml", "FW001", 1, 1)
    ]
    assert result.diagnostics[0].message.startswith("cannot read the file: ")
    assert result.root is None


def test_a_folder_is_fw001(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    result = load_file(folder)
    assert codes(result) == ["FW001"]
    assert result.path == str(folder)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_unreadable_file_is_fw001(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    try:
        result = load_file(path, "secret.yaml")
    finally:
        path.chmod(0o644)
    assert codes(result) == ["FW001"]
    assert "Permission denied" in result.diagnostics[0].message


def test_unreadable_file_is_fw001_whoever_runs_the_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = load_file(path, "secret.yaml")
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("FW001", "cannot read the file: Permission denied")
    ]


def test_load_file_reads_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes("title: Café\r\nn: 2\r\n".encode())
    result = load_file(path, "x.yaml")
    assert result.diagnostics == []
    assert result.root is not None
    assert to_data(result.root) == {"title": "Café", "n": 2}
    assert result.path == "x.yaml"
