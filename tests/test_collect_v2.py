"""Version-2 checks through the real ASGI app: what is stored, and what a refusal says,
as JSON and as the filled form of a post without JavaScript."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from collect_support import FORM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from v2_support import build_example, build_inline, envelope

from compiler.collect.app import create_app
from compiler.collect.limits import Limits

Client = Callable[[str], TestClient]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "phq-9": build_example("phq-9", tmp_path_factory.mktemp("phq")),
        "travel-diary": build_example("travel-diary", tmp_path_factory.mktemp("travel")),
        "checks": build_inline(tmp_path_factory.mktemp("checks")),
    }


@pytest.fixture
def client(builds: dict[str, Path], tmp_path: Path) -> Iterator[Client]:
    opened: dict[str, TestClient] = {}

    def open_one(qid: str) -> TestClient:
        if qid not in opened:
            db = str(tmp_path / f"{qid}.sqlite3")
            app = create_app(builds[qid], db, (), Limits(rate_limit=0))
            opened[qid] = TestClient(app).__enter__()
        return opened[qid]

    yield open_one
    for c in opened.values():
        c.__exit__(None, None, None)


def stored(tmp_path: Path, qid: str) -> list[dict[str, Any]]:
    with sqlite3.connect(tmp_path / f"{qid}.sqlite3") as conn:
        return [json.loads(a) for (a,) in conn.execute("SELECT answers FROM responses")]


def form(qid: str, fields: list[tuple[str, str]], language: str = "en") -> str:
    head = [("fw_questionnaire", qid), ("fw_version", "1"), ("fw_language", language)]
    return urlencode([*head, ("fw_submission", ""), ("fw_website", ""), *fields])


def post_form(c: TestClient, body: str) -> Any:
    return c.post(
        "/responses", content=body, headers={"content-type": FORM}, follow_redirects=False
    )


def date_fields(name: str, day: str) -> list[tuple[str, str]]:
    year, month, d = day.split("-")
    return [(f"{name}:day", d), (f"{name}:month", month), (f"{name}:year", year)]


def test_the_stored_total_is_the_servers_not_the_scripts(client: Client, tmp_path: Path) -> None:
    items = {f"phq.q{n}": 2 for n in range(1, 10)}
    r = client("phq-9").post("/responses", json=envelope("phq-9", {**items, "total": 3}))
    assert r.status_code == 201
    assert stored(tmp_path, "phq-9") == [{**items, "total": 18, "total.band": 4}]


def test_a_calculated_value_sent_by_a_form_is_replaced(client: Client, tmp_path: Path) -> None:
    fields = [(f"phq.q{n}", "0") for n in range(1, 10)] + [("total", "27"), ("total.band", "5")]
    assert post_form(client("phq-9"), form("phq-9", fields)).status_code == 303
    assert stored(tmp_path, "phq-9")[0] == {
        **{f"phq.q{n}": 0 for n in range(1, 10)},
        "total": 0,
        "total.band": 1,
    }


def test_today_a_day_either_side_through_the_app(client: Client, tmp_path: Path) -> None:
    born = (date.today() - timedelta(days=30)).isoformat()
    c = client("checks")
    for sent in (29, 31, 5):
        answers = {"a": 1, "born": born, "age_days": sent}
        assert c.post("/responses", json=envelope("checks", answers)).status_code == 201
    assert [row["age_days"] for row in stored(tmp_path, "checks")] == [29, 31, 30]


def test_a_failing_rule_is_422_in_the_forms_language(client: Client, tmp_path: Path) -> None:
    answers = {"start_date": "2025-06-03", "end_date": "2025-06-01"}
    c = client("travel-diary")
    r = c.post("/responses", json=envelope("travel-diary", answers, "ar"))
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "end_date",
            "code": "rule",
            "message": "يجب أن يكون يوم عودتك هو يوم مغادرتك نفسه أو بعده",
        }
    ]
    r = c.post("/responses", json=envelope("travel-diary", answers))
    assert r.json()["errors"][0]["message"] == (
        "The day you came back must be on or after the day you left"
    )
    assert stored(tmp_path, "travel-diary") == []


def test_a_failing_rule_without_javascript_is_the_filled_form(client: Client) -> None:
    fields = [
        *date_fields("start_date", "2025-06-03"),
        *date_fields("end_date", "2025-06-01"),
        ("destination", "coast"),
        ("journeys", "2"),
        ("train_journeys", "5"),
        ("home_district", "SW1A"),
    ]
    r = post_form(client("travel-diary"), form("travel-diary", fields, "ar"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(r.text, "html.parser")
    summary = page.find(attrs={"data-fw-summary": True})
    assert summary is not None and not summary.has_attr("hidden")
    assert "يجب أن يكون يوم عودتك هو يوم مغادرتك نفسه أو بعده" in summary.text
    assert "لا يمكن أن يكون عدد تنقّلاتك بالقطار أكبر من عدد تنقّلاتك كلها" in summary.text
    beside = page.find(id="err-end_date")
    assert beside is not None and "يوم عودتك" in beside.text and not beside.has_attr("hidden")
    assert "تنقّلاتك" in page.find(id="err-journeys").text  # the page rule's first question
    # what was written is back in the form
    for name, value in [("start_date:day", "03"), ("end_date:day", "01"), ("journeys", "2")]:
        assert page.find("input", attrs={"name": name})["value"] == value
    assert page.find("input", attrs={"name": "home_district"})["value"] == "SW1A"
    assert page.find("input", attrs={"name": "destination", "value": "coast"}).has_attr("checked")


@pytest.mark.parametrize(
    ("district", "status"), [("SW1A", 201), ("m1", 201), ("SW1A 1AA", 422), ("hello", 422)]
)
def test_postcode_districts_through_the_app(client: Client, district: str, status: int) -> None:
    answers = {"start_date": "2025-06-01", "end_date": "2025-06-03", "home_district": district}
    r = client("travel-diary").post("/responses", json=envelope("travel-diary", answers))
    assert r.status_code == status
    if status == 422:
        assert r.json()["errors"] == [
            {
                "field": "home_district",
                "code": "pattern",
                "message": "Enter only the first part of your postcode, like SW1A",
            }
        ]


def test_custom_messages_through_the_app(client: Client) -> None:
    c = client("checks")
    errors = c.post("/responses", json=envelope("checks", {"code": "x"})).json()["errors"]
    assert [(e["field"], e["code"], e["message"]) for e in errors] == [
        ("a", "required", "Tell us A, please"),
        ("code", "pattern", "Three small letters"),
    ]
    r = post_form(c, form("checks", [("a", "0")]))
    assert r.status_code == 422 and "A must be one or more" in r.text


@pytest.mark.parametrize(
    ("channel", "kept"), [("leaflet", "leaflet"), ("radio", None), (None, None)]
)
def test_hidden_fields_kept_dropped_or_absent(
    client: Client, tmp_path: Path, channel: str | None, kept: str | None
) -> None:
    sent = {} if channel is None else {"channel": channel}
    c = client("travel-diary")
    answers = {"start_date": "2025-06-01", "end_date": "2025-06-03", **sent}
    assert c.post("/responses", json=envelope("travel-diary", answers)).status_code == 201
    fields = [*date_fields("start_date", "2025-06-01"), *date_fields("end_date", "2025-06-03")]
    fields += list(sent.items())
    assert post_form(c, form("travel-diary", fields)).status_code == 303
    for row in stored(tmp_path, "travel-diary"):
        assert row.get("channel") == kept and row["nights"] == 2


def test_a_group_hidden_by_its_condition_drops_its_answers(client: Client, tmp_path: Path) -> None:
    c = client("checks")
    body = {"a": 1, "pet": "no", "pet_name": "Tom", "pet_age": 999}
    assert c.post("/responses", json=envelope("checks", body)).status_code == 201
    assert stored(tmp_path, "checks") == [{"a": 1, "pet": "no"}]
    r = c.post("/responses", json=envelope("checks", {**body, "pet": "yes"}))
    assert r.status_code == 201  # shown now: pet_age has no limits, so 999 stands
    r = c.post("/responses", json=envelope("checks", {"a": 1, "pet": "yes"}))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "pet_age"


ANY_JSON = st.recursive(
    # JSON has no Infinity or NaN: the test client could not send them
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)
NAMES = ["a", "b", "born", "age_days", "score", "score.band", "code", "note", "pet"]
NAMES += ["pet_age", "pet_name", "channel", "where", "digits"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), ANY_JSON))
def test_random_answers_are_never_a_500(client: Client, answers: dict[str, Any]) -> None:
    c = client("checks")
    r = c.post("/responses", json=envelope("checks", answers))
    assert r.status_code in (201, 400, 422)
    pairs = [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in answers.items()]
    assert post_form(c, form("checks", pairs)).status_code in (303, 400, 422)
