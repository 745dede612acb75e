"""The rules of the house (docs/architecture.md), enforced.

- the import-linter contract of pyproject.toml: the layers, the model without pandas or
  matplotlib, analysis that never draws, a report that never runs a model, nobody
  importing the faces; and that the contract does fail when someone breaks it (a copy
  of the package with one forbidden import);
- no import cycle among ``sim`` modules;
- no ``sim`` module imports another ``sim`` module's underscore names;
- no ``importlib`` / ``__import__`` of ``sim`` modules (every dependency is visible);
- imports of ``sim`` modules inside functions only in the faces;
- analysis never reads or writes files and never draws.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"
LINT = Path(sys.executable).with_name("lint-imports")
FACES = {"sim/__init__.py", "sim/cli.py", "sim/api.py", "sim/app.py"}


def sources():
    for p in sorted(SIM.rglob("*.py")):
        yield p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")


def module_name(rel: str) -> str:
    name = rel[:-3].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=600, env={"PYTHONPATH": str(root),
                                                       "PATH": "/usr/bin:/bin"})


def test_import_contract_is_kept():
    r = lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "BROKEN" not in r.stdout and r.stdout.count("KEPT") >= 6


def test_import_contract_fails_on_a_forbidden_import(tmp_path):
    """A copy of the package whose model imports pandas breaks the contract."""
    shutil.copytree(SIM, tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    ledger = tmp_path / "sim" / "model" / "ledger.py"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace(
        "import numpy as np\n", "import numpy as np\nimport pandas as pd  # noqa\n", 1),
        encoding="utf-8")
    r = lint(tmp_path)
    assert r.returncode != 0
    assert "The model computes with arrays" in r.stdout and "BROKEN" in r.stdout
    assert "sim.model.ledger -> pandas" in r.stdout


def _sim_imports(tree: ast.AST, me: str):
    """(node, imported module, names) of every import of a ``sim`` module."""
    pkg = me if me.endswith("__init__") else me.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([mod] if mod else []))
            if mod == "sim" or mod.startswith("sim."):
                yield node, mod, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "sim" or a.name.startswith("sim."):
                    yield node, a.name, []


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    mods = {module_name(rel) for rel, _ in sources()}
    for rel, text in sources():
        me = module_name(rel)
        deps = graph.setdefault(me, set())
        for _, mod, names in _sim_imports(ast.parse(text), me):
            for n in names or [None]:
                target = f"{mod}.{n}" if n and f"{mod}.{n}" in mods else mod
                if target in mods and target != me:
                    deps.add(target)
    # a package's __init__ importing its own modules is not a cycle of code
    for m in graph:
        graph[m] = {d for d in graph[m] if not d.startswith(m + ".")}
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    assert not cycles, f"import cycles: {cycles}"


def test_no_module_imports_another_modules_private_names():
    bad = []
    for rel, text in sources():
        me = module_name(rel)
        for node, mod, names in _sim_imports(ast.parse(text), me):
            bad += [f"{rel}:{node.lineno}: {mod}.{n}" for n in names
                    if n.startswith("_") and n != "__version__" and mod != me]
    assert not bad, "\n".join(bad)


def test_no_dynamic_imports_of_sim_modules():
    pat = re.compile(r"import_module\(|__import__\(|importlib\.(import_module|reload)")
    bad = [f"{rel}:{i}" for rel, text in sources()
           for i, line in enumerate(text.splitlines(), 1) if pat.search(line)]
    assert not bad, "\n".join(bad)


def test_sim_imports_inside_functions_only_in_the_faces():
    bad = []
    for rel, text in sources():
        if rel in FACES:
            continue
        tree = ast.parse(text)
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node, mod, _ in _sim_imports(fn, module_name(rel)):
                    bad.append(f"{rel}:{node.lineno}: {mod} inside {fn.name}()")
    assert not bad, "\n".join(sorted(set(bad)))


@pytest.mark.parametrize("pattern", [r"read_parquet|read_csv|read_json|to_parquet|to_csv",
                                     r"\bopen\(|write_text|read_text|write_bytes",
                                     r"savefig|matplotlib|pyplot"])
def test_analysis_never_reads_files_or_draws(pattern):
    bad = [f"{rel}:{i}: {line.strip()}" for rel, text in sources()
           if rel.startswith("sim/analysis/")
           for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line)]
    assert not bad, "\n".join(bad)
