"""Groups in a real browser: one condition for several questions, explained once without JavaScript.

examples/travel-diary asks two questions only of trips abroad, as a group.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import AXE, ROOT
from test_browser import AXE_RULES, AXE_TAGS

from compiler.build import build_project

EXAMPLE = ROOT / "examples" / "travel-diary"
LANGUAGES = ["en", "ar", "zh-Hans"]


@pytest.fixture(scope="module")
def site(static_server: tuple[str, Path]) -> str:
    base, folder = static_server
    outcome = build_project(EXAMPLE, folder)
    assert not outcome.failed, outcome.diagnostics
    return f"{base}/travel-diary"


@pytest.fixture
def browse(playwright_browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(url: str, js: bool = True) -> Any:
        context = playwright_browser.new_context(
            viewport={"width": 390, "height": 844}, bypass_csp=True
        )
        if not js:
            # the page as without JavaScript: its script withheld, so axe can still run
            context.route(
                "**/assets/form.*.js", lambda r: r.fulfill(body="", content_type="text/javascript")
            )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors: {errors}"


def axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "rules": AXE_RULES}
    result = page.evaluate("o => axe.run(document, o)", options)
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def to_second_page(page: Any, destination: str) -> None:
    for name, (day, month) in {"start_date": ("10", "3"), "end_date": ("14", "3")}.items():
        page.fill(f"#f-{name}--day", day)
        page.fill(f"#f-{name}--month", month)
        page.fill(f"#f-{name}--year", "2026")
    page.check(f"#f-destination--{destination}")
    page.click("[data-fw-next]")
    assert page.locator("#p-journeys").is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_group_shows_and_hides_together(site: str, browse: Any, lang: str) -> None:
    page = browse(f"{site}/{lang}/index.html")
    to_second_page(page, "abroad")
    group = page.locator("[data-fw-group=abroad]")
    assert group.is_visible()
    assert page.locator("#q-flights").is_visible() and page.locator("#q-border_wait").is_visible()
    page.fill("#f-flights", "2")
    page.check("#f-border_wait--short")
    found = axe(page)
    assert found == [], json.dumps(found, ensure_ascii=False)
    # another destination: the whole group goes, and its answers with it
    page.click("[data-fw-back]:visible")
    page.check("#f-destination--coast")
    page.click("[data-fw-next]")
    assert group.is_hidden()
    assert page.locator("#f-flights").input_value() == ""
    assert not page.locator("#f-border_wait--short").is_checked()
    assert page.locator("#f-flights").is_disabled()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_javascript_the_group_is_explained_once(site: str, browse: Any, lang: str) -> None:
    page = browse(f"{site}/{lang}/index.html", js=False)
    group = page.locator("[data-fw-group=abroad]")
    assert group.is_visible()
    notes = group.locator(".fw-note")
    assert notes.count() == 1  # one note for the group, none repeated on its questions
    assert page.locator("#note-g-abroad").is_visible()
    label = page.locator("label[for=f-destination--abroad]").inner_text().strip()
    assert label in notes.first.inner_text()
    assert page.locator("#note-flights").count() == 0
    # the note describes each question of the group, for a screen reader tabbing in
    assert "note-g-abroad" in (page.locator("#f-flights").get_attribute("aria-describedby") or "")
    found = axe(page)
    assert found == [], json.dumps(found, ensure_ascii=False)
