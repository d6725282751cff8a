"""Version-2 checks at the endpoint, function by function: calculated values and bands,
today a day either side, rules, custom messages, patterns, groups, hidden fields."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from v2_support import build_example, build_inline, manifest_of

from compiler.collect.answers import Checked, Index, check, from_form, from_json
from compiler.collect.calculated import names
from compiler.strings import Strings

TODAY = date(2025, 6, 15)


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return Index.of(manifest_of(build_inline(tmp_path_factory.mktemp("checks")), "checks"))


@pytest.fixture(scope="module")
def phq(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return Index.of(manifest_of(build_example("phq-9", tmp_path_factory.mktemp("phq")), "phq-9"))


@pytest.fixture(scope="module")
def travel(tmp_path_factory: pytest.TempPathFactory) -> Index:
    build = build_example("travel-diary", tmp_path_factory.mktemp("travel"))
    return Index.of(manifest_of(build, "travel-diary"))


def run(idx: Index, answers: dict[str, Any], lang: str = "en", today: date = TODAY) -> Checked:
    return check(idx, from_json(idx, answers), Strings(lang), today)


def problems(result: Checked) -> list[str]:
    return [f"{p.field}:{p.code}" for p in result.problems]


TRIP = {"start_date": "2025-06-01", "end_date": "2025-06-03"}  # both required


def phq_items(*scores: int) -> dict[str, int]:
    return {f"phq.q{n}": s for n, s in enumerate(scores, start=1)}


# --- calculated values --------------------------------------------------------------


def test_a_calculated_value_is_recomputed_never_taken_from_the_post(phq: Index) -> None:
    result = run(phq, {**phq_items(3, 3, 3, 3, 3, 0, 0, 0, 0), "total": 0, "total.band": 1})
    assert problems(result) == []
    assert result.answers["total"] == 15 and result.answers["total.band"] == 4


@pytest.mark.parametrize(
    ("scores", "band"),
    [((0,) * 9, 1), ((1, 1, 1, 1) + (0,) * 5, 1), ((1,) * 5 + (0,) * 4, 2), ((3,) * 9, 5)],
)
def test_the_band_is_the_number_of_the_band_holding_the_value(
    phq: Index, scores: tuple[int, ...], band: int
) -> None:
    answers = run(phq, phq_items(*scores)).answers
    assert answers["total"] == sum(scores) and answers["total.band"] == band


def test_a_value_outside_every_band_has_no_band(checks: Index) -> None:
    answers = run(checks, {"a": 20, "b": 30}).answers
    assert answers["score"] == 50 and "score.band" not in answers
    answers = run(checks, {"a": 2, "b": 4}).answers
    assert answers["score"] == 6 and answers["score.band"] == 2


def test_a_value_with_an_unanswered_operand_is_not_stored(checks: Index) -> None:
    answers = run(checks, {"a": 2, "score": 99}).answers
    assert "score" not in answers and "score.band" not in answers


def test_a_later_condition_uses_the_recomputed_value(phq: Index) -> None:
    answers = run(phq, {**phq_items(*(0,) * 9), "total": 9, "difficult": "very"}).answers
    assert answers["total"] == 0 and "difficult" not in answers  # asked only when total > 0
    answers = run(phq, {**phq_items(1, *(0,) * 8), "difficult": "very"}).answers
    assert answers["difficult"] == "very"


@pytest.mark.parametrize(("sent", "kept"), [(99, 99), (100, 100), (101, 101), (98, 100)])
def test_today_may_be_a_day_either_side(checks: Index, sent: int, kept: int) -> None:
    born = (TODAY - timedelta(days=100)).isoformat()
    answers = run(checks, {"born": born, "a": 1, "age_days": sent}).answers
    assert answers["age_days"] == kept


def test_today_without_the_scripts_value_is_the_servers(checks: Index) -> None:
    born = (TODAY - timedelta(days=100)).isoformat()
    assert run(checks, {"born": born, "a": 1}).answers["age_days"] == 100
    assert run(checks, {"born": born, "a": 1, "age_days": "100"}).answers["age_days"] == 100


def test_only_values_naming_today_get_the_window(travel: Index) -> None:
    base = {"start_date": "2025-06-01", "end_date": "2025-06-03"}
    assert run(travel, {**base, "nights": 3}).answers["nights"] == 2


# --- rules --------------------------------------------------------------------------


def test_a_failing_question_rule_is_a_rule_problem_with_its_message(travel: Index) -> None:
    result = run(travel, {"start_date": "2025-06-03", "end_date": "2025-06-01"})
    assert problems(result) == ["end_date:rule"]
    assert result.problems[0].message == (
        "The day you came back must be on or after the day you left"
    )


@pytest.mark.parametrize("lang", ["ar", "zh-Hans"])
def test_a_rule_message_comes_in_the_forms_language(travel: Index, lang: str) -> None:
    result = run(travel, {"start_date": "2025-06-03", "end_date": "2025-06-01"}, lang)
    translated = travel.manifest["messages"][lang]["questions.end_date.rules.1"]
    assert [p.message for p in result.problems] == [translated]


def test_a_rule_falls_back_to_the_source_message(travel: Index) -> None:
    man = {**travel.manifest, "messages": {"ar": {}}}
    result = run(Index.of(man), {"start_date": "2025-06-03", "end_date": "2025-06-01"}, "ar")
    assert [p.message for p in result.problems] == [
        "The day you came back must be on or after the day you left"
    ]


def test_a_rule_is_skipped_while_an_answer_it_names_is_not_given(travel: Index) -> None:
    base = {"start_date": "2025-06-01", "end_date": "2025-06-03"}
    assert problems(run(travel, {**base, "train_journeys": 5})) == []
    assert problems(run(travel, {**base, "journeys": 2})) == []
    assert problems(run(travel, {**base, "journeys": 2, "train_journeys": 5})) == [
        "journeys:rule"  # a page rule sits by the first question on its page it names
    ]


def test_names_inside_aggregates_do_not_hold_a_rule_back(checks: Index) -> None:
    assert names({"fn": "sum", "args": [{"ref": "x"}]}, direct=True) == []
    assert names({"op": "answered", "field": "x"}, direct=True) == []
    assert names({"op": "answered", "field": "x"}) == ["x"]
    result = run(checks, {"a": 1, "note": "far too long"})  # b unanswered: the rule fails
    assert problems(result) == ["note:rule"]
    assert result.problems[0].message == "Short notes only, unless you gave B"
    assert problems(run(checks, {"a": 1, "b": 2, "note": "far too long"})) == []


def test_a_question_rule_waits_for_its_question(checks: Index) -> None:
    assert problems(run(checks, {"a": 1})) == []  # note unanswered: its rule is not checked


def test_page_rules_sit_by_the_first_question_they_name_else_the_pages_first(
    checks: Index,
) -> None:
    result = run(checks, {"a": 60, "b": 5})
    assert problems(result) == ["a:rule", "pet:rule"]
    assert [p.message for p in result.problems] == [
        "B must be at least A",  # b >= a: a comes first on the page
        "A is too big for page two",  # names nothing on its page: its first question
    ]


# --- custom messages, patterns ------------------------------------------------------


def test_custom_messages_replace_the_standard_ones(checks: Index) -> None:
    assert [p.message for p in run(checks, {}).problems] == ["Tell us A, please"]
    assert [p.message for p in run(checks, {"a": 0}).problems] == ["A must be one or more"]
    result = run(checks, {"a": 1, "code": "ABCD"})
    assert problems(result) == ["code:pattern"]
    assert result.problems[0].message == "Three small letters"


def test_a_pattern_without_a_message_uses_the_catalog(checks: Index) -> None:
    result = run(checks, {"a": 1, "digits": "12a"})
    assert problems(result) == ["digits:pattern"]
    assert result.problems[0].message == Strings("en")("err_pattern", question="Digits?")
    assert run(checks, {"a": 1, "digits": "0123", "code": "abc"}).problems == []


@pytest.mark.parametrize("district", ["SW1A", "m1", "B33", "ec1a", "SW1A ", " m1"])
def test_a_postcode_district_is_accepted(travel: Index, district: str) -> None:
    # spaces a phone adds at the ends are not part of the answer (as in the script)
    result = run(travel, {**TRIP, "home_district": district})
    assert result.problems == [] and result.answers["home_district"] == district


@pytest.mark.parametrize("text", ["SW1A 1AA", "hello", "SW 1A", "1AA"])
def test_more_than_a_postcode_district_is_refused(travel: Index, text: str) -> None:
    result = run(travel, {**TRIP, "home_district": text})
    assert problems(result) == ["home_district:pattern"]
    assert result.problems[0].message == "Enter only the first part of your postcode, like SW1A"
    arabic = run(travel, {**TRIP, "home_district": text}, "ar").problems[0].message
    assert arabic == travel.manifest["messages"]["ar"]["questions.home_district.messages.pattern"]


def test_a_postcode_district_without_a_message_uses_its_catalog_string(travel: Index) -> None:
    man = {
        **travel.manifest,
        "questions": [{**q, "messages": {}} for q in travel.manifest["questions"]],
    }
    result = run(Index.of(man), {**TRIP, "home_district": "SW1A 1AA"})
    assert problems(result) == ["home_district:pattern"]
    expected = Strings("en")("err_postcode_district", question=man["questions"][-1]["text"])
    assert result.problems[0].message == expected and "SW1A" in expected


# --- groups and hidden fields -------------------------------------------------------


def test_a_groups_condition_hides_its_questions_and_drops_their_answers(checks: Index) -> None:
    result = run(checks, {"a": 1, "pet": "no", "pet_name": "Tom", "pet_age": 200})
    assert problems(result) == [] and "pet_name" not in result.answers
    result = run(checks, {"a": 1, "pet": "yes", "pet_name": "Tom"})
    assert problems(result) == ["pet_age:required"] and result.answers["pet_name"] == "Tom"
    assert "pet_name" not in run(checks, {"a": 1, "pet_name": "Tom"}).answers


@pytest.mark.parametrize(
    ("sent", "kept"),
    [({"channel": "leaflet"}, "leaflet"), ({"channel": "radio"}, None), ({}, None)],
)
def test_a_hidden_value_is_kept_only_from_its_list(
    checks: Index, sent: dict[str, Any], kept: str | None
) -> None:
    result = run(checks, {"a": 1, **sent, "where": "the library"})
    assert result.problems == []  # never an error: a respondent cannot fix a URL
    assert result.answers.get("channel") == kept
    assert ("where" in result.answers) == (kept == "leaflet")  # conditions may test it


@pytest.mark.parametrize("value", [5, None, ["web"], {"web": 1}, "WEB", ""])
def test_a_hidden_value_not_allowed_is_dropped_silently(checks: Index, value: object) -> None:
    result = run(checks, {"a": 1, "channel": value})
    assert result.problems == [] and "channel" not in result.answers


def test_form_posts_read_hidden_and_calculated_fields(checks: Index) -> None:
    pairs = [("a", "2"), ("b", "3"), ("channel", "web"), ("score", "1"), ("score.band", "9")]
    result = check(checks, from_form(checks, pairs), Strings("en"), TODAY)
    assert result.problems == []
    assert result.answers == {"channel": "web", "a": 2, "b": 3, "score": 5, "score.band": 1}
    twice = from_form(checks, [("a", "2"), ("channel", "web"), ("channel", "leaflet")])
    assert twice.hidden == {} and twice.unknown == []


# --- never a 500 --------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def _names(idx: Index) -> list[str]:
    return sorted({*idx.known, *idx.calculated, *idx.hidden, "channel", "nope"})


@pytest.mark.parametrize("which", ["checks", "phq", "travel"])
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_check_never_raises_on_random_answers(
    request: pytest.FixtureRequest, which: str, data: st.DataObject
) -> None:
    idx: Index = request.getfixturevalue(which)
    keys = st.sampled_from(_names(idx)) | st.text(max_size=8)
    answers = data.draw(st.dictionaries(keys, JSON, max_size=12))
    today = data.draw(st.dates(date(1001, 1, 2), date(9998, 12, 30)))
    result = check(
        idx, from_json(idx, answers), Strings(data.draw(st.sampled_from(["en", "ar"]))), today
    )
    assert all(p.code and p.message for p in result.problems)
    pairs = data.draw(st.lists(st.tuples(keys, st.text(max_size=10)), max_size=12))
    check(idx, from_form(idx, pairs), Strings("en"), today)


def test_the_example_manifests_are_built(tmp_path: Path) -> None:
    """Both examples compile to version-2 manifests with the constructs tested here."""
    phq = manifest_of(build_example("phq-9", tmp_path / "p"), "phq-9")
    assert phq["formwright"] == 2 and any(q["type"] == "calculate" for q in phq["questions"])


HUGE = """\
formwright: 2
id: huge
version: "1"
title: Huge
language: en
pages:
  - id: p
    title: P
    questions:
      - id: x
        type: number
        text: X?
      - id: power
        type: calculate
        value: x * x * x * x * x * x * x * x * x * x * x * x * x * x * x * x
      - id: tiny
        type: calculate
        value: 1 / power
"""


@pytest.mark.parametrize("x", [1e300, -1e300, 5e-324, 1.7976931348623157e308])
def test_numbers_past_a_json_number_have_no_value_and_never_raise(tmp_path: Path, x: float) -> None:
    idx = Index.of(manifest_of(build_inline(tmp_path, HUGE, "huge"), "huge"))
    result = check(idx, from_json(idx, {"x": x}), Strings("en"), TODAY)
    assert result.problems == []
    # beyond a JSON number there is no value; what is stored is always a JSON number
    stored = json.loads(json.dumps(result.answers, allow_nan=False))
    assert stored == result.answers
    if abs(x) > 1:
        assert "power" not in stored and "tiny" not in stored  # no value in, none out


TODAY_RULE = """\
formwright: 2
id: today-rule
version: "1"
title: Today
language: en
pages:
  - id: p
    title: P
    questions:
      - id: trip
        type: date
        text: When?
        rules:
          - must: trip <= today
            message: The trip cannot be in the future
"""


@pytest.mark.parametrize(("ahead", "refused"), [(0, False), (1, False), (2, True)])
def test_a_rule_on_today_holds_on_the_respondents_day(
    tmp_path: Path, ahead: int, refused: bool
) -> None:
    idx = Index.of(manifest_of(build_inline(tmp_path, TODAY_RULE, "today-rule"), "today-rule"))
    day = (TODAY + timedelta(days=ahead)).isoformat()
    result = check(idx, from_json(idx, {"trip": day}), Strings("en"), TODAY)
    assert (problems(result) == ["trip:rule"]) is refused
