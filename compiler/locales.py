"""Locale files: one questionnaire's translation into one language.

`locales/<lang>/<questionnaire-id>.yaml` holds, for each key of
`texts.source_entries`, the translation and the fingerprint of the source
text it was made from. When the source text changes, the fingerprints no
longer match and the translation is stale until a translator reviews it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

from . import parallel
from .diagnostics import Diagnostic, did_you_mean, make
from .languages import Language, RuleError, language, normalise_tag
from .load import load_file
from .model import Questionnaire
from .strings import Strings, catalog
from .texts import source_entries
from .validate import schema_diagnostics
from .yamlnodes import Mapping, Node, Scalar, Sequence

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

    @property
    def status(self) -> str:
        return str(self.meta.get("status", "draft"))

    def checked(self) -> LocaleFile:
        """This file without its YAML tree, once checked: what a build still needs."""
        return replace(self, node=None)

    def __reduce__(self) -> tuple[object, ...]:
        # Sent back from worker processes: plain tuples pickle ten times faster than
        # thousands of dataclasses, and the tree is not sent at all.
        if self.node is not None:
            raise TypeError("a LocaleFile is sent without its YAML tree: use .checked()")
        rows = [
            (e.key, e.text, e.source_fingerprint, e.node.line, e.node.column)
            for e in self.entries.values()
        ]
        return (_unpack, (self.path, self.tag, rows, self.interface, self.meta, self.language))

    def current(self, source: dict[str, str]) -> dict[str, str]:
        """Translations that are present, non-empty and made from today's source text."""
        return {
            key: e.text
            for key, e in self.entries.items()
            if key in source and e.text.strip() and e.source_fingerprint == fingerprint(source[key])
        }


def _unpack(
    path: str,
    tag: str,
    rows: list[tuple[str, str, str, int, int]],
    interface: dict[str, str | dict[str, str]],
    meta: dict[str, object],
    lang: Language | None,
) -> LocaleFile:
    entries = {key: Entry(key, text, fp, Node(line, col)) for key, text, fp, line, col in rows}
    return LocaleFile(path, tag, None, entries, interface, meta, lang)


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
    loc = LocaleFile(display, tag)
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


class _LocaleChecker:
    def __init__(self, qn: Questionnaire, loc: LocaleFile) -> None:
        self.qn, self.loc = qn, loc
        self.out: list[Diagnostic] = []

    def add(self, code: str, node: Node | None, message: str, hint: str = "") -> None:
        at = node or self.loc.node
        line, col = (at.line, at.column) if at else (1, 1)
        self.out.append(make(code, self.loc.path, line, col, message, hint))

    def run(self) -> list[Diagnostic]:
        loc, qn = self.loc, self.qn
        if loc.node is None:
            return self.out
        named = loc.node.get("questionnaire")
        if isinstance(named, Scalar) and named.value != qn.id:
            self.add(
                "FW609",
                named,
                f"this file translates {named.value!r}, but it sits where {qn.id!r} "
                "looks for its translation",
                f"set questionnaire: {qn.id}, or move the file",
            )
        self.language()
        self.texts()
        self.interface()
        return self.out

    def language(self) -> None:
        meta, node = self.loc.meta, self.loc.node
        assert node is not None
        plural = meta.get("plural")
        try:
            lang = language(
                self.loc.tag,
                name=str(meta["name"]) if meta.get("name") else None,
                direction=str(meta["direction"]) if meta.get("direction") else None,
                plural={str(k): str(v) for k, v in plural.items()}
                if isinstance(plural, dict)
                else None,
            )
        except (RuleError, ValueError) as exc:
            self.add("FW612", node.get("language"), f"the plural rule cannot be read: {exc}")
            return
        if lang is None:
            self.add(
                "FW607",
                node.get("language") or node,
                f"CLDR has no data for {self.loc.tag!r}, so this file must say what it is",
                "add language: with name (in the language itself), direction (ltr or rtl) "
                "and plural (a CLDR plural rule, e.g. {one: 'n = 1'})",
            )
        self.loc.language = lang

    def texts(self) -> None:
        sources = source_entries(self.qn)
        for key, (text, src_node) in sources.items():
            where = f"{self.qn.path}:{src_node.line}"
            entry = self.loc.entries.get(key)
            if entry is None:
                self.add(
                    "FW601",
                    self.loc.node.key_node("texts") if self.loc.node else None,
                    f"no translation for {key!r}",
                    f"the source text is at {where}; `formwright i18n new` writes every key",
                )
            elif not entry.text.strip():
                self.add(
                    "FW602", entry.node, f"the translation of {key!r} is empty", f"source: {where}"
                )
            elif entry.source_fingerprint != fingerprint(text):
                self.add(
                    "FW604",
                    entry.node,
                    f"the translation of {key!r} was made from an older source text",
                    f"the source changed at {where}; update the translation, then run "
                    f"`formwright i18n review --lang {self.loc.tag} {key}`",
                )
            elif (problem := markup_difference(text, entry.text)) is not None:
                self.add("FW605", entry.node, f"the translation of {key!r} {problem}")
        for key, entry in self.loc.entries.items():
            if key not in sources:
                hint = did_you_mean(key, list(sources)) or "remove it; its question may be gone"
                self.add("FW603", entry.node, f"{key!r} is not a text of {self.qn.id!r}", hint)

    def interface(self) -> None:
        english = Strings("en")
        missing = [k for k in catalog("en") if k not in catalog(self.loc.tag)]
        missing = [k for k in missing if k not in self.loc.interface]
        if missing:
            self.add(
                "FW613",
                self.loc.node.get("language") if self.loc.node else None,
                f"formwright has no interface strings in {self.loc.tag!r} for "
                f"{len(missing)} of its {len(catalog('en'))} buttons and messages; "
                "they will be in English",
                "add them under interface: in this file (see docs/translating.md), "
                "or contribute a catalog to formwright",
            )
        node = self.loc.node.get("interface") if self.loc.node else None
        for key, value in self.loc.interface.items():
            at = node.key_node(key) if isinstance(node, Mapping) else None
            try:
                source = english.entry(key)
            except KeyError:
                self.add("FW611", at, f"there is no interface string {key!r}")
                continue
            wanted = set(PLACEHOLDER.findall(str(source)))
            got = set(PLACEHOLDER.findall(str(value)))
            if wanted != got:
                self.add(
                    "FW605",
                    at,
                    f"the interface string {key!r} has placeholders {sorted(got)}, "
                    f"the English has {sorted(wanted)}",
                    "keep every {name} exactly as in the English",
                )


_MD = MarkdownIt("zero").enable(["emphasis", "link", "list", "newline"])


def _markup(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for token in _MD.parse(text):
        for t in [token, *(token.children or [])]:
            if t.type in ("link_open", "strong_open", "em_open", "list_item_open"):
                counts[t.type] += 1
            if t.type == "link_open":
                counts["href " + str(t.attrGet("href"))] += 1
    return counts


_MAYBE_MARKUP = re.compile(r"[*_<>`]|\]\(|^\s*([-+*]|\d+[.)])\s", re.MULTILINE)


def markup_difference(source: str, translation: str) -> str | None:
    """How the translation's Markdown or placeholders differ from the source's, if they do."""
    if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(translation)):
        return "has different {placeholders} from the source"
    if not (_MAYBE_MARKUP.search(source) or _MAYBE_MARKUP.search(translation)):
        return None  # plain text on both sides: no need to parse (most texts)
    a, b = _markup(source), _markup(translation)
    if a != b:
        missing = sorted((a - b).keys()) or sorted((b - a).keys())
        names = {"link_open": "links", "strong_open": "bold", "em_open": "italics"}
        what = ", ".join(names.get(m, m.replace("list_item_open", "list items")) for m in missing)
        return f"has different Markdown from the source ({what})"
    return None


def check_locale(qn: Questionnaire, loc: LocaleFile) -> list[Diagnostic]:
    return _LocaleChecker(qn, loc).run()


def find_locales(
    root: Path, qn: Questionnaire, jobs: int = 0
) -> tuple[list[LocaleFile], list[Diagnostic]]:
    """Read and check every translation a questionnaire lists, and notice unlisted ones.

    `jobs` as in `parallel.processes`: each file is read and checked on its own.
    """
    from .project import display_path

    out: list[LocaleFile] = []
    diags: list[Diagnostic] = []
    listed: dict[str, Node] = {}
    present: list[tuple[str, Path]] = []
    translations = qn.node.get("translations")
    for node in translations if isinstance(translations, Sequence) else []:
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            continue  # reported by the schema
        tag = normalise_tag(node.value)
        if tag is None:
            diags.append(
                make(
                    "FW610",
                    qn.path,
                    node.line,
                    node.column,
                    f"{node.value!r} is not a language tag",
                    "write a BCP 47 tag such as ar, zh-Hant or pt-BR",
                )
            )
            continue
        listed[tag] = node
    for tag, node in listed.items():
        path = locale_path(root, tag, qn.id)
        if not path.is_file():
            diags.append(
                make(
                    "FW606",
                    qn.path,
                    node.line,
                    node.column,
                    f"{tag!r} is listed in translations, but {display_path(path)} does not exist",
                    f"create it with `formwright i18n new --lang {tag}`",
                )
            )
            continue
        present.append((tag, path))

    def job(index: int) -> tuple[LocaleFile, list[Diagnostic]]:
        tag, path = present[index]
        loc, problems = read_locale(path, display_path(path), tag)
        problems += check_locale(qn, loc)
        return loc.checked(), problems

    size = sum(path.stat().st_size for _, path in present)
    workers = parallel.processes(jobs, len(present), size)
    for loc, problems in parallel.run(job, len(present), workers):
        diags += problems
        out.append(loc)
    folder = root / "locales"
    if folder.is_dir():
        for path in sorted(folder.glob(f"*/{qn.id}.yaml")):
            tag = normalise_tag(path.parent.name)
            if tag not in listed and tag != qn.language:
                diags.append(
                    make(
                        "FW608",
                        display_path(path),
                        1,
                        1,
                        f"{qn.id!r} does not list {path.parent.name!r} in its translations, "
                        "so this file is not published",
                        f"add {path.parent.name} to translations: in {qn.path}",
                    )
                )
    return out, diags
