"""What the build published that the endpoint serves: manifests and their pages.

The endpoint reads build/ output only (manifest.json and the pages beside it),
never the questionnaire's YAML, so it imports none of the compiler's stages.
Earlier versions come from the store, which keeps each version's manifest and
pages from the first time an endpoint served it, so their respondents can
still send (within the grace period) and get their answers back on a refusal.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..language.model import DEFAULT_GRACE_DAYS
from ..manifest import ManifestError, manifest_paths, read_manifest
from ..store import Store
from .answers import Index
from .limits import SetupError

FORM, ERROR = "form", "error"  # the kinds of page a refusal can answer with
PAGE_FILES = {FORM: "index.html", ERROR: "error.html"}


@dataclass
class Loaded:
    """One version of a questionnaire the endpoint accepts."""

    manifest: dict[str, Any]
    error_pages: dict[str, str] = field(default_factory=dict)
    form_pages: dict[str, str] = field(default_factory=dict)
    closes: date | None = None  # the last day an earlier version takes answers
    index: Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = Index.of(self.manifest)

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def path(self) -> str:
        return urlsplit(str(self.manifest.get("endpoint") or "/responses")).path or "/responses"

    def is_open(self, today: date) -> bool:
        return self.closes is None or today <= self.closes

    def page(self, kind: str, lang: str) -> str | None:
        return (self.form_pages if kind == FORM else self.error_pages).get(lang)

    def raw_pages(self) -> dict[tuple[str, str], str]:
        pages = {(lang, FORM): text for lang, text in self.form_pages.items()}
        pages.update({(lang, ERROR): text for lang, text in self.error_pages.items()})
        return pages


def at_endpoint(text: str, qid: str, lang: str) -> str:
    """A page as answered at the endpoint's URL rather than from its own folder.

    Its CSP forbids <base>: its relative links are pointed back at the folder."""
    text = text.replace('="../', f'="/{qid}/')
    return text.replace('href="index.html"', f'href="/{qid}/{lang}/index.html"')


def load_questionnaires(build_dir: Path) -> dict[str, Loaded]:
    found: dict[str, Loaded] = {}
    for path in manifest_paths(build_dir):
        try:
            man = read_manifest(path)
        except ManifestError as exc:
            raise SetupError(str(exc)) from exc
        loaded = Loaded(man)
        for lang in man["languages"]:
            for kind, name in PAGE_FILES.items():
                page = path.parent / lang / name
                if page.is_file():
                    text = at_endpoint(page.read_text("utf-8"), loaded.id, lang)
                    (loaded.form_pages if kind == FORM else loaded.error_pages)[lang] = text
        found[loaded.id] = loaded
    if not found:
        raise SetupError(f"no built questionnaire in {build_dir}: run formwright build first")
    return found


def body_limit_problems(questionnaires: dict[str, Loaded], max_body_bytes: int) -> list[str]:
    """Questionnaires whose full answers the body limit would refuse as too large (413)."""
    problems = []
    for loaded in questionnaires.values():
        largest = loaded.manifest.get("max_response_bytes")
        if isinstance(largest, int) and largest > max_body_bytes:
            problems.append(
                f"{loaded.id}: a full response can take {largest} bytes, more than "
                f"FORMWRIGHT_MAX_BODY_BYTES ({max_body_bytes}); raise it to at least {largest}"
            )
    return problems


def earlier_versions(store: Store, current: Loaded) -> dict[str, Loaded]:
    """The versions served before the built one, each with the day it stops taking answers.

    A version closes `grace_period_days` (the current manifest's) after the next
    version was first served; versions never served here are not known at all.
    """
    grace = timedelta(days=int(current.manifest.get("grace_period_days", DEFAULT_GRACE_DAYS)))
    versions = store.versions(current.id)
    out: dict[str, Loaded] = {}
    for earlier, later in itertools.pairwise(versions):
        if earlier.version == current.version:
            continue
        loaded = Loaded(earlier.manifest, closes=later.first_seen + grace)
        for (lang, kind), text in store.pages(current.id, earlier.version).items():
            pages = loaded.form_pages if kind == FORM else loaded.error_pages
            pages[lang] = text
        out[earlier.version] = loaded
    return out
