"""The one reader of build/<id>/manifest.json, the contract between the build and the rest.

The endpoint, the exports and the preview read what the build wrote through
here, so none of them needs the compiler's stages to find a questionnaire.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class ManifestError(Exception):
    """A manifest.json that cannot be read or is not JSON."""


def manifest_paths(build_dir: Path) -> list[Path]:
    """Every built questionnaire's manifest, in the order of their folders' names."""
    return sorted(build_dir.glob(f"*/{MANIFEST}"))


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ManifestError(f"cannot read {path}: not a JSON object")
    return data


def built_manifests(build_dir: Path) -> list[dict[str, Any]]:
    return [read_manifest(path) for path in manifest_paths(build_dir)]
