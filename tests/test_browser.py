"""Proof in a real headless Chromium: accessibility, keyboard, phones, scripts, quick exit.

Needs Debian's chromium, Python Playwright and `npm ci` (axe-core, vnu-jar);
skipped with a reason without them, and failing instead under
FORMWRIGHT_REQUIRE_BROWSER=1 (what .ci/run sets).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import AXE, ROOT, VNU, require

from compiler.build import build_project

HERE = Path(__file__).parent
EVERY = HERE / "golden" / "every-construct"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# and best practices beyond the tags: all content in landmarks (the Exit bar too)
AXE_RULES = {"region": {"enabled": True}}
EXIT_TARGET = "https://www.bbc.co.uk/weather"


def victim_languages() -> list[str]:
    import yaml

    data = yaml.safe_load((ROOT / "questionnaire" / "victim-voice.yaml").read_text("utf-8"))
    return [data["language"], *data.get("translations", [])]


@pytest.fixture(scope="module")
def site(static_server: tuple[str, Path]) -> tuple[str, Path]:
    base, folder = static_server
    for project in (ROOT, EVERY):
        outcome = build_project(project, folder)
        assert not outcome.failed, outcome.diagnostics
    return base, folder


@pytest.fixture
def page(playwright_browser: Any) -> Iterator[Any]:
    # bypass_csp lets axe-core be injected; the pages' own policy would refuse it.
    context = playwright_browser.new_context(
        viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    # The quick-exit target and the endpoint never leave this machine in tests.
    context.route(f"{EXIT_TARGET}**", lambda r: r.fulfill(body="<title>Weather</title>left"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, f"script errors: {errors}"


def axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "o => axe.run(document, o)",
        {
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "rules": AXE_RULES,
            "resultTypes": ["violations"],
        },
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def visible_button(page: Any) -> Any:
    return page.locator("[data-fw-next]:visible, [data-fw-send]:visible").first


@pytest.mark.parametrize("lang", victim_languages())
def test_axe_finds_nothing_on_any_page(site: tuple[str, Path], page: Any, lang: str) -> None:
    base, _ = site
    found: dict[str, Any] = {}
    page.goto(f"{base}/victim-voice/index.html")
    found["chooser"] = axe(page)
    page.goto(f"{base}/victim-voice/{lang}/index.html")
    found["first page"] = axe(page)
    visible_button(page).click()  # crime_type is required: the error summary appears
    assert page.locator("[data-fw-summary]").is_visible()
    found["error summary"] = axe(page)
    page.goto(f"{base}/victim-voice/{lang}/thanks.html")
    found["thanks"] = axe(page)
    page.goto(f"{base}/victim-voice/{lang}/error.html")
    found["error page"] = axe(page)
    assert found == {k: [] for k in found}, json.dumps(found, ensure_ascii=False, indent=1)


def test_axe_on_every_construct(site: tuple[str, Path], page: Any) -> None:
    base, _ = site
    page.goto(f"{base}/every-construct/en/index.html")
    assert axe(page) == []
    page.check("#f-colour--other")
    page.fill("#f-colour--other--specify", "teal")
    page.check("#f-views--a--2")
    visible_button(page).click()  # views.b is required
    assert axe(page) == []


def test_no_javascript_shows_every_question_with_notes(
    site: tuple[str, Path], playwright_browser: Any
) -> None:
    base, _ = site
    context = playwright_browser.new_context(java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/every-construct/en/index.html")
    assert page.locator("[data-fw-page]").count() == 2
    assert page.locator("#q-story").is_visible()
    assert page.locator("#note-story").is_visible()
    assert page.locator("[data-fw-send]").is_visible()
    assert page.locator("#f-colour--other--specify").is_visible()
    context.close()
    # axe needs script: run it on the same page with the form's own script withheld
    context = playwright_browser.new_context(bypass_csp=True)
    context.route(
        "**/assets/form.*.js", lambda r: r.fulfill(body="", content_type="text/javascript")
    )
    page = context.new_page()
    page.goto(f"{base}/every-construct/en/index.html")
    assert page.locator("#q-story").is_visible()
    assert axe(page) == []
    context.close()


def test_html_is_valid(site: tuple[str, Path]) -> None:
    require(shutil.which("java") is not None, "no Java for the Nu HTML Checker")
    require(VNU.exists(), "vnu-jar is not installed (npm ci)")
    _, folder = site
    done = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--skip-non-html",
            "--format",
            "json",
            "--stdout",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stdout or "{}").get("messages", [])
    assert messages == [], json.dumps(messages[:10], indent=1)


def capture_posts(page: Any) -> list[dict[str, Any]]:
    """Answer the form's posts as the endpoint would, and keep what they carried."""
    posts: list[dict[str, Any]] = []

    def endpoint(route: Any) -> None:
        posts.append(json.loads(route.request.post_data))
        route.fulfill(status=201, content_type="application/json", body='{"id": "x"}')

    page.route("**/responses", endpoint)
    return posts


def test_conditions_paging_and_submission(site: tuple[str, Path], page: Any) -> None:
    base, _ = site
    posts = capture_posts(page)
    page.goto(f"{base}/every-construct/en/index.html")
    assert "Page 1 of 1" in page.title()  # the details page is not yet relevant
    assert not page.locator("#p-details").is_visible()
    assert page.locator("[data-fw-send]").is_visible()
    page.check("#f-pets--cat")  # makes the details page relevant: a page now follows
    assert "Page 1 of 2" in page.title()
    assert page.locator("[data-fw-next]:visible").count() == 1
    assert not page.locator("[data-fw-send]").is_visible()
    page.check("#f-colour--red")
    page.check("#f-views--a--3")
    page.check("#f-views--b--1")
    page.check("#f-score--3")
    visible_button(page).click()
    assert "Page 2 of 2" in page.title()
    assert page.evaluate("document.activeElement.id") == "h-details"
    assert page.locator("#q-name_of_pet").is_visible()
    assert page.locator("#q-story").is_visible()
    page.fill("#f-name_of_pet", "Tom")
    page.fill("#f-story", "A story")
    page.locator("[data-fw-back]:visible").click()
    page.check("#f-colour--other")  # keeps the details page relevant without a cat
    page.fill("#f-colour--other--specify", "teal")
    page.uncheck("#f-pets--cat")
    page.check("#f-pets--dog")
    visible_button(page).click()
    assert not page.locator("#q-name_of_pet").is_visible(), "hidden when pets has no cat"
    visible_button(page).click()  # count is required
    summary = page.locator("[data-fw-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('data-fw-summary')") == ""
    assert page.title().startswith("Error:")
    assert page.locator("#f-count").get_attribute("aria-invalid") == "true"
    assert "err-count" in (page.locator("#f-count").get_attribute("aria-describedby") or "")
    page.fill("#f-count", "3")
    # two clicks in a row, the second while the first is in flight
    page.locator("[data-fw-send]").evaluate("b => { b.click(); b.click(); }")
    page.wait_for_url("**/thanks.html")
    assert len(posts) == 1
    answers = posts[0]["answers"]
    assert answers["colour"] == "other" and answers["colour.other"] == "teal"
    assert answers["pets"] == ["dog"]
    assert "name_of_pet" not in answers, "hidden answers are not sent"
    assert answers["story"] == "A story" and answers["count"] == 3
    assert posts[0]["language"] == "en" and len(posts[0]["submission_id"]) == 36
    assert page.context.cookies() == []
    storage = page.evaluate("[document.cookie, localStorage.length, sessionStorage.length]")
    assert storage == ["", 0, 0]


def test_keyboard_only(site: tuple[str, Path], page: Any) -> None:
    base, _ = site
    page.goto(f"{base}/every-construct/en/index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "fw-skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-fw-exit')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline != "none" or shadow != "none", "focus must be visible"
    # Tab on to the first radio of the first question, and choose with the arrow keys
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-colour--red":
            break
    assert page.evaluate("document.activeElement.id") == "f-colour--red"
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#f-colour--blue")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-views--a--1":
            break
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # first option of item b
    assert page.is_checked("#f-views--a--1") and page.is_checked("#f-views--b--1")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-fw-send')"):
            break
    page.route("**/responses", lambda r: r.fulfill(status=201, body="{}"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks.html")


@pytest.mark.parametrize(("width", "height"), [(360, 640), (390, 844), (320, 640)])
def test_phones_never_scroll_sideways(
    site: tuple[str, Path], playwright_browser: Any, width: int, height: int
) -> None:
    """320 CSS px is also 1280 px at 400 % zoom."""
    base, _ = site
    context = playwright_browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    for lang in ("en", *victim_languages()[1:4]):
        page.goto(f"{base}/victim-voice/{lang}/index.html")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{lang} scrolls sideways by {overflow}px at {width}px"
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                   'input:not([type=hidden]), button, .fw-exit__button, .fw-choice > label')]
                 .filter(e => e.offsetParent !== null && !e.closest('.fw-trap'))
                 .map(e => [e.id || e.className, e.getBoundingClientRect().height])
                 .filter(([_, h]) => h < 44)"""
        )
        assert small == [], f"targets under 44px in {lang}: {small[:5]}"
    context.close()


def test_right_to_left_mirrors(site: tuple[str, Path], page: Any) -> None:
    base, _ = site
    rtl = [lang for lang in victim_languages() if lang in ("ar", "ur", "ckb")]
    require(bool(rtl), "Victim Voice has no right-to-left language yet")
    for lang in rtl:
        page.goto(f"{base}/victim-voice/{lang}/index.html")
        radio = page.locator("#f-crime_type--robbery").bounding_box()
        label = page.locator("label[for=f-crime_type--robbery]").bounding_box()
        assert radio["x"] > label["x"], f"{lang}: the radio sits right of its label"
        button = visible_button(page).bounding_box()
        width = page.evaluate("window.innerWidth")
        assert button["x"] + button["width"] > width / 2, f"{lang}: Continue sits on the right"


def test_quick_exit_button_and_shift(site: tuple[str, Path], page: Any) -> None:
    base, _ = site
    before = f"{base}/every-construct/index.html"
    page.goto(before)
    page.goto(f"{base}/victim-voice/en/index.html")
    page.locator("[data-fw-exit]").click()
    page.wait_for_url(f"{EXIT_TARGET}**")
    page.go_back()
    assert page.url == before, "Back must not return to the survey"
    page.goto(f"{base}/victim-voice/en/index.html")
    page.locator("#f-crime_type--robbery").focus()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(f"{EXIT_TARGET}**")


def test_screenshots_and_contact_sheet(site: tuple[str, Path], playwright_browser: Any) -> None:
    """First page of every language at phone size, and one sheet to check them at a glance."""
    from PIL import Image, ImageDraw

    base, _ = site
    out = ROOT / "build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    context = playwright_browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    shots = []
    for lang in victim_languages():
        page.goto(f"{base}/victim-voice/{lang}/index.html")
        page.locator("#h-what-happened").scroll_into_view_if_needed()
        path = out / f"victim-voice-{lang}.png"
        page.screenshot(path=str(path))
        shots.append((lang, path))
    context.close()
    columns = 6
    rows = -(-len(shots) // columns)
    thumb = (360, 640)
    sheet = Image.new("RGB", (columns * thumb[0], rows * (thumb[1] + 24)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (lang, path) in enumerate(shots):
        x, y = (i % columns) * thumb[0], (i // columns) * (thumb[1] + 24)
        with Image.open(path) as image:
            sheet.paste(image.convert("RGB"), (x, y + 24))
        draw.text((x + 8, y + 6), lang, fill="black")
    sheet.save(out / "contact-sheet.png")
    assert (out / "contact-sheet.png").stat().st_size > 10_000


def test_accessibility_tree_names_every_question(site: tuple[str, Path], page: Any) -> None:
    base, folder = site
    manifest = json.loads((folder / "every-construct" / "manifest.json").read_text("utf-8"))
    page.goto(f"{base}/every-construct/en/index.html")
    page.evaluate("document.querySelectorAll('[data-fw-page]').forEach(s => s.hidden = false)")
    page.evaluate("document.querySelectorAll('[data-fw-question]').forEach(s => s.hidden = false)")
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]

    def value(node: dict[str, Any], key: str) -> str:
        return str((node.get(key) or {}).get("value", ""))

    named = [
        (value(n, "role"), value(n, "name"), value(n, "description"))
        for n in nodes
        if not n.get("ignored")
    ]
    for q in manifest["questions"]:
        if q["type"] == "statement":
            continue
        wanted_role = (
            "group" if q["type"] in ("single", "multiple", "matrix", "scale", "date") else None
        )
        matches = [
            (role, name, desc)
            for role, name, desc in named
            if name.startswith(q["text"]) and (wanted_role is None or role == wanted_role)
        ]
        assert matches, f"{q['id']}: no {wanted_role or 'control'} named {q['text']!r}"
        if q.get("hint"):
            assert any(q["hint"] in desc for _, _, desc in matches), (
                f"{q['id']}: hint not a description"
            )
    # an error is announced: the summary is an alert, the field describes its message
    page.goto(f"{base}/every-construct/en/index.html")
    visible_button(page).click()
    alert = page.get_by_role("alert")
    assert "Select an answer to “Which colour?”" in alert.inner_text()
    snapshot = page.locator("#q-colour fieldset").aria_snapshot()
    assert 'group "Which colour? (required)"' in snapshot


def test_first_page_usable_on_slow_3g(site: tuple[str, Path], playwright_browser: Any) -> None:
    """Slow 3G (400 kbit/s, 400 ms) and a 4× slower CPU: the first question still appears."""
    base, _ = site
    context = playwright_browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 400,
            "downloadThroughput": 50_000,
            "uploadThroughput": 50_000,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(f"{base}/victim-voice/en/index.html", wait_until="load", timeout=60_000)
    assert page.locator("#f-crime_type--robbery").is_visible()
    page.check("#f-crime_type--robbery")
    assert page.is_checked("#f-crime_type--robbery")
    context.close()


# --- with the real endpoint ----------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The forms and the collection endpoint served together, as `formwright serve` does."""
    import socket
    import threading
    import time

    import uvicorn

    from compiler.collect.app import create_app

    tmp = tmp_path_factory.mktemp("live")
    build = tmp / "build"
    every = tmp / "every"  # posting to this server rather than to its example.org endpoint
    source = (EVERY / "questionnaire" / "every-construct.yaml").read_text("utf-8")
    (every / "questionnaire").mkdir(parents=True)
    (every / "questionnaire" / "every-construct.yaml").write_text(
        source.replace("endpoint: https://collect.example.org/responses", "endpoint: /responses")
    )
    for project in (ROOT, every):
        assert not build_project(project, build).failed
    db = f"sqlite:///{tmp / 'responses.sqlite3'}"
    app = create_app(build, db, serve_static=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    server.should_exit = True
    thread.join(10)


def stored(db: str, questionnaire: str) -> list[dict[str, Any]]:
    from compiler.store import open_store

    store = open_store(db)
    try:
        return [r.answers for r in store.responses(questionnaire)]
    finally:
        store.close()


def fill_every_construct(page: Any) -> None:
    """The first page's answers; with JavaScript, moves on to the second."""
    page.check("#f-colour--other")
    page.fill("#f-colour--other--specify", "teal")
    page.check("#f-pets--cat")
    page.check("#f-views--a--3")
    page.check("#f-views--b--1")
    if page.locator("[data-fw-next]:visible").count():
        page.locator("[data-fw-next]:visible").click()
    page.fill("#f-count", "2")


def test_without_javascript_a_response_is_stored(
    live: tuple[str, str], playwright_browser: Any
) -> None:
    base, db = live
    before = len(stored(db, "every-construct"))
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/every-construct/en/index.html")
    fill_every_construct(page)
    page.fill("#f-name_of_pet", "Tom")
    page.fill("#f-month--month", "2")
    page.fill("#f-month--year", "2025")  # shown without JS; its condition is false: dropped
    page.locator("[data-fw-send]").click()
    page.wait_for_url("**/every-construct/en/thanks.html")
    rows = stored(db, "every-construct")
    assert len(rows) == before + 1
    answers = rows[-1]
    assert answers["colour"] == "other" and answers["colour.other"] == "teal"
    assert answers["pets"] == ["cat"] and answers["name_of_pet"] == "Tom"
    assert answers["count"] == 2
    assert "month" not in answers, "the day question was not answered, so month is not asked"
    # a submission the endpoint rejects lands on the error page, in the form's language
    page.goto(f"{base}/every-construct/en/index.html")
    fill_every_construct(page)
    page.check("#f-pets--none")  # "None" is exclusive; without JavaScript nothing stops this
    page.locator("[data-fw-send]").click()
    assert page.locator("[role=alert]").is_visible()
    assert "Which pets?" in page.locator("[role=alert]").inner_text()
    assert len(stored(db, "every-construct")) == before + 1
    context.close()


def test_with_javascript_two_clicks_store_one_response(
    live: tuple[str, str], playwright_browser: Any
) -> None:
    base, db = live
    before = len(stored(db, "every-construct"))
    context = playwright_browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/every-construct/en/index.html")
    fill_every_construct(page)
    page.locator("[data-fw-send]").evaluate("b => { b.click(); b.click(); }")
    page.wait_for_url("**/thanks.html")
    assert len(stored(db, "every-construct")) == before + 1
    assert context.cookies() == []
    context.close()


def summary_texts(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("[data-fw-summary-list] li").all_inner_texts()]


def test_every_rule_is_checked_in_the_browser(site: tuple[str, Path], page: Any) -> None:
    """Each question type's checks, with the questionnaire's limits, before anything is sent."""
    base, _ = site
    posts = capture_posts(page)
    page.goto(f"{base}/every-construct/en/index.html")
    page.check("#f-pets--cat")
    page.check("#f-pets--dog")
    page.check("#f-pets--none")  # exclusive: the script unticks the others
    assert page.evaluate("[...document.querySelectorAll('[name=pets]:checked')].length") == 1
    page.evaluate("document.getElementById('f-pets--cat').checked = true")
    page.evaluate("document.getElementById('f-pets--dog').checked = true")
    page.check("#f-views--a--3")
    visible_button(page).click()
    assert summary_texts(page) == [
        "Select an answer to “Which colour?”",
        "Choose no more than 2 answers to “Which pets?”",
        "“none” cannot be chosen with other answers to “Which pets?”",
        "Select an answer to “How far do you agree? — Statement B”",
    ]
    page.uncheck("#f-pets--none")
    page.uncheck("#f-pets--dog")
    page.check("#f-colour--red")
    page.check("#f-views--b--2")
    page.check("#f-score--0")  # a quoted "0": the text "0", not the number
    visible_button(page).click()
    assert "Page 2 of 2" in page.title()
    cases = [
        ({"#f-count": ""}, ["Enter an answer to “How many?”"]),
        ({"#f-count": "2.5"}, ["The answer to “How many?” must be a whole number"]),
        ({"#f-count": "11"}, ["The answer to “How many?” must be 10 or less"]),
        ({"#f-count": "-1"}, ["The answer to “How many?” must be 0 or more"]),
        (
            {"#f-count": "1", "#f-weight": "0.25"},
            ["The answer to “Weight in kg” must be 0.5 or more"],
        ),
        (
            {"#f-weight": "", "#f-day--day": "31", "#f-day--month": "2", "#f-day--year": "2021"},
            ["The answer to “Which day?” must be a real date"],
        ),
        (
            {"#f-day--day": "31", "#f-day--month": "12", "#f-day--year": "2019"},
            ["The date for “Which day?” must be on or after 2020-01-01"],
        ),
        (
            {"#f-day--year": "2999"},
            [f"The date for “Which day?” must be on or before {page.evaluate(TODAY)}"],
        ),
        (
            {"#f-day--year": "2021", "#f-year--year": "21"},
            ["The answer to “Which year?” must be a real date"],
        ),
        ({"#f-year--year": "2021", "#f-name_of_pet": "Tom"}, []),
    ]
    for fields, errors in cases:
        for selector, value in fields.items():
            page.fill(selector, value)
        visible_button(page).click()
        if errors:
            assert summary_texts(page) == errors, fields
    page.wait_for_url("**/thanks.html")
    (post,) = posts
    answers = post["answers"]
    # codes keep their type: whole-number codes are numbers, words are text
    assert answers["views.a"] == 3 and answers["views.b"] == 2
    assert answers["score"] == "0" and answers["pets"] == ["cat"]
    assert answers["count"] == 1 and answers["year"] == "2021" and answers["day"] == "2021-12-31"
    assert (post["questionnaire"], post["version"], post["language"]) == (
        "every-construct",
        "1",
        "en",
    )


TODAY = """(() => { const d = new Date(), p = n => String(n).padStart(2, "0");
  return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()); })()"""


def test_ids_that_name_object_properties_work(
    site: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    """`constructor` is a valid id; the script must not find Object's own under it."""
    base, folder = site
    source = (EVERY / "questionnaire" / "every-construct.yaml").read_text("utf-8")
    source = source.replace("id: every-construct", "id: object-keys")
    source = source.replace("id: choices", "id: constructor").replace(
        "id: story", "id: constructor"
    )
    (tmp_path / "questionnaire").mkdir()
    (tmp_path / "questionnaire" / "object-keys.yaml").write_text(source, "utf-8")
    assert not build_project(tmp_path, folder).failed
    posts = capture_posts(page)
    page.goto(f"{base}/object-keys/en/index.html")
    assert page.locator("#p-constructor").is_visible()
    assert "Page 1 of 1" in page.title()
    page.check("#f-score--2")
    fill_every_construct(page)  # moves on to the second page
    page.fill("#f-constructor", "shown: views.a is 3 and score is 2")
    page.locator("[data-fw-send]").click()
    page.wait_for_url("**/thanks.html")
    assert posts[0]["answers"]["constructor"] == "shown: views.a is 3 and score is 2"
