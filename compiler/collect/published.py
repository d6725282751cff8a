"""What the build published that the endpoint serves: manifests and their pages.

The endpoint reads build/ output only (manifest.json and the pages beside it),
never the questionnaire's YAML, so it imports none of the compiler's stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..manifest import ManifestError, manifest_paths, read_manifest
from .answers import Index
from .limits import SetupError


@dataclass
class Loaded:
    """One questionnaire the endpoint accepts, from its build folder."""

    manifest: dict[str, Any]
    error_pages: dict[str, str] = field(default_factory=dict)
    index: Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = Index.of(self.manifest)

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    @property
    def path(self) -> str:
        return urlsplit(str(self.manifest.get("endpoint") or "/responses")).path or "/responses"


def _error_page(text: str, qid: str, lang: str) -> str:
    # The page is answered at the endpoint's URL, not from its own folder, and its
    # CSP forbids <base>: point its relative links back at the folder instead.
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
            page = path.parent / lang / "error.html"
            if page.is_file():
                loaded.error_pages[lang] = _error_page(page.read_text("utf-8"), loaded.id, lang)
        found[loaded.id] = loaded
    if not found:
        raise SetupError(f"no built questionnaire in {build_dir}: run formwright build first")
    return found
