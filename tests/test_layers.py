"""The floors of compiler/ (docs/architecture.md), held by reading every module's imports.

Imports inside functions count as edges; only those under `if TYPE_CHECKING:` do
not. Each rule is a test of its own, and each is also shown to fail on a graph
with one planted violation, so that none of them can pass by checking nothing.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from collect_support import Server, build, envelope, valid_answers

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "compiler"
DOC = ROOT / "docs" / "architecture.md"
ROW = re.compile(r"^\| (\d+) \| `(compiler(?:\.\w+)*)` \|", re.MULTILINE)

# Rule 4: what the endpoint, the store and the export never load, even indirectly.
ENDPOINT_SIDE = ("compiler.collect", "compiler.store", "compiler.export")
NOT_FOR_THE_ENDPOINT = (
    "compiler.load",
    "compiler.schema",
    "compiler.validate",
    "compiler.compile",
    "compiler.render",
    "compiler.translations",
    "compiler.project",
    "compiler.build",
    "click",
    "jinja2",
)


@dataclass(frozen=True)
class Graph:
    """Modules of the package, their floors, and what each imports."""

    modules: frozenset[str]
    edges: dict[str, frozenset[str]]  # module -> package modules it imports
    external: dict[str, frozenset[str]]  # module -> top-level outside packages it imports
    floors: dict[str, int] = field(default_factory=dict)
    packages: frozenset[str] = frozenset()

    def folder(self, module: str) -> str:
        return module if module in self.packages else module.rsplit(".", 1)[0]

    def with_edge(self, source: str, target: str) -> Graph:
        edges = dict(self.edges)
        if target in self.modules:
            edges[source] = edges[source] | {target}
            return replace(self, edges=edges)
        external = dict(self.external)
        external[source] = external[source] | {target}
        return replace(self, external=external)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports under `if TYPE_CHECKING:` (the one exemption)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.add(sub.lineno)
    return lines


def imports_of(path: Path, name: str, modules: set[str], is_package: bool) -> tuple[set, set]:
    tree = ast.parse(path.read_text("utf-8"))
    exempt = _type_checking_only(tree)
    inside: set[str] = set()
    outside: set[str] = set()
    package = name if is_package else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in exempt:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # `from package import module` imports the module; `from module import name`, the module
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        for target in targets:
            if target == "compiler" or target.startswith("compiler."):
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != name:
                    inside.add(target)
            else:
                outside.add(target.split(".")[0])
    return inside, outside


def read_floors() -> dict[str, int]:
    found: dict[str, int] = {}
    for floor, module in ROW.findall(DOC.read_text("utf-8")):
        assert module not in found, f"{module} is listed twice in docs/architecture.md"
        found[module] = int(floor)
    return found


def real_graph() -> Graph:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    packages = {module_name(p) for p in PACKAGE.rglob("__init__.py")}
    modules = set(files)
    edges, external = {}, {}
    for name, path in files.items():
        inside, outside = imports_of(path, name, modules, name in packages)
        edges[name], external[name] = frozenset(inside), frozenset(outside)
    return Graph(frozenset(modules), edges, external, read_floors(), frozenset(packages))


# --- the rules, as functions that list violations ----------------------------------------


def unlisted(g: Graph) -> list[str]:
    missing = [
        f"{m} has no floor in docs/architecture.md" for m in sorted(g.modules - set(g.floors))
    ]
    extra = [f"{m} is listed but does not exist" for m in sorted(set(g.floors) - g.modules)]
    return missing + extra


def cycles(g: Graph) -> list[str]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[str] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(g.edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(" <-> ".join(sorted(group)))

    for v in sorted(g.modules):
        if v not in index:
            visit(v)
    return found


def upward(g: Graph) -> list[str]:
    out = []
    for source in sorted(g.modules):
        for target in sorted(g.edges[source]):
            a, b = g.floors.get(source), g.floors.get(target)
            if a is None or b is None:
                continue  # reported by `unlisted`
            same_folder = g.folder(source) == g.folder(target)
            if b > a or (b == a and not same_folder):
                out.append(f"{source} (floor {a}) imports {target} (floor {b})")
    return out


def reach(g: Graph, start: str) -> set[str]:
    """Everything importing `start` loads: its imports, theirs, and their parent packages."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(g.edges.get(m, ()))
        parent = m.rsplit(".", 1)[0] if "." in m else None
        if parent in g.modules:
            todo.append(parent)  # importing a.b runs a/__init__.py first
        todo.extend(g.external.get(m, ()))
    return seen


def _under(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def forbidden(g: Graph, sources: Iterable[str], banned: Iterable[str]) -> list[str]:
    banned = tuple(banned)
    out = []
    for source in sorted(m for m in g.modules if _under(m, sources)):
        loaded = reach(g, source)
        hits = sorted(m for m in loaded if _under(m, banned))
        out += [f"{source} loads {hit}" for hit in hits]
    return out


def endpoint_side(g: Graph) -> list[str]:
    return forbidden(g, ENDPOINT_SIDE, NOT_FOR_THE_ENDPOINT)


def stages_without_validation(g: Graph) -> list[str]:
    return forbidden(g, ("compiler.render", "compiler.compile"), ("compiler.validate",))


def translations_without_validation(g: Graph) -> list[str]:
    return forbidden(g, ("compiler.translations",), ("compiler.validate",))


def cli_only_from_cli(g: Graph) -> list[str]:
    return [
        f"{source} imports {target}"
        for source in sorted(g.modules)
        if not _under(source, ("compiler.cli",))
        for target in sorted(g.edges[source])
        if _under(target, ("compiler.cli",))
    ]


RULES = {
    "every module has a floor": unlisted,
    "no import cycles": cycles,
    "no upward imports": upward,
    "the endpoint side loads no compiler stage, click or jinja": endpoint_side,
    "render and compile never import validate": stages_without_validation,
    "translations never import validate": translations_without_validation,
    "nothing outside cli imports cli": cli_only_from_cli,
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return real_graph()


@pytest.mark.parametrize("rule", list(RULES), ids=list(RULES))
def test_rule_holds(rule: str, graph: Graph) -> None:
    assert RULES[rule](graph) == []


def test_the_graph_is_read_at_all(graph: Graph) -> None:
    """A reader that found no edges would pass every rule."""
    assert len(graph.modules) > 40
    assert "compiler.language.model" in graph.edges["compiler.validate.questionnaire"]
    # an import inside a function counts
    assert "compiler.build" in graph.edges["compiler.cli.checking"]
    assert "compiler.store.postgres" in graph.edges["compiler.store"]
    assert "click" in graph.external["compiler.cli.common"]


# One planted violation per rule: the rule must notice it.
PLANTED = {
    "every module has a floor": lambda g: replace(
        g, floors={k: v for k, v in g.floors.items() if k != "compiler.manifest"}
    ),
    "no import cycles": lambda g: g.with_edge("compiler.store.base", "compiler.store.sqlite"),
    "no upward imports": lambda g: g.with_edge(
        "compiler.language.model", "compiler.translations.files"
    ),
    "the endpoint side loads no compiler stage, click or jinja": lambda g: g.with_edge(
        "compiler.collect.answers", "compiler.language.texts"
    ).with_edge("compiler.language.texts", "compiler.load"),
    "render and compile never import validate": lambda g: g.with_edge(
        "compiler.render.describe", "compiler.validate.checks"
    ),
    "translations never import validate": lambda g: g.with_edge(
        "compiler.translations.po", "compiler.validate.questionnaire"
    ),
    "nothing outside cli imports cli": lambda g: g.with_edge(
        "compiler.export", "compiler.cli.common"
    ),
}


@pytest.mark.parametrize("rule", list(RULES), ids=list(RULES))
def test_rule_fails_when_broken(rule: str, graph: Graph) -> None:
    assert RULES[rule](PLANTED[rule](graph)) != []


def test_click_in_the_export_is_caught(graph: Graph) -> None:
    assert endpoint_side(graph.with_edge("compiler.export", "click")) == [
        "compiler.export loads click"
    ]


def test_no_module_is_over_400_lines() -> None:
    long = {
        module_name(p): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines())) > 400
    }
    assert long == {}


# --- the same rule on real processes ----------------------------------------------------

# Runs at the start of every Python process (PYTHONPATH): logs each module
# imported, one file per process, through the interpreter's audit hook.
SITECUSTOMIZE = """
import os, sys
_log = open(os.path.join(os.environ["FW_IMPORT_LOG"], f"{os.getpid()}.txt"), "a", buffering=1)
def _hook(event, args):
    if event == "import":
        _log.write(f"{args[0]}\\n")
sys.addaudithook(_hook)
"""
STAGES = ("compiler.validate", "compiler.compile", "compiler.render", "compiler.load")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("layers"))


@pytest.mark.parametrize("workers", [1, 2])
def test_endpoint_processes_load_no_compiler_stage(
    workers: int, built: Path, tmp_path: Path
) -> None:
    hooks, logs = tmp_path / "site", tmp_path / "imports"
    hooks.mkdir()
    logs.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, "utf-8")
    path = os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")]))
    server = Server(
        built / "build",
        str(tmp_path / "r.sqlite3"),
        tmp_path / "server.log",
        workers=workers,
        PYTHONPATH=path,
        FW_IMPORT_LOG=str(logs),
        FORMWRIGHT_RATE_LIMIT="0",
    )
    server.start()
    try:
        for _ in range(4):
            body = json.dumps(envelope(valid_answers())).encode()
            request = urllib.request.Request(
                f"{server.url}/responses", body, {"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert answer.status == 201
    finally:
        server.stop()
    serving = {}
    for log in logs.glob("*.txt"):
        names = set(log.read_text("utf-8").split())
        if "compiler.collect.app" in names:
            serving[log.stem] = names
    # the command's process, and with --workers 2 each worker too
    assert len(serving) >= workers + (1 if workers > 1 else 0)
    for pid, names in serving.items():
        loaded = sorted(n for n in names if _under(n, STAGES))
        assert loaded == [], f"process {pid} imported {loaded}"
