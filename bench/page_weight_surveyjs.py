"""The SurveyJS side of benchmark 2: install the library, convert a form, write its page.

The converter reads only formwright's compiled `manifest.json` (plus the intro,
which the manifest does not carry, from the questionnaire through
`compiler.load` and `compiler.language.model`), so any questionnaire converts the same
way; it refuses a question type it does not know rather than drop it, since a
smaller model would flatter SurveyJS.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from compiler.language.model import build_model
from compiler.load import load_file
from compiler.render.richtext import render

# survey-js-ui's newest release (its peer dependency pins survey-core to the same version)
VERSION = "2.5.38"
# The package's minified files as a site serving them itself would copy them. The fontless
# variant of the default theme: the other one pulls Open Sans from fonts.gstatic.com.
FILES = {
    "survey.core.min.js": "survey-core/survey.core.min.js",
    "survey-js-ui.min.js": "survey-js-ui/survey-js-ui.min.js",
    "survey-core.fontless.min.css": "survey-core/survey-core.fontless.min.css",
}
Json = dict[str, Any]


def install(folder: Path, version: str = VERSION) -> dict[str, str]:
    """npm-install pinned survey-core and survey-js-ui into folder; their installed versions."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed (apt-get install -y npm)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"private": true}\n', "utf-8")
    packages = [f"survey-core@{version}", f"survey-js-ui@{version}"]
    command = [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", *packages]
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    versions = {}
    for name in ("survey-core", "survey-js-ui"):
        meta = json.loads((folder / "node_modules" / name / "package.json").read_text("utf-8"))
        versions[name] = str(meta["version"])
    return versions


def _literal(value: Any) -> str:
    if isinstance(value, dict):
        return "today()" if "today" in value else _literal(value["date"])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


# formwright tests that compare with an unanswered question are false; SurveyJS's are not
# always (an empty value is "not equal" to anything), so those get an explicit answered test.
_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_NEED_ANSWER = {"!=", "<", "<=", ">", ">=", "not in"}


def expression(node: Json) -> str:
    """A manifest condition tree as a SurveyJS expression."""
    for word in ("and", "or"):
        if word in node:
            return "(" + f" {word} ".join(expression(a) for a in node[word]) + ")"
    if "not" in node:
        return f"!({expression(node['not'])})"
    field, op = "{" + str(node["field"]) + "}", str(node["op"])
    if op == "answered":
        return f"{field} notempty"
    if op == "contains":
        test = f"{field} contains {_literal(node['value'])}"
    elif op in ("in", "not in"):
        values = ", ".join(_literal(v) for v in node["values"])
        test = f"{field} {'anyof' if op == 'in' else 'noneof'} [{values}]"
    elif op in _OPS:
        test = f"{field} {_OPS[op]} {_literal(node['value'])}"
    else:
        raise ValueError(f"condition operator {op!r} has no SurveyJS equivalent here")
    return f"({field} notempty and {test})" if op in _NEED_ANSWER else test


def _choices(options: list[Json], multiple: bool = False) -> list[Json]:
    out = []
    for o in options:
        choice: Json = {"value": o["code"], "text": o["label"]}
        if "specify" in o:
            choice.update(showCommentArea=True, commentPlaceholder=o["specify"])
        if multiple and o.get("exclusive"):
            choice["isExclusive"] = True
        out.append(choice)
    return out


_DATE_INPUT = {"day": "date", "month": "month", "year": "number"}


def _bound(element: Json, key: str, value: Any) -> None:
    if value == "today":
        element[f"{key}ValueExpression"] = "today()"
    elif value is not None:
        element[key] = value


def element(q: Json) -> Json:
    """One manifest question as a SurveyJS element."""
    kind = q["type"]
    out: Json = {"name": q["id"], "title": q["text"]}
    if kind == "single":
        out.update(type="radiogroup", choices=_choices(q["options"]))
    elif kind == "multiple":
        out.update(type="checkbox", choices=_choices(q["options"], multiple=True))
        if "max_choices" in q:
            out["maxSelectedChoices"] = q["max_choices"]
    elif kind == "matrix":
        rows = [{"value": i["code"], "text": i["label"]} for i in q["items"]]
        out.update(type="matrix", columns=_choices(q["options"]), rows=rows)
    elif kind == "scale":
        out.update(type="rating", rateValues=_choices(q["points"] + q["extra"]))
    elif kind in ("text", "textarea"):
        out["type"] = "text" if kind == "text" else "comment"
        if "max_length" in q:
            out["maxLength"] = q["max_length"]
    elif kind == "number":
        out.update(type="text", inputType="number")
        _bound(out, "min", q.get("min"))
        _bound(out, "max", q.get("max"))
    elif kind == "date":
        out.update(type="text", inputType=_DATE_INPUT[q["precision"]])
        _bound(out, "min", q.get("min"))
        _bound(out, "max", q.get("max"))
    elif kind == "statement":
        return {"type": "html", "name": q["id"], "html": str(render(q["text"]))}
    else:
        raise ValueError(f"question type {kind!r} has no SurveyJS mapping here")
    if q.get("hint"):
        out["description"] = q["hint"]
    if q.get("required"):
        out["isRequired"] = True
    if q.get("condition"):
        out["visibleIf"] = expression(q["condition"])
    return out


def survey_model(manifest: Json, source: Path | None = None) -> Json:
    """The SurveyJS JSON model of a compiled form, in its source language."""
    questions = {q["id"]: q for q in manifest["questions"]}
    pages = []
    for page in manifest["pages"]:
        entry: Json = {"name": page["id"], "title": page["title"]}
        entry["elements"] = [element(questions[qid]) for qid in page["questions"]]
        if page.get("condition"):
            entry["visibleIf"] = expression(page["condition"])
        pages.append(entry)
    intro = None
    if source is not None:
        loaded = load_file(source)
        if loaded.root is not None:
            intro = build_model(str(source), loaded.root).intro  # type: ignore[arg-type]
    if intro and pages:
        # formwright shows the intro above the first question; so does this page
        html_intro = {"type": "html", "name": "intro", "html": str(render(intro))}
        pages[0]["elements"].insert(0, html_intro)
    return {"title": manifest["title"], "locale": manifest["language"], "pages": pages}


# The start-up script is a file, as a site with a Content-Security-Policy would serve it.
START = """document.addEventListener("DOMContentLoaded", function () {
  var json = JSON.parse(document.getElementById("model").textContent);
  new Survey.Model(json).render(document.getElementById("survey"));
});
"""


def write_site(model: Json, packages: Path, out: Path) -> str:
    """Write the SurveyJS page and its files into out; the page's file name."""
    out.mkdir(parents=True, exist_ok=True)
    for name, source in FILES.items():
        shutil.copyfile(packages / "node_modules" / source, out / name)
    (out / "start.js").write_text(START, "utf-8")
    data = json.dumps(model, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    page = f"""<!doctype html>
<html lang="{html.escape(model["locale"])}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(model["title"])}</title>
<link rel="stylesheet" href="survey-core.fontless.min.css">
<script src="survey.core.min.js" defer></script>
<script src="survey-js-ui.min.js" defer></script>
<script src="start.js" defer></script>
<script type="application/json" id="model">{data}</script>
</head>
<body>
<div id="survey"></div>
</body>
</html>
"""
    (out / "index.html").write_text(page, "utf-8")
    return "index.html"
