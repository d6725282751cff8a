"""Refusals in a real Chromium, with and without JavaScript, in English and Arabic.

Every refusal is caused for real on a real endpoint (a held SQLite lock, a rate limit
of one, an invalid answer the browser could not catch, a version past its grace
period, a lowered body limit), and each test checks what a respondent would see:
the message in the form's language, every answer still in the page, axe-core clean,
and, once the cause is gone, one stored response. Needs what tests/test_browser.py
needs; skipped with a reason without it, failing under FORMWRIGHT_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from collect_support import QID, SOURCE, free_port
from conftest import AXE
from starlette.testclient import TestClient

from compiler.build import build_project
from compiler.collect.app import create_app
from compiler.collect.limits import Limits
from compiler.strings import Strings

LANGS = ("en", "ar")
LOCALES = {"en": "en-GB", "ar": "ar"}  # the browser's own language (Accept-Language)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# What a respondent types, in their own script; the English one needs escaping too.
TYPED = {
    "en": ("teal & <grey>", "Ms Whiskers", "It happened twice, at night."),
    "ar": ("فيروزي", "مشمش", "حدث ذلك مرتين في الليل."),
}
CHECKED = ["colour--other", "pets--cat", "pets--dog", "views--a--3", "views--b--1", "score--3"]
DAY = ("4", "3", "2025")  # after 2024-12-31: the month question is asked
LATER = date.today() + timedelta(days=40)  # past the endpoint's "today", not the browser's
FUTURE = (str(LATER.day), str(LATER.month), str(LATER.year))
LIMITS = {
    503: Limits(rate_limit=0, save_deadline=1),
    429: Limits(rate_limit=1, rate_window=3),
    422: Limits(rate_limit=0),
    410: Limits(rate_limit=0),
    413: Limits(rate_limit=0, max_body_bytes=256),
    200: Limits(rate_limit=0),
}
MESSAGES = {503: "refused_unavailable", 429: "refused_busy", 410: "refused_closed"}


class KnownBug(AssertionError):
    """A check that fails for a compiler bug reported with this file (see BUGS)."""


# The compiler bugs these tests meet, reported rather than fixed here. Each is checked
# last, by raise_known, so that everything else such a test proves is still proved;
# their cases are strict xfails that raise only KnownBug, so any other failure fails.
BUGS = {
    "names": "the endpoint's messages name the question in the source language, not the "
    "form's (collect/answers.py: _Validator takes q['text'] from the manifest)",
    "list": "form.js refused() appends the Try again <button> straight into the <ul> "
    "of the error summary: axe 'list' (WCAG 1.3.1)",
}


def known(js: bool, status: int, lang: str) -> list[str]:
    """The bugs the case (with or without JavaScript, refusal, language) meets."""
    found = ["names"] if (status, lang) == (422, "ar") else []
    return found + (["list"] if js and status in (503, 429) else [])


def cases(js: bool, *statuses: int) -> list[Any]:
    out = []
    for status in statuses:
        for lang in LANGS:
            bugs = known(js, status, lang)
            reason = "; ".join(BUGS[b] for b in bugs)
            marks = [pytest.mark.xfail(raises=KnownBug, strict=True, reason=reason)] if bugs else []
            out.append(pytest.param(status, lang, marks=marks))
    return out


def raise_known(found: dict[str, bool]) -> None:
    """Raise for the reported bugs this test met (after every other check passed)."""
    met = [BUGS[name] for name, failed in found.items() if failed]
    if met:
        raise KnownBug("; ".join(met))


def expected_message(status: int, lang: str) -> str:
    s = Strings(lang)
    if status == 422:
        day = {"en": "Which day?", "ar": "نص questions.day.text"}[lang]
        return s("err_date_max", question=day, date=(date.today() + timedelta(days=1)).isoformat())
    return s(MESSAGES.get(status, "refused_unreadable"), count=1 if status == 429 else None)


# --- a project in two languages, built as version 1 and version 2 -----------------------


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("browser-refusals")
    project = tmp / "project"
    (project / "questionnaire").mkdir(parents=True)
    source = SOURCE.read_text("utf-8").replace(
        "endpoint: https://collect.example.org/responses", "endpoint: /responses"
    )
    source = source.replace("language: en\n", "language: en\ntranslations: [ar]\n", 1)
    path = project / "questionnaire" / f"{QID}.yaml"
    path.write_text(source, "utf-8")
    formwright = str(Path(sys.executable).parent / "formwright")
    i18n = [formwright, "i18n", "new", "--lang", "ar", "-C", str(project)]
    subprocess.run(i18n, check=True, capture_output=True)
    locale = project / "locales" / "ar" / f"{QID}.yaml"
    data = yaml.safe_load(locale.read_text("utf-8"))
    for key, entry in data["texts"].items():
        entry["text"] = f"نص {key}"
    locale.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    # A translation whose `from` is not today's source is stale and the build shows
    # the English instead: a translator's review marks them current.
    i18n = [formwright, "i18n", "review", "--lang", "ar", "--all", "-C", str(project)]
    subprocess.run(i18n, check=True, capture_output=True)
    out = {}
    for version in ("1", "2"):
        path.write_text(source.replace('version: "1"', f'version: "{version}"', 1), "utf-8")
        out[version] = tmp / f"build-{version}"
        outcome = build_project(project, out[version])
        assert not outcome.failed, outcome.diagnostics
    return out


# --- the forms and the endpoint on one origin, in a uvicorn thread ----------------------


@contextmanager
def serving(app: Any) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Site:
    base: str
    db: Path
    old: Path | None = None  # the build of the page a respondent opened before a new version
    fd: int | None = None

    def hold(self) -> None:
        """Another writer holds the database."""
        self.fd = os.open(f"{os.path.realpath(self.db)}-lock", os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def rows(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        with closing(sqlite3.connect(self.db)) as conn:
            query = "SELECT submission_id, version, language, answers FROM responses"
            return [(s, v, lang, json.loads(a)) for s, v, lang, a in conn.execute(query)]

    def exhaust(self) -> None:
        """Use up this client's one post of the window, leaving at least 2 s of it."""
        body = json.dumps(
            {"questionnaire": QID, "version": "1", "language": "en"}
            | {"submission_id": str(uuid.uuid4()), "answers": {}}  # invalid: nothing stored
        ).encode()
        for _ in range(20):
            request = urllib.request.Request(
                f"{self.base}/responses", body, {"Content-Type": "application/json"}
            )
            try:
                urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as refused:
                left = int(refused.headers.get("Retry-After") or 0)
                if refused.code == 429 and left >= 2:
                    return
                if refused.code == 429:
                    time.sleep(left + 0.2)
        raise AssertionError("the rate limit never refused")


@pytest.fixture
def site_for(builds: dict[str, Path], tmp_path: Path) -> Iterator[Callable[[int], Site]]:
    """A running site for a refusal; 410 and 200 serve version 2 to a version-1 page."""
    with ExitStack() as stack:

        def start(status: int) -> Site:
            db = tmp_path / "responses.sqlite3"
            build, old = builds["1"], None
            if status in (410, 200):
                with TestClient(create_app(builds["1"], str(db), (), LIMITS[status])):
                    pass  # the endpoint served version 1, then version 2 was published
                build, old = builds["2"], builds["1"]
            if status == 410:
                with TestClient(create_app(build, str(db), (), LIMITS[status])):
                    pass
                with closing(sqlite3.connect(db)) as conn, conn:
                    conn.execute(
                        "UPDATE manifests SET first_seen = date('now', '-8 days')"
                        " WHERE version = '2'"
                    )
            app = create_app(build, str(db), (), LIMITS[status], serve_static=True)
            site = Site(stack.enter_context(serving(app)), db, old)
            stack.callback(site.release)
            return site

        yield start


# --- the browser -------------------------------------------------------------------------


@pytest.fixture
def browse(playwright_browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []
    errors: list[str] = []

    def new_page(lang: str, js: bool) -> Any:
        # bypass_csp lets axe-core be injected; the pages' own policy would refuse it.
        context = playwright_browser.new_context(
            java_script_enabled=js, bypass_csp=True, locale=LOCALES[lang]
        )
        context.route("https://www.example.org/**", lambda r: r.fulfill(body="left"))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors: {errors}"


def open_form(page: Any, site: Site, lang: str) -> None:
    """The form of that language; a page opened before version 2 where there is one."""
    pattern = f"{site.base}/{QID}/**"
    if site.old is not None:
        old = site.old

        def from_old(route: Any) -> None:
            route.fulfill(path=str(old / urlsplit(route.request.url).path.lstrip("/")))

        page.route(pattern, from_old)
    page.goto(f"{site.base}/{QID}/{lang}/index.html")
    if site.old is not None:
        page.unroute(pattern)


def fill(page: Any, lang: str, js: bool, day: tuple[str, str, str] = DAY) -> None:
    """Every question; with JavaScript, Continue to the second page."""
    specify, pet, story = TYPED[lang]
    for box in CHECKED:
        page.check(f"#f-{box}")
    page.fill("#f-colour--other--specify", specify)
    if js:
        page.locator("[data-fw-next]:visible").click()
    page.fill("#f-name_of_pet", pet)
    page.fill("#f-story", story)
    page.fill("#f-count", "2")
    page.fill("#f-weight", "1.5")
    for part, value in zip(("day", "month", "year"), day, strict=True):
        page.fill(f"#f-day--{part}", value)
    assert page.locator("#f-month--month").is_visible(), "asked when day > 2024-12-31"
    page.fill("#f-month--month", "2")
    page.fill("#f-month--year", "2025")
    page.fill("#f-year--year", "2021")


def assert_kept(page: Any, lang: str, day: tuple[str, str, str] = DAY) -> None:
    specify, pet, story = TYPED[lang]
    for box in CHECKED:
        assert page.is_checked(f"#f-{box}"), box
    assert not page.is_checked("#f-pets--none")
    filled = {
        "colour--other--specify": specify,
        "name_of_pet": pet,
        "story": story,
        "count": "2",
        "weight": "1.5",
        "day--day": day[0],
        "day--month": day[1],
        "day--year": day[2],
        "month--month": "2",
        "month--year": "2025",
        "year--year": "2021",
    }
    assert {k: page.input_value(f"#f-{k}") for k in filled} == filled


def assert_stored(site: Site, sid: str, lang: str, version: str = "1") -> None:
    ((stored_sid, stored_version, stored_lang, answers),) = site.rows()
    assert (stored_sid, stored_version, stored_lang) == (sid, version, lang)
    specify, pet, story = TYPED[lang]
    assert answers["colour.other"] == specify and answers["pets"] == ["cat", "dog"]
    assert (answers["name_of_pet"], answers["story"]) == (pet, story)
    assert (answers["day"], answers["month"], answers["count"]) == ("2025-03-04", "2025-02", 2)


def axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "o => axe.run(document, o)",
        {
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "rules": {"region": {"enabled": True}},  # best practice: everything in landmarks
            "resultTypes": ["violations"],
        },
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def axe_without_script(browser: Any, url: str, html: str) -> list[dict[str, Any]]:
    """axe needs script: the same page at its own address, with the form's script withheld."""
    context = browser.new_context(bypass_csp=True)
    context.route(
        "**/assets/form.*.js", lambda r: r.fulfill(body="", content_type="text/javascript")
    )
    context.route(url, lambda r: r.fulfill(body=html, content_type="text/html; charset=utf-8"))
    try:
        page = context.new_page()
        page.goto(url)
        return axe(page)
    finally:
        context.close()


def assert_in_language(page: Any, lang: str) -> None:
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (
        lang,
        "rtl" if lang == "ar" else "ltr",
    )
    assert page.locator("[data-fw-exit]").is_visible(), "the Exit button is there"


# --- without JavaScript: the endpoint's page holds the answers ---------------------------


@pytest.mark.parametrize(("status", "lang"), cases(False, 503, 429, 422, 410, 413))
def test_without_javascript_the_refusal_page_keeps_every_answer(
    status: int, lang: str, site_for: Callable[[int], Site], browse: Any, playwright_browser: Any
) -> None:
    site = site_for(status)
    page = browse(lang, js=False)
    open_form(page, site, lang)
    day = FUTURE if status == 422 else DAY
    fill(page, lang, js=False, day=day)
    if status == 413:
        page.fill("#f-story", TYPED[lang][2] * 3)  # still within its 100 characters
    if status == 503:
        site.hold()
    if status == 429:
        site.exhaust()
    with page.expect_navigation() as sent:
        page.locator("[data-fw-send]").click()
    response = sent.value
    assert response.status == status
    assert_in_language(page, lang)
    assert axe_without_script(playwright_browser, page.url, response.text()) == []
    s = Strings(lang)
    if status == 413:  # not read at all: the error page, in the browser's language
        assert s("refused_unreadable") in page.inner_text("main")
        page.locator(f"a[href='/{QID}/{lang}/index.html']").click()
        assert page.input_value("[name=fw_language]") == lang
        assert site.rows() == []
        return
    assert_kept(page, lang, day)
    assert page.title().startswith(s("error_prefix"))
    summary = page.locator("[data-fw-summary]")
    assert summary.is_visible() and summary.get_attribute("role") == "alert"
    said = summary.inner_text()
    assert s("kept_answers") in said
    sid = page.input_value("[name=fw_submission]")
    assert UUID.match(sid), "the endpoint gave the page an id for the resend"
    if status == 410:  # version 1's own page, answers in it, and the way to version 2
        assert expected_message(410, lang) in said
        assert page.input_value("[name=fw_version]") == "1"
        summary.get_by_role("link", name=s("open_current")).click()
        assert page.url.endswith(f"/{QID}/{lang}/index.html")
        assert page.input_value("[name=fw_version]") == "2"
        assert site.rows() == []
        return
    if status == 503:
        site.release()
    if status == 429:
        time.sleep(int(response.headers["retry-after"]) + 1)
    if status == 422:
        assert page.locator("#err-day").is_visible()
        inline = page.inner_text("#err-day")
        for part, value in zip(("day", "month", "year"), DAY, strict=True):
            page.fill(f"#f-day--{part}", value)
    page.locator("[data-fw-send]").click()
    page.wait_for_url(f"**/{QID}/{lang}/thanks.html")
    assert_stored(site, sid, lang)
    if status != 422:
        assert expected_message(status, lang) in said
    else:  # the message names the question in the form's language
        wanted = expected_message(422, lang)
        raise_known({"names": wanted not in said or wanted not in inline})


@pytest.mark.xfail(
    strict=True,
    reason="design gap: the form's autocomplete=off stops Chromium restoring fields on "
    "Back, so the 413 error page (and 400/415 ones) leave a form without its answers",
)
def test_without_javascript_back_from_the_413_page_keeps_the_answers(
    site_for: Callable[[int], Site], browse: Any
) -> None:
    site = site_for(413)
    page = browse("en", js=False)
    open_form(page, site, "en")
    fill(page, "en", js=False)
    page.fill("#f-story", TYPED["en"][2] * 3)
    with page.expect_navigation() as sent:
        page.locator("[data-fw-send]").click()
    assert sent.value.status == 413
    page.go_back()
    assert_kept(page, "en")


# --- with JavaScript: the script keeps the page, says why, and tries again ---------------


def record_posts(page: Any) -> tuple[list[str], list[int]]:
    """The submission ids the page posts, and the statuses it gets back."""
    sids: list[str] = []
    statuses: list[int] = []
    page.on(
        "request",
        lambda r: r.method == "POST" and sids.append(json.loads(r.post_data)["submission_id"]),
    )
    page.on("response", lambda r: r.request.method == "POST" and statuses.append(r.status))
    return sids, statuses


def wait_until(page: Any, condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def send_and_refuse(page: Any, status: int, lang: str) -> Any:
    """Send on the last page; the message appears in place, focused, nothing lost."""
    url = page.url
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.locator("[data-fw-send]").click()
    assert sent.value.status == status
    summary = page.locator("[data-fw-summary]")
    summary.locator("li").first.wait_for()
    assert summary.is_visible()
    assert page.evaluate("!!document.activeElement.closest('[data-fw-summary]')")
    assert page.url == url, "no native post happened"
    return summary


@pytest.mark.parametrize(("status", "lang"), cases(True, 503, 429, 422, 410))
def test_with_javascript_the_answers_stay_and_a_retry_stores_once(
    status: int, lang: str, site_for: Callable[[int], Site], browse: Any
) -> None:
    site = site_for(status)
    page = browse(lang, js=True)
    if status == 422:  # the browser's clock is ahead: its own check lets a later date pass
        page.clock.set_fixed_time(datetime.now() + timedelta(days=80))
    sids, statuses = record_posts(page)
    open_form(page, site, lang)
    day = FUTURE if status == 422 else DAY
    fill(page, lang, js=True, day=day)
    if status == 503:
        site.hold()
    if status == 429:
        site.exhaust()
    summary = send_and_refuse(page, status, lang)
    said = summary.inner_text()
    assert_kept(page, lang, day)
    violations = axe(page)
    assert [v for v in violations if v["id"] != "list"] == []
    s = Strings(lang)
    retry = summary.get_by_role("button", name=s("retry"))
    if status == 410:
        assert expected_message(410, lang) in said and retry.count() == 0
        summary.get_by_role("link", name=s("open_current")).click()
        page.wait_for_function("document.querySelector('[name=fw_version]').value === '2'")
        assert site.rows() == []
        return
    if status == 503:  # the script tries again by itself, 2 s later, with the same id
        wait_until(page, lambda: statuses == [503, 503])
        page.locator("[data-fw-send]:not([disabled])").wait_for()
        site.release()
        retry.click()
    if status == 429:
        time.sleep(4)  # the window (3 s) is over
        retry.click()
    if status == 422:
        assert page.locator("#err-day").is_visible()
        for part, value in zip(("day", "month", "year"), DAY, strict=True):
            page.fill(f"#f-day--{part}", value)
        page.locator("[data-fw-send]").click()
    page.wait_for_url(f"**/{QID}/{lang}/thanks.html")
    assert statuses[-1] == 201 and len(set(sids)) == 1, (statuses, sids)
    assert_stored(site, sids[0], lang)
    if status != 422:
        assert expected_message(status, lang) in said
    named = status != 422 or expected_message(422, lang) in said
    raise_known({"names": not named, "list": any(v["id"] == "list" for v in violations)})


@pytest.mark.parametrize("lang", LANGS)
def test_with_javascript_changed_answers_after_a_failure_get_a_new_id(
    lang: str, site_for: Callable[[int], Site], browse: Any
) -> None:
    site = site_for(503)
    page = browse(lang, js=True)
    sids, statuses = record_posts(page)
    open_form(page, site, lang)
    fill(page, lang, js=True)
    page.fill("#f-count", "3")
    site.hold()
    send_and_refuse(page, 503, lang)
    time.sleep(0.5)  # the failed save has given up on the lock too
    site.release()
    page.fill("#f-count", "2")  # an answer changed: a new submission
    page.locator("[data-fw-send]").click()
    page.wait_for_url(f"**/{QID}/{lang}/thanks.html")
    assert statuses[0] == 503 and statuses[-1] == 201
    assert len(set(sids)) == 2, sids
    assert_stored(site, sids[-1], lang)


# --- versions: an old page is taken within the grace period -----------------------------


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
@pytest.mark.parametrize("lang", LANGS)
def test_an_old_page_is_stored_as_its_version_within_the_grace_period(
    lang: str, js: bool, site_for: Callable[[int], Site], browse: Any
) -> None:
    site = site_for(200)
    page = browse(lang, js=js)
    open_form(page, site, lang)
    assert page.input_value("[name=fw_version]") == "1"
    fill(page, lang, js=js)
    page.locator("[data-fw-send]").click()
    page.wait_for_url(f"**/{QID}/{lang}/thanks.html")
    ((sid, *_),) = site.rows()
    assert_stored(site, sid, lang, version="1")
