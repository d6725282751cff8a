"""Layout in a real headless Chromium: focus is never hidden under the sticky Exit bar
(WCAG 2.2 SC 2.4.11), the bar sits in a landmark, pages reflow at 320 CSS px (SC 1.4.10)
and a quick exit leaves no survey page behind the browser's Back button.

Same requirements as tests/test_browser.py (Debian's chromium, Playwright, `npm ci`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_browser import EXIT_TARGET, axe, site, victim_languages, visible_button

from compiler.build import build_project

__all__ = ["site"]  # the fixture, shared with test_browser.py

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
START = "https://start.test/"  # a page that is not formwright's, where a respondent came from


def context_for(browser: Any, **options: Any) -> Any:
    """A context with the pages' own Content-Security-Policy in force (no bypass_csp):
    whatever the script does to the page must pass it."""
    context = browser.new_context(**options)
    context.route(f"{EXIT_TARGET}**", lambda r: r.fulfill(body="<title>Weather</title>left"))
    context.route(f"{START}**", lambda r: r.fulfill(body="<title>Start</title>elsewhere"))
    return context


@pytest.fixture
def watched() -> Iterator[list[str]]:
    """Script errors and refusals by the pages' policy, collected from every page watched."""
    problems: list[str] = []
    yield problems
    assert problems == [], problems


def watch(page: Any, problems: list[str]) -> Any:
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return page


def timed(label: str, started: float) -> None:
    print(f"{label}: {time.perf_counter() - started:.1f} s")


# --- focus never under the Exit bar -------------------------------------------------

FOCUS_GEOMETRY = """() => {
  const el = document.activeElement, r = el.getBoundingClientRect();
  const bar = document.querySelector('.fw-exit').getBoundingClientRect().bottom;
  const height = document.documentElement.clientHeight;
  const tall = r.height > height - bar;
  const ok = r.top >= bar && (tall ? r.top < height : r.bottom <= height);
  return {ok, el: el.id || el.getAttribute('data-fw-summary') !== null && 'summary' || el.tagName,
          top: Math.round(r.top * 10) / 10, bottom: Math.round(r.bottom * 10) / 10,
          bar: Math.round(bar * 10) / 10, height};
}"""


def focus_seen(page: Any, lang: str, move: str, wanted: str, failures: list[str]) -> None:
    got = page.evaluate(FOCUS_GEOMETRY)
    if got["el"] != wanted:
        failures.append(f"{lang} {move}: focus on {got['el']}, not {wanted}")
    elif not got["ok"]:
        failures.append(f"{lang} {move}: {got}")


def answer_first_page(page: Any) -> None:
    """What the first page requires, in Victim Voice or the long-words questionnaire."""
    if page.locator("#f-crime_type--robbery").count():
        page.check("#f-crime_type--robbery")
        return
    page.check("#f-colour--other")
    page.fill("#f-colour--other--specify", LONG_WORD)
    page.check("#f-views--a--1")
    page.check("#f-views--b--2")
    for row in range(1, ROWS + 1):
        page.check(f"#f-many--r{row}--1")


def focus_walk(page: Any, where: str, failures: list[str]) -> int:
    """Every focus move the script makes on one form; returns how many it made."""
    visible_button(page).click()  # the first page requires an answer: the error summary
    focus_seen(page, where, "error summary", "summary", failures)
    links = page.locator("[data-fw-summary-list] a")
    moves = 1
    for link in [links.first, links.last][: links.count()]:
        target = link.get_attribute("href")[1:]
        link.click()
        focus_seen(page, where, f"error link to {target}", target, failures)
        moves += 1
    answer_first_page(page)
    headings = [page.locator("[data-fw-page]:visible .fw-page__title").get_attribute("id")]
    while visible_button(page).get_attribute("data-fw-next") is not None:
        if page.locator("#f-reported--yes:visible").count():
            page.check("#f-reported--yes")  # the answer that shows every page
        visible_button(page).click()
        wanted = page.locator("[data-fw-page]:visible .fw-page__title").get_attribute("id")
        focus_seen(page, where, f"Continue to {wanted}", wanted, failures)
        headings.append(wanted)
    if page.locator("#f-count:visible").count():  # required on the long-words last page
        page.locator("[data-fw-send]").click()
        focus_seen(page, where, "error summary on the last page", "summary", failures)
        moves += 1
    for _ in headings[1:]:
        page.locator("[data-fw-back]:visible").click()
        wanted = page.locator("[data-fw-page]:visible .fw-page__title").get_attribute("id")
        focus_seen(page, where, f"Back to {wanted}", wanted, failures)
    pages = page.locator("[data-fw-page]").count()
    assert len(headings) == pages, f"{where}: the walk saw {headings}"
    return moves + 2 * (len(headings) - 1)


def test_focus_is_never_under_the_exit_bar(
    site: tuple[str, Path], long_site: list[str], playwright_browser: Any, watched: list[str]
) -> None:
    """Every focus move the script makes, on every page of every Victim Voice language at
    390×844: the error summary, an error link's field, Continue and Back to each page's
    heading; and an error summary taller than the screen (the long-words questionnaire)."""
    base, _ = site
    started = time.perf_counter()
    context = context_for(playwright_browser, viewport=PHONE)
    page = watch(context.new_page(), watched)
    failures: list[str] = []
    moves = 0
    forms = [f"victim-voice/{lang}" for lang in victim_languages()] + long_site
    for form in forms:
        page.goto(f"{base}/{form}/index.html")
        moves += focus_walk(page, form, failures)
    context.close()
    timed(f"{moves} focus moves in {len(forms)} forms", started)
    assert failures == [], "\n".join(failures)


# the skip link shows above the bar; focus may also leave the page (to the body)
OUTSIDE_BAR = (
    "(e => e !== document.body && !e.closest('.fw-exit, .fw-skip'))(document.activeElement)"
)


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390", "320"])
def test_tabbing_never_hides_focus_under_the_exit_bar(
    site: tuple[str, Path], playwright_browser: Any, watched: list[str], viewport: dict[str, int]
) -> None:
    """The browser's own scrolling for Tab and Shift+Tab keeps clear of the bar too, in
    the language whose bar is tallest (Tamil wraps), a right-to-left one and English."""
    base, _ = site
    context = context_for(playwright_browser, viewport=viewport)
    page = watch(context.new_page(), watched)
    failures: list[str] = []
    for lang in ("en", "ta", "ur"):
        page.goto(f"{base}/victim-voice/{lang}/index.html")
        page.check("#f-crime_type--robbery")  # the radio group is one Tab stop
        page.locator("[data-fw-next]:visible").focus()
        for key in ["Shift+Tab"] * 12 + ["Tab"] * 12:
            page.keyboard.press(key)
            got = page.evaluate(FOCUS_GEOMETRY)
            if not got["ok"] and page.evaluate(OUTSIDE_BAR):
                failures.append(f"{lang} {key}: {got}")
    context.close()
    assert failures == [], "\n".join(failures)


# --- the Exit bar in a landmark; axe's `region` rule on every page kind ---------------


def test_exit_bar_is_a_named_landmark_after_the_skip_link(
    site: tuple[str, Path], playwright_browser: Any
) -> None:
    base, _ = site
    context = context_for(playwright_browser, viewport=PHONE)
    page = context.new_page()
    for path in ("index.html", "ar/index.html", "ar/thanks.html", "ar/error.html"):
        page.goto(f"{base}/victim-voice/{path}")
        first = page.evaluate("document.querySelector('a, button, input').className")
        assert first == "fw-skip", f"{path}: the skip link is first"
        landmark = page.evaluate(
            "document.querySelector('[data-fw-exit]').closest('aside, header, nav, main')?.tagName"
        )
        assert landmark == "ASIDE", f"{path}: the Exit button is outside a landmark"
        name = page.locator("[data-fw-exit]").inner_text()
        assert f'complementary "{name}"' in page.locator("body").aria_snapshot()
    context.close()


def test_axe_runs_the_region_rule(playwright_browser: Any) -> None:
    """The project's axe options (tests/test_browser.py) include the best-practice `region`."""
    context = playwright_browser.new_context()
    page = context.new_page()
    page.set_content(
        "<!doctype html><html lang=en><title>t</title><p>outside</p><main>inside</main></html>"
    )
    assert [v["id"] for v in axe(page)] == ["region"]
    context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_axe_on_every_page_of_the_form(
    site: tuple[str, Path], playwright_browser: Any, lang: str
) -> None:
    """tests/test_browser.py checks the first page; here every page, and the long page
    without the script (axe itself needs script: the form's own is withheld instead)."""
    base, _ = site
    context = playwright_browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    found: dict[str, Any] = {}
    page.goto(f"{base}/victim-voice/{lang}/index.html")
    page.check("#f-crime_type--robbery")
    while visible_button(page).get_attribute("data-fw-next") is not None:
        if page.locator("#f-reported--yes:visible").count():
            page.check("#f-reported--yes")
        visible_button(page).click()
        found[page.locator("[data-fw-page]:visible").get_attribute("id")] = axe(page)
    context.close()
    context = playwright_browser.new_context(viewport=PHONE, bypass_csp=True)
    context.route(
        "**/assets/form.*.js", lambda r: r.fulfill(body="", content_type="text/javascript")
    )
    page = context.new_page()
    page.goto(f"{base}/victim-voice/{lang}/index.html")
    found["without the script"] = axe(page)
    context.close()
    assert found == {k: [] for k in found}, found


# --- reflow at 320 CSS px --------------------------------------------------------------

LONG_WORD = "Rechtsschutzversicherungsgesellschaftsangestelltenvertretungsversammlungsbeschluss"
ROWS = 14  # rows of a required matrix
LONG_URL = "https://www.example.org/hilfe-und-beratung/opferschutzbeauftragte/verzeichnis?bundesland=nordrhein-westfalen"


def long_questionnaire(qid: str, language: str) -> dict[str, Any]:
    """Every question type, with words and a link no line can hold."""
    w = LONG_WORD
    return {
        "formwright": 1,
        "id": qid,
        "version": "1",
        "title": f"{w} survey",
        "language": language,
        "endpoint": "/responses",
        "quick_exit": EXIT_TARGET,
        "intro": f"Read {w} at [{LONG_URL}]({LONG_URL}) or <{LONG_URL}>. [The end](thanks.html).",
        "pages": [
            {
                "id": "choices",
                "title": f"{w} choices",
                "questions": [
                    {
                        "id": "colour",
                        "type": "single",
                        "text": f"{w}?",
                        "hint": f"{w} {LONG_URL}",
                        "required": True,
                        "options": {
                            "red": w,
                            "other": {"label": f"Other {w}", "specify": f"Which {w}?"},
                        },
                    },
                    {
                        "id": "pets",
                        "type": "multiple",
                        "text": f"Which {w}?",
                        "options": {"cat": w, "none": {"label": f"None {w}", "exclusive": True}},
                    },
                    {
                        "id": "views",
                        "type": "matrix",
                        "text": f"{w} agree?",
                        "required": True,
                        "items": {"a": f"Item {w}", "b": LONG_URL},
                        "options": {1: w, 2: f"Neutral {w}", 3: "Agree"},
                    },
                    {
                        "id": "many",
                        "type": "matrix",
                        "text": f"Rows of {w}",
                        "required": True,  # unanswered: an error summary taller than a phone
                        "items": {f"r{n}": f"Row {n} {w}" for n in range(1, ROWS + 1)},
                        "options": {1: "Yes", 2: "No"},
                    },
                    {
                        "id": "score",
                        "type": "scale",
                        "text": f"Score {w}",
                        "points": {1: w, 2: "Fair", 3: f"Good {w}"},
                        "extra": {"dont_know": w},
                    },
                ],
            },
            {
                "id": "details",
                "title": f"Details {w}",
                "when": "colour == other",
                "questions": [
                    {"id": "word", "type": "text", "text": w, "hint": w, "max_length": 20},
                    {"id": "story", "type": "textarea", "text": f"Tell {w}", "max_length": 100},
                    {
                        "id": "count",
                        "type": "number",
                        "text": f"{w}?",
                        "min": 0,
                        "max": 10,
                        "required": True,
                    },
                    {"id": "day", "type": "date", "text": f"{w} day?"},
                    {"id": "month", "type": "date", "precision": "month", "text": f"{w} month?"},
                    {"id": "year", "type": "date", "precision": "year", "text": f"{w} year?"},
                    {"id": "info", "type": "statement", "text": f"Call **{w}** at <{LONG_URL}>."},
                ],
            },
        ],
    }


@pytest.fixture(scope="module")
def long_site(site: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The long-words questionnaire, left to right and right to left, in the site folder."""
    _, folder = site
    project = tmp_path_factory.mktemp("long")
    (project / "questionnaire").mkdir()
    ids = []
    for qid, language in (("long-words", "en"), ("long-words-rtl", "ar")):
        data = long_questionnaire(qid, language)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (project / "questionnaire" / f"{qid}.yaml").write_text(text, "utf-8")
        ids.append(f"{qid}/{language}")
    outcome = build_project(project, folder)
    assert not outcome.failed, outcome.diagnostics
    return ids


SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const over = document.documentElement.scrollWidth - width;
  if (over <= 0) return null;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width && (r.right > width + 0.5 || r.left < -0.5)
      && !e.closest('.fw-visually-hidden, .fw-trap, .fw-skip');
  }).slice(0, 4).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
  return {over, wide};
}"""


def sideways(page: Any, where: str, failures: list[str]) -> None:
    got = page.evaluate(SIDEWAYS)
    if got is not None:
        failures.append(f"{where}: {got}")


def walk_pages(page: Any, where: str, failures: list[str]) -> int:
    """With the script: the error summary, then every page; returns the pages seen."""
    visible_button(page).click()  # something is required on the first page: errors show
    sideways(page, f"{where} error summary", failures)
    answer_first_page(page)
    seen = 1
    sideways(page, f"{where} page 1", failures)
    while visible_button(page).get_attribute("data-fw-next") is not None:
        if page.locator("#f-reported--yes:visible").count():
            page.check("#f-reported--yes")
        visible_button(page).click()
        seen += 1
        if page.locator("#f-count:visible").count():
            visible_button(page).click()  # count is required: long error messages
        sideways(page, f"{where} page {seen}", failures)
    return seen


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
def test_no_page_scrolls_sideways_at_320px(
    site: tuple[str, Path], long_site: list[str], playwright_browser: Any, script: bool
) -> None:
    """Every page kind of every Victim Voice language, and every question type with words
    and links longer than a line: chooser, each page of the form (with the script) or its
    one long page (without), thanks and error pages."""
    base, _ = site
    started = time.perf_counter()
    context = context_for(playwright_browser, viewport=NARROW, java_script_enabled=script)
    page = context.new_page()
    failures: list[str] = []
    forms = [f"victim-voice/{lang}" for lang in victim_languages()] + long_site
    page.goto(f"{base}/victim-voice/index.html")
    sideways(page, "chooser", failures)
    for form in forms:
        page.goto(f"{base}/{form}/index.html")
        if script:
            assert walk_pages(page, form, failures) > 1
        else:
            sideways(page, f"{form} (one long page)", failures)
        for kind in ("thanks", "error"):
            page.goto(f"{base}/{form}/{kind}.html")
            sideways(page, f"{form} {kind}", failures)
    context.close()
    timed(f"{len(forms)} forms at 320 px {'with' if script else 'without'} the script", started)
    assert failures == [], "\n".join(failures)


# --- quick exit and history ------------------------------------------------------------


def exit_then_back(page: Any) -> str:
    page.locator("[data-fw-exit]").click()
    page.wait_for_url(f"{EXIT_TARGET}**")
    page.go_back()
    page.wait_for_load_state()
    return page.url


def test_quick_exit_leaves_no_survey_page_behind_back(
    site: tuple[str, Path], long_site: list[str], playwright_browser: Any, watched: list[str]
) -> None:
    """With the script, moving about the survey never adds to the history: after an exit,
    Back leads to the page the respondent came from."""
    base, _ = site
    context = context_for(playwright_browser, viewport=PHONE)
    page = watch(context.new_page(), watched)
    # start page → chooser → a language → step 2 → Exit → Back
    page.goto(START)
    page.goto(f"{base}/victim-voice/index.html")
    page.locator("a[hreflang=ur]").click()
    page.wait_for_url("**/victim-voice/ur/index.html")
    page.check("#f-crime_type--robbery")
    visible_button(page).click()
    assert page.locator("#h-reporting").is_visible()
    assert exit_then_back(page) == START
    # the error page's "start again" link, then the thanks page
    page.goto(START)
    page.goto(f"{base}/victim-voice/en/error.html")
    page.locator("main a[href='index.html']").click()
    page.wait_for_url("**/victim-voice/en/index.html")
    assert exit_then_back(page) == START
    # a whole response: the script's replace() leads to the thanks page
    page.route("**/responses", lambda r: r.fulfill(status=201, body='{"id": "x"}'))
    page.goto(START)
    page.goto(f"{base}/victim-voice/index.html")
    page.locator("a[hreflang=en]").click()
    page.wait_for_url("**/victim-voice/en/index.html")
    page.check("#f-crime_type--robbery")
    while page.locator("[data-fw-next]:visible").count():
        page.locator("[data-fw-next]:visible").click()
    page.locator("[data-fw-send]").click()
    page.wait_for_url("**/victim-voice/en/thanks.html")
    assert exit_then_back(page) == START
    # a link in the questionnaire's own texts is left alone: Back returns to the answers
    page.goto(f"{base}/{long_site[0]}/index.html")
    page.check("#f-colour--red")
    page.get_by_role("link", name="The end").click()
    page.wait_for_url(f"**/{long_site[0]}/thanks.html")
    page.go_back()
    assert page.url == f"{base}/{long_site[0]}/index.html"
    context.close()


def test_a_language_link_opened_in_a_new_tab_is_left_alone(
    site: tuple[str, Path], playwright_browser: Any
) -> None:
    base, _ = site
    context = context_for(playwright_browser, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/victim-voice/index.html")
    with context.expect_page() as opened:
        page.locator("a[hreflang=es]").click(modifiers=["ControlOrMeta"])
    opened.value.wait_for_load_state()
    assert opened.value.url.endswith("/victim-voice/es/index.html")
    assert page.url.endswith("/victim-voice/index.html")
    context.close()


@pytest.mark.parametrize("path", ["index.html", "en/index.html", "ar/thanks.html", "en/error.html"])
def test_shift_three_times_exits_from_every_page_kind(
    site: tuple[str, Path], playwright_browser: Any, path: str
) -> None:
    base, _ = site
    context = context_for(playwright_browser, viewport=PHONE)
    page = context.new_page()
    page.goto(START)
    page.goto(f"{base}/victim-voice/{path}")
    page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(f"{EXIT_TARGET}**")
    page.go_back()
    assert page.url == START
    context.close()
