"""Hostile answers: huge, infinite, nested or mistyped values are 4xx with a reason, never 500."""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from collect_support import FORM, QID, build
from hypothesis import event, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from compiler.collect.app import create_app
from compiler.collect.limits import Limits
from compiler.strings import Strings

JSON = {"content-type": "application/json"}
BASE: dict[str, Any] = {
    "colour": "other",
    "colour.other": "x",
    "pets": ["cat"],
    "views.a": 1,
    "views.b": 3,
    "count": 3,
}
BASE_FORM = [(k, str(v)) for k, v in BASE.items() if k != "pets"] + [("pets", "cat")]
BIG = "1" + "0" * 400  # beyond a float: math.isfinite raised OverflowError (a 500)
HUGE = "9" * 5000  # beyond Python's int conversion (4,300 digits)
T = Strings("en")
LIMIT = 65536  # the body limit the tests' endpoint is given


@dataclass(frozen=True)
class Raw:
    """JSON text sent as it is: numbers json.dumps cannot write, or nesting it would recurse on."""

    text: str


def to_json(value: object) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def body(answers: dict[str, Any], language: str = "en") -> str:
    head = {"questionnaire": QID, "version": "1", "language": language}
    head["submission_id"] = str(uuid.uuid4())
    return to_json({**head, "answers": Raw(to_json(answers))})


def form(fields: list[tuple[str, str]], language: str = "en") -> str:
    head = [("fw_questionnaire", QID), ("fw_version", "1"), ("fw_language", language)]
    # surrogatepass: a lone surrogate goes as the bytes no UTF-8 decoder accepts
    return urlencode([*head, ("fw_submission", str(uuid.uuid4())), *fields], errors="surrogatepass")


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def errors(self) -> list[str]:
        bad = [r for r in self.records if r.levelno >= logging.ERROR or r.exc_info]
        return [r.getMessage() for r in bad]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def logged() -> Iterator[Records]:
    """Records of the root and the 'formwright' logger (which the server stops propagating)."""
    handler = Records()
    loggers = [logging.getLogger(), logging.getLogger("formwright")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture(scope="module")
def client(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("hostile-db") / "r.sqlite3"
    app = create_app(project / "build", str(db), (), Limits(max_body_bytes=LIMIT, rate_limit=0))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def post_json(client: TestClient, text: str) -> Any:
    return client.post("/responses", content=text, headers=JSON)


def post_form(client: TestClient, text: str) -> Any:
    headers = {"content-type": FORM}
    return client.post("/responses", content=text, headers=headers, follow_redirects=False)


def problems(r: Any) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in r.json()["errors"]}


def test_the_base_answers_are_valid(client: TestClient) -> None:
    assert post_json(client, body(BASE)).status_code == 201
    assert post_form(client, form(BASE_FORM)).status_code == 303


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("count", BIG, "number"),
        ("count", "-" + BIG, "number"),
        ("weight", BIG, "number"),
        ("count", HUGE, "number"),
        ("count", "-" + HUGE, "number"),
        ("count", "1e999", "number"),  # Python's json reads it as inf
        ("count", "-1e999", "number"),
        ("weight", "1.8e308", "number"),  # a float that rounds to inf
        ("weight", BIG + ".5", "number"),
        ("count", '"3"', "number"),  # text where a number belongs
        ("count", '"nan"', "number"),
        ("weight", '"Infinity"', "number"),
        ("count", "true", "number"),  # booleans where a number belongs
        ("weight", "false", "number"),
        ("views.a", "true", "not_option"),  # True is not the code 1
        ("score", BIG, "not_option"),
        ("score", HUGE, "not_option"),
        ("score", "1e999", "not_option"),
        ("name_of_pet", "5", "not_text"),  # numbers where text belongs
        ("name_of_pet", HUGE, "not_text"),
        ("colour.other", BIG, "not_text"),
        ("day", HUGE, "date"),
        ("pets", json.dumps(["cat"] * 5000), "not_option"),
        ("pets", json.dumps([f"x{i}" for i in range(5000)]), "not_option"),
        ("pets", "[" + ",".join([BIG] * 50) + "]", "not_option"),
        ("pets", '[["cat"]]', "not_option"),
        ("colour", "[" * 100 + "]" * 100, "not_option"),
        ("count", '{"a":' * 100 + "1" + "}" * 100, "number"),
        ("views.b", '{"a": [1, {"b": 2}]}', "not_option"),
    ],
)
def test_hostile_json_answers_are_422_on_the_field(
    client: TestClient, logged: Records, name: str, raw: str, code: str
) -> None:
    r = post_json(client, body({**BASE, name: Raw(raw)}))
    assert r.status_code == 422, r.text[:300]
    assert problems(r) == {(name, code)}
    assert logged.errors() == []


@pytest.mark.parametrize(
    ("raw", "status", "reason"),
    [
        ("[" * 5000 + "]" * 5000, 400, "nested too deeply"),
        ('{"a":' * 5000 + "1" + "}" * 5000, 400, "nested too deeply"),
        ("NaN", 400, "not valid UTF-8 JSON"),
        ("-Infinity", 400, "not valid UTF-8 JSON"),
        (json.dumps(["cat"] * (LIMIT // 7)), 413, "too large"),
        ("9" * LIMIT, 413, "too large"),
    ],
)
def test_hostile_json_bodies_are_refused_with_a_reason(
    client: TestClient, logged: Records, raw: str, status: int, reason: str
) -> None:
    r = post_json(client, body({**BASE, "pets": Raw(raw)}))
    assert r.status_code == status and reason in r.json()["error"]
    assert logged.errors() == []


def test_a_huge_number_in_the_envelope_is_not_a_500(client: TestClient) -> None:
    text = body(BASE).replace('"version":"1"', f'"version":{HUGE}')
    assert post_json(client, text).status_code in {409, 410}  # not a version collected


NUMBERS = [BIG, HUGE, "-" + HUGE, "1e999", "-1e999", "1e400", "1.8e308", BIG + ".5"]
SPELLINGS = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-Infinity", "three", "true", "0x10"]
SPELLINGS += ["٣", "３"]  # digits of other scripts: the browser's script refuses them too


@pytest.mark.parametrize("value", NUMBERS + SPELLINGS)
@pytest.mark.parametrize(("name", "question"), [("count", "How many?"), ("weight", "Weight in kg")])
def test_hostile_form_numbers_are_422(
    client: TestClient, logged: Records, name: str, question: str, value: str
) -> None:
    fields = [(k, v) for k, v in BASE_FORM if k != name] + [(name, value)]
    r = post_form(client, form(fields))
    assert r.status_code == 422
    assert T("err_number", question=question) in r.text
    assert logged.errors() == []


@pytest.mark.parametrize(
    ("name", "value", "question"),
    [
        ("views.a", "true", "How far do you agree?"),
        ("views.a", "1e999", "How far do you agree?"),
        ("score", BIG, "Score it"),
        ("colour", "[" * 100 + "]" * 100, "Which colour?"),
        ("pets", "['cat']", "Which pets?"),
    ],
)
def test_hostile_form_choices_are_422(
    client: TestClient, name: str, value: str, question: str
) -> None:
    fields = [(k, v) for k, v in BASE_FORM if k != name] + [(name, value)]
    r = post_form(client, form(fields))
    assert r.status_code == 422
    assert T("err_not_option", question=question) in r.text


def test_form_text_may_look_like_a_number(client: TestClient) -> None:
    r = post_form(client, form([*BASE_FORM, ("name_of_pet", HUGE[:20])]))
    assert r.status_code == 303


def test_form_arrays_for_a_multiple_choice(client: TestClient) -> None:
    many = [(k, v) for k, v in BASE_FORM if k != "pets"] + [("pets", "cat")] * 900
    r = post_form(client, form(many))
    assert r.status_code == 422 and T("err_not_option", question="Which pets?") in r.text
    r = post_form(client, form([*BASE_FORM, *[("pets", "dog")] * 1000]))
    assert r.status_code == 400


# --- random answers in a valid envelope ------------------------------------------------


def field_names(man: dict[str, Any]) -> list[str]:
    """The answer keys `Index` knows: ids, matrix `q.item` fields and `q.code` specify fields."""
    names: list[str] = []
    for q in man["questions"]:
        if q["type"] == "matrix":
            names += [f"{q['id']}.{item['code']}" for item in q["items"]]
        elif q["type"] != "statement":
            names.append(q["id"])
        if q["type"] in ("single", "multiple"):
            names += [f"{q['id']}.{o['code']}" for o in q["options"] if "specify" in o]
    return names


def codes_of(man: dict[str, Any]) -> list[object]:
    codes: list[object] = []
    for q in man["questions"]:
        for option in [*q.get("options", []), *q.get("points", []), *q.get("extra", [])]:
            codes.append(option["code"])
    return codes


def as_form(name: str, value: object) -> list[tuple[str, str]]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append((name, item))
        elif isinstance(item, bool) or item is None:
            out.append((name, {True: "true", False: "false", None: ""}[item]))
        else:
            out.append((name, to_json(item)))
    return out


def strategies(man: dict[str, Any]) -> tuple[Any, Any]:
    codes = codes_of(man)
    date_parts = [
        f"{q['id']}:{p}"
        for q in man["questions"]
        if q["type"] == "date"
        for p in ("year", "month", "day")
    ]
    keys = st.sampled_from(field_names(man) + date_parts) | st.text(max_size=6)
    digits = st.builds(
        lambda sign, n, d: Raw(sign + d * n),
        st.sampled_from(["", "-"]),
        st.integers(300, 6000),
        st.sampled_from("123456789"),
    )
    spelled = ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999", "1.8e308", "0x1"]
    dates = ["2024-05-01", "2025-01-31", "2024-05", "2024", "2019-12-31", "2024-02-30"]
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(10**400), max_value=10**400),
        digits,
        st.sampled_from([Raw("1e999"), Raw("-1e999"), Raw("1.5e400"), Raw(BIG + ".5")]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(spelled + dates + [str(c) for c in codes]),
        st.sampled_from(codes),
        st.sampled_from(codes),
        st.text(max_size=30),
        st.builds(lambda c, n: c * n, st.characters(), st.integers(100, 20000)),
    )
    nested = st.builds(lambda d: Raw("[" * d + "]" * d), st.integers(1, 3000))
    values = st.one_of(
        scalars,
        scalars,
        nested,
        st.lists(st.sampled_from(codes), min_size=1, max_size=4),
        st.lists(st.sampled_from(codes), max_size=10000),
        st.recursive(
            scalars,
            lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids),
            max_leaves=8,
        ),
    )
    valid: list[dict[str, Any]] = [
        {},
        {"colour": "red", "views.a": 1, "views.b": 3},
        BASE,
        {**BASE, "weight": 72.5, "day": "2024-05-01", "year": "2001", "name_of_pet": "Tom"},
    ]
    answers = st.builds(
        lambda base, extra: {**base, **extra},
        st.sampled_from(valid),
        st.dictionaries(keys, values, max_size=4),
    )
    return answers, st.integers(0, 3)


def test_random_answers_in_a_valid_envelope_are_never_500(
    client: TestClient, project: Path, logged: Records
) -> None:
    man = json.loads((project / "build" / QID / "manifest.json").read_text())
    answers_strategy, share = strategies(man)
    seen: Counter[int] = Counter()

    @settings(max_examples=2000, deadline=None)
    @given(answers=answers_strategy, language=st.sampled_from(man["languages"]), form_if=share)
    def run(answers: dict[str, Any], language: str, form_if: int) -> None:
        r = post_json(client, body(answers, language))
        event(f"json {r.status_code}")
        seen[r.status_code] += 1
        assert r.status_code in {201, 400, 413, 422}, r.text[:300]
        if form_if == 0:
            fields = [pair for name, value in answers.items() for pair in as_form(name, value)]
            r = post_form(client, form(fields, language))
            event(f"form {r.status_code}")
            assert r.status_code in {303, 400, 413, 422}, r.text[:300]
        assert logged.errors() == []

    run()
    # The envelope let them through: some were stored, some refused by the answer checker.
    assert seen[201] > 10 and seen[422] > 10, seen


# --- a stopped store ---------------------------------------------------------------------


def test_a_stopped_store_is_503_and_nothing_else(
    project: Path, tmp_path: Path, logged: Records
) -> None:
    app = create_app(project / "build", str(tmp_path / "r.sqlite3"), (), Limits(rate_limit=0))
    with TestClient(app, raise_server_exceptions=False) as running:
        assert post_json(running, body(BASE)).status_code == 201
    # Leaving the block ran the app's shutdown: its writer and store are closed.
    stopped = TestClient(app, raise_server_exceptions=False)  # no lifespan: stays stopped
    for _ in range(2):
        r = post_json(stopped, body(BASE))
        assert r.status_code == 503 and "try again" in r.json()["error"]
        assert post_form(stopped, form(BASE_FORM)).status_code == 503
    # A stopped store does not hide what a client did wrong: that is still a 4xx.
    assert post_json(stopped, body({**BASE, "count": Raw(BIG)})).status_code == 422
    assert post_json(stopped, "{").status_code == 400
    errors = [r.getMessage() for r in logged.records if r.levelno >= logging.ERROR]
    assert errors and all(m.startswith("storage unavailable") for m in errors)
    assert not any(r.exc_info for r in logged.records)  # logged as a reason, not a traceback
