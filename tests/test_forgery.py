"""Forgeries refused: a post made by another site's page in a visitor's browser stores nothing.

The forms' own posts are accepted with and without JavaScript, from the endpoint's
own origin or from one listed in FORMWRIGHT_ALLOWED_ORIGINS (collect/origins.py).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from collect_support import FORM, SOURCE, build, envelope, valid_answers
from conftest import QuietHandler
from starlette.testclient import TestClient
from test_refusals import ANSWERS, assert_answers_kept, form_body, post_form

from compiler.build import build_project
from compiler.collect.app import create_app
from compiler.collect.limits import Limits
from compiler.collect.origins import forged


@pytest.mark.parametrize(
    ("headers", "allowed", "refused"),
    [
        ({}, (), False),  # no browser said anything: a script, checked like any post
        ({"origin": "http://survey.example"}, (), False),
        ({"origin": "https://survey.example"}, (), False),  # TLS ended at the proxy
        ({"origin": "https://evil.example"}, (), True),
        ({"origin": "null"}, (), True),
        ({"origin": "https://forms.example.org"}, ("https://forms.example.org",), False),
        ({"origin": "https://FORMS.example.org"}, ("https://forms.example.org",), False),
        ({"sec-fetch-site": "cross-site"}, (), True),
        ({"sec-fetch-site": "same-site"}, (), True),
        ({"sec-fetch-site": "same-origin"}, (), False),
    ],
)
def test_which_posts_are_forged(
    headers: dict[str, str], allowed: tuple[str, ...], refused: bool
) -> None:
    assert forged(headers, "survey.example", frozenset(allowed)) is refused


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("forgery"))


def stored(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("select count(*) from responses").fetchone()[0])


def test_a_forged_form_post_gets_a_page_with_the_answers_and_stores_nothing(
    project: Path, tmp_path: Path
) -> None:
    db = tmp_path / "r.sqlite3"
    app = create_app(project / "build", str(db), (), Limits(rate_limit=0))
    with TestClient(app) as client:
        r = post_form(client, form_body(ANSWERS), origin="https://evil.example")
        assert r.status_code == 403
        page = assert_answers_kept(r.text)  # a respondent on an old page loses nothing
        summary = page.find(attrs={"data-fw-summary": True})
        assert "not this survey's own" in summary.text
        r = client.post(
            "/responses",
            json=envelope(valid_answers()),
            headers={"origin": "https://evil.example"},
        )
        assert r.status_code == 403 and "error" in r.json()
        # the forms' own posts: same origin, with and without JavaScript
        host = "http://testserver"
        assert post_form(client, form_body(ANSWERS), origin=host).status_code == 303
        r = client.post("/responses", json=envelope(valid_answers()), headers={"origin": host})
        assert r.status_code == 201
    assert stored(db) == 2


def test_a_listed_origin_is_accepted(project: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    pages = "https://forms.example.org"
    app = create_app(project / "build", str(db), (pages,), Limits(rate_limit=0))
    with TestClient(app) as client:
        assert post_form(client, form_body(ANSWERS), origin=pages).status_code == 303
        r = post_form(client, form_body(ANSWERS), origin="https://forms.example.net")
        assert r.status_code == 403
    assert stored(db) == 1


def test_the_refusal_page_can_be_sent_again(project: Path, tmp_path: Path) -> None:
    app = create_app(project / "build", str(tmp_path / "r.sqlite3"), (), Limits(rate_limit=0))
    with TestClient(app) as client:
        r = post_form(client, form_body(ANSWERS), origin="null")
    assert r.status_code == 403
    page = BeautifulSoup(r.text, "html.parser")
    assert page.html is not None and page.html.get("lang") == "en"
    # the page's own post then carries its origin (a no-referrer page would send null)
    assert r.headers["referrer-policy"] == "strict-origin"
    meta = page.find("meta", attrs={"name": "referrer"})
    assert meta is not None and meta.get("content") == "strict-origin"


# --- in a real browser: another local origin submitting the form ------------------------


@pytest.fixture(scope="module")
def same_origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """every-construct with its forms and endpoint on one origin (the recommended model)."""
    folder = tmp_path_factory.mktemp("same-origin")
    (folder / "questionnaire").mkdir()
    text = SOURCE.read_text("utf-8").replace(
        "endpoint: https://collect.example.org/responses", "endpoint: /responses"
    )
    assert "endpoint: /responses" in text
    (folder / "questionnaire" / SOURCE.name).write_text(text, "utf-8")
    outcome = build_project(folder, folder / "build")
    assert not outcome.failed, outcome.diagnostics
    return folder / "build"


@pytest.fixture
def two_origins(same_origin: Path, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """The forms and endpoint on one origin, and another site on a second."""
    import uvicorn
    from collect_support import free_port

    db = tmp_path / "r.sqlite3"
    app = create_app(same_origin, str(db), (), Limits(rate_limit=0), serve_static=True)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        pass
    survey = f"http://127.0.0.1:{port}"
    evil_dir = tmp_path / "evil"
    evil_dir.mkdir()
    fields = "".join(
        f'<input type="hidden" name="{n}" value="{v}">'
        for n, v in [
            ("fw_questionnaire", "every-construct"),
            ("fw_version", "1"),
            ("fw_language", "en"),
            ("fw_submission", ""),
            *ANSWERS,
        ]
    )
    (evil_dir / "index.html").write_text(
        f'<!doctype html><title>Win a prize</title><form method="post" '
        f'action="{survey}/responses" id="f">{fields}<button>Go</button></form>'
        f"<script>function sneak() {{ return fetch('{survey}/responses', {{method: 'POST', "
        f"mode: 'no-cors', headers: {{'Content-Type': '{FORM}'}}, "
        f"body: new URLSearchParams(new FormData(document.getElementById('f')))}}); }}</script>",
        "utf-8",
    )
    evil = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(evil_dir)))
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        yield survey, f"http://127.0.0.1:{evil.server_address[1]}", db
    finally:
        evil.shutdown()
        server.should_exit = True
        thread.join(10)


def test_another_site_cannot_submit_through_a_visitors_browser(
    two_origins: tuple[str, str, Path], playwright_browser: Any
) -> None:
    _, evil, db = two_origins
    context = playwright_browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{evil}/index.html")
        with page.expect_navigation():
            page.click("button")  # without JavaScript: a plain form post
        assert "not this survey's own" in page.content()
        page.goto(f"{evil}/index.html")
        page.evaluate("sneak()")  # with JavaScript: a simple cross-site request
        page.wait_for_timeout(500)
        assert stored(db) == 0
    finally:
        context.close()


def test_the_forms_own_no_javascript_post_is_accepted(
    two_origins: tuple[str, str, Path], playwright_browser: Any
) -> None:
    survey, _, db = two_origins
    context = playwright_browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{survey}/every-construct/en/index.html")
        page.check("#f-colour--red")
        page.check("#f-views--a--1")
        page.check("#f-views--b--1")
        page.fill("#f-count", "4")
        with page.expect_navigation():
            page.click("[data-fw-send]")
        assert page.url.endswith("thanks.html"), page.url
        assert stored(db) == 1
    finally:
        context.close()
