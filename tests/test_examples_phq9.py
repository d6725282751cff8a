"""examples/phq-9 in a real Chromium against a real endpoint, in en, ar and zh-Hans.

The worked example of calculated values, bands and piping (issue 16): the total and
its band shown before sending, in the page's language; the stored total and band the
endpoint's own, whatever the browser sent; without JavaScript the fallback text, and
the endpoint still computes both. axe-core on every page kind, and the Nu HTML Checker
on both examples' built pages. Needs what tests/test_browser.py needs; skipped with a
reason without it, failing under FORMWRIGHT_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import VNU, require
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
    visible_button,
)

__all__ = ["browse", "built", "site"]  # the fixtures

QID = "phq-9"
# The items' answers for each language's test, a different band in each:
# en 12 (Moderate, band 3), ar 17 (Moderately severe, band 4), zh-Hans 22 (Severe, band 5).
ITEMS = {
    "en": [3, 2, 1, 0, 2, 1, 1, 1, 1],
    "ar": [3, 3, 2, 2, 2, 2, 1, 1, 1],
    "zh-Hans": [3, 3, 3, 3, 2, 2, 2, 2, 2],
}
BANDS = [(0, 4), (5, 9), (10, 14), (15, 19), (20, 27)]
EN_BANDS = ["None to minimal", "Mild", "Moderate", "Moderately severe", "Severe"]
EN_SCORE = "Your total score is calculated when you send your answers out of 27"


def band_of(total: int) -> int:
    return next(n for n, (low, high) in enumerate(BANDS, 1) if low <= total <= high)


def band_label(lang: str, band: int) -> str:
    """The band's label in the page's language, from the locale file for a translation."""
    if lang == "en":
        return EN_BANDS[band - 1]
    return locale_text(QID, lang, f"questions.total.bands.{band}")


def fallback(lang: str, name: str) -> str:
    """The fallback the score statement shows for {name|…} in that language."""
    if lang == "en":
        return {
            "total": "calculated when you send your answers",
            "total.band": "its band is recorded with your answers",
        }[name]
    text = locale_text(QID, lang, "questions.score.text")
    found = re.search(r"\{" + re.escape(name) + r"\|([^|}]*)\}", text)
    assert found, text
    return found.group(1)


def answer_items(page: Any, lang: str) -> None:
    for n, code in enumerate(ITEMS[lang], 1):
        page.check(f"#f-phq--q{n}--{code}")


def open_form(page: Any, site: Site, lang: str) -> None:
    page.goto(f"{site.base}/{QID}/{lang}/index.html")


# --- accessibility -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_nothing_on_any_page(site: Site, browse: Any, lang: str) -> None:
    found: dict[str, Any] = {}
    page = browse(lang)
    open_form(page, site, lang)
    found["first page"] = axe(page)
    visible_button(page).click()  # every item is required: the error summary
    assert page.locator("[data-fw-summary]").is_visible()
    found["error summary"] = axe(page)
    answer_items(page, lang)
    visible_button(page).click()
    assert page.locator("#p-difficulty").is_visible()
    assert band_label(lang, band_of(sum(ITEMS[lang]))) in page.inner_text("#q-score")
    found["last page, piped"] = axe(page)
    send(page, lang, QID)
    found["thanks"] = axe(page)
    page.goto(f"{site.base}/{QID}/{lang}/error.html")
    found["error page"] = axe(page)
    page = browse(lang, script=False)
    open_form(page, site, lang)
    assert page.locator("#q-difficult").is_visible(), "every question, without the script"
    found["without JavaScript"] = axe(page)
    assert found == {k: [] for k in found}, json.dumps(found, ensure_ascii=False, indent=1)


def test_html_of_both_examples_is_valid(built: Path) -> None:
    require(shutil.which("java") is not None, "no Java for the Nu HTML Checker")
    require(VNU.exists(), "vnu-jar is not installed (npm ci)")
    command = ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format"]
    command += ["json", "--stdout", str(built / QID), str(built / "travel-diary")]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stdout or "{}").get("messages", [])
    assert messages == [], json.dumps(messages[:10], indent=1)
    assert len(list(built.glob("*/*/index.html"))) == 2 * len(LANGS)


# --- with JavaScript: the total shown, the endpoint's stored ---------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_total_and_band_show_in_the_pages_language_and_are_stored(
    site: Site, browse: Any, lang: str
) -> None:
    page = browse(lang)
    sent = posted_json(page)
    open_form(page, site, lang)
    before = page.text_content("#q-score [data-fw-pipe=total]")
    assert before == fallback(lang, "total"), "before the items are answered"
    answer_items(page, lang)
    visible_button(page).click()
    total = sum(ITEMS[lang])
    band = band_of(total)
    number = page.evaluate(
        "n => new Intl.NumberFormat(document.documentElement.lang).format(n)", total
    )
    statement = page.inner_text("#q-score")
    assert page.inner_text("#q-score [data-fw-pipe=total]") == number
    assert page.inner_text("#q-score [data-fw-pipe='total.band']") == band_label(lang, band)
    assert fallback(lang, "total") not in statement
    assert page.locator("#q-difficult").is_visible(), "asked: the total is above 0"
    page.check("#f-difficult--somewhat")
    send(page, lang, QID)
    (body,) = sent
    assert (body["answers"]["total"], body["answers"]["total.band"]) == (total, band)
    (row,) = site.rows(QID)
    assert row["language"] == lang and row["submission_id"] == body["submission_id"]
    items = {f"phq.q{n}": code for n, code in enumerate(ITEMS[lang], 1)}
    assert row["answers"] == {**items, "difficult": "somewhat", "total": total, "total.band": band}


def test_a_total_of_0_skips_the_difficulty_question(site: Site, browse: Any) -> None:
    page = browse("en")
    open_form(page, site, "en")
    for n in range(1, 10):
        page.check(f"#f-phq--q{n}--0")
    visible_button(page).click()
    assert not page.locator("#q-difficult").is_visible()
    assert page.inner_text("#q-score").startswith("Your total score is 0 out of 27 (None to")
    send(page, "en", QID)
    assert site.answers(QID) == {f"phq.q{n}": 0 for n in range(1, 10)} | {
        "total": 0,
        "total.band": 1,
    }


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_tampered_total_is_replaced_by_the_servers(site: Site, browse: Any, lang: str) -> None:
    page = browse(lang)
    reached: list[dict[str, Any]] = []

    def tamper(route: Any) -> None:
        body = json.loads(route.request.post_data)
        body["answers"].update({"total": 99, "total.band": 1})
        reached.append(body)
        route.continue_(post_data=json.dumps(body))

    page.route("**/responses", tamper)
    open_form(page, site, lang)
    answer_items(page, lang)
    visible_button(page).click()
    page.check("#f-difficult--very")
    send(page, lang, QID)
    assert reached and reached[0]["answers"]["total"] == 99, "the post was rewritten"
    total = sum(ITEMS[lang])
    stored = site.answers(QID)
    assert (stored["total"], stored["total.band"]) == (total, band_of(total))


# --- without JavaScript: the fallback shown, the endpoint computes ---------------------


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_fallback_shows_and_the_endpoint_computes(
    site: Site, browse: Any, lang: str
) -> None:
    page = browse(lang, js=False)
    open_form(page, site, lang)
    statement = page.inner_text("#q-score")
    assert fallback(lang, "total") in statement and fallback(lang, "total.band") in statement
    if lang == "en":
        assert statement.startswith(EN_SCORE)
    assert page.locator("#q-difficult").is_visible(), "every question is on the one page"
    answer_items(page, lang)
    page.check("#f-difficult--not")
    send(page, lang, QID)
    (row,) = site.rows(QID)
    total = sum(ITEMS[lang])
    assert row["language"] == lang
    assert (row["answers"]["total"], row["answers"]["total.band"]) == (total, band_of(total))
    assert row["answers"]["difficult"] == "not"
