"""The form's stylesheet and script as pages carry them (part of stage 4).

The stylesheet is written into every page: on a slow connection a separate,
render-blocking stylesheet costs a whole round trip before anything shows (about
400 ms on slow 3G), and the policy still admits only this one stylesheet, by its
hash. The script stays a separate, content-hashed file, loaded `defer`, so it
never delays the first question; it is minified because it is a third of what a
respondent downloads, while minifying the stylesheet saves about 0.1 kB gzipped,
not worth a second dependency.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import rjsmin
from markupsafe import Markup


@dataclass(frozen=True)
class Assets:
    script_name: str  # file name under assets/, changes whenever the script does
    script: bytes
    style: Markup  # the stylesheet, inlined in a <style> element of every page
    style_source: str  # for the policy: 'sha256-…' of exactly the inlined text

    def script_path(self, prefix: str) -> str:
        return f"{prefix}assets/{self.script_name}"


def _static(name: str) -> str:
    return resources.files("compiler").joinpath("static", name).read_text(encoding="utf-8")


def make_assets(style: str, script: str) -> Assets:
    if "</" in style:
        # would end the <style> element early; our own stylesheet never needs it
        raise ValueError("the stylesheet must not contain '</'")
    minified = (rjsmin.jsmin(script).strip() + "\n").encode("utf-8")
    digest = hashlib.sha256(minified).hexdigest()[:12]
    style_digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
    return Assets(
        script_name=f"form.{digest}.js",
        script=minified,
        style=Markup(style),
        style_source=f"'sha256-{style_digest}'",
    )


@cache
def form_assets() -> Assets:
    """The package's own stylesheet and script."""
    return make_assets(_static("form.css"), _static("form.js"))
