"""The translators' workflow as docs/translating.md tells it, end to end, and the checks
of piped placeholders in translations (FW614, FW615).

The workflow test edits locale files as a person does, line by line in the file
`i18n new` wrote, never through a YAML dump that would rewrite `from` too.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from compiler.build import build_project
from compiler.cli import cli
from compiler.language.texts import source_texts
from compiler.project import validate_project
from compiler.translations.files import fingerprint

HERE = Path(__file__).parent
SOURCE = HERE / "golden" / "every-construct" / "questionnaire" / "every-construct.yaml"
CASES = HERE / "cases"
ENTRY_KEY = re.compile(r"^  ([A-Za-z0-9_.-]+):$")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


def project_with(tmp_path: Path, lang: str) -> Path:
    (tmp_path / "questionnaire").mkdir()
    text = SOURCE.read_text("utf-8").replace(
        "language: en\n", f"language: en\ntranslations: [{lang}]\n"
    )
    (tmp_path / "questionnaire" / "every-construct.yaml").write_text(text, "utf-8")
    return tmp_path


def sources(project: Path) -> dict[str, str]:
    qn = validate_project(project).results[0].questionnaire
    assert qn is not None
    return source_texts(qn)


def fill_in(path: Path, translations: dict[str, str]) -> None:
    """Write each translation into its entry's `text:` line; `from:` stays as it was."""
    lines = path.read_text("utf-8").split("\n")
    key = None
    for i, line in enumerate(lines):
        if match := ENTRY_KEY.match(line):
            key = match.group(1)
        elif line.startswith("    text: ") and key in translations:
            lines[i] = "    text: " + json.dumps(translations[key], ensure_ascii=False)
    path.write_text("\n".join(lines), "utf-8")


def page(project: Path, lang: str) -> BeautifulSoup:
    html = project / "build" / "every-construct" / lang / "index.html"
    return BeautifulSoup(html.read_text("utf-8"), "html5lib")


def test_the_documented_workflow_publishes_a_fresh_translation(tmp_path: Path) -> None:
    project = project_with(tmp_path, "so")
    ok("i18n", "new", "-C", str(project), "--lang", "so")
    path = project / "locales" / "so" / "every-construct.yaml"
    written = path.read_text("utf-8")
    texts = sources(project)
    # every entry already says which English it is for: nothing is left for the translator
    # to set but the text
    assert written.count('    text: ""\n') == len(texts)
    assert 'from: ""' not in written

    fill_in(path, {key: f"SO {text}" for key, text in texts.items()})
    assert sum(
        line.startswith("    from: ") for line in path.read_text("utf-8").split("\n")
    ) == len(texts)
    checked = ok("validate", "-C", str(project), "--strict")
    assert "FW6" not in checked, "strict: not one warning"
    status = json.loads(ok("i18n", "status", "-C", str(project), "--format", "json"))
    assert status[0]["translated"] == len(texts) and status[0]["stale"] == 0

    ok("build", "-C", str(project), "--out", str(project / "build"))
    doc = page(project, "so")
    assert doc.html["lang"] == "so"
    assert doc.find(attrs={"lang": "en"}) is None, "no text fell back to English"
    assert doc.find(string=re.compile(r"SO Which colour\?")) is not None
    assert doc.find(string=re.compile(r"^\s*Which colour\?\s*$")) is None


def test_a_half_translated_file_publishes_what_is_translated(tmp_path: Path) -> None:
    project = project_with(tmp_path, "so")
    ok("i18n", "new", "-C", str(project), "--lang", "so")
    fill_in(
        project / "locales" / "so" / "every-construct.yaml",
        {"questions.colour.text": "Midabkee?"},
    )
    found = validate_project(project).all_diagnostics
    assert {d.code for d in found} == {"FW602"}, "the rest is empty, nothing is stale"
    assert not build_project(project, project / "build").failed
    doc = page(project, "so")
    assert doc.find(string=re.compile("Midabkee")) is not None
    fallback = doc.find("bdi", lang="en")
    assert fallback is not None, "untranslated texts are in English, marked as such"


def test_update_gives_new_and_untranslated_keys_todays_fingerprint(tmp_path: Path) -> None:
    project = project_with(tmp_path, "so")
    ok("i18n", "new", "-C", str(project), "--lang", "so")
    path = project / "locales" / "so" / "every-construct.yaml"
    fill_in(path, {"questions.colour.text": "Midabkee?"})
    before = path.read_text("utf-8")
    ok("i18n", "update", "-C", str(project))
    assert path.read_text("utf-8") == before, "nothing to update: the file is unchanged"

    source = project / "questionnaire" / "every-construct.yaml"
    text = source.read_text("utf-8")
    # a designer edits a text nobody has translated yet, and one that is translated
    text = text.replace("Which pets?", "Which pets do you have?", 1)
    source.write_text(text.replace("Which colour?", "Which colour is it?", 1), "utf-8")
    ok("i18n", "update", "-C", str(project))
    fill_in(path, {"questions.pets.text": "Xayawaan noocee ah ayaad leedahay?"})
    stale = [d for d in validate_project(project).all_diagnostics if d.code == "FW604"]
    # the translation made before the edit is stale; the one made after it from the
    # English `update` wrote into the file is current
    assert [d.message for d in stale] == [
        "the translation of 'questions.colour.text' was made from an older source text"
    ]
    texts = sources(project)
    assert f'from: "{fingerprint(texts["questions.pets.text"])}"' in path.read_text("utf-8")


def test_a_filled_text_with_an_empty_from_is_stale_until_reviewed(tmp_path: Path) -> None:
    project = project_with(tmp_path, "so")
    ok("i18n", "new", "-C", str(project), "--lang", "so")
    path = project / "locales" / "so" / "every-construct.yaml"
    fill_in(path, {"questions.colour.text": "Midabkee?"})
    # what `i18n new` wrote before it set `from`
    path.write_text(re.sub(r'from: "[a-z]{8}"', 'from: ""', path.read_text("utf-8")), "utf-8")
    (found,) = [d for d in validate_project(project).all_diagnostics if d.code != "FW602"]
    assert (found.code, found.severity.value) == ("FW604", "warning")
    assert found.message == (
        "the translation of 'questions.colour.text' does not say which source text it was "
        "made from (its `from` is empty)"
    )
    assert "`formwright i18n review --lang so questions.colour.text`" in found.hint
    assert found.file.endswith("locales/so/every-construct.yaml") and found.line > 1
    ok("build", "-C", str(project), "--out", str(project / "build"))
    assert page(project, "so").find(string=re.compile("Midabkee")) is None

    ok("i18n", "review", "-C", str(project), "--lang", "so", "questions.colour.text")
    assert {d.code for d in validate_project(project).all_diagnostics} == {"FW602"}
    ok("build", "-C", str(project), "--out", str(project / "build"))
    assert page(project, "so").find(string=re.compile("Midabkee")) is not None


# --- placeholders (formwright: 2) ---------------------------------------------------


def piping_case(tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    shutil.copytree(CASES / name, project)
    return project


@pytest.mark.parametrize("name", ["locale-piping-dropped", "locale-piping-invented"])
def test_a_wrongly_piped_translation_is_never_published(tmp_path: Path, name: str) -> None:
    project = piping_case(tmp_path, name)
    result = validate_project(project)
    errors = {d.code for d in result.all_diagnostics if d.severity.value == "error"}
    assert errors and errors <= {"FW614", "FW615"}, result.all_diagnostics
    assert build_project(project, project / "build").failed
    assert not (project / "build").exists()
    (loc,) = result.locales[name]
    assert loc.refused
    texts = sources(project)
    published = loc.current(texts)
    assert not loc.refused & set(published), "whatever builds from it shows the source text"
    assert pickle.loads(pickle.dumps(loc)).refused == loc.refused, "and so do worker processes"


def test_fallbacks_are_the_translators(tmp_path: Path) -> None:
    project = piping_case(tmp_path, "locale-piping-dropped")
    (loc,) = validate_project(project).locales["locale-piping-dropped"]
    # {centre|the centre} became {centre|komisariacie}, and *the centre* lost its
    # emphasis inside a fallback: both are the translator's choice
    assert {"questions.again.text", "questions.welcome.text"} == loc.refused
    assert "questions.thanks.text" in loc.current(sources(project))


def test_placeholder_errors_in_the_cli(tmp_path: Path) -> None:
    project = piping_case(tmp_path, "locale-piping-invented")
    result = invoke("validate", "-C", str(project))
    assert result.exit_code == 1
    assert "error FW615: the translation of 'questions.welcome.text' has a placeholder " in (
        result.output
    )
    assert "did you mean {centre|the centre}?" in result.output
    assert "Traceback" not in result.output
    built = invoke("build", "-C", str(project), "--out", str(project / "build"))
    assert built.exit_code == 1 and "Traceback" not in built.output
