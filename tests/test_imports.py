"""Importing a module only defines things, and modules do not import each other in a circle.

Each module of crawler/, spiders/, pipelines/ and scheduler/ is imported alone, in a process
that has imported none of them (a child forked from an interpreter that loaded only the
third-party packages, so the test takes seconds, not minutes), with a broken configuration
file in force and empty home and working folders: the import must not exit, raise, write a
file, start a thread or install a Twisted reactor. The import graph (lazy imports inside
functions included, `if TYPE_CHECKING:` blocks left out) must have no cycle.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("crawler", "spiders", "pipelines", "scheduler")


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_names(module: str, path: Path) -> set[str]:
    """Every module name `module` imports, at top level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # what only type checkers import is never executed
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a parent package is not an edge: Python
    imports it first anyway)."""
    modules = project_modules()
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(name + "."):
                targets.add(name)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as [a, b, ..., a], or [] (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert {"crawler.config", "crawler.embedded", "crawler.spiderloader"} <= set(graph)
    assert find_cycle(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


IMPORT_EACH = r"""
import importlib, json, os, sys, threading, traceback
sys.dont_write_bytecode = True
modules, third_party = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for name in third_party:
    try:
        importlib.import_module(name)
    except Exception:
        pass
ours = [m for m in sys.modules if m.split(".")[0] in ("crawler", "spiders", "pipelines",
                                                       "scheduler")]
assert not ours, ours
threads = threading.active_count()
reactor = "twisted.internet.reactor" in sys.modules
results = {}
for name in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            problem = ""
            if threading.active_count() > threads:
                problem = "started a thread"
            elif "twisted.internet.reactor" in sys.modules and not reactor:
                problem = "installed a reactor"
        except SystemExit as exc:
            problem = f"exited ({exc.code!r})"
        except BaseException:
            problem = traceback.format_exc(limit=-3)
        os.write(write, problem.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        results[name] = pipe.read().decode()
    os.waitpid(pid, 0)
print(json.dumps(results))
"""


def test_each_module_imports_alone_with_no_side_effect(tmp_path: Path) -> None:
    modules = project_modules()
    third_party = sorted({  # dotted: `scrapy_playwright.handler`, not only `scrapy_playwright`
        name for module, path in modules.items() for name in imported_names(module, path)
        if name and name.split(".")[0] not in (*PACKAGES, *sys.stdlib_module_names)
    })
    work, home, user = tmp_path / "cwd", tmp_path / "home", tmp_path / "user"
    work.mkdir()
    user.mkdir()
    broken = tmp_path / "broken.toml"
    broken.write_text("[outlets\n")
    (work / "newscrawl.toml").write_text("[outlets\n")
    env = {**os.environ, "NEWSCRAWL_HOME": str(home), "NEWSCRAWL_CONFIG": str(broken),
           "HOME": str(user), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, json.dumps(sorted(modules)), json.dumps(third_party)],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(results) == set(modules)
    assert {name: problem for name, problem in results.items() if problem} == {}
    assert not home.exists(), "an import created NEWSCRAWL_HOME"
    assert [p.name for p in work.iterdir()] == ["newscrawl.toml"]
    assert list(user.iterdir()) == []
