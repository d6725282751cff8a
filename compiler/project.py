"""Find a project's questionnaires and validate them all (load + validate stages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, display_path, has_errors, make
from .translations.files import LocaleFile
from .translations.find import find_locales
from .validate.questionnaire import Result, validate_file

QUESTIONNAIRE_DIR = "questionnaire"
LOCALES_DIR = "locales"
SUFFIXES = (".yaml", ".yml")


@dataclass
class ProjectResult:
    results: list[Result] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    locales: dict[str, list[LocaleFile]] = field(default_factory=dict)

    @property
    def all_diagnostics(self) -> list[Diagnostic]:
        found = [d for r in self.results for d in r.diagnostics]
        return sorted(set(found + self.diagnostics))


def find_questionnaires(root: Path, paths: list[Path]) -> tuple[list[Path], list[Diagnostic]]:
    targets = paths or [root / QUESTIONNAIRE_DIR]
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for target in targets:
        if not target.exists() and not paths:
            problems.append(
                make(
                    "FW011",
                    display_path(target),
                    1,
                    1,
                    f"there is no {QUESTIONNAIRE_DIR}/ folder here",
                    "run formwright in the project folder, or pass it with -C",
                )
            )
            continue
        if target.is_dir():
            found = sorted(p for p in target.iterdir() if p.suffix in SUFFIXES and p.is_file())
            if not found:
                problems.append(
                    make(
                        "FW011",
                        display_path(target),
                        1,
                        1,
                        "no questionnaire (*.yaml) in this folder",
                        f"write one under {QUESTIONNAIRE_DIR}/, or pass the project folder with -C",
                    )
                )
            files.extend(found)
        else:
            files.append(target)
    return files, problems


def validate_project(root: Path, paths: list[Path] | None = None, jobs: int = 0) -> ProjectResult:
    files, problems = find_questionnaires(root, paths or [])
    out = ProjectResult(diagnostics=problems)
    for path in files:
        out.results.append(validate_file(path, display_path(path)))
    ids: dict[str, str] = {}
    for result in out.results:
        qn = result.questionnaire
        if qn is None or not qn.id:
            continue
        if qn.id in ids:
            node = qn.node.get("id") or qn.node
            out.diagnostics.append(
                make(
                    "FW201",
                    result.path,
                    node.line,
                    node.column,
                    f"duplicate questionnaire id {qn.id!r}",
                    f"{ids[qn.id]} uses it too; each questionnaire needs its own id",
                )
            )
        ids.setdefault(qn.id, result.path)
        if not has_errors(result.diagnostics):
            locales, problems = find_locales(root, qn, jobs)
            out.locales[qn.id] = locales
            out.diagnostics += problems
    return out
