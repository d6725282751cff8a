"""Every refusal keeps the respondent's answers: pages, versions past and present, deadlines.

Each refusal is caused for real (a held lock, a rate limit of one, a version past
its grace period, a lowered body limit, a frozen database connection), never by a
mocked response.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from bs4 import BeautifulSoup
from collect_support import (
    FORM,
    PG_ENV,
    QID,
    SOURCE,
    build,
    envelope,
    postgres_schema,
    valid_answers,
)
from starlette.testclient import TestClient

from compiler.build import build_project
from compiler.collect.app import create_app
from compiler.collect.limits import Limits
from compiler.export import run_export

# A valid answer set for every-construct as a browser posts it, specify box and text included.
ANSWERS = [
    ("colour", "other"),
    ("colour.other", "teal & <grey>"),
    ("views.a", "1"),
    ("views.b", "3"),
    ("pets", "cat"),
    ("name_of_pet", "Ms Whiskers"),
    ("count", "4"),
    ("day:day", "3"),
    ("day:month", "2"),
    ("day:year", "2024"),
]


def form_body(fields: list[tuple[str, str]], version: str = "1", sid: str = "") -> bytes:
    head = [
        ("fw_questionnaire", QID),
        ("fw_version", version),
        ("fw_language", "en"),
        ("fw_submission", sid),
        ("fw_website", ""),
    ]
    return urlencode(head + fields).encode()


def post_form(client: TestClient, body: bytes, **headers: str) -> Any:
    headers = {"content-type": FORM, **headers}
    return client.post("/responses", content=body, headers=headers, follow_redirects=False)


def assert_answers_kept(html: str) -> BeautifulSoup:
    """The page holds what was sent: checked choices, filled text, specify box and date."""
    page = BeautifulSoup(html, "html.parser")
    for name, value in ANSWERS:
        found = page.find_all("input", attrs={"name": name})
        assert found, name
        kinds = {i.get("type") for i in found}
        if kinds & {"radio", "checkbox"}:
            chosen = [i["value"] for i in found if i.has_attr("checked")]
            assert value in chosen, (name, chosen)
        else:
            assert found[0]["value"] == value, name
    assert page.find(attrs={"data-fw-exit": True}) is not None, "the Exit button is there"
    assert page.find("meta", attrs={"http-equiv": "Content-Security-Policy"}) is not None
    summary = page.find(attrs={"data-fw-summary": True})
    assert summary is not None and not summary.has_attr("hidden")
    assert "Your answers are still on this page." in summary.text
    return page


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("refusals"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "r.sqlite3"


# --- a page for every refusal -------------------------------------------------------------


def test_unavailable_store_is_503_page_with_the_answers(project: Path, db: Path) -> None:
    app = create_app(project / "build", str(db), (), Limits(rate_limit=0, save_deadline=0.5))
    with TestClient(app) as client:
        fd = os.open(f"{os.path.realpath(db)}-lock", os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)  # another writer holds the database
        try:
            started = time.monotonic()
            r = post_form(client, form_body(ANSWERS))
            waited = time.monotonic() - started
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        assert r.status_code == 503 and waited < 30
        page = assert_answers_kept(r.text)
        assert "could not be saved just now" in page.find(attrs={"data-fw-summary": True}).text
        sid = page.find("input", attrs={"name": "fw_submission"})["value"]
        # the resend from that page stores once, under the same id, even if sent twice
        again = form_body(ANSWERS, sid=sid)
        assert post_form(client, again).status_code == 303
        assert post_form(client, again).status_code == 303
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT submission_id FROM responses").fetchall() == [(sid,)]


def test_rate_limited_is_429_page_with_the_answers(project: Path, db: Path) -> None:
    with TestClient(create_app(project / "build", str(db), (), Limits(rate_limit=1))) as client:
        assert post_form(client, form_body(ANSWERS)).status_code == 303
        r = post_form(client, form_body(ANSWERS))
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        page = assert_answers_kept(r.text)
        assert "Please try again in" in page.find(attrs={"data-fw-summary": True}).text
        # a script keeps its JSON
        r = client.post("/responses", json=envelope({"colour": "red"}))
        assert r.status_code == 429 and "error" in r.json()


def test_too_large_is_413_page_in_the_browser_language(project: Path, db: Path) -> None:
    with TestClient(
        create_app(project / "build", str(db), (), Limits(rate_limit=0, max_body_bytes=200))
    ) as client:
        r = post_form(client, form_body([*ANSWERS, ("story", "x" * 300)]))
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
        page = BeautifulSoup(r.text, "html.parser")
        assert page.html["lang"] == "en" and page.find(attrs={"data-fw-exit": True})
        assert "could not be read" in page.text
        assert page.find("a", href="/every-construct/en/index.html") is not None


@pytest.mark.parametrize(
    ("ctype", "accept", "html"),
    [
        ("text/plain", "text/html,application/xhtml+xml", True),
        ("text/plain", "application/json", False),
        ("text/plain", "*/*", False),
    ],
)
def test_unsupported_type_is_415_page_for_browsers_json_for_scripts(
    project: Path, db: Path, ctype: str, accept: str, html: bool
) -> None:
    with TestClient(create_app(project / "build", str(db), (), Limits(rate_limit=0))) as client:
        r = client.post(
            "/responses", content=b"x", headers={"content-type": ctype, "accept": accept}
        )
        assert r.status_code == 415
        assert r.headers["content-type"].startswith("text/html" if html else "application/json")


def test_no_bare_text_for_any_form_refusal(project: Path, db: Path) -> None:
    with TestClient(create_app(project / "build", str(db), (), Limits(rate_limit=0))) as client:
        for body in (
            b"colour=%FF",
            form_body(ANSWERS).replace(b"fw_language=en", b"fw_language=xx"),
        ):
            r = post_form(client, body)
            assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
            assert "<html" in r.text


# --- versions: open for a grace period after a newer one, then a page offering it -----------


def rebuild(project: Path, version: str) -> None:
    path = project / "questionnaire" / f"{QID}.yaml"
    text = SOURCE.read_text("utf-8").replace('version: "1"', f'version: "{version}"', 1)
    path.write_text(text, "utf-8")
    outcome = build_project(project, project / "build")
    assert not outcome.failed, outcome.diagnostics


def test_an_earlier_version_is_taken_in_its_grace_period_then_offered_the_new(
    tmp_path: Path,
) -> None:
    project = build(tmp_path / "project")
    db = tmp_path / "r.sqlite3"
    with TestClient(create_app(project / "build", str(db), (), Limits(rate_limit=0))):
        pass  # the endpoint serves version 1 once
    rebuild(project, "2")
    app = create_app(project / "build", str(db), (), Limits(rate_limit=0))
    with TestClient(app) as client:
        assert post_form(client, form_body(ANSWERS, version="1")).status_code == 303
        assert post_form(client, form_body(ANSWERS, version="2")).status_code == 303
        r = client.post("/responses", json={**envelope({"colour": "red"}), "version": "1"})
        assert r.status_code == 422  # checked against version 1's own manifest
    with sqlite3.connect(db) as conn:
        versions = sorted(v for (v,) in conn.execute("SELECT version FROM responses"))
        assert versions == ["1", "2"]
        # eight days ago the endpoint first served version 2: past the default 7
        conn.execute("UPDATE manifests SET first_seen = date('now', '-8 days') WHERE version = '2'")
    app = create_app(project / "build", str(db), (), Limits(rate_limit=0))
    with TestClient(app) as client:
        r = post_form(client, form_body(ANSWERS, version="1"))
        assert r.status_code == 410
        page = assert_answers_kept(r.text)  # version 1's own page, answers in it
        assert page.find("input", attrs={"name": "fw_version"})["value"] == "1"
        link = page.find("a", string="Open the current survey")
        assert link is not None and link["href"] == "/every-construct/en/index.html"
        assert "this version no longer takes answers" in page.text
        assert client.post("/responses", json={**envelope({}), "version": "1"}).status_code == 410
        assert client.post("/responses", json={**envelope({}), "version": "9"}).status_code == 410
    out = tmp_path / "out.csv"
    assert run_export(str(db), project / "build", None, "csv", "codes", False, out) is None
    rows = out.read_text("utf-8").splitlines()
    header = rows[0].split(",")
    assert sorted(r.split(",")[header.index("version")] for r in rows[1:]) == ["1", "2"]


# --- a frozen database: the save's deadline answers, not the client's patience --------------


class FreezingProxy:
    """A TCP proxy to PostgreSQL that can stop passing bytes, as a hung server does."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self.frozen.is_set():
                    time.sleep(0.05)  # hold the bytes: no answer, no error
                sink.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.frozen.clear()
        self.listener.close()
        for s in self.sockets:
            with_shutdown(s)


def with_shutdown(s: socket.socket) -> None:
    with suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    s.close()


@contextmanager
def proxied(url: str) -> Iterator[tuple[str, FreezingProxy]]:
    """The same postgresql:// URL, through a proxy of its own."""
    parts = urlsplit(url)
    proxy = FreezingProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    user = f"{parts.username}@" if parts.username else ""
    try:
        yield urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{proxy.port}")), proxy
    finally:
        proxy.close()


def test_a_frozen_postgresql_is_a_503_within_the_deadline(project: Path) -> None:
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql://... (not set)")
    with postgres_schema() as pg, proxied(pg) as (url, proxy):
        app = create_app(project / "build", url, (), Limits(rate_limit=0, save_deadline=2))
        with TestClient(app) as client:
            assert post_form(client, form_body(ANSWERS)).status_code == 303
            proxy.frozen.set()
            started = time.monotonic()
            r = client.post("/responses", json=envelope(valid_answers()))
            waited = time.monotonic() - started
            assert r.status_code == 503 and json.loads(r.text)["error"]
            # the one timed assertion this suite allows: generous, far above the deadline
            assert waited < 60
            page = post_form(client, form_body(ANSWERS))
            assert page.status_code == 503
            assert_answers_kept(page.text)
            proxy.close()  # let the writer's stuck statement end, so the app can stop


def test_the_deadline_is_a_setting(project: Path) -> None:
    assert Limits.from_env({"FORMWRIGHT_SAVE_DEADLINE": "2.5"}).save_deadline == 2.5
    assert Limits().save_deadline == 15
    with pytest.raises(Exception, match="FORMWRIGHT_SAVE_DEADLINE"):
        Limits.from_env({"FORMWRIGHT_SAVE_DEADLINE": "soon"})


def test_versions_replaced_before_the_upgrade_stay_closed(tmp_path: Path) -> None:
    """Versions the store knew before it kept first days were already replaced: no new grace."""
    project = build(tmp_path / "project")
    db = tmp_path / "r.sqlite3"
    with TestClient(create_app(project / "build", str(db), (), Limits(rate_limit=0))):
        pass
    with sqlite3.connect(db) as conn:  # as a schema-1 database had them: an older version, no days
        man = json.loads(conn.execute("SELECT manifest FROM manifests").fetchone()[0])
        man["version"] = "0"
        conn.execute(
            "INSERT INTO manifests (questionnaire, version, seen, manifest) VALUES (?, '0', -1, ?)",
            (QID, json.dumps(man)),
        )
        conn.execute("UPDATE manifests SET first_seen = NULL")
    with TestClient(create_app(project / "build", str(db), (), Limits(rate_limit=0))) as client:
        assert client.post("/responses", json={**envelope({}), "version": "0"}).status_code == 410
        assert post_form(client, form_body(ANSWERS)).status_code == 303
