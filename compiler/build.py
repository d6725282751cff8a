"""Build every questionnaire of a project into static files (stages 1–4 together).

Output, per questionnaire (byte-identical for the same input):

    build/<id>/index.html            language chooser
    build/<id>/<lang>/index.html     the form
    build/<id>/<lang>/thanks.html    after a successful submission
    build/<id>/<lang>/error.html     after a rejected submission without JavaScript
    build/<id>/assets/form.<hash>.js   the form's script (its stylesheet is in each page)
    build/<id>/manifest.json         the compiled questionnaire
    build/<id>/response.schema.json  JSON Schema of one response
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import parallel
from .compile import manifest, response_schema
from .diagnostics import Diagnostic, display_path, has_errors
from .language.estimate import estimate_minutes
from .language.model import Questionnaire
from .language.texts import TextLookup, source_texts
from .languages import Language, language
from .project import validate_project
from .render.assets import features_of, form_assets, uses_expressions
from .render.pages import PageRenderer
from .render.skeleton import FormSkeleton
from .strings import Strings
from .translations.files import LocaleFile


@dataclass
class BuildOutcome:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    failed: bool = False


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _strings(lang: Language, loc: LocaleFile | None) -> Strings:
    return Strings(lang.tag, overrides=loc.interface if loc else {}, plural=lang.plural)


def build_questionnaire(
    qn: Questionnaire, locales: list[LocaleFile], out: Path, jobs: int = 0
) -> list[Path]:
    """Write one questionnaire's folder; returns the files written.

    `jobs` as in `parallel.processes`."""
    target = out / qn.id
    if target.exists():
        shutil.rmtree(target)  # stale languages or assets must not linger
    # the script's expression evaluator only where a tree needs it; rules and calculated
    # values always do
    groups = [g for p in qn.pages for g in p.groups]
    rules = [r.tree for p in qn.pages for r in p.rules] + [
        r.tree for q in qn.questions for r in q.rules
    ]
    values = [q.value_tree for q in qn.questions if q.type == "calculate"]
    trees: list[object] = [*(p.condition_json for p in qn.pages)]
    trees += [*(g.condition_json for g in groups), *(q.condition_json for q in qn.questions)]
    trees += [*rules, *values]
    expressions = bool(rules or values) or uses_expressions(trees)
    types = {q.type for q in qn.questions}
    assets = form_assets(features_of(types, expressions, qn.format_version))
    files: dict[Path, bytes | str] = {target / "assets" / assets.script_name: assets.script}
    source_lang = language(qn.language)
    if source_lang is None:
        raise ValueError(f"no language data for the source language {qn.language!r}")
    published: list[tuple[Language, LocaleFile | None]] = [(source_lang, None)]
    published += [(loc.language, loc) for loc in locales if loc.language is not None]
    languages = [lang for lang, _ in published]
    source = source_texts(qn)
    messages = {loc.language.tag: loc.current(source) for loc in locales if loc.language}
    man = manifest(qn, [lang.tag for lang in languages], messages)
    files[target / "manifest.json"] = _json(man)
    files[target / "response.schema.json"] = _json(response_schema(man))
    skeleton = FormSkeleton(qn, assets, source_lang, estimate_minutes(qn))

    def pages(index: int) -> dict[str, str]:
        lang, loc = published[index]
        translated = loc.current(source) if loc else {}
        lookup = TextLookup(source, qn.language, translated, lang.tag)
        renderer = PageRenderer(qn, lookup, assets, lang, source_lang, _strings(lang, loc))
        made = {
            f"{lang.tag}/index.html": skeleton.fill(renderer),
            f"{lang.tag}/thanks.html": renderer.thanks(),
            f"{lang.tag}/error.html": renderer.error(),
        }
        if loc is None:
            made["index.html"] = renderer.chooser(languages)
        return made

    # every language's pages alone: in parallel when the form is large
    size = len(skeleton.html) * len(published)
    workers = parallel.processes(jobs, len(published), size)
    for made in parallel.run(pages, len(published), workers):
        files.update((target / name, html) for name, html in made.items())
    for path, data in files.items():
        _write(path, data)
    return sorted(files)


def build_project(root: Path, out: Path, strict: bool = False, jobs: int = 0) -> BuildOutcome:
    result = validate_project(root, jobs=jobs)
    outcome = BuildOutcome(diagnostics=result.all_diagnostics)
    if has_errors(outcome.diagnostics, strict) or not result.results:
        outcome.failed = True
        return outcome
    for r in result.results:
        assert r.questionnaire is not None
        locales = result.locales.get(r.questionnaire.id, [])
        written = build_questionnaire(r.questionnaire, locales, out, jobs)
        where = display_path(out / r.questionnaire.id)
        outcome.written.append(f"built {r.questionnaire.id}: {len(written)} files in {where}")
    return outcome
