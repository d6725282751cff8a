"""gettext PO files for translators who work in CAT tools (Poedit, Weblate, Crowdin).

Each text is one message: msgctxt is its key, msgid the source text, msgstr
the translation; a stale translation is marked fuzzy. Reading and writing is
Babel's; the output passes `msgfmt --check`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from ..language.model import Questionnaire
from ..language.texts import describe_key, source_entries
from .files import LocaleFile, fingerprint

PROJECT_PREFIX = "formwright:"


def _plural_forms(lang: str) -> str:
    try:
        rule = get_plural(lang.replace("-", "_"))
    except ValueError:  # pragma: no cover - Babel falls back to a default
        return "nplurals=2; plural=(n != 1);"
    return rule.plural_forms


def export_po(qn: Questionnaire, loc: LocaleFile | None, lang: str) -> bytes:
    catalog = Catalog(
        locale=None,
        project=f"{PROJECT_PREFIX}{qn.id}",
        version=qn.version,
        fuzzy=False,
        charset="utf-8",
    )
    header = catalog.mime_headers
    catalog.mime_headers = [
        (k, v) for k, v in header if k not in ("POT-Creation-Date", "PO-Revision-Date")
    ] + [("Language", lang), ("Plural-Forms", _plural_forms(lang))]
    entries = loc.entries if loc else {}
    for key, (text, node) in source_entries(qn).items():
        entry = entries.get(key)
        translation = entry.text if entry else ""
        stale = (
            entry is not None
            and bool(translation.strip())
            and entry.source_fingerprint != fingerprint(text)
        )
        catalog.add(
            text,
            translation,
            locations=[(qn.path, node.line)],
            auto_comments=[describe_key(key)],
            flags=["fuzzy"] if stale else [],
            context=key,
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, sort_output=False, no_location=False)
    return _drop_volatile(out.getvalue())


def _drop_volatile(data: bytes) -> bytes:
    """Babel always writes creation dates; a byte-stable round trip needs them gone."""
    keep = [
        line
        for line in data.split(b"\n")
        if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))
    ]
    return b"\n".join(keep)


@dataclass
class Imported:
    questionnaire: str
    lang: str
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def read_header(data: bytes) -> tuple[str, str]:
    """The questionnaire id and language a PO file says it is for."""
    catalog = read_po(io.BytesIO(data))
    project = catalog.project or ""
    qid = project.removeprefix(PROJECT_PREFIX) if project.startswith(PROJECT_PREFIX) else ""
    lang = ""
    for key, value in catalog.mime_headers:
        if key.lower() == "language":
            lang = value
    return qid, lang


def import_po(qn: Questionnaire, loc: LocaleFile | None, data: bytes) -> Imported:
    """Merge a PO file into the current translations; fuzzy entries stay stale."""
    catalog = read_po(io.BytesIO(data))
    qid, lang = read_header(data)
    result = Imported(qid, lang)
    current = {k: (e.text, e.source_fingerprint) for k, e in (loc.entries if loc else {}).items()}
    result.entries = dict(current)
    sources = source_entries(qn)
    for message in catalog:
        key = message.context
        if not message.id or key is None:
            continue
        if key not in sources:
            result.unknown.append(key)
            continue
        text = message.string if isinstance(message.string, str) else ""
        if not text:
            if key in current and not current[key][0]:
                result.entries[key] = current[key]
            continue
        if message.fuzzy:
            previous = current.get(key, ("", ""))[1]
            result.entries[key] = (text, previous)
        else:
            result.entries[key] = (text, fingerprint(str(message.id)))
    return result
