"""Translations: locale files, staleness, CLDR data, right to left, PO round trips."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from babel import Locale
from bs4 import BeautifulSoup
from click.testing import CliRunner

from compiler.build import build_project
from compiler.cli import cli
from compiler.project import validate_project
from compiler.strings import Strings, catalog
from compiler.translations.files import fingerprint

HERE = Path(__file__).parent
SOURCE = HERE / "golden" / "every-construct" / "questionnaire" / "every-construct.yaml"
CATALOGS = HERE.parent / "compiler" / "catalogs"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def make_project(tmp_path: Path, langs: list[str]) -> Path:
    (tmp_path / "questionnaire").mkdir()
    text = SOURCE.read_text("utf-8").replace(
        "language: en\n", f"language: en\ntranslations: [{', '.join(langs)}]\n"
    )
    (tmp_path / "questionnaire" / "every-construct.yaml").write_text(text, "utf-8")
    return tmp_path


def translate(project: Path, lang: str, mark: str, meta: str = "") -> Path:
    """Write a complete locale file: every text prefixed with `mark`, made from today's source."""
    run("i18n", "new", "-C", str(project), "--lang", lang, "--force")
    path = project / "locales" / lang / "every-construct.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    result = validate_project(project)
    qn = result.results[0].questionnaire
    assert qn is not None
    from compiler.language.texts import source_texts

    for key, text in source_texts(qn).items():
        data["texts"][key] = {"text": f"{mark} {text}", "from": fingerprint(text)}
    if meta:
        data["language"] = yaml.safe_load(meta)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def codes(project: Path) -> list[str]:
    return [d.code for d in validate_project(project).all_diagnostics]


# --- interface catalogs ------------------------------------------------------

ENGLISH = catalog("en")
LANGS = sorted(p.stem for p in CATALOGS.glob("*.yaml") if p.stem != "en")


def plural_categories(lang: str) -> set[str]:
    if lang == "syl":  # no CLDR locale; the locale file gives Bengali's rule
        return {"one", "other"}
    return set(Locale.parse(lang, sep="-").plural_form.tags) | {"other"}


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete_and_well_formed(lang: str) -> None:
    own = catalog(lang)
    assert list(own) == list(ENGLISH), "same keys, same order as en.yaml"
    for key, english in ENGLISH.items():
        value = own[key]
        if isinstance(english, dict):
            assert isinstance(value, dict), key
            assert set(value) == plural_categories(lang), key
            forms = list(value.values())
        else:
            assert isinstance(value, str), key
            forms = [value]
        wanted = set(PLACEHOLDER.findall(str(english)))
        for form in forms:
            assert form.strip(), f"{key} is empty"
            assert set(PLACEHOLDER.findall(form)) == wanted, f"{key} placeholders"
            words = PLACEHOLDER.sub("", form)  # placeholders are not words to translate
            assert form.strip() != str(english).strip() or not re.search("[a-z]{3}", words), (
                f"{key} left in English"
            )


def test_at_least_the_victim_voice_languages_have_catalogs() -> None:
    wanted = "sq ar bn bg zh-Hans zh-Hant el gu hi ku ckb lt pl pt pa ro so syl es ta tr ur vi"
    missing = set(wanted.split()) - set(LANGS)
    assert not missing, f"no interface catalog for {sorted(missing)}"


def test_plural_forms_follow_cldr() -> None:
    arabic = Strings("ar")
    forms = {arabic("chars_left", count=n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(forms) == 6
    polish = Strings("pl")
    assert len({polish("chars_left", count=n) for n in (1, 2, 5, 1.5)}) == 4
    assert Strings("en")("estimate", count=1) == "This survey takes about 1 minute to complete."


# --- locale files ------------------------------------------------------------


def test_complete_translation_builds_right_to_left(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["ar", "pl"])
    translate(project, "ar", "ع")
    translate(project, "pl", "PL")
    assert codes(project) == []
    outcome = build_project(project, project / "build", strict=True)
    assert not outcome.failed, outcome.diagnostics
    out = project / "build" / "every-construct"
    for lang, direction in (("ar", "rtl"), ("pl", "ltr"), ("en", "ltr")):
        doc = BeautifulSoup((out / lang / "index.html").read_text("utf-8"), "html5lib")
        assert doc.html["lang"] == lang and doc.html["dir"] == direction
        assert not doc.find(attrs={"lang": "en"}) or lang == "en", "no untranslated fragment"
    chooser = BeautifulSoup((out / "index.html").read_text("utf-8"), "html5lib")
    names = {a["lang"]: a.get_text() for a in chooser.select("ul.fw-languages a")}
    assert names == {"en": "English", "ar": "العربية", "pl": "Polski"}
    assert chooser.find("a", lang="ar")["dir"] == "rtl"


def test_missing_translation_falls_back_marked_and_strict_refuses(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    path = translate(project, "pl", "PL")
    data = yaml.safe_load(path.read_text("utf-8"))
    del data["texts"]["questions.colour.text"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert codes(project) == ["FW601"]
    assert build_project(project, project / "build", strict=True).failed
    assert not build_project(project, project / "build").failed
    doc = BeautifulSoup(
        (project / "build" / "every-construct" / "pl" / "index.html").read_text("utf-8"),
        "html5lib",
    )
    fallback = doc.find("bdi", lang="en")
    assert fallback is not None and fallback.get_text() == "Which colour?"


def test_editing_the_source_makes_a_translation_stale(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    translate(project, "pl", "PL")
    source = project / "questionnaire" / "every-construct.yaml"
    source.write_text(source.read_text().replace("Which colour?", "Which colour is it?", 1))
    found = validate_project(project).all_diagnostics
    assert [(d.code, d.message) for d in found] == [
        ("FW604", "the translation of 'questions.colour.text' was made from an older source text")
    ]
    status = run("i18n", "status", "-C", str(project), "--format", "json")
    assert '"stale": 1' in status
    run("i18n", "review", "-C", str(project), "--lang", "pl", "questions.colour.text")
    assert codes(project) == []


def test_unknown_empty_and_markdown_problems_are_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    path = translate(project, "pl", "PL")
    data = yaml.safe_load(path.read_text("utf-8"))
    data["texts"]["questions.colur.text"] = {"text": "x", "from": "aaaaaaaa"}
    data["texts"]["questions.pets.text"]["text"] = "  "
    intro = data["texts"]["intro"]
    intro["text"] = intro["text"].replace("[link](https://example.org/help)", "link")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    found = {d.code: d for d in validate_project(project).all_diagnostics}
    assert set(found) == {"FW602", "FW603", "FW605"}
    assert "did you mean 'questions.colour.text'?" in found["FW603"].hint
    assert found["FW603"].file.endswith("locales/pl/every-construct.yaml")
    assert found["FW603"].line > 1


def test_language_unknown_to_cldr_needs_metadata(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["syl"])
    translate(project, "syl", "S", meta="{status: draft}")
    assert codes(project) == ["FW607"]
    translate(project, "syl", "S", meta="{name: সিলেটি, direction: ltr, plural: {one: 'n = 1'}}")
    assert codes(project) == []
    build_project(project, project / "build", strict=True)
    html = (project / "build" / "every-construct" / "syl" / "index.html").read_text("utf-8")
    assert '<html lang="syl" dir="ltr">' in html


def test_listed_language_without_file_and_unlisted_file(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    assert codes(project) == ["FW606"]
    translate(project, "pl", "PL")
    (project / "locales" / "de").mkdir()
    shutil.copy(project / "locales" / "pl" / "every-construct.yaml", project / "locales" / "de")
    assert codes(project) == ["FW608"]


def test_hostile_locale_content_is_escaped(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    path = translate(project, "pl", "PL")
    data = yaml.safe_load(path.read_text("utf-8"))
    data["texts"]["questions.colour.text"]["text"] = "<script>alert(1)</script> {{ 7*7 }}"
    data["texts"]["intro"]["text"] = (
        "A **test** of *every* construct, with a [link](javascript:alert(1)).\n\n- one\n- two\n"
    )
    data["interface"] = {"submit": "<img src=x onerror=alert(2)>"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    build_project(project, project / "build")
    html = (project / "build" / "every-construct" / "pl" / "index.html").read_text("utf-8")
    doc = BeautifulSoup(html, "html5lib")
    assert all(s.get("src") or s.get("type") == "application/json" for s in doc.find_all("script"))
    assert not doc.find("img")
    assert not doc.find("a", href=re.compile("^javascript:"))
    assert "{{ 7*7 }}" in html


# --- PO files ------------------------------------------------------------------


def test_po_round_trip_is_byte_stable(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["ar"])
    path = translate(project, "ar", "ع")
    run("i18n", "review", "-C", str(project), "--lang", "ar", "--all")  # canonical layout
    before = path.read_bytes()
    po_file = tmp_path / "ar.po"
    run("i18n", "export", "-C", str(project), "--lang", "ar", "-o", str(po_file))
    first_po = po_file.read_bytes()
    assert b'msgctxt "questions.colour.text"' in first_po
    assert b"#. Question 'colour'" in first_po
    run("i18n", "import", "-C", str(project), str(po_file))
    assert path.read_bytes() == before
    run("i18n", "export", "-C", str(project), "--lang", "ar", "-o", str(po_file))
    assert po_file.read_bytes() == first_po
    if shutil.which("msgfmt"):
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po_file)], check=True)


def test_po_fuzzy_entries_stay_stale(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    translate(project, "pl", "PL")
    source = project / "questionnaire" / "every-construct.yaml"
    source.write_text(source.read_text().replace("Which pets?", "Which pets do you have?", 1))
    po_file = tmp_path / "pl.po"
    run("i18n", "export", "-C", str(project), "--lang", "pl", "-o", str(po_file))
    text = po_file.read_text("utf-8")
    assert '#, fuzzy\nmsgctxt "questions.pets.text"' in text
    run("i18n", "import", "-C", str(project), str(po_file))
    assert codes(project) == ["FW604"]
    # a translator clears the fuzzy flag in their tool: the translation is current again
    po_file.write_text(
        text.replace('#, fuzzy\nmsgctxt "questions.pets.text"', 'msgctxt "questions.pets.text"')
    )
    run("i18n", "import", "-C", str(project), str(po_file))
    assert codes(project) == []


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    run("i18n", "new", "-C", str(project), "--lang", "pl")
    result = CliRunner().invoke(cli, ["i18n", "new", "-C", str(project), "--lang", "pl"])
    assert result.exit_code == 1
    assert "exists" in result.output
    bad = CliRunner().invoke(cli, ["i18n", "new", "-C", str(project), "--lang", "not a tag"])
    assert bad.exit_code == 2


def test_malformed_entries_are_reported_by_the_schema(tmp_path: Path) -> None:
    project = make_project(tmp_path, ["pl"])
    path = translate(project, "pl", "PL")
    text = path.read_text("utf-8")
    data = yaml.safe_load(text)
    del data["texts"]["questions.colour.text"]["from"]
    data["texts"]["questions.pets.text"]["from"] = "12345678"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    found = [(d.code, d.message) for d in validate_project(project).all_diagnostics]
    assert ("FW102", "missing required key 'from'") in found
    assert any(code == "FW104" and "'12345678'" in message for code, message in found)


def test_i18n_on_a_questionnaire_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "questionnaire"
    folder.mkdir()
    (folder / "brk.yaml").write_text(
        'formwright: 1\nid: brk\nversion: "1"\ntitle: T\nlanguage: en\n'
        "pages:\n  - id: p\n    title: P\n    questions:\n"
        "      - {id: a, type: text, text: a: b}\n",
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["i18n", "update", "--lang", "pl", "-C", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "FW005" in result.output and "--questionnaire" not in result.output
