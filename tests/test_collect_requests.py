"""The endpoint's per-request work: what is prepared once stays correct, and is not redone."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from collect_support import FORM, QID, build, envelope, valid_answers
from starlette.testclient import TestClient

from compiler.collect import answers
from compiler.collect import bodies as collect
from compiler.collect.app import create_app
from compiler.collect.bodies import Reject, _content_type
from compiler.collect.bodies import media_type as _media_type
from compiler.collect.limits import Limits


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("requests"))


@pytest.fixture
def client(project: Path, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(project / "build", str(tmp_path / "r.sqlite3"), (), Limits(rate_limit=0))
    with TestClient(app) as c:
        yield c


def test_manifest_tables_are_built_at_load_not_per_request(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rebuilt(man: object) -> object:
        raise AssertionError("a manifest's tables were rebuilt for a request")

    monkeypatch.setattr(answers.Index, "of", rebuilt)
    assert client.post("/responses", json=envelope(valid_answers())).status_code == 201
    bad = client.post("/responses", json=envelope({"colour": "mauve"}))
    assert bad.status_code == 422
    form = f"fw_questionnaire={QID}&fw_version=1&fw_language=en&colour=red&views.a=1&views.b=3"
    r = client.post(
        "/responses", content=form, headers={"content-type": FORM}, follow_redirects=False
    )
    assert r.status_code == 303


@pytest.mark.parametrize(
    ("header", "media"),
    [
        ("application/json", "application/json"),
        ("Application/JSON", "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("application/json;charset=UTF-8", "application/json"),
        ('application/json; charset="utf-8"', "application/json"),
        ("application/json; charset=utf8; foo=bar", "application/json"),
        (" application/x-www-form-urlencoded ; charset=utf-8", FORM),
        ("", "text/plain"),
        ("json", "text/plain"),  # no subtype: not a media type at all
    ],
)
def test_content_type_parsing(header: str, media: str) -> None:
    assert _media_type(header) == media


@pytest.mark.parametrize(
    "header",
    [
        "application/json; charset=latin-1",
        'application/json; charset="iso-8859-1"',
        "application/json; CHARSET=utf-16",
    ],
)
def test_only_utf8_is_accepted(header: str) -> None:
    with pytest.raises(Reject) as caught:
        _media_type(header)
    assert caught.value.status == 415
    with pytest.raises(Reject):  # every time: a refusal is not remembered as a success
        _media_type(header)


def test_each_content_type_header_is_parsed_once() -> None:
    header = "application/json; charset=utf-8; x-test=once"
    _content_type.cache_clear()
    for _ in range(3):
        assert _media_type(header) == "application/json"
    info = _content_type.cache_info()
    assert (info.misses, info.hits) == (1, 2) and info.maxsize is not None


def _reencodings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Calls of the surrogate check, which re-encodes the whole parsed body."""
    seen: list[object] = []
    dumps = json.dumps

    def counting(obj: Any, **kw: Any) -> str:
        if isinstance(obj, dict) and "submission_id" in obj:  # the body, not a response
            seen.append(obj)
        return dumps(obj, **kw)

    monkeypatch.setattr(collect.json, "dumps", counting)
    return seen


def test_a_body_without_escapes_is_not_reencoded(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _reencodings(monkeypatch)
    body = envelope(
        valid_answers() | {"colour": "other", "colour.other": "naïve ☕ 😀", "count": 1}
    )
    assert client.post("/responses", json=body).status_code == 201
    assert seen == []


@pytest.mark.parametrize(
    ("escaped", "status"),
    [
        ('"\\ud800"', 400),
        ('"\\uD800"', 400),
        ('"x\\uDFFFy"', 400),
        ('"\\ude00\\ud83d"', 400),  # a pair in the wrong order is two lone halves
        ('"\\ud83d\\ude00"', 201),  # a pair is one character
        ('"\\uD83D\\uDE00"', 201),
    ],
)
def test_surrogate_escapes(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, escaped: str, status: int
) -> None:
    text = json.dumps(
        envelope(valid_answers() | {"colour": "other", "colour.other": "@", "count": 1})
    ).replace('"@"', escaped)
    seen = _reencodings(monkeypatch)
    r = client.post("/responses", content=text, headers={"content-type": "application/json"})
    assert r.status_code == status and len(seen) == 1
    if status == 201:
        with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
            (stored,) = conn.execute("SELECT answers FROM responses").fetchone()
        assert json.loads(stored)["colour.other"] == "😀"


def test_a_lone_surrogate_in_a_field_name_is_400(client: TestClient) -> None:
    text = json.dumps(envelope(valid_answers())).replace('"colour"', '"col\\udc00our"')
    r = client.post("/responses", content=text, headers={"content-type": "application/json"})
    assert r.status_code == 400
