"""What the browser tests of the worked examples share (tests/test_examples_*.py).

Both examples in examples/ are built once per module, and each test serves that build
with a real endpoint on a fresh SQLite database in its own tmp_path, as
tests/test_browser_refusals.py does; pages run in headless Chromium (tests/conftest.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from test_browser import axe
from test_browser_refusals import serving

from compiler.build import build_project
from compiler.collect.app import create_app
from compiler.collect.limits import Limits

EXAMPLES = ROOT / "examples"
LANGS = ("en", "ar", "zh-Hans")
LOCALES = {"en": "en-GB", "ar": "ar", "zh-Hans": "zh-CN"}  # the browser's own language
PHONE = {"width": 390, "height": 844}

__all__ = ["LANGS", "Site", "axe", "browse", "built", "site"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both examples, built as `formwright build -C examples/<name>` builds them."""
    out = tmp_path_factory.mktemp("examples") / "build"
    for name in ("phq-9", "travel-diary"):
        outcome = build_project(EXAMPLES / name, out)
        assert not outcome.failed, outcome.diagnostics
    return out


@dataclass
class Site:
    base: str
    db: Path

    def rows(self, questionnaire: str) -> list[dict[str, Any]]:
        """What was stored: the envelope's columns and the answers, oldest first."""
        if not self.db.exists():
            return []
        query = (
            "SELECT submission_id, version, language, answers FROM responses"
            " WHERE questionnaire = ? ORDER BY submitted, rowid"
        )
        with closing(sqlite3.connect(self.db)) as conn:
            return [
                {"submission_id": s, "version": v, "language": lang, "answers": json.loads(a)}
                for s, v, lang, a in conn.execute(query, (questionnaire,))
            ]

    def answers(self, questionnaire: str) -> dict[str, Any]:
        """The answers of the one response stored."""
        rows = self.rows(questionnaire)
        assert len(rows) == 1, rows
        return dict(rows[0]["answers"])


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Iterator[Site]:
    """The built forms and the endpoint on one origin, no rate limit, a new database."""
    db = tmp_path / "responses.sqlite3"
    app = create_app(built, str(db), (), Limits(rate_limit=0), serve_static=True)
    with serving(app) as base:
        yield Site(base, db)


@pytest.fixture
def browse(playwright_browser: Any) -> Iterator[Callable[..., Any]]:
    """new_page(lang, js=True, script=True): a phone-sized page in a context of its own.

    bypass_csp lets axe-core be injected; script=False withholds the form's script
    from a page that may still run axe (the page as it is without JavaScript)."""
    contexts: list[Any] = []
    errors: list[str] = []

    def new_page(lang: str, js: bool = True, script: bool = True) -> Any:
        context = playwright_browser.new_context(
            java_script_enabled=js, bypass_csp=True, locale=LOCALES[lang], viewport=PHONE
        )
        if not script:
            context.route(
                "**/assets/form.*.js", lambda r: r.fulfill(body="", content_type="text/javascript")
            )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors: {errors}"


def locale_text(example: str, lang: str, key: str) -> str:
    """A text of an example's locale file (the translator's words, as published)."""
    import yaml

    path = EXAMPLES / example / "locales" / lang / f"{example}.yaml"
    return str(yaml.safe_load(path.read_text("utf-8"))["texts"][key]["text"]).strip()


def summary_texts(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("[data-fw-summary-list] li").all_inner_texts()]


def visible_button(page: Any) -> Any:
    return page.locator("[data-fw-next]:visible, [data-fw-send]:visible").first


def send(page: Any, lang: str, example: str) -> None:
    """Send from the last page and wait for the thanks page."""
    page.locator("[data-fw-send]").click()
    page.wait_for_url(f"**/{example}/{lang}/thanks.html")


def posted_json(page: Any) -> list[dict[str, Any]]:
    """The bodies of the script's posts, as they leave the page."""
    bodies: list[dict[str, Any]] = []

    def seen(request: Any) -> None:
        if request.method == "POST":
            bodies.append(json.loads(request.post_data or "{}"))

    page.on("request", seen)
    return bodies
