"""The collection endpoint: every status in-process, random input, and a real server."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest
from bs4 import BeautifulSoup
from collect_support import (
    FORM,
    QID,
    Server,
    build,
    envelope,
    free_port,
    valid_answers,
    wait_for_port,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from compiler.collect.app import create_app
from compiler.collect.limits import Limits, RateLimiter, SetupError

STATUSES = {201, 303, 400, 404, 405, 410, 413, 415, 422, 429}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("collect"))


def client_for(project: Path, db: Path, **limits: Any) -> TestClient:
    app = create_app(project / "build", str(db), ["https://forms.example.org"], Limits(**limits))
    return TestClient(app)


@pytest.fixture
def client(project: Path, tmp_path: Path) -> Iterator[TestClient]:
    with client_for(project, tmp_path / "r.sqlite3", rate_limit=0) as c:
        yield c


def rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT submission_id, answers, submitted FROM responses").fetchall()


def form(fields: list[tuple[str, str]], **envelope_fields: str) -> str:
    head = {"fw_questionnaire": QID, "fw_version": "1", "fw_language": "en", "fw_submission": ""}
    head.update({"fw_website": ""}, **envelope_fields)
    return urlencode([*head.items(), *fields])


VALID_FORM = [("colour", "red"), ("views.a", "1"), ("views.b", "3")]


def test_json_success_is_201_with_the_id(client: TestClient, tmp_path: Path) -> None:
    sid = str(uuid.uuid4())
    r = client.post("/responses", json=envelope(valid_answers(), sid))
    assert r.status_code == 201
    assert uuid.UUID(r.json()["id"])
    assert r.headers["cache-control"] == "no-store" and "set-cookie" not in r.headers
    stored = rows(tmp_path / "r.sqlite3")
    assert [(s, json.loads(a)) for s, a, _ in stored] == [(sid, valid_answers())]


def test_a_database_refusing_writes_is_503_not_500(client: TestClient, tmp_path: Path) -> None:
    # Another process makes every insert fail, as a full disk or a broken database would.
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON responses"
            " BEGIN SELECT RAISE(ABORT, 'no room'); END"
        )
    r = client.post("/responses", json=envelope(valid_answers()))
    assert r.status_code == 503 and "try again" in r.text
    r = client.post("/responses", content=form(VALID_FORM), headers={"content-type": FORM})
    assert r.status_code == 503
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        conn.execute("DROP TRIGGER refuse")
    assert client.post("/responses", json=envelope(valid_answers())).status_code == 201


def test_same_submission_id_stores_once_and_both_succeed(
    client: TestClient, tmp_path: Path
) -> None:
    body = envelope(valid_answers())
    first, second = client.post("/responses", json=body), client.post("/responses", json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert len(rows(tmp_path / "r.sqlite3")) == 1


def test_form_success_redirects_to_thanks(client: TestClient, tmp_path: Path) -> None:
    r = client.post(
        "/responses",
        content=form(VALID_FORM),
        headers={"content-type": FORM},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/{QID}/en/thanks.html"
    (stored,) = rows(tmp_path / "r.sqlite3")
    assert json.loads(stored[1]) == {"colour": "red", "views.a": 1, "views.b": 3}
    assert uuid.UUID(stored[0])  # a server-made submission id when the form has none


def test_honeypot_answers_success_but_stores_nothing(client: TestClient, tmp_path: Path) -> None:
    body = form(VALID_FORM, fw_website="http://spam.example")
    r = client.post(
        "/responses", content=body, headers={"content-type": FORM}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/en/thanks.html")
    assert rows(tmp_path / "r.sqlite3") == []


def test_hidden_answers_are_not_stored(client: TestClient, tmp_path: Path) -> None:
    answers = {**valid_answers(), "count": 3, "story": "a secret nobody was asked for"}
    assert client.post("/responses", json=envelope(answers)).status_code == 201
    (stored,) = rows(tmp_path / "r.sqlite3")
    assert json.loads(stored[1]) == valid_answers()


def test_invalid_json_answers_are_422_with_errors(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/responses", json=envelope({"colour": "green"}))
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {k: errors[0][k] for k in ("field", "code")} == {"field": "colour", "code": "not_option"}
    assert errors[0]["message"] == "Choose one of the answers listed for “Which colour?”"
    assert {e["field"] for e in errors} == {"colour", "views.a", "views.b"}
    assert rows(tmp_path / "r.sqlite3") == []


def test_invalid_form_is_422_form_page_with_the_answers(client: TestClient) -> None:
    body = form([("colour", "other"), ("colour.other", "<b>teal</b>"), ("count", "<script>")])
    r = client.post("/responses", content=body, headers={"content-type": FORM})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(r.text, "html.parser")
    assert page.title is not None and page.title.text.startswith("Error: ")
    summary = page.find(attrs={"data-fw-summary": True})
    assert summary is not None and not summary.has_attr("hidden") and summary["role"] == "alert"
    links = {a.text: a["href"] for a in summary.find_all("a")}
    assert links["Select an answer to “How far do you agree? — Statement A”"] == "#f-views--a--1"
    assert links["The answer to “How many?” must be a number"] == "#f-count"
    assert "Your answers are still on this page." in summary.text
    # what was sent is back in the form, escaped
    assert page.find("input", attrs={"name": "colour", "value": "other"}).has_attr("checked")
    assert page.find("input", attrs={"name": "colour.other"})["value"] == "<b>teal</b>"
    assert page.find("input", attrs={"name": "count"})["value"] == "<script>"
    assert "<script>" not in str(summary) and "<b>teal" not in r.text
    # each message beside its question, and the fields pointed at it
    count_error = page.find(id="err-count")
    assert not count_error.has_attr("hidden") and "must be a number" in count_error.text
    assert page.find(id="f-count")["aria-describedby"] == "err-count"
    assert page.find(attrs={"data-fw-form": True}).has_attr("data-fw-refused")
    # a resend of this page keeps one submission id, so it cannot store twice
    sid = page.find("input", attrs={"name": "fw_submission"})["value"]
    assert uuid.UUID(sid)
    assert 'src="/every-construct/assets/form.' in r.text  # links still reach the folder


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"questionnaire": "nope"}, 404),
        ({"version": "0"}, 410),
        ({"language": "xx"}, 400),
        ({"submission_id": "not-a-uuid"}, 400),
        ({"extra": 1}, 400),
        ({"answers": [1]}, 400),
    ],
)
def test_json_envelope_statuses(client: TestClient, change: dict[str, Any], status: int) -> None:
    r = client.post("/responses", json={**envelope(valid_answers()), **change})
    assert r.status_code == status and "error" in r.json()


@pytest.mark.parametrize(
    ("body", "ctype", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe{}", "application/json", 400),
        (b'{"a": NaN}', "application/json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (b'{"answers": {"colour": "\\ud800"}}', "application/json", 400),
        (b"{}", "text/plain", 415),
        (b"{}", "application/json; charset=latin-1", 415),
        (b"a=1", "multipart/form-data; boundary=x", 415),
        (b"colour=%FF", FORM, 400),
        (b"colour=\xc3\xa9", FORM, 400),
        (b"&".join(b"f%d=1" % i for i in range(20)), FORM, 400),
        (b"fw_questionnaire=every-construct&fw_questionnaire=x", FORM, 400),
        (form(VALID_FORM, fw_version="7").encode(), FORM, 410),
        (form(VALID_FORM, fw_questionnaire="other").encode(), FORM, 404),
    ],
)
def test_body_statuses(project: Path, tmp_path: Path, body: bytes, ctype: str, status: int) -> None:
    with client_for(project, tmp_path / "r.sqlite3", rate_limit=0, max_fields=10) as c:
        assert (
            c.post("/responses", content=body, headers={"content-type": ctype}).status_code
            == status
        )


def test_too_large_is_413(project: Path, tmp_path: Path) -> None:
    with client_for(project, tmp_path / "r.sqlite3", max_body_bytes=100) as c:
        big = json.dumps(envelope({**valid_answers(), "score": 1}) | {"pad": "x" * 200})
        assert (
            c.post(
                "/responses", content=big, headers={"content-type": "application/json"}
            ).status_code
            == 413
        )

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
            yield b"{" + b" " * 80
            yield b" " * 80 + b"}"

        r = c.post("/responses", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_wrong_method_is_405(client: TestClient) -> None:
    r = client.get("/responses")
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    assert client.put("/responses", json={}).status_code == 405


def test_rate_limit_is_429(project: Path, tmp_path: Path) -> None:
    with client_for(project, tmp_path / "r.sqlite3", rate_limit=2) as c:
        codes = [c.post("/responses", json=envelope(valid_answers())).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        last = c.post("/responses", json=envelope(valid_answers()))
        assert last.status_code == 429 and int(last.headers["retry-after"]) > 0


def test_rate_limiter_forgets_with_its_key() -> None:
    limiter = RateLimiter(limit=1, window=3600)
    key = limiter._key
    assert limiter.allow("192.0.2.1")[0] and not limiter.allow("192.0.2.1")[0]
    assert limiter.allow("192.0.2.2")[0]
    assert all(b"192.0.2" not in k for k in limiter._counts)  # only keyed hashes are held
    limiter._ends = 0  # the window has passed
    assert limiter.allow("192.0.2.1")[0]
    assert limiter._key != key and len(limiter._counts) == 1


def test_cors_preflight_and_headers(client: TestClient) -> None:
    pre = client.options(
        "/responses",
        headers={
            "origin": "https://forms.example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://forms.example.org"
    r = client.post(
        "/responses",
        json=envelope(valid_answers()),
        headers={"origin": "https://forms.example.org"},
    )
    assert r.headers["access-control-allow-origin"] == "https://forms.example.org"
    other = client.post(
        "/responses", json=envelope(valid_answers()), headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_setup_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="run formwright build first"):
        create_app(tmp_path, str(tmp_path / "r.sqlite3"))


# --- random input never gives a 500 ----------------------------------------------

HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        ["application/json", FORM, "application/json; charset=utf-8", "text/plain", ""]
    ),
    HEADER_TEXT,
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELD_NAMES = st.sampled_from(
    [
        "colour",
        "colour.other",
        "pets",
        "views.a",
        "views.b",
        "score",
        "count",
        "weight",
        "day:day",
        "day:month",
        "day:year",
        "month:month",
        "year:year",
        "story",
        "name_of_pet",
        "x",
    ]
)


@pytest.fixture(scope="module")
def fuzz_client(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("fuzz") / "r.sqlite3"
    with client_for(project, db, rate_limit=0, max_body_bytes=4096) as c:
        yield c


FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(body=st.binary(max_size=300), ctype=CONTENT_TYPES, extra=HEADER_TEXT)
def test_random_bodies_never_500(
    fuzz_client: TestClient, body: bytes, ctype: str, extra: str
) -> None:
    headers = {"content-type": ctype, "x-anything": extra, "origin": extra}
    assert fuzz_client.post("/responses", content=body, headers=headers).status_code in STATUSES


@FUZZ
@given(answers=st.dictionaries(FIELD_NAMES | st.text(max_size=8), JSON_VALUES, max_size=8))
def test_random_json_answers_never_500(fuzz_client: TestClient, answers: dict[str, Any]) -> None:
    r = fuzz_client.post("/responses", json=envelope(answers))
    assert r.status_code in {201, 422}


@FUZZ
@given(fields=st.lists(st.tuples(FIELD_NAMES, st.text(max_size=12)), max_size=12))
def test_random_forms_never_500(fuzz_client: TestClient, fields: list[tuple[str, str]]) -> None:
    r = fuzz_client.post(
        "/responses", content=form(fields), headers={"content-type": FORM}, follow_redirects=False
    )
    assert r.status_code in {303, 422}


# --- a real server process -----------------------------------------------------------


def test_real_server_statuses_and_private_access_log(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = Server(project / "build", str(tmp_path / "r.sqlite3"), log, FORMWRIGHT_RATE_LIMIT="3")
    server.start()
    spy = {
        "x-forwarded-for": "203.0.113.77",
        "user-agent": "SpyAgent/9.9",
        "referer": "https://ref.example/",
    }
    try:
        with httpx2.Client(base_url=server.url, headers=spy) as http:
            assert http.post("/responses", json=envelope(valid_answers())).status_code == 201
            assert (
                http.post(
                    "/responses", content=b"{", headers={"content-type": "application/json"}
                ).status_code
                == 400
            )
            assert http.get("/responses").status_code == 405  # not counted: never read
            assert http.post("/responses", json=envelope(valid_answers())).status_code == 201
            assert http.post("/responses", json=envelope(valid_answers())).status_code == 429
    finally:
        server.stop()
    text = log.read_text()
    assert '"POST /responses HTTP/1.1" 201' in text and '"GET /responses HTTP/1.1" 405' in text
    for secret in ("203.0.113.77", "SpyAgent", "ref.example", "127.0.0.1:"):
        assert secret not in text.split("Uvicorn running on")[-1].split("\n", 1)[-1]
    access = [line for line in text.splitlines() if "/responses" in line]
    assert access and not any("127.0.0.1" in line for line in access)
    assert not any(ch.isdigit() for line in access for ch in line.split('"')[0])  # no time


def test_formwright_serve_serves_forms_and_endpoint(project: Path, tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "served.sqlite3"
    log = (tmp_path / "serve.log").open("wb")
    formwright = str(Path(sys.executable).parent / "formwright")
    cmd = [formwright, "serve", "-C", str(project), "--db", str(db)]
    proc = subprocess.Popen([*cmd, "--port", str(port)], stdout=log, stderr=log)
    try:
        wait_for_port(port, proc, timeout=30)
        with httpx2.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"user-agent": "SpyAgent"}
        ) as http:
            assert http.get(f"/{QID}/").status_code == 200
            assert "<form" in http.get(f"/{QID}/en/index.html").text
            r = http.post("/responses", content=form(VALID_FORM), headers={"content-type": FORM})
            assert r.status_code == 303 and r.headers["location"] == f"/{QID}/en/thanks.html"
            assert http.get("/responses").status_code == 405
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert f"serving http://127.0.0.1:{port}/{QID}/" in text
    access = [line for line in text.splitlines() if "HTTP/1.1" in line]
    assert access and not any("127.0.0.1" in line or "SpyAgent" in line for line in access)
    assert len(rows(db)) == 1
