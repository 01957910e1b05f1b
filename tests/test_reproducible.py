"""Reproducible bytes: two fresh copies of the project, run in different directories,
produce byte-identical tables, audit JSON, charts and report; and the stages whose numbers
come from statsmodels or numpy's linear algebra give the same bytes with any of OpenBLAS's
kernels."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import pytest
import yaml

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


# The stages that fit with statsmodels or numpy's linear algebra (pipeline/uncertainty.py:
# extrapolate, and the audit's backtest, which runs every method), and those that write what
# they computed (tables: outputs/data/keyfigures.*; compare)
FITTING_STAGES = ("extrapolate", "tables", "compare", "audit")
FITTED_PRODUCTS = (
    "data/derived",
    "outputs/data",
    "outputs/tables",
    "outputs/comparison",
    "outputs/audit",
    "outputs/metrics",
)
# OpenBLAS kernels that round differently: the history fits differed in their 13th to 17th
# digits under each of them before the fits were stated to 12 digits
CORETYPES = ("Haswell", "Prescott")


def hashes(root, folders) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for d in folders
        for p in sorted((root / d).rglob("*"))
        if p.is_file()
    }


def run_stages(root, coretype: str, stages) -> None:
    env = os.environ | {"NOEGLETAL_ROOT": str(root), "OPENBLAS_CORETYPE": coretype}
    for stage in stages:
        cmd = [sys.executable, "-m", f"pipeline.{stage}"]
        result = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{stage} (OPENBLAS_CORETYPE={coretype}): {result.stderr}"


def test_any_blas_kernel_gives_the_same_bytes(tmp_path):
    """The fitting stages, each in a new process with OpenBLAS's kernel for another CPU, on
    copies of one project after ingest: byte-identical outputs. Then once more with the trend
    method and the GLM rate interval, whose numbers come from statsmodels' fits too."""
    base = tmp_path / "base"
    base.mkdir()
    copy_project(base)
    run_stages(base, CORETYPES[0], ["ingest"])  # no linear algebra: one run for both copies
    results = {}
    for coretype in CORETYPES:
        root = tmp_path / coretype
        shutil.copytree(base, root)
        run_stages(root, coretype, FITTING_STAGES)
        results[coretype] = hashes(root, FITTED_PRODUCTS)
        params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
        params["extrapolation"]["method"] = "trend"
        params["extrapolation"]["interval"]["method"] = "poisson_glm_rate"
        (root / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        run_stages(root, coretype, ["extrapolate"])
        results[coretype] |= {f"trend: {k}": v for k, v in hashes(root, ["data/derived"]).items()}
    first, second = (results[c] for c in CORETYPES)
    assert "data/derived/figures_full_year.parquet" in first and "outputs/data/keyfigures.csv" in first
    assert "trend: data/derived/figures_full_year.parquet" in first
    assert first["data/derived/figures_full_year.parquet"] != first["trend: data/derived/figures_full_year.parquet"]
    assert first.keys() == second.keys()
    assert not sorted(k for k in first if first[k] != second[k])
