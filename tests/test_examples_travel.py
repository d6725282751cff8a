"""examples/travel-diary in a real Chromium against a real endpoint, in en, ar and zh-Hans.

The worked example of rules with their own messages (issue 16): a question rule on
the dates and a page rule on the journeys, in the form's language with and without
JavaScript; a postcode district with a custom message; a piped answer and a piped
number with its plural words; a hidden field from the address; and the first page by
keyboard alone. Needs what tests/test_browser.py needs; skipped with a reason
without it, failing under FORMWRIGHT_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from examples_support import (
    LANGS,
    Site,
    axe,
    browse,
    built,
    locale_text,
    posted_json,
    send,
    site,
    summary_texts,
    visible_button,
)
from test_browser_refusals import axe_without_script

from compiler.strings import Strings

__all__ = ["browse", "built", "site"]  # the fixtures

QID = "travel-diary"
LEFT = ("10", "3", "2025")
BEFORE = ("8", "3", "2025")  # two days before leaving: the rule on end_date fails
BACK = {"en": ("14", "3", "2025"), "ar": ("13", "3", "2025"), "zh-Hans": ("12", "3", "2025")}
NIGHTS = {"en": 4, "ar": 3, "zh-Hans": 2}
# The words for those nights: English "4 nights", Arabic's `few` form "# ليالٍ" (3–10)
NIGHT_WORDS = {"en": "nights", "ar": "ليالٍ", "zh-Hans": "晚"}
EN = {
    "questions.end_date.rules.1": "The day you came back must be on or after the day you left",
    "pages.journeys.rules.1": "You cannot have made more train journeys than journeys",
    "questions.home_district.messages.pattern": (
        "Enter only the first part of your postcode, like SW1A"
    ),
    "questions.destination.options.coast": "The coast",
    "nights fallback": "the nights of your trip",
}


def text(lang: str, key: str) -> str:
    """A designer's text in that language: the source's, or the locale file's."""
    if lang == "en":
        return EN[key]
    if key == "nights fallback":  # {nights|fallback|forms…} in the statement
        return locale_text(QID, lang, "questions.away.text").split("{nights|")[1].split("|")[0]
    return locale_text(QID, lang, key)


def iso(day: tuple[str, str, str]) -> str:
    d, m, y = day
    return f"{y}-{int(m):02}-{int(d):02}"


def open_form(page: Any, site: Site, lang: str, query: str = "") -> None:
    page.goto(f"{site.base}/{QID}/{lang}/index.html{query}")


def fill_date(page: Any, qid: str, day: tuple[str, str, str]) -> None:
    for part, value in zip(("day", "month", "year"), day, strict=True):
        page.fill(f"#f-{qid}--{part}", value)


def fill_trip(page: Any, back: tuple[str, str, str]) -> None:
    fill_date(page, "start_date", LEFT)
    fill_date(page, "end_date", back)
    page.check("#f-destination--coast")


def fill_journeys(page: Any) -> None:
    page.fill("#f-journeys", "2")
    page.fill("#f-train_journeys", "1")
    page.check("#f-travel_mode--train")
    page.check("#f-travel_mode--bus")
    page.fill("#f-home_district", "sw1a")


def expected_answers(lang: str) -> dict[str, Any]:
    return {
        "start_date": iso(LEFT),
        "end_date": iso(BACK[lang]),
        "nights": NIGHTS[lang],
        "destination": "coast",
        "journeys": 2,
        "train_journeys": 1,
        "travel_mode": ["train", "bus"],
        "home_district": "sw1a",
    }


# --- accessibility -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_nothing_on_any_page(site: Site, browse: Any, lang: str) -> None:
    found: dict[str, Any] = {}
    page = browse(lang)
    open_form(page, site, lang)
    found["first page"] = axe(page)
    fill_trip(page, BEFORE)
    visible_button(page).click()
    assert summary_texts(page) == [text(lang, "questions.end_date.rules.1")]
    found["error summary, the rule on end_date"] = axe(page)
    fill_date(page, "end_date", BACK[lang])
    visible_button(page).click()
    assert NIGHT_WORDS[lang] in page.inner_text("#q-away")
    found["last page, piped"] = axe(page)
    fill_journeys(page)
    page.fill("#f-train_journeys", "3")
    page.locator("[data-fw-send]").click()
    assert summary_texts(page) == [text(lang, "pages.journeys.rules.1")]
    found["error summary, the page rule"] = axe(page)
    page.fill("#f-train_journeys", "1")
    send(page, lang, QID)
    found["thanks"] = axe(page)
    page = browse(lang, script=False)
    open_form(page, site, lang)
    assert page.locator("#q-home_district").is_visible(), "every question, without the script"
    found["without JavaScript"] = axe(page)
    assert found == {k: [] for k in found}, json.dumps(found, ensure_ascii=False, indent=1)


# --- with JavaScript ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_rules_messages_piping_and_the_hidden_field(site: Site, browse: Any, lang: str) -> None:
    page = browse(lang)
    sent = posted_json(page)
    open_form(page, site, lang, "?channel=leaflet")
    fill_trip(page, BEFORE)
    visible_button(page).click()
    rule = text(lang, "questions.end_date.rules.1")
    assert summary_texts(page) == [rule]
    assert page.locator("#err-end_date").is_visible()
    assert rule in page.inner_text("#err-end_date")
    assert page.locator("#f-end_date--day").get_attribute("aria-invalid") == "true"
    fill_date(page, "end_date", BACK[lang])
    visible_button(page).click()
    assert page.locator("#p-journeys").is_visible()
    # the nights, with the words of the language's plural form for that number
    away = page.inner_text("#q-away [data-fw-pipe=nights]")
    number = page.evaluate(
        "n => new Intl.NumberFormat(document.documentElement.lang).format(n)", NIGHTS[lang]
    )
    assert number in away and NIGHT_WORDS[lang] in away, away
    if lang == "en":
        assert page.inner_text("#q-away") == "You were away for 4 nights."
    # the destination's label, in the page's language, in the hint of travel_mode
    coast = text(lang, "questions.destination.options.coast")
    assert page.inner_text("#hint-travel_mode [data-fw-pipe=destination]") == coast
    # the page rule: more train journeys than journeys
    fill_journeys(page)
    page.fill("#f-train_journeys", "3")
    page.locator("[data-fw-send]").click()
    page_rule = text(lang, "pages.journeys.rules.1")
    assert summary_texts(page) == [page_rule]
    shown = page.locator("[data-fw-error]:visible")
    assert shown.count() == 1 and page_rule in shown.inner_text()
    page.fill("#f-train_journeys", "1")
    # a full postcode is refused with the designer's message; its first part is taken
    page.fill("#f-home_district", "SW1A 1AA")
    page.locator("[data-fw-send]").click()
    pattern = text(lang, "questions.home_district.messages.pattern")
    assert summary_texts(page) == [pattern]
    assert pattern in page.inner_text("#err-home_district")
    page.fill("#f-home_district", "sw1a")
    send(page, lang, QID)
    assert [b["answers"].get("channel") for b in sent] == ["leaflet"]
    assert site.answers(QID) == expected_answers(lang) | {"channel": "leaflet"}


@pytest.mark.parametrize("query", ["?channel=somethingelse", "?channel=", ""])
def test_a_channel_not_listed_is_not_stored(site: Site, browse: Any, query: str) -> None:
    page = browse("en")
    open_form(page, site, "en", query)
    fill_trip(page, BACK["en"])
    visible_button(page).click()
    fill_journeys(page)
    send(page, "en", QID)
    assert site.answers(QID) == expected_answers("en")


# --- without JavaScript ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_wrong_dates_come_back_filled_in_the_forms_language(
    site: Site, browse: Any, playwright_browser: Any, lang: str
) -> None:
    page = browse(lang, js=False)
    open_form(page, site, lang, "?channel=leaflet")  # a page cannot read it without script
    nights = page.inner_text("#q-away [data-fw-pipe=nights]")
    assert nights == text(lang, "nights fallback"), "the fallback, without the script"
    fill_trip(page, BEFORE)
    fill_journeys(page)
    with page.expect_navigation() as posted:
        page.locator("[data-fw-send]").click()
    response = posted.value
    assert response.status == 422
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (
        lang,
        "rtl" if lang == "ar" else "ltr",
    )
    assert page.title().startswith(Strings(lang)("error_prefix"))
    rule = text(lang, "questions.end_date.rules.1")
    summary = page.locator("[data-fw-summary]")
    assert summary.is_visible() and rule in summary.inner_text()
    assert page.locator("#err-end_date").is_visible()
    assert rule in page.inner_text("#err-end_date")
    filled = {
        "start_date--day": LEFT[0],
        "start_date--month": LEFT[1],
        "start_date--year": LEFT[2],
        "end_date--day": BEFORE[0],
        "end_date--month": BEFORE[1],
        "end_date--year": BEFORE[2],
        "journeys": "2",
        "train_journeys": "1",
        "home_district": "sw1a",
    }
    assert {k: page.input_value(f"#f-{k}") for k in filled} == filled
    for box in ("destination--coast", "travel_mode--train", "travel_mode--bus"):
        assert page.is_checked(f"#f-{box}"), box
    assert not page.is_checked("#f-travel_mode--car")
    assert axe_without_script(playwright_browser, page.url, response.text()) == []
    assert site.rows(QID) == []
    fill_date(page, "end_date", BACK[lang])
    send(page, lang, QID)
    assert site.answers(QID) == expected_answers(lang), "no channel without the script"


# --- keyboard only --------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement, r = el.getBoundingClientRect();
  return {el: el.id || (el.hasAttribute('data-fw-summary') && 'summary')
                 || (el.hasAttribute('data-fw-next') && 'next') || el.className || el.tagName,
          seen: r.top >= -1 && r.bottom <= document.documentElement.clientHeight + 1,  // subpixels
          exit: document.querySelectorAll('.fw-exit').length};
}"""
FIRST_PAGE = [
    "fw-skip",
    "f-start_date--day",
    "f-start_date--month",
    "f-start_date--year",
    "f-end_date--day",
    "f-end_date--month",
    "f-end_date--year",
    "f-destination--city",
    "next",
]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_keyboard_only_to_the_error_summary_and_back_to_the_field(
    site: Site, browse: Any, lang: str
) -> None:
    page = browse(lang)
    open_form(page, site, lang)
    typed = {"f-start_date": LEFT, "f-end_date": BEFORE}
    order = []
    for _ in FIRST_PAGE:
        page.keyboard.press("Tab")
        got = page.evaluate(FOCUSED)
        assert got["seen"], f"focus out of sight: {got}"
        order.append(got["el"])
        qid, _, part = got["el"].partition("--")
        if qid in typed:
            page.keyboard.type(typed[qid][("day", "month", "year").index(part)])
    assert order == FIRST_PAGE
    assert page.evaluate(FOCUSED)["exit"] == 0, "no quick_exit: no Exit bar to hide focus"
    for wanted in reversed(FIRST_PAGE[1:-1]):  # and back again with Shift+Tab
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(FOCUSED)["el"] == wanted
    for _ in FIRST_PAGE[1:-2]:
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first destination, chosen from the keyboard
    assert page.is_checked("#f-destination--city")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Continue: the rule on end_date fails
    got = page.evaluate(FOCUSED)
    assert got["el"] == "summary" and got["seen"], got
    assert summary_texts(page) == [text(lang, "questions.end_date.rules.1")]
    page.keyboard.press("Tab")
    link = page.evaluate("document.activeElement.getAttribute('href')")
    assert page.evaluate("!!document.activeElement.closest('[data-fw-summary]')"), link
    page.keyboard.press("Enter")
    got = page.evaluate(FOCUSED)
    assert f"#{got['el']}" == link and got["el"].startswith("f-end_date"), (got, link)
    assert got["seen"], got
