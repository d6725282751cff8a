"""The form rendered once and filled per language equals rendering it per language."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

from compiler.build import _strings
from compiler.language.estimate import estimate_minutes
from compiler.language.texts import TextLookup, source_texts
from compiler.languages import language
from compiler.project import validate_project
from compiler.render.assets import form_assets
from compiler.render.pages import PageRenderer
from compiler.render.skeleton import FormSkeleton

ROOT = Path(__file__).parent.parent


def _project(tmp_path: Path) -> Path:
    """Victim Voice with a few Polish texts blanked, so fallbacks mix with translations."""
    work = tmp_path / "project"
    shutil.copytree(ROOT / "questionnaire", work / "questionnaire")
    shutil.copytree(ROOT / "locales", work / "locales")
    polish = work / "locales" / "pl" / "victim-voice.yaml"
    lines = polish.read_text("utf-8").split("\n")
    for n, line in enumerate(lines):
        if re.match(r'    text: ".+"$', line) and n % 5 == 0:
            lines[n] = '    text: ""'
    polish.write_text("\n".join(lines), "utf-8")
    return work


def test_filled_skeleton_equals_direct_rendering(tmp_path: Path) -> None:
    result = validate_project(_project(tmp_path))
    [checked] = result.results
    qn = checked.questionnaire
    assert qn is not None
    source_lang = language(qn.language)
    assert source_lang is not None
    assets = form_assets()
    minutes = estimate_minutes(qn)
    skeleton = FormSkeleton(qn, assets, source_lang, minutes)
    source = source_texts(qn)
    published = [(source_lang, None)] + [
        (loc.language, loc) for loc in result.locales[qn.id] if loc.language
    ]
    assert len(published) > 10
    fallbacks = 0
    for lang, loc in published:
        lookup = TextLookup(source, qn.language, loc.current(source) if loc else {}, lang.tag)
        renderer = PageRenderer(qn, lookup, assets, lang, source_lang, _strings(lang, loc))
        direct = renderer.form(minutes)
        assert skeleton.fill(renderer) == direct, lang.tag
        fallbacks += direct.count("<bdi lang=")
    assert fallbacks > 0  # the blanked Polish texts really took the fallback path


def test_a_text_holding_nul_cannot_imitate_a_slot(tmp_path: Path) -> None:
    # The schema refuses control characters in the version, so this sets one after
    # validation: even then the slot token is secret, so the text stays text.
    result = validate_project(_project(tmp_path))
    checked = result.results[0].questionnaire
    assert checked is not None
    qn = dataclasses.replace(checked, version="v\x000\x00 and \x00")
    source_lang = language(qn.language)
    assert source_lang is not None
    skeleton = FormSkeleton(qn, form_assets(), source_lang, 5)
    lookup = TextLookup(source_texts(qn), qn.language)
    renderer = PageRenderer(
        qn,
        lookup,
        form_assets(),
        source_lang,
        source_lang,
        _strings(source_lang, None),
    )
    html = skeleton.fill(renderer)
    assert html == renderer.form(5)
    assert 'name="fw_version" value="v\x000\x00 and \x00"' in html
