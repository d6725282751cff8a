"""Idempotency that tells the truth: a resend repeats the success, other answers get 409.

Every case is a real request through the endpoint (Starlette's test client, or
`formwright endpoint` as a process with several workers for the races), on
SQLite and on PostgreSQL; stored rows are read back from the store itself.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner
from collect_support import (
    FORM,
    QID,
    SOURCE,
    Server,
    envelope,
    postgres_schema,
    valid_answers,
)
from starlette.testclient import TestClient
from test_browser_refusals import (  # the browser refusals' site and helpers
    assert_kept,
    browse,  # noqa: F401 (a fixture)
    builds,  # noqa: F401 (site_for's fixture)
    fill,
    open_form,
    record_posts,
    send_and_refuse,
    site_for,  # noqa: F401 (a fixture)
)

from compiler.build import build_project
from compiler.cli import cli
from compiler.collect.app import create_app
from compiler.collect.digests import KEY_VARIABLE, Digester
from compiler.collect.limits import Limits
from compiler.store import MIGRATIONS, NewResponse, open_store
from compiler.strings import Strings

KEY = "k" * 40
OTHER = {"colour": "blue", "views.a": 2, "views.b": 2}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """every-construct, in English and Arabic."""
    project = tmp_path_factory.mktemp("idempotency")
    (project / "questionnaire").mkdir()
    source = SOURCE.read_text("utf-8").replace(
        "language: en\n", "language: en\ntranslations: [ar]\n", 1
    )
    (project / "questionnaire" / f"{QID}.yaml").write_text(source, "utf-8")
    runner = CliRunner()
    for args in (["new"], ["review", "--all"]):
        result = runner.invoke(cli, ["i18n", *args, "--lang", "ar", "-C", str(project)])
        assert result.exit_code == 0, result.output
        if args == ["new"]:
            locale = project / "locales" / "ar" / f"{QID}.yaml"
            data = yaml.safe_load(locale.read_text("utf-8"))
            for key, entry in data["texts"].items():
                entry["text"] = f"نص {key}"
            locale.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    outcome = build_project(project, project / "build")
    assert not outcome.failed, outcome.diagnostics
    return project / "build"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "r.sqlite3")
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def client(build_dir: Path, db_url: str) -> Iterator[TestClient]:
    app = create_app(build_dir, db_url, (), Limits(rate_limit=0), digest_key=KEY)
    with TestClient(app) as c:
        yield c


def stored(db_url: str) -> dict[str, dict[str, object]]:
    """Each stored response's answers, by its response id."""
    store = open_store(db_url)
    try:
        return {r.id: r.answers for r in store.responses()}
    finally:
        store.close()


def form_body(answers: list[tuple[str, str]], sid: str, lang: str = "en") -> bytes:
    head = [
        ("fw_questionnaire", QID),
        ("fw_version", "1"),
        ("fw_language", lang),
        ("fw_submission", sid),
        ("fw_website", ""),
    ]
    return urlencode(head + answers).encode()


FORM_VALID = [("colour", "red"), ("views.a", "1"), ("views.b", "3")]
FORM_OTHER = [("colour", "blue"), ("views.a", "2"), ("views.b", "2")]


def post_form(client: TestClient, body: bytes) -> Any:
    return client.post(
        "/responses", content=body, headers={"content-type": FORM}, follow_redirects=False
    )


# --- the same id ----------------------------------------------------------------------------


def test_the_same_answers_again_repeat_the_original_success(
    client: TestClient, db_url: str
) -> None:
    sid = str(uuid.uuid4())
    first = client.post("/responses", json=envelope(valid_answers(), sid))
    assert first.status_code == 201
    # the same answers in another order, as JSON and then as a form post (the checked
    # answers are compared, so "1" posted by a form is the JSON's 1)
    reordered = dict(reversed(list(valid_answers().items())))
    again = client.post("/responses", json=envelope(reordered, sid))
    assert again.status_code == 201 and again.json() == first.json()
    r = post_form(client, form_body(FORM_VALID, sid))
    assert r.status_code == 303 and r.headers["location"] == f"/{QID}/en/thanks.html"
    assert stored(db_url) == {first.json()["id"]: valid_answers()}


def test_other_answers_under_a_stored_id_are_409_and_change_nothing(
    client: TestClient, db_url: str
) -> None:
    sid = str(uuid.uuid4())
    first = client.post("/responses", json=envelope(valid_answers(), sid))
    assert first.status_code == 201
    r = client.post("/responses", json=envelope(OTHER, sid))
    assert r.status_code == 409 and set(r.json()) == {"error"}
    assert "submission_id" in r.json()["error"]
    # another language or version of the same answers is another body too
    r = client.post("/responses", json={**envelope(valid_answers(), sid), "language": "ar"})
    assert r.status_code == 409
    r = post_form(client, form_body(FORM_OTHER, sid))
    assert r.status_code == 409
    assert stored(db_url) == {first.json()["id"]: valid_answers()}
    # the original answers are still the original success
    assert client.post("/responses", json=envelope(valid_answers(), sid)).json() == first.json()


def test_a_digest_made_under_another_key_is_never_the_same(build_dir: Path, db_url: str) -> None:
    """After a restart with a new key (or on a host with another), a resend is 409, not 201."""
    sid = str(uuid.uuid4())
    body = envelope(valid_answers(), sid)
    for key, status in ((KEY, 201), ("z" * 40, 409), (None, 409), (KEY, 201)):
        app = create_app(build_dir, db_url, (), Limits(rate_limit=0), digest_key=key)
        with TestClient(app) as c:
            r = c.post("/responses", json=body)
            assert r.status_code == status, (key, r.text)
    assert len(stored(db_url)) == 1


def test_rows_stored_before_digests_cannot_be_compared(build_dir: Path, db_url: str) -> None:
    """A row without a digest (stored before schema 3): a resend is 409, the row unchanged."""
    sid = str(uuid.uuid4())
    store = open_store(db_url)
    try:
        rid = store.save(
            NewResponse(sid, QID, "1", "en", valid_answers()),
            date(2025, 1, 1),
        )
        assert store.digest(sid) is None
    finally:
        store.close()
    app = create_app(build_dir, db_url, (), Limits(rate_limit=0), digest_key=KEY)
    with TestClient(app) as c:
        r = c.post("/responses", json=envelope(valid_answers(), sid))
        assert r.status_code == 409 and "cannot be compared" in r.json()["error"]
    assert stored(db_url) == {rid: valid_answers()}


def test_rows_of_a_schema_2_database_upgrade_without_a_digest(build_dir: Path, db_url: str) -> None:
    """The migration adds the column; rows already stored keep NULL and stay as they were."""
    sid = str(uuid.uuid4())
    store = open_store(db_url, upgrade=False)
    try:
        steps: list[tuple[str, tuple[object, ...]]] = [
            (s, ()) for s in (*MIGRATIONS[0], *MIGRATIONS[1])
        ]
        steps += [
            ("CREATE TABLE formwright_schema (version INTEGER NOT NULL)", ()),
            ("INSERT INTO formwright_schema VALUES (2)", ()),
            (
                "INSERT INTO responses (id, submission_id, questionnaire, version, language,"
                " submitted, answers) VALUES ('r1', ?, ?, '1', 'en', '2025-01-01', ?)",
                (sid, QID, json.dumps(valid_answers())),
            ),
        ]
        store._write(steps)
        assert store.upgrade() == [3]
        assert store.digest(sid) is None
    finally:
        store.close()
    app = create_app(build_dir, db_url, (), Limits(rate_limit=0), digest_key=KEY)
    with TestClient(app) as c:
        assert c.post("/responses", json=envelope(valid_answers(), sid)).status_code == 409
        fresh = c.post("/responses", json=envelope(valid_answers()))
        assert fresh.status_code == 201
    assert stored(db_url) == {"r1": valid_answers(), fresh.json()["id"]: valid_answers()}


def test_the_row_keeps_a_keyed_digest_not_the_answers_again(
    client: TestClient, db_url: str
) -> None:
    sid = str(uuid.uuid4())
    assert client.post("/responses", json=envelope(valid_answers(), sid)).status_code == 201
    store = open_store(db_url)
    try:
        digest = store.digest(sid)
    finally:
        store.close()
    key_id, mac = str(digest).split(":")
    assert key_id == Digester(KEY).key_id != Digester("z" * 40).key_id
    assert len(mac) == 64 and "red" not in str(digest)
    assert Digester(KEY).same(digest, Digester(KEY)(QID, "1", "en", valid_answers()))
    assert not Digester("z" * 40).same(digest, Digester("z" * 40)(QID, "1", "en", valid_answers()))


# --- the 409 page -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_form_post_under_a_stored_id_gets_a_translated_409_page(
    client: TestClient, db_url: str, lang: str
) -> None:
    sid = str(uuid.uuid4())
    assert post_form(client, form_body(FORM_VALID, sid, lang)).status_code == 303
    assert post_form(client, form_body(FORM_VALID, sid, lang)).status_code == 303  # a resend
    r = post_form(client, form_body(FORM_OTHER, sid, lang))
    assert r.status_code == 409 and r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    page = BeautifulSoup(r.text, "html.parser")
    html = page.find("html")
    assert isinstance(html, Tag)
    assert html["lang"] == lang and html["dir"] == ("rtl" if lang == "ar" else "ltr")
    message = Strings(lang)("refused_duplicate")
    assert message in page.get_text(" ")
    if lang == "ar":
        assert "We already have" not in r.text
    # The answers are stored already: the page is not a form to send them again with.
    assert page.find("input", attrs={"name": "fw_submission"}) is None
    assert page.find("input", attrs={"name": "colour"}) is None
    assert len(stored(db_url)) == 1
    assert list(stored(db_url).values()) == [valid_answers()]


# --- duplicate keys -----------------------------------------------------------------------

DUPLICATES = [
    # the envelope
    '{"questionnaire": "every-construct", "questionnaire": "every-construct", "version": "1",'
    ' "language": "en", "answers": {"colour": "red"}}',
    # the answers
    '{"questionnaire": "every-construct", "version": "1", "language": "en",'
    ' "answers": {"colour": "red", "colour": "blue"}}',
    # deeper, and spelt with an escape
    '{"questionnaire": "every-construct", "version": "1", "language": "en",'
    ' "answers": {"colour": "red", "pets": [{"a": 1, "\\u0061": 2}]}}',
]


@pytest.mark.parametrize("body", DUPLICATES)
def test_a_key_given_twice_is_400(client: TestClient, db_url: str, body: str) -> None:
    sid = str(uuid.uuid4())
    body = body.replace('"version"', f'"submission_id": "{sid}", "version"', 1)
    json.loads(body)  # Python's own reader takes it, the last one winning
    headers = {"content-type": "application/json"}
    r = client.post("/responses", content=body.encode(), headers=headers)
    assert r.status_code == 400 and "twice" in r.json()["error"]
    # a browser asking for a page gets it translated, like every 400
    headers = {**headers, "accept": "text/html", "accept-language": "ar"}
    r = client.post("/responses", content=body.encode(), headers=headers)
    assert r.status_code == 400
    page = BeautifulSoup(r.text, "html.parser")
    assert Strings("ar")("refused_unreadable") in page.get_text(" ")
    assert stored(db_url) == {}


# --- races, through the production command with two workers --------------------------------


def post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{url}/responses",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def race(url: str, bodies: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    start = threading.Barrier(len(bodies))
    results: list[tuple[int, dict[str, Any]] | None] = [None] * len(bodies)

    def one(n: int) -> None:
        start.wait()
        results[n] = post_json(url, bodies[n])

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def test_posts_at_once_under_one_id_store_once(
    build_dir: Path, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers, no FORMWRIGHT_DIGEST_KEY: the key made at start is every worker's."""
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    server = Server(build_dir, db_url, tmp_path / "log", workers=2, FORMWRIGHT_RATE_LIMIT="0")
    server.start()
    try:
        for _ in range(5):
            sid = str(uuid.uuid4())
            same = race(server.url, [envelope(valid_answers(), sid)] * 8)
            assert {status for status, _ in same} == {201}
            assert len({body["id"] for _, body in same}) == 1
            # the same id with two bodies at once: one is stored, the other is told 409
            sid = str(uuid.uuid4())
            mixed = race(server.url, [envelope(valid_answers(), sid), envelope(OTHER, sid)])
            assert sorted(status for status, _ in mixed) == [201, 409]
            kept = next(body["id"] for status, body in mixed if status == 201)
            winner = [valid_answers(), OTHER][[s for s, _ in mixed].index(201)]
            assert stored(db_url)[kept] == winner
        assert len(stored(db_url)) == 10
    finally:
        server.stop()


# --- the form's script, in Chromium ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_with_javascript_a_409_is_said_in_place_and_never_resent(
    lang: str,
    site_for: Any,  # noqa: F811 (the fixture imported above)
    browse: Any,  # noqa: F811
) -> None:
    """Another body stored under the page's id first: the script says so, keeps the answers,
    sends nothing by itself, and edits keep the id, so they cannot become a second response."""
    site = site_for(422)  # a plain site: version 1, no rate limit
    page = browse(lang, js=True)
    sids, statuses = record_posts(page)
    open_form(page, site, lang)
    sid = page.input_value("[data-fw-submission]")
    status, _ = post_json(site.base, {**envelope(OTHER, sid), "language": lang})
    assert status == 201
    sids.clear()
    statuses.clear()
    fill(page, lang, js=True)
    summary = send_and_refuse(page, 409, lang)
    s = Strings(lang)
    assert s("refused_duplicate") in summary.inner_text()
    assert summary.get_by_role("button", name=s("retry")).count() == 0
    assert_kept(page, lang)
    page.wait_for_timeout(2500)  # longer than the script's first automatic retry (2 s)
    assert statuses == [409]
    page.fill("#f-count", "3")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.locator("[data-fw-send]").click()
    assert sent.value.status == 409 and sids == [sid, sid]
    ((stored_sid, _, stored_lang, answers),) = site.rows()
    assert (stored_sid, stored_lang) == (sid, lang)
    assert {k: answers[k] for k in OTHER} == OTHER


def test_the_digest_key_setting(tmp_path: Path) -> None:
    from compiler.collect.limits import SetupError
    from compiler.collect.server import Settings

    assert Settings.from_env({}).digest_key is None
    assert Settings.from_env({KEY_VARIABLE: f" {KEY} "}).digest_key == KEY
    with pytest.raises(SetupError, match="at least 32"):
        Settings.from_env({KEY_VARIABLE: "short"})
