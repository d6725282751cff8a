"""Finding a questionnaire's locale files: the listed ones, read and checked, and the unlisted."""

from __future__ import annotations

from pathlib import Path

from .. import parallel
from ..diagnostics import Diagnostic, display_path, make
from ..language.model import Questionnaire
from ..languages import normalise_tag
from ..yamlnodes import Node, Scalar, Sequence
from .check import check_locale
from .files import LocaleFile, locale_path, read_locale


def find_locales(
    root: Path, qn: Questionnaire, jobs: int = 0
) -> tuple[list[LocaleFile], list[Diagnostic]]:
    """Read and check every translation a questionnaire lists, and notice unlisted ones.

    `jobs` as in `parallel.processes`: each file is read and checked on its own.
    """
    out: list[LocaleFile] = []
    diags: list[Diagnostic] = []
    listed: dict[str, Node] = {}
    present: list[tuple[str, Path]] = []
    translations = qn.node.get("translations")
    for node in translations if isinstance(translations, Sequence) else []:
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            continue  # reported by the schema
        tag = normalise_tag(node.value)
        if tag is None:
            diags.append(
                make(
                    "FW610",
                    qn.path,
                    node.line,
                    node.column,
                    f"{node.value!r} is not a language tag",
                    "write a BCP 47 tag such as ar, zh-Hant or pt-BR",
                )
            )
            continue
        listed[tag] = node
    for tag, node in listed.items():
        path = locale_path(root, tag, qn.id)
        if not path.is_file():
            diags.append(
                make(
                    "FW606",
                    qn.path,
                    node.line,
                    node.column,
                    f"{tag!r} is listed in translations, but {display_path(path)} does not exist",
                    f"create it with `formwright i18n new --lang {tag}`",
                )
            )
            continue
        present.append((tag, path))

    def job(index: int) -> tuple[LocaleFile, list[Diagnostic]]:
        tag, path = present[index]
        loc, problems = read_locale(path, display_path(path), tag)
        problems += check_locale(qn, loc)
        return loc.checked(), problems

    size = sum(path.stat().st_size for _, path in present)
    workers = parallel.processes(jobs, len(present), size)
    for loc, problems in parallel.run(job, len(present), workers):
        diags += problems
        out.append(loc)
    folder = root / "locales"
    if folder.is_dir():
        for path in sorted(folder.glob(f"*/{qn.id}.yaml")):
            tag = normalise_tag(path.parent.name)
            if tag not in listed and tag != qn.language:
                diags.append(
                    make(
                        "FW608",
                        display_path(path),
                        1,
                        1,
                        f"{qn.id!r} does not list {path.parent.name!r} in its translations, "
                        "so this file is not published",
                        f"add {path.parent.name} to translations: in {qn.path}",
                    )
                )
    return out, diags
