"""`formwright i18n ...`: the translators' commands. Thin: options in, modules called."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..diagnostics import display_path, has_errors
from ..language.model import Questionnaire
from ..languages import cldr_locale, normalise_tag
from ..project import validate_project
from ..translations import po
from ..translations import tools as i18n
from ..translations.files import LocaleFile, locale_path, read_locale
from .checking import report
from .common import fail as _fail
from .common import one_shot


def _questionnaire(project: Path, wanted: str | None) -> Questionnaire:
    one_shot()
    result = validate_project(project)
    errors = [d for r in result.results for d in r.diagnostics if has_errors([d])]
    found = {r.questionnaire.id: r.questionnaire for r in result.results if r.questionnaire}
    if wanted is None and len(found) == 1:
        wanted = next(iter(found))
    if wanted is None and not found:
        # none could be read at all (a YAML error, say): show why, not an empty list
        report(errors, "text")
        _fail("fix the questionnaire's errors first")
    if wanted is None:
        _fail("say which questionnaire with --questionnaire: " + ", ".join(sorted(found)))
    qn = found.get(str(wanted))
    if qn is None:
        _fail(f"there is no questionnaire {wanted!r} in {display_path(project / 'questionnaire')}")
    assert qn is not None
    if [d for d in errors if d.file == qn.path]:
        report([d for d in errors if d.file == qn.path], "text")
        _fail("fix the questionnaire's errors first")
    return qn


def _tag(value: str) -> str:
    tag = normalise_tag(value)
    if tag is None:
        raise click.BadParameter(f"{value!r} is not a language tag such as ar or zh-Hant")
    return tag


def _locale(
    project: Path, qn: Questionnaire, tag: str, strict: bool = True
) -> tuple[Path, LocaleFile | None]:
    """Read a locale file; `strict` refuses one with errors (before writing it back)."""
    path = locale_path(project, tag, qn.id)
    if not path.is_file():
        return path, None
    loc, problems = read_locale(path, display_path(path), tag)
    if strict and has_errors(problems):
        report(problems, "text")
        _fail(f"{display_path(path)} has errors; fix them first")
    return path, loc


project_option = click.option(
    "-C",
    "--project",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    help="The project folder.",
)
questionnaire_option = click.option(
    "--questionnaire", "wanted", help="The questionnaire's id (needed when there are several)."
)
lang_option = click.option("--lang", "lang", required=True, help="A language tag, e.g. ar.")


@click.group()
def i18n_group() -> None:
    """Translations: status, new files, reviews, and PO files for CAT tools."""


@i18n_group.command("status")
@project_option
@questionnaire_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status_cmd(project: Path, wanted: str | None, fmt: str) -> None:
    """How complete and current each language is."""
    qn = _questionnaire(project, wanted)
    rows = []
    for tag in qn.translations:
        _, loc = _locale(project, qn, _tag(tag), strict=False)
        rows.append(i18n.status(qn, loc or LocaleFile("", _tag(tag))))
    if fmt == "json":
        data = [{**row.__dict__, "percent": row.percent} for row in rows]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'language':<10}{'translated':>11}{'missing':>9}{'stale':>7}{'done':>8}  review")
    for row in rows:
        click.echo(
            f"{row.lang:<10}{row.translated:>11}{row.missing:>9}{row.stale:>7}"
            f"{row.percent:>7.1f}%  {row.review}"
        )


@i18n_group.command("new")
@project_option
@questionnaire_option
@lang_option
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new_cmd(project: Path, wanted: str | None, lang: str, force: bool) -> None:
    """Write a locale file with every key to translate."""
    qn = _questionnaire(project, wanted)
    tag = _tag(lang)
    path = locale_path(project, tag, qn.id)
    if path.exists() and not force:
        _fail(f"{display_path(path)} exists; use --force to overwrite it")
    meta: dict[str, object] = {"status": "draft"}
    if cldr_locale(tag) is None:
        # CLDR cannot say these; the translator must (the validator insists).
        meta = {"name": "", "direction": "ltr", "plural": {"one": "n = 1"}, **meta}
    i18n.write_locale(path, i18n.skeleton(qn, meta))
    listed = tag in {normalise_tag(t) for t in qn.translations}
    hint = "" if listed else f"; add {tag} to translations: in {qn.path}"
    click.echo(f"wrote {display_path(path)}{hint}", err=True)


@i18n_group.command("update")
@project_option
@questionnaire_option
@click.option("--lang", "langs", multiple=True, help="Only these languages (default: all).")
def update_cmd(project: Path, wanted: str | None, langs: tuple[str, ...]) -> None:
    """Bring locale files in line with the questionnaire: add new keys (empty), drop
    texts that no longer exist. Translations and their fingerprints are kept."""
    qn = _questionnaire(project, wanted)
    for tag in [_tag(x) for x in (langs or qn.translations)]:
        path, loc = _locale(project, qn, tag)
        if loc is None:
            click.echo(f"skipped {tag}: {display_path(path)} does not exist", err=True)
            continue
        entries, added, dropped = i18n.update(qn, loc)
        i18n.write_locale(path, i18n.render_locale(qn, entries, loc.meta, dict(loc.interface)))
        click.echo(f"{display_path(path)}: {added} added, {dropped} dropped", err=True)


@i18n_group.command("review")
@project_option
@questionnaire_option
@lang_option
@click.argument("keys", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Mark every translated text reviewed.")
def review_cmd(
    project: Path, wanted: str | None, lang: str, keys: tuple[str, ...], everything: bool
) -> None:
    """Mark translations as checked against today's source texts (clears 'stale')."""
    if not keys and not everything:
        raise click.UsageError("name the KEYS you reviewed, or pass --all")
    qn = _questionnaire(project, wanted)
    path, loc = _locale(project, qn, _tag(lang))
    if loc is None:
        _fail(f"{display_path(path)} does not exist")
    assert loc is not None
    chosen = list(loc.entries) if everything else list(keys)
    entries, refused = i18n.review(qn, loc, chosen)
    if refused and not everything:
        _fail("cannot mark these (unknown key or no translation): " + ", ".join(refused))
    i18n.write_locale(path, i18n.render_locale(qn, entries, loc.meta, dict(loc.interface)))
    click.echo(f"marked {len(chosen) - len(refused)} texts reviewed in {display_path(path)}")


@i18n_group.command("export")
@project_option
@questionnaire_option
@lang_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_cmd(project: Path, wanted: str | None, lang: str, output: Path | None) -> None:
    """Write a gettext PO file for CAT tools (standard output unless -o)."""
    qn = _questionnaire(project, wanted)
    tag = _tag(lang)
    _, loc = _locale(project, qn, tag)
    data = po.export_po(qn, loc, tag)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)


@i18n_group.command("import")
@project_option
@click.argument("po_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "lang", default=None, help="Override the PO file's Language header.")
def import_cmd(project: Path, po_file: Path, lang: str | None) -> None:
    """Write a PO file's translations back into the locale file."""
    data = po_file.read_bytes()
    try:
        qid, header_lang = po.read_header(data)
    except Exception as exc:  # Babel raises several types for broken files
        _fail(f"{display_path(po_file)} is not a readable PO file: {exc}")
        raise  # unreachable; keeps type checkers informed
    tag = _tag(lang or header_lang or "")
    qn = _questionnaire(project, qid or None)
    path, loc = _locale(project, qn, tag)
    imported = po.import_po(qn, loc, data)
    meta: dict[str, object] = loc.meta if loc else {"status": "draft"}
    interface = dict(loc.interface) if loc else {}
    i18n.write_locale(path, i18n.render_locale(qn, imported.entries, meta, interface))
    if imported.unknown:
        click.echo("skipped unknown keys: " + ", ".join(imported.unknown), err=True)
    click.echo(f"wrote {display_path(path)}", err=True)
