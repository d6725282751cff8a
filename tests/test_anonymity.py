"""Anonymity stays true: FW801 on questions that ask for contact or identifying details
(the phrases, in tests/cases/anonymity-*), and the privacy note on every free-text question,
read from the built pages with a real HTML parser, in English and Arabic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from compiler.build import build_project
from compiler.language.texts import source_texts
from compiler.project import validate_project
from compiler.strings import Strings
from compiler.translations.files import fingerprint
from compiler.validate.anonymity import in_id, in_text

ROOT = Path(__file__).resolve().parent.parent

# --- what is warned about ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("What is your name?", "your name"),
        ("Full name", "Full name"),
        ("What is your e-mail address?", "your e-mail address"),
        ("Your email, please", "Your email"),
        ("What is your mobile phone number?", "mobile phone number"),
        ("Street address", "Street address"),
        ("What is your postcode?", "postcode"),
        ("What is your date of birth?", "date of birth"),
        ("Crime reference number, if you have one", "Crime reference number"),
        ("What was the case no. on your letter?", "case no."),
        ("Your NHS number", "NHS number"),
        ("What is the officer’s name?", "officer’s name"),
        ("How could we get in touch with you?", "How could we get in touch with you"),
    ],
)
def test_phrases_that_ask_for_details(text: str, words: str) -> None:
    found = in_text(text)
    assert found is not None, text
    _, start, end = found
    assert text[start:end] == words


@pytest.mark.parametrize(
    "text",
    [
        "What was the name of the crime?",
        "Was the caller unnamed?",
        "Was your phone stolen?",
        "Why was your mobile no longer working?",
        "What did the scam email say?",
        "Do not include your name or phone number.",
        "Why didn’t you give your name?",
        "What is the first part of your postcode?",
        "Which postcode district do you live in?",
        "How much confidence do you have in the police where you live?",
        "Did the police address your concerns?",
        "Did anyone dob you in?",
        "What could the police do better?",
    ],
)
def test_words_that_do_not(text: str) -> None:
    assert in_text(text) is None


@pytest.mark.parametrize(
    ("qid", "warned"),
    [
        ("email", True),
        ("phone", True),
        ("full_name", True),
        ("dob", True),
        ("address", True),
        ("crime_ref", True),
        ("contact_details", True),
        ("postcode", True),
        ("name", True),
        ("crime_type", False),
        ("crime_name", False),
        ("first_contact", False),
        ("first_contact_details", False),
        ("phone_scam", False),
        ("scam_email", False),
        ("postcode_district", False),
        ("address_concerns", False),
        ("nhs_experience", False),
    ],
)
def test_ids(qid: str, warned: bool) -> None:
    assert (in_id(qid) is not None) == warned


def test_victim_voice_is_free_of_fw801() -> None:
    result = validate_project(ROOT)
    assert [d for d in result.all_diagnostics if d.code == "FW801"] == []


# --- the privacy note --------------------------------------------------------------

QUESTIONNAIRE = """\
formwright: 2
id: anonymity-note
version: "1"
title: What happened
language: en
translations: [ar]
pages:
  - id: p1
    title: What happened
    questions:
      - id: story
        type: textarea
        required: true
        text: What happened?
        hint: Take as long as you need.
      - id: place
        type: text
        text: What kind of place was it?
      - id: told
        type: textarea
        text: Who did you tell?
        privacy_hint: Describe people by their role, such as "a neighbour", never by name.
      - id: days
        type: number
        text: How many days did you wait?
"""
ARABIC = {
    "title": "ما الذي حدث",
    "pages.p1.title": "ما الذي حدث",
    "questions.story.text": "ما الذي حدث؟",
    "questions.story.hint": "خذ كل الوقت الذي تحتاجه.",
    "questions.place.text": "ما نوع المكان؟",
    "questions.told.text": "لمن أخبرت؟",
    "questions.told.privacy_hint": "صِف الأشخاص بدورهم، مثل «جار»، وليس بأسمائهم أبدًا.",
    "questions.days.text": "كم يومًا انتظرت؟",
}


def write_project(folder: Path) -> Path:
    (folder / "questionnaire").mkdir(parents=True)
    (folder / "questionnaire" / "anonymity-note.yaml").write_text(QUESTIONNAIRE, "utf-8")
    qn = validate_project(folder).results[0].questionnaire
    assert qn is not None
    source = source_texts(qn)
    assert set(source) == set(ARABIC), "the test translates every text"
    lines = ["formwright: 1", "questionnaire: anonymity-note", "texts:"]
    for key, text in ARABIC.items():
        lines += [f"  {key}:", f'    text: "{text}"', f'    from: "{fingerprint(source[key])}"']
    (folder / "locales" / "ar").mkdir(parents=True)
    (folder / "locales" / "ar" / "anonymity-note.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("anonymity"))
    outcome = build_project(project, project / "build", strict=True)
    assert not outcome.failed, outcome.diagnostics
    return project / "build" / "anonymity-note"


def page(built: Path, lang: str) -> BeautifulSoup:
    return BeautifulSoup((built / lang / "index.html").read_text("utf-8"), "html5lib")


def description(doc: BeautifulSoup, field_id: str) -> list[Tag]:
    """The elements a field's aria-describedby points to, in order."""
    field = doc.find(id=field_id)
    assert isinstance(field, Tag)
    refs = str(field.get("aria-describedby", "")).split()
    found = [doc.find(id=ref) for ref in refs]
    assert all(isinstance(el, Tag) for el in found), refs
    return [el for el in found if isinstance(el, Tag)]


def note_in(described: list[Tag]) -> str:
    notes = [span for el in described for span in el.select(".fw-privacy")]
    assert len(notes) == 1, described
    return notes[0].get_text()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_free_text_has_the_note_in_its_description(built: Path, lang: str) -> None:
    doc = page(built, lang)
    default = Strings(lang)("privacy_hint")
    assert lang == "en" or default != Strings("en")("privacy_hint"), "translated"
    story = description(doc, "f-story")
    assert note_in(story) == default
    hint = doc.find(id="hint-story")
    assert isinstance(hint, Tag) and hint in story
    text = " ".join(hint.get_text().split())
    expected = "Take as long as you need." if lang == "en" else ARABIC["questions.story.hint"]
    assert text == f"{expected} {default}", "the note follows the hint, a space apart"
    assert "count-story" in str(doc.find(id="f-story").get("aria-describedby")).split()  # type: ignore[union-attr]
    # a question without a hint of its own gets a hint element for the note
    place = description(doc, "f-place")
    assert [el["id"] for el in place] == ["hint-place"]
    assert note_in(place) == default
    # nothing on questions that take no free text
    assert not doc.find(id="q-days").select(".fw-privacy")  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_privacy_hint_replaces_the_note(built: Path, lang: str) -> None:
    doc = page(built, lang)
    wanted = {
        "en": 'Describe people by their role, such as "a neighbour", never by name.',
        "ar": ARABIC["questions.told.privacy_hint"],
    }[lang]
    told = description(doc, "f-told")
    assert note_in(told) == wanted
    assert Strings(lang)("privacy_hint") not in doc.find(id="q-told").get_text()  # type: ignore[union-attr]


def test_the_note_is_in_the_language_of_the_page(built: Path) -> None:
    doc = page(built, "ar")
    assert doc.html["lang"] == "ar" and doc.html["dir"] == "rtl"  # type: ignore[index]
    for span in doc.select(".fw-privacy"):
        assert span.find_parent(attrs={"lang": "en"}) is None


# --- with JavaScript, in a real browser ------------------------------------------


def test_the_note_stays_described_with_javascript(
    playwright_browser: Any, static_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, folder = static_server
    project = write_project(tmp_path / "project")
    outcome = build_project(project, folder)
    assert not outcome.failed, outcome.diagnostics
    for scripts in (True, False):
        context = playwright_browser.new_context(java_script_enabled=scripts)
        browser_page = context.new_page()
        browser_page.goto(f"{base}/anonymity-note/en/index.html")
        note = browser_page.locator("#hint-story .fw-privacy")
        assert note.is_visible() and note.inner_text() == Strings("en")("privacy_hint")
        if scripts:  # an error is added to the description, and the hint stays in it
            browser_page.locator("[data-fw-send]").click()
            assert browser_page.locator("#err-story").is_visible()
        refs = str(browser_page.locator("#f-story").get_attribute("aria-describedby")).split()
        assert "hint-story" in refs
        assert ("err-story" in refs) == scripts
        context.close()
