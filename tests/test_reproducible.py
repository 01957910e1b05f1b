"""Reproducible bytes: two fresh copies of the project, run in different directories,
produce byte-identical tables, audit JSON, charts and report."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from conftest import copy_project

# two full pipeline runs
pytestmark = pytest.mark.slow

PRODUCTS = (
    "outputs/tables",
    "outputs/comparison",
    "outputs/audit",
    "outputs/charts",
    "outputs/data",
    "outputs/excel",
    "outputs/metrics",
    "reports/_output",
)


def run_fresh(root):
    root.mkdir()
    copy_project(root)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    env = os.environ | {"DVC_NO_ANALYTICS": "1", "NOEGLETAL_ROOT": str(root), "SOURCE_DATE_EPOCH": "1767225600"}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run"], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for d in PRODUCTS
        for p in sorted((root / d).rglob("*"))
        if p.is_file()
    }


def test_two_fresh_copies_give_the_same_bytes(tmp_path):
    first = run_fresh(tmp_path / "a")
    second = run_fresh(tmp_path / "b")
    assert any(k.endswith(".svg") for k in first) and "reports/_output/noegletal.html" in first
    assert "reports/_output/noegletal.pdf" in first and "outputs/audit/audit.json" in first
    assert "reports/_output/noegletal.docx" in first
    different = sorted(k for k in first if first[k] != second.get(k))
    assert not different
    assert first.keys() == second.keys()
