"""Reading and checking answers against the every-construct manifest."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from collect_support import build

from compiler.collect.answers import Index, Malformed, check, from_form, from_json
from compiler.strings import Strings

TODAY = date(2025, 6, 15)


@pytest.fixture(scope="module")
def man(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = build(tmp_path_factory.mktemp("answers"))
    return json.loads((project / "build" / "every-construct" / "manifest.json").read_text())


def checked_json(man: dict[str, Any], answers: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    result = check(man, from_json(man, answers), Strings("en"), TODAY)
    return result.answers, [f"{p.field}:{p.code}" for p in result.problems]


def checked_form(
    man: dict[str, Any], pairs: list[tuple[str, str]]
) -> tuple[dict[str, Any], list[str]]:
    result = check(man, from_form(man, pairs), Strings("en"), TODAY)
    return result.answers, [f"{p.field}:{p.code}" for p in result.problems]


BASE = {"colour": "other", "colour.other": "teal", "views.a": 2, "views.b": 3, "count": 4}


def test_valid_json_answers_are_kept_typed(man: dict[str, Any]) -> None:
    answers, problems = checked_json(
        man, {**BASE, "pets": ["cat"], "name_of_pet": "Tom", "weight": 2.5, "day": "2025-01-02"}
    )
    assert problems == []
    assert answers["views.a"] == 2 and answers["count"] == 4 and answers["weight"] == 2.5
    assert answers["pets"] == ["cat"] and answers["colour.other"] == "teal"


def test_required_answers_on_the_path_taken(man: dict[str, Any]) -> None:
    _, problems = checked_json(man, {"colour": "other"})
    # views is required (both items); count is required on the details page, shown for "other"
    assert problems == ["views.a:required", "views.b:required", "count:required"]
    _, problems = checked_json(man, {"colour": "red", "views.a": 1, "views.b": 1})
    assert problems == []  # the details page is hidden: count is not required


def test_hidden_answers_are_dropped_not_checked(man: dict[str, Any]) -> None:
    # red and no cat: the whole details page is hidden, even an invalid count is dropped
    answers, problems = checked_json(
        man, {"colour": "red", "views.a": 1, "views.b": 1, "count": 99, "story": "x" * 500}
    )
    assert problems == []
    assert answers == {"colour": "red", "views.a": 1, "views.b": 1}


def test_conditions_use_only_answers_kept_so_far(man: dict[str, Any]) -> None:
    # story needs views.a >= 2 and score not in [1, dont_know]
    answers, _ = checked_json(man, {**BASE, "score": "dont_know", "story": "hello"})
    assert "story" not in answers
    answers, _ = checked_json(man, {**BASE, "score": 3, "story": "hello"})
    assert answers["story"] == "hello"
    # month is asked only when day > 2024-12-31
    answers, _ = checked_json(man, {**BASE, "day": "2024-05-01", "month": "2024-06"})
    assert "month" not in answers
    answers, _ = checked_json(man, {**BASE, "day": "2025-05-01", "month": "2024-06"})
    assert answers["month"] == "2024-06"


def test_specify_text_kept_only_with_its_option(man: dict[str, Any]) -> None:
    answers, problems = checked_json(
        man, {"colour": "red", "colour.other": "teal", "views.a": 1, "views.b": 1}
    )
    assert problems == [] and "colour.other" not in answers
    _, problems = checked_json(man, {**BASE, "colour.other": "x" * 501})
    assert problems == ["colour.other:too_long"]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"colour": "green"}, "colour:not_option"),
        ({"colour": 1}, "colour:not_option"),
        ({"views.a": "2"}, "views.a:not_option"),  # codes keep their manifest type
        ({"pets": ["cat", "dog", "none"]}, "pets:too_many"),
        ({"pets": ["cat", "none"]}, "pets:exclusive"),
        ({"pets": ["cat", "cat"]}, "pets:not_option"),
        ({"count": 2.5}, "count:integer"),
        ({"count": 11}, "count:max"),
        ({"count": -1}, "count:min"),
        ({"count": True}, "count:number"),
        ({"weight": 0.1}, "weight:min"),
        ({"day": "2019-12-31"}, "day:date_min"),
        ({"day": "2999-01-01"}, "day:date_max"),
        ({"day": "2025-02-30"}, "day:date"),
        ({"day": "2025-2-3"}, "day:date"),
        ({"pets": ["cat"], "name_of_pet": "x" * 21}, "name_of_pet:too_long"),
        ({"nonsense": 1}, "nonsense:unknown_field"),
        ({"name_of_pet": 5, "pets": ["cat"]}, "name_of_pet:not_text"),
    ],
)
def test_invalid_json_answers(man: dict[str, Any], extra: dict[str, Any], problem: str) -> None:
    _, problems = checked_json(man, {**BASE, **extra})
    assert problem in problems


def test_messages_come_from_the_catalog(man: dict[str, Any]) -> None:
    result = check(man, from_json(man, {**BASE, "count": 11}), Strings("en"), TODAY)
    assert [p.message for p in result.problems] == ["The answer to “How many?” must be 10 or less"]


def test_answers_must_be_an_object(man: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        from_json(man, ["colour"])


def test_form_fields_become_typed_answers(man: dict[str, Any]) -> None:
    pairs = [
        ("colour", "other"),
        ("colour.other", "teal"),
        ("pets", "cat"),
        ("pets", "dog"),
        ("views.a", "2"),
        ("views.b", "3"),
        ("score", "dont_know"),
        ("name_of_pet", "Tom"),
        ("story", ""),
        ("count", "4"),
        ("weight", "2.50"),
        ("day:day", "3"),
        ("day:month", "2"),
        ("day:year", "2025"),
        ("month:month", "1"),
        ("month:year", "2025"),
        ("year:year", "1999"),
    ]
    answers, problems = checked_form(man, pairs)
    assert problems == []
    assert answers == {
        "colour": "other",
        "colour.other": "teal",
        "pets": ["cat", "dog"],
        "views.a": 2,
        "views.b": 3,
        "score": "dont_know",
        "name_of_pet": "Tom",
        "count": 4,
        "weight": 2.5,
        "day": "2025-02-03",
        "month": "2025-01",
        "year": "1999",
    }


@pytest.mark.parametrize(
    ("pairs", "problem"),
    [
        ([("day:day", "30"), ("day:month", "2"), ("day:year", "2024")], "day:date"),
        ([("day:day", "3"), ("day:year", "2024")], "day:date"),  # a part left empty
        ([("day:day", "x"), ("day:month", "2"), ("day:year", "2024")], "day:date"),
        ([("year:day", "3")], "year:day:unknown_field"),
        ([("count", "four")], "count:number"),
        ([("count", "nan")], "count:number"),
        ([("colour", "red")], "colour:not_option"),  # given twice with BASE's colour
        ([("views.a", "9")], "views.a:not_option"),
    ],
)
def test_invalid_form_fields(
    man: dict[str, Any], pairs: list[tuple[str, str]], problem: str
) -> None:
    base = [("colour", "other"), ("views.a", "2"), ("views.b", "3"), ("count", "1")]
    given = {name for name, _ in pairs} - {"colour"}  # colour stays, to be given twice
    base = [p for p in base if p[0] not in given]
    _, problems = checked_form(man, base + pairs)
    assert problem in problems


def test_empty_form_strings_mean_unanswered(man: dict[str, Any]) -> None:
    pairs = [("colour", "red"), ("views.a", "1"), ("views.b", "1"), ("score", ""), ("pets", "")]
    answers, problems = checked_form(man, pairs)
    assert problems == [] and "score" not in answers and "pets" not in answers


def test_index_holds_the_lookup_tables(man: dict[str, Any]) -> None:
    idx = Index.of(man)
    assert idx.manifest is man and set(idx.by_id) == {q["id"] for q in man["questions"]}
    assert {"colour", "colour.other", "views.a", "views.b", "pets", "day"} <= set(idx.known)
    assert "info" not in idx.known  # a statement takes no answer
    assert dict(idx.specify["colour"]) == {"colour.other": idx.by_id["colour"]["options"][2]}
    assert dict(idx.by_text["score"]) == {
        **{"1": 1, "2": 2, "3": 3, "dont_know": "dont_know"},
        "0": "0",  # quoted in the YAML: text, though it looks like a number
    }
    with pytest.raises(TypeError):  # frozen: shared by every request of a worker
        idx.known["x"] = {}  # type: ignore[index]


@pytest.mark.parametrize("value", [1.0, True, "1", [1], {"a": 1}, None])
def test_codes_match_by_type_as_well_as_value(man: dict[str, Any], value: object) -> None:
    """The tables look codes up by (type, code): 1.0, True and "1" are not the code 1."""
    parsed = from_json(Index.of(man), {**BASE, "score": value})
    assert parsed.unreadable.get("score") == ("not_option" if value is not None else None)
    assert from_json(Index.of(man), {**BASE, "score": 1}).answers["score"] == 1


def test_an_index_gives_what_the_manifest_gives(man: dict[str, Any]) -> None:
    idx = Index.of(man)
    answers = {**BASE, "pets": ["cat", "dog"], "name_of_pet": "Tom", "score": "dont_know"}
    pairs = [("colour", "other"), ("colour.other", "teal"), ("views.a", "2"), ("pets", "dog")]
    for parse, body in ((from_json, answers), (from_form, pairs)):
        with_index = check(idx, parse(idx, body), Strings("en"), TODAY)  # type: ignore[operator]
        plain = check(man, parse(man, body), Strings("en"), TODAY)  # type: ignore[operator]
        assert with_index == plain
