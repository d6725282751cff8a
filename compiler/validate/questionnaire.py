"""Validate a questionnaire (stage 2): JSON Schema for structure, then meaning.

Validation resolves each condition's right-hand words to the option codes they
name and stores the result on the model (`condition_json`): that is its output
for the stages after it, which run only on a questionnaire that validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic
from ..language.model import Questionnaire, build_model
from ..load import load_file
from ..schema import schema_diagnostics
from ..yamlnodes import Mapping
from . import anonymity, checks, conditions, piping, version2


@dataclass
class Result:
    path: str
    questionnaire: Questionnaire | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def validate_file(path: Path, display: str | None = None) -> Result:
    loaded = load_file(path, display)
    result = Result(loaded.path, None, list(loaded.diagnostics))
    root = loaded.root
    if root is None:
        return result
    result.diagnostics.extend(schema_diagnostics(loaded.path, root))
    if not isinstance(root, Mapping):
        return result
    qn = build_model(loaded.path, root)
    qn.source_text = loaded.text
    result.questionnaire = qn
    result.diagnostics.extend(checks.check(qn, path.stem))
    result.diagnostics.extend(conditions.check(qn))
    result.diagnostics.extend(version2.check(qn))  # after conditions: reads calculated types
    result.diagnostics.extend(piping.check(qn))
    result.diagnostics.extend(checks.check_budget(qn))
    result.diagnostics.extend(checks.check_size(qn))
    result.diagnostics.extend(checks.check_links(qn))
    result.diagnostics.extend(anonymity.check(qn))
    result.diagnostics = sorted(set(result.diagnostics))
    return result
