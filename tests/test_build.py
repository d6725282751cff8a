"""The compiler's output: structure (parsed with a real HTML parser), golden files, sizes."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner

from compiler.build import build_project
from compiler.cli import cli
from compiler.render.assets import make_assets

HERE = Path(__file__).parent
ROOT = HERE.parent
GOLDEN = HERE / "golden" / "every-construct"
UPDATE = os.environ.get("FORMWRIGHT_UPDATE_GOLDEN") == "1"
KIB = 1024


def build_copy(project: Path, tmp_path: Path, name: str = "out") -> Path:
    work = tmp_path / f"project-{name}"
    for folder in ("questionnaire", "locales"):
        if (project / folder).is_dir():
            shutil.copytree(project / folder, work / folder, dirs_exist_ok=True)
    out = tmp_path / name
    outcome = build_project(work, out, strict=True)
    assert not outcome.failed, outcome.diagnostics
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html5lib")


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def every(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_copy(GOLDEN, tmp_path_factory.mktemp("every")) / "every-construct"


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "questionnaire" / "victim-voice.yaml").exists():
        pytest.skip("questionnaire/victim-voice.yaml is not written yet")
    return build_copy(ROOT, tmp_path_factory.mktemp("victim")) / "victim-voice"


def test_output_layout(every: Path) -> None:
    names = set(files(every))
    assert {
        "index.html",
        "en/index.html",
        "en/thanks.html",
        "en/error.html",
        "manifest.json",
        "response.schema.json",
    } <= names
    assets = sorted(n for n in names if n.startswith("assets/"))
    # the stylesheet is inlined in each page: the script is the only shared file
    assert len(assets) == 1 and assets[0].startswith("assets/form.") and assets[0].endswith(".js")


def test_golden_files(every: Path) -> None:
    expected_dir = GOLDEN / "expected"
    built = files(every)
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, data in built.items():
            if not name.startswith("assets/"):
                (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
                (expected_dir / name).write_bytes(data)
    expected = files(expected_dir)
    assert expected, "no golden files: run with FORMWRIGHT_UPDATE_GOLDEN=1 and review them"
    for name, data in expected.items():
        assert built[name].decode() == data.decode(), f"{name} differs from its golden file"


def test_build_is_deterministic(tmp_path: Path) -> None:
    first = files(build_copy(GOLDEN, tmp_path, "a"))
    second = files(build_copy(GOLDEN, tmp_path, "b"))
    assert first == second


def test_stale_output_is_removed(tmp_path: Path) -> None:
    out = build_copy(GOLDEN, tmp_path)
    stray = out / "every-construct" / "xx" / "index.html"
    stray.parent.mkdir()
    stray.write_text("old")
    build_copy(GOLDEN, tmp_path)
    assert not stray.exists()


def html_pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


@pytest.mark.parametrize("which", ["every", "victim"])
def test_html_structure(which: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(which)
    titles: dict[str, set[str]] = {}
    for page in html_pages(folder):
        doc = soup(page)
        html = doc.find("html")
        assert isinstance(html, Tag)
        lang = page.parent.name if page.parent != folder else "en"
        direction = "rtl" if lang in ("ar", "ckb", "ur") else "ltr"
        assert html["lang"] == lang and html["dir"] == direction, page
        title = doc.title.string if doc.title else ""
        assert title and title.strip(), f"{page} has no title"
        titles.setdefault(lang, set()).add(title)
        ids = [el["id"] for el in doc.find_all(id=True)]
        assert len(ids) == len(set(ids)), f"duplicate ids in {page}"
        id_set = set(ids)
        for attr in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for el in doc.find_all(attrs={attr: True}):
                for ref in str(el[attr]).split():
                    assert ref in id_set, f"{page}: {attr}={ref} points nowhere"
        for label in doc.find_all("label", attrs={"for": True}):
            assert label["for"] in id_set
        # no request to any other origin: every resource is relative
        for el in doc.find_all(["script", "link", "img"]):
            url = el.get("src") or el.get("href") or ""
            assert url == "" or url == "data:," or not url.startswith(("http:", "https:", "//"))
        assert doc.find("a", class_="fw-skip")["href"] == "#main"
        assert doc.find("main", id="main")
    assert len(titles["en"]) == 4, "chooser, form, thanks and error pages need distinct titles"
    assert all(len(t) == 3 for lang, t in titles.items() if lang != "en")


@pytest.mark.parametrize("which", ["every", "victim"])
def test_every_control_is_labelled(which: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(which)
    doc = soup(folder / "en" / "index.html")
    form = doc.find("form")
    assert isinstance(form, Tag)
    assert form["method"] == "post" and form["autocomplete"] == "off"
    for control in form.find_all(["input", "textarea", "select"]):
        if control.get("type") == "hidden":
            continue
        labels = doc.find_all("label", attrs={"for": control["id"]})
        assert len(labels) == 1, f"{control['id']} has {len(labels)} labels"
        assert labels[0].get_text(strip=True)
        if control.get("type") in ("radio", "checkbox"):
            fieldset = control.find_parent("fieldset")
            assert fieldset is not None, f"{control['id']} is not in a fieldset"
            legend = fieldset.find("legend", recursive=False)
            assert legend is not None and legend.get_text(strip=True)
            assert fieldset.contents and fieldset.find(True) is legend, "legend comes first"
        else:
            assert control.get("autocomplete") == "off", "no stored answers on shared devices"


def manifest(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "manifest.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_question_markup_by_type(every: Path) -> None:
    doc = soup(every / "en" / "index.html")
    man = manifest(every)
    for q in man["questions"]:
        box = doc.find(id=f"q-{q['id']}")
        assert isinstance(box, Tag), q["id"]
        kind = q["type"]
        if kind in ("single", "scale"):
            assert {i["type"] for i in box.select(".fw-choice > input")} == {"radio"}
        if kind == "multiple":
            assert {i["type"] for i in box.select(".fw-choice > input")} == {"checkbox"}
        if kind == "matrix":
            items = box.find_all("fieldset", class_="fw-matrix__item")
            assert len(items) == len(q["items"])
            assert not box.find("table")
        if kind == "number":
            field = box.find("input")
            assert field["inputmode"] in ("numeric", "decimal")
            assert ("min" in field.attrs) == (q["min"] is not None)
        if kind == "date":
            parts = {"day": 3, "month": 2, "year": 1}[q["precision"]]
            assert len(box.find_all("input")) == parts
            assert box.find("fieldset").find("legend")
        if kind == "textarea":
            area = box.find("textarea")
            count = doc.find(id=f"count-{q['id']}")
            assert count["aria-live"] == "polite"
            assert f"count-{q['id']}" in area["aria-describedby"].split()
            assert area["maxlength"] == str(q["max_length"])
        status = box.find(class_="fw-status")
        if kind != "statement":
            words = status.get_text(strip=True)
            assert words == ("(required)" if q["required"] else "(optional)")
        if q["condition"]:
            note = doc.find(id=f"note-{q['id']}")
            assert note and note.get_text().startswith("Answer this only if")
    specify = doc.find(id="f-colour--other--specify")
    assert specify["name"] == "colour.other"
    assert doc.find(id="f-colour--other")["aria-controls"] == "specify-f-colour--other"


def test_condition_notes_read_naturally(every: Path) -> None:
    doc = soup(every / "en" / "index.html")
    note = doc.find(id="note-p-details").get_text(" ", strip=True)
    assert note == (
        "Answer the questions in this part only if you answered “Other” to “Which colour?” "
        "or you chose “Cat” in “Which pets?”."
    )
    story = doc.find(id="note-story").get_text(" ", strip=True)
    assert "“How far do you agree? — Statement A”" in story
    assert "“Neutral” or “Agree”" in story
    assert "you did not answer “Bad” or “Don't know” to “Score it”" in story


def test_language_chooser(every: Path) -> None:
    doc = soup(every / "index.html")
    links = doc.select("ul.fw-languages a")
    assert [(a["href"], a["lang"], a["hreflang"], a.get_text()) for a in links] == [
        ("en/index.html", "en", "en", "English")
    ]


def test_error_page_has_slot_for_the_endpoint(every: Path) -> None:
    text = (every / "en" / "error.html").read_text("utf-8")
    assert "<!--fw:errors-->" in text
    assert soup(every / "en" / "error.html").find(attrs={"role": "alert"})


def test_endpoint_and_csp(every: Path) -> None:
    doc = soup(every / "en" / "index.html")
    assert doc.find("form")["action"] == "https://collect.example.org/responses"
    csp = doc.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "form-action https://collect.example.org" in csp
    assert "default-src 'none'" in csp


@pytest.mark.parametrize("page", ["index.html", "en/index.html", "en/thanks.html", "en/error.html"])
def test_stylesheet_is_inlined_and_allowed_by_its_hash(every: Path, page: str) -> None:
    """One request fewer before the first paint, and still no inline style but ours."""
    doc = soup(every / page)
    assert not doc.find("link", rel="stylesheet")
    (style,) = doc.find_all("style")
    source = resources.files("compiler").joinpath("static", "form.css").read_text("utf-8")
    assert style.string == source
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    csp = doc.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert f"style-src 'sha256-{digest}';" in csp
    assert "unsafe-inline" not in csp


def _inline_style(page: Path) -> tuple[str, str]:
    doc = soup(page)
    (style,) = doc.find_all("style")
    csp = doc.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    return str(style.string), csp


def test_each_page_carries_the_font_rules_of_its_languages(victim: Path) -> None:
    fonts = resources.files("compiler").joinpath("static", "fonts.css").read_text("utf-8")
    rules = [line for line in fonts.splitlines() if line.startswith(":lang(")]
    wanted = {
        "en/index.html": [],
        "ar/index.html": [r for r in rules if ":lang(ar)" in r],
        "pa/thanks.html": [r for r in rules if r.startswith(":lang(pa){")],
        "zh-Hant/error.html": [r for r in rules if ":lang(zh-Hant)" in r],
        "index.html": rules,  # the chooser names every language in its own script
    }
    for page, expected in wanted.items():
        style, csp = _inline_style(victim / page)
        assert [line for line in style.splitlines() if line.startswith(":lang(")] == expected
        assert len(expected) <= 1 or page == "index.html"
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"style-src 'sha256-{digest}';" in csp, page


def test_font_rules_follow_css_lang_matching() -> None:
    fonts = ":lang(pa){a:1}\n:lang(ur),:lang(pa-Arab){b:2}\n/* a note */\n:lang(ar){c:3}\n"
    assets = make_assets("p{d:4}\n", "", fonts)
    assert assets.style(["pa"]).text == ":lang(pa){a:1}\np{d:4}\n"
    assert assets.style(["pa-Arab"]).text.startswith(":lang(pa){a:1}\n:lang(ur),:lang(pa-Arab)")
    assert assets.style(["en", "AR"]).text == ":lang(ar){c:3}\np{d:4}\n"  # a source language too
    assert assets.style(["en"]).text == "p{d:4}\n"
    with pytest.raises(ValueError, match="one :lang"):
        make_assets("", "", "p, :lang(ar){c:3}")


def test_script_is_minified_and_named_by_its_content(every: Path) -> None:
    (path,) = (every / "assets").glob("form.*.js")
    data = path.read_bytes()
    assert path.name == f"form.{hashlib.sha256(data).hexdigest()[:12]}.js"
    source = resources.files("compiler").joinpath("static", "form.js").read_bytes()
    assert len(data) < 0.85 * len(source)
    assert b"/*" not in data and b"\n  " not in data  # comments and indentation gone
    src = soup(every / "en" / "index.html").find("script", src=True)["src"]
    assert src == f"../assets/{path.name}"


def test_stylesheet_that_could_end_its_element_is_refused() -> None:
    with pytest.raises(ValueError, match="</"):
        make_assets("a::after{content:'</style><script>'}", "")


def test_quick_exit_first_in_tab_order(every: Path) -> None:
    doc = soup(every / "en" / "index.html")
    focusable = doc.find_all(["a", "button", "input", "textarea"])
    assert focusable[0]["class"] == ["fw-skip"]
    assert focusable[1].get("data-fw-exit") is not None
    assert focusable[1]["href"] == "https://www.example.org/"


def test_response_schema_accepts_a_response(every: Path) -> None:
    schema = json.loads((every / "response.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {
        "questionnaire": "every-construct",
        "version": "1",
        "language": "en",
        "submission_id": "0b8e1c5e-3c8a-4d47-9d55-8a3e1f9e2b10",
        "answers": {
            "colour": "other",
            "colour.other": "teal",
            "pets": ["cat"],
            "views.a": 3,
            "score": "dont_know",
            "count": 3,
            "day": "2024-05-01",
            "month": "2025-01",
            "year": "2020",
        },
    }
    jsonschema.validate(good, schema)
    for bad_answers in (
        {"colour": "green"},
        {"pets": ["cat", "dog", "none"]},
        {"count": 2.5},
        {"name_of_pet": "x" * 21},
        {"month": "2025-01-02"},
        {"unknown": 1},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**good, "answers": bad_answers}, schema)


def test_manifest_holds_conditions_as_trees(every: Path) -> None:
    man = manifest(every)
    assert man["languages"] == ["en"]
    by_id = {q["id"]: q for q in man["questions"]}
    assert by_id["story"]["condition"] == {
        "and": [
            {"op": ">=", "field": "views.a", "value": 2},
            {"not": {"op": "in", "field": "score", "values": [1, "dont_know"]}},
        ]
    }
    assert by_id["month"]["condition"] == {
        "op": ">",
        "field": "day",
        "value": {"date": "2024-12-31"},
    }
    assert by_id["pets"]["columns"] == ["pets.cat", "pets.dog", "pets.none"]
    assert by_id["colour"]["columns"] == ["colour", "colour.other"]


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 9))


def test_size_budget(victim: Path) -> None:
    """The Victim Voice form: HTML with its stylesheet ≤ 30 KiB, JS ≤ 8 KiB, both gzipped."""
    assert gz(victim / "en" / "index.html") <= 30 * KIB
    js = next((victim / "assets").glob("*.js"))
    assert gz(js) <= 8 * KIB


HOSTILE = """\
formwright: 1
id: hostile
version: "1"
title: "<script>alert('title')</script>"
language: en
intro: "Hi <img src=x onerror=alert(1)> [click](javascript:alert(1)) {{ 7*7 }}"
pages:
  - id: p
    title: "{{ config }}"
    questions:
      - id: q
        type: single
        text: "</legend><script>alert(2)</script>"
        options: {a: "<b>bold</b>", b: "{% raw %}x"}
"""


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    (tmp_path / "questionnaire").mkdir()
    (tmp_path / "questionnaire" / "hostile.yaml").write_text(HOSTILE)
    outcome = build_project(tmp_path, tmp_path / "build")
    assert not outcome.failed, outcome.diagnostics
    page = tmp_path / "build" / "hostile" / "en" / "index.html"
    doc = soup(page)
    scripts = doc.find_all("script")
    assert all(s.get("src") or s.get("type") == "application/json" for s in scripts)
    assert not doc.find("img")
    assert not doc.find("a", href=lambda h: h and h.startswith("javascript:"))
    text = page.read_text("utf-8")
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text


def test_build_cli_refuses_invalid_input(tmp_path: Path) -> None:
    (tmp_path / "questionnaire").mkdir()
    (tmp_path / "questionnaire" / "x.yaml").write_text("formwright: 1\nid: x\n")
    result = CliRunner().invoke(cli, ["build", "-C", str(tmp_path)])
    assert result.exit_code == 1
    assert "FW102" in result.output
    assert not (tmp_path / "build").exists()


def test_build_cli_writes_output(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN / "questionnaire", tmp_path / "questionnaire")
    result = CliRunner().invoke(cli, ["build", "-C", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "every-construct" / "en" / "index.html").is_file()


def test_the_script_gets_the_strings_it_reads_and_no_others() -> None:
    from compiler.render.pages import JS_STRINGS

    script = (ROOT / "compiler" / "static" / "form.js").read_text("utf-8")
    read = set(re.findall(r'msg\((?:q, )?"(\w+)"', script))
    read |= set(re.findall(r"\bS\.(\w+)", script))
    for pair in re.findall(r'\? "(err_\w+)" : "(err_\w+)"', script):
        read |= set(pair)
    assert read == set(JS_STRINGS)


def test_the_thanks_page_leaves_out_statements_that_pipe_answers(tmp_path: Path) -> None:
    outcome = build_project(ROOT / "examples" / "phq-9", tmp_path)
    assert not outcome.failed, outcome.diagnostics
    thanks = (tmp_path / "phq-9" / "en" / "thanks.html").read_text("utf-8")
    assert "total score" not in thanks
    assert "total score" in (tmp_path / "phq-9" / "en" / "index.html").read_text("utf-8")
