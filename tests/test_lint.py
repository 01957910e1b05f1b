"""The code passes ruff, linter and formatter, with the settings in pyproject.toml, and its imports flow one way.

ruff runs on the whole project (no paths given: every Python file under the project's root that
git does not ignore, `bin/` and `benchmarks/` as well as `pipeline/` and `tests/`), as
`uv run ruff check` and `uv run ruff format --check` do by hand; a test checks that no Python
file git tracks is left out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_check_passes():
    result = ruff("check", "--no-cache", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_changes_nothing():
    result = ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def tracked_python_files() -> set[Path]:
    """The Python files git tracks: by their ending, or by a `python` shebang."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    found = set()
    for name in filter(None, names.decode().split("\0")):
        path = REPO / name
        if name.endswith(".py"):
            found.add(Path(name))
        elif path.is_file():
            with path.open("rb") as file:
                first = file.readline(200)
            if first.startswith(b"#!") and b"python" in first:
                found.add(Path(name))
    return found


def test_ruff_covers_every_python_file():
    """No Python file of the project is left out of the lint by a list of paths or an exclude:
    `bin/` and `benchmarks/` are checked as `pipeline/` and `tests/` are. `ruff format` finds
    its files as `ruff check` does (same include and exclude); it has no exclude of its own."""
    python = tracked_python_files()
    assert {Path("bin/make_reference_docx.py"), Path("benchmarks/run.py")} <= python
    listed = ruff("check", "--no-cache", "--show-files")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    seen = {Path(line).relative_to(REPO) for line in listed.stdout.splitlines() if line.startswith(f"{REPO}/")}
    assert python <= seen, f"ruff leaves out: {sorted(map(str, python - seen))}"
    assert not re.search(
        r"^\[tool\.ruff\.format\][^\[]*^\s*(extend-)?exclude", (REPO / "pyproject.toml").read_text(), re.M | re.S
    )


def test_imports_flow_one_way():
    """The layers in pyproject.toml ([tool.importlinter]): no module imports from a layer above
    its own, and the stages do not import each other."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout
