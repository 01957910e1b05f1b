"""Fixtures: every test works on its own copy of the project, never on the checkout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import settings

from pipeline.core import run_core
from pipeline.paths import Paths

# Property tests: a few dozen examples each in everyday runs, 2.000 in CI (`.ci/run` sets
# HYPOTHESIS_PROFILE=ci). Loaded here, before the test modules build their settings, so a
# test that names no count of its own gets the profile's.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def examples(at_least: int = 0) -> int:
    """The profile's number of examples, but at least `at_least` for a property whose cases
    need that many to be covered."""
    return max(at_least, settings.default.max_examples)


REPO = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("params.yaml", "dvc.yaml", "dvc.lock", "pyproject.toml")
PROJECT_DIRS = ("data/raw", "sql", "pipeline", ".dvc", "reports")


def copy_project(dest: Path) -> Paths:
    for name in PROJECT_FILES:
        if (REPO / name).exists():
            shutil.copy2(REPO / name, dest / name)
    for name in PROJECT_DIRS:
        shutil.copytree(
            REPO / name,
            dest / name,
            ignore=shutil.ignore_patterns("__pycache__", "tmp", "cache", "*.tmp", "_output", ".render-*", ".staging"),
        )
    return Paths(dest)


@pytest.fixture
def project(tmp_path: Path) -> Paths:
    """A fresh copy of the project's sources and raw data, nothing built."""
    return copy_project(tmp_path)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Paths:
    """One copy of the project with the core stages run on the shipped raw data."""
    paths = copy_project(tmp_path_factory.mktemp("built"))
    run_core(paths)
    return paths


@pytest.fixture(scope="session")
def published(built: Paths) -> pl.DataFrame:
    """The values the VIVE report printed, as recorded in data/raw/published/."""
    return pl.read_parquet(built.validated_published)


def write_release(paths: Paths, name: str, rows: list[str]) -> Path:
    """Add a release file to a project copy: header plus the given CSV lines."""
    header = (paths.raw_releases / "nsk_2024.csv").read_text(encoding="utf-8").splitlines()[0]
    target = paths.raw_releases / f"{name}.csv"
    target.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return target
