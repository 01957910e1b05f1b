"""Every stage depends on the code it runs: each module of pipeline/ that the stage's module
imports (directly or through others, at any depth, also inside functions), each SQL model it
runs and sql/macros.sql. A gap would leave stale outputs with no warning when that file
changes, so this test derives the list from the code and fails on any file missing from
dvc.yaml."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO

PIPELINE = REPO / "pipeline"
# a model (sql/stg_….sql) or a test (sql/tests/….sql, named "tests/…")
SQL_NAME = re.compile(r"(?:stg|int|fct)_[a-z0-9_]+|tests/[a-z0-9_]+")


def module_file(module: str) -> Path | None:
    """The file of a pipeline module named relative to pipeline/ ("excel", "render.parse"):
    pipeline/excel.py, or a package's pipeline/render/__init__.py."""
    base = PIPELINE.joinpath(*module.split("."))
    return next((f for f in (base.with_suffix(".py"), base / "__init__.py") if module and f.exists()), None)


def imported_modules(source: str) -> set[str]:
    """pipeline modules a piece of Python imports: `from pipeline import a`, `import
    pipeline.b`, `from pipeline.c import x`, `from pipeline.d.e import y` (a package's module,
    which runs the package's __init__.py first)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "pipeline":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("pipeline."):
                module = node.module.removeprefix("pipeline.")
                found |= {module} | {f"{module}.{alias.name}" for alias in node.names}  # a name may be a module
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("pipeline.") for a in node.names if a.name.startswith("pipeline.")}
    found |= {m.rsplit(".", n)[0] for m in found for n in range(1, m.count(".") + 1)}  # the packages
    return {m for m in found if module_file(m)}


def sql_models(source: str) -> set[str]:
    """The SQL models and tests a module runs: string constants that are exactly a model's
    name (db.query(con, paths, "int_…")) or a test's ("tests/…"), not names mentioned in
    comments or docstrings."""
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SQL_NAME.fullmatch(node.value)
        and (REPO / "sql" / f"{node.value}.sql").exists()
    }


def closure(start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        module = todo.pop()
        if module in seen or not module_file(module):
            continue
        seen.add(module)
        todo += imported_modules(module_file(module).read_text(encoding="utf-8"))
    return seen


def needed(stage: dict) -> set[str]:
    cmd = stage["cmd"]
    if match := re.fullmatch(r"python -m pipeline\.(\w+)", cmd):
        # a package runs as its __init__.py and then its __main__.py
        modules = closure({m for m in (match.group(1), f"{match.group(1)}.__main__") if module_file(m)})
    else:
        pytest.fail(f"a stage command this test does not know: {cmd}")
    if "render" in modules:  # the report's cells import pipeline modules too
        report = (REPO / "reports" / "noegletal.qmd").read_text(encoding="utf-8")
        cells = "\n".join(re.findall(r"```\{python\}\n(.*?)```", report, flags=re.S))
        modules |= closure(imported_modules(cells))
    files = {module_file(m).relative_to(REPO).as_posix() for m in modules}
    models = {name for m in modules for name in sql_models(module_file(m).read_text(encoding="utf-8"))}
    if models:
        files |= {f"sql/{name}.sql" for name in models} | {"sql/macros.sql"}
    return files


STAGES = yaml.safe_load((REPO / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def is_code(path: str) -> bool:
    return path.startswith(("pipeline/", "sql/")) and path.endswith((".py", ".sql"))


@pytest.mark.parametrize("name", sorted(STAGES))
def test_a_stage_depends_on_exactly_the_code_it_runs(name):
    """No gap (stale outputs) and no stale entry (needless re-runs)."""
    stage = STAGES[name]
    declared = {d if isinstance(d, str) else next(iter(d)) for d in stage.get("deps", [])}
    code = {d for d in declared if is_code(d)}
    assert not (missing := sorted(needed(stage) - code)), f"dvc.yaml: stage {name} lacks the deps {missing}"
    assert not (extra := sorted(code - needed(stage))), f"dvc.yaml: stage {name} does not run {extra}"


def test_the_derivation_finds_imports_inside_functions():
    # pipeline/explain.py imports pipeline.audit inside a function
    assert "audit" in imported_modules((PIPELINE / "explain.py").read_text(encoding="utf-8"))


def test_the_lock_file_holds_only_stages_of_dvc_yaml():
    """A stage removed from dvc.yaml leaves no stale entry in dvc.lock."""
    lock = yaml.safe_load((REPO / "dvc.lock").read_text(encoding="utf-8"))
    assert set(lock["stages"]) <= set(STAGES), set(lock["stages"]) - set(STAGES)


def test_the_derivation_follows_packages():
    # a package's module runs the package's __init__.py first; a package runs as its __main__.py
    assert imported_modules("from pipeline.render.parse import parse") == {"render", "render.parse"}
    assert {"render.__main__", "render.convert", "stage"} <= closure({"render", "render.__main__"})


def test_every_model_and_test_in_sql_is_run_by_a_stage():
    """A model or test no stage runs is dead lineage: either it is used, or it goes."""
    used = {f for stage in STAGES.values() for f in needed(stage)}
    files = {p.relative_to(REPO).as_posix() for p in (REPO / "sql").rglob("*.sql")}
    assert not (unused := sorted(files - used)), f"sql/ files no stage runs: {unused}"
