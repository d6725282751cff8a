"""Locale files: one questionnaire's translation into one language.

`locales/<lang>/<questionnaire-id>.yaml` holds, for each key of
`texts.source_entries`, the translation and the fingerprint of the source
text it was made from. When the source text changes, the fingerprints no
longer match and the translation is stale until a translator reviews it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Diagnostic
from ..languages import Language
from ..load import load_file
from ..schema import schema_diagnostics
from ..yamlnodes import Mapping, Node, Scalar

LOCALE_SCHEMA = "locale.schema.json"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=65536)  # each source text is compared with every language's entry
def fingerprint(text: str) -> str:
    """Eight letters from the text's SHA-256. Letters only, so no YAML reader can take
    one for a number (hex can: 16e95068 is a float to YAML 1.2)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "".join(chr(ord("a") + byte % 26) for byte in digest[:8])


def locale_path(root: Path, lang: str, questionnaire_id: str) -> Path:
    return root / "locales" / lang / f"{questionnaire_id}.yaml"


@dataclass
class Entry:
    key: str
    text: str
    source_fingerprint: str
    node: Node


@dataclass
class LocaleFile:
    path: str
    tag: str
    node: Mapping | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    interface: dict[str, str | dict[str, str]] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)
    language: Language | None = None
    # Keys whose translation the check found in error (a placeholder dropped or made
    # up): never published, whatever builds from this file, as if still untranslated.
    refused: set[str] = field(default_factory=set)
    text: str = ""  # the file as read, to place positions inside its texts; not kept

    @property
    def status(self) -> str:
        return str(self.meta.get("status", "draft"))

    def checked(self) -> LocaleFile:
        """This file without its YAML tree, once checked: what a build still needs."""
        return replace(self, node=None, text="")

    def __reduce__(self) -> tuple[object, ...]:
        # Sent back from worker processes: plain tuples pickle ten times faster than
        # thousands of dataclasses, and the tree is not sent at all.
        if self.node is not None:
            raise TypeError("a LocaleFile is sent without its YAML tree: use .checked()")
        rows = [
            (e.key, e.text, e.source_fingerprint, e.node.line, e.node.column)
            for e in self.entries.values()
        ]
        state = (self.path, self.tag, rows, self.interface, self.meta, self.language, self.refused)
        return (_unpack, state)

    def current(self, source: dict[str, str]) -> dict[str, str]:
        """Translations that are present, non-empty, made from today's source text and
        not refused by the check."""
        return {
            key: e.text
            for key, e in self.entries.items()
            if key in source
            and key not in self.refused
            and e.text.strip()
            and e.source_fingerprint == fingerprint(source[key])
        }


def _unpack(
    path: str,
    tag: str,
    rows: list[tuple[str, str, str, int, int]],
    interface: dict[str, str | dict[str, str]],
    meta: dict[str, object],
    lang: Language | None,
    refused: set[str],
) -> LocaleFile:
    entries = {key: Entry(key, text, fp, Node(line, col)) for key, text, fp, line, col in rows}
    return LocaleFile(path, tag, None, entries, interface, meta, lang, refused)


def _plain(node: Node | None) -> object:
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {k.text: _plain(v) for k, v in node}
    return None


_FINGERPRINT = re.compile(r"([a-z]{8})?")


def _well_formed(entry: Node) -> bool:
    """The shape locale.schema.json requires of one entry of texts."""
    if not isinstance(entry, Mapping) or sorted(entry.keys()) != ["from", "text"]:
        return False
    values = [v for _, v in entry]
    if not all(isinstance(v, Scalar) and isinstance(v.value, str) for v in values):
        return False
    source = entry.get("from")
    return isinstance(source, Scalar) and _FINGERPRINT.fullmatch(str(source.value)) is not None


def _schema_check(display: str, root: Node) -> list[Diagnostic]:
    # JSON Schema over thousands of entries dominated whole builds. When every
    # entry already has the required shape, the schema checks the rest of the
    # file; otherwise it checks everything and reports the entries' problems.
    texts = root.get("texts") if isinstance(root, Mapping) else None
    if (
        isinstance(root, Mapping)
        and isinstance(texts, Mapping)
        and all(_well_formed(entry) for _, entry in texts)
    ):
        rest = [(k, Mapping(v.line, v.column) if v is texts else v) for k, v in root]
        return schema_diagnostics(display, Mapping(root.line, root.column, rest), LOCALE_SCHEMA)
    return schema_diagnostics(display, root, LOCALE_SCHEMA)


def read_locale(path: Path, display: str, tag: str) -> tuple[LocaleFile, list[Diagnostic]]:
    loaded = load_file(path, display)
    diags = list(loaded.diagnostics)
    loc = LocaleFile(display, tag, text=loaded.text)
    root = loaded.root
    if root is None:
        return loc, diags
    diags += _schema_check(display, root)
    if not isinstance(root, Mapping):
        return loc, diags
    loc.node = root
    texts = root.get("texts")
    if isinstance(texts, Mapping):
        for key, value in texts:
            if isinstance(value, Mapping):
                text, source = value.get("text"), value.get("from")
                if isinstance(text, Scalar) and isinstance(text.value, str):
                    fp = source.value if isinstance(source, Scalar) else ""
                    loc.entries[key.text] = Entry(key.text, text.value, str(fp or ""), key)
    interface = _plain(root.get("interface"))
    if isinstance(interface, dict):
        loc.interface = {k: v for k, v in interface.items() if isinstance(v, str | dict)}
    meta = _plain(root.get("language"))
    loc.meta = meta if isinstance(meta, dict) else {}
    return loc, diags
