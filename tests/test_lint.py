"""The code passes ruff, linter and formatter, with the settings in pyproject.toml, and its imports flow one way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

CHECKED = ["pipeline", "tests", "benchmarks"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args, *CHECKED], cwd=REPO, capture_output=True, text=True)


def test_ruff_check_passes():
    result = ruff("check", "--no-cache", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_changes_nothing():
    result = ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_imports_flow_one_way():
    """The layers in pyproject.toml ([tool.importlinter]): no module imports from a layer above
    its own, and the stages do not import each other."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout
