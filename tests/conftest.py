"""Fixtures: every test works on its own copy of the project, never on the checkout."""

from __future__ import annotations

import importlib
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from unittest import mock

import polars as pl
import pytest
from hypothesis import settings

from pipeline import schemas
from pipeline.core_stages import run_core
from pipeline.paths import Paths
from pipeline.stage import stage_main

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


@contextmanager
def dvc_not_asked() -> Iterator[None]:
    """Commands run in the test's process without asking DVC whether what they show is current
    (`dvc status`) or bringing it up to date first (`dvc repro`): each is a Python start that
    imports DVC, seconds a command. For tests of what a command prints from outputs already
    built; DVC is asked for real in test_cli_formats.py (stale outputs) and in the slow
    tier (test_dvc_pipeline.py runs the commands as processes)."""
    from pipeline import cli, freshness

    with (
        mock.patch.object(freshness, "dvc_status", lambda root, targets=None: freshness.Status()),
        mock.patch.object(cli, "_repro", lambda target=None: None),
        mock.patch.object(cli, "_run_pipeline", lambda *args, **kwargs: None),
    ):
        yield


@pytest.fixture
def without_dvc() -> Iterator[None]:
    """`dvc_not_asked` for a whole test."""
    with dvc_not_asked():
        yield


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


def dvc_project(root: Path) -> Paths:
    """A copy of the project as a git repository (DVC needs one), with .gitignore, so that the
    metrics files are tracked and the other outputs are not."""
    paths = copy_project(root)
    shutil.copy2(REPO / ".gitignore", root / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return paths


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory) -> Paths:
    """One copy of the project with the whole pipeline run through DVC by `noegletal run`, as
    a user starts it (a process). Shared by the session: tests that change the copy restore
    it, or work on a copy of it (`shutil.copytree`)."""
    paths = dvc_project(tmp_path_factory.mktemp("run"))
    env = os.environ | {"DVC_NO_ANALYTICS": "1", "NOEGLETAL_ROOT": str(paths.root)}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run"], cwd=paths.root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return paths


@pytest.fixture(scope="session")
def report(built: Paths, tmp_path_factory) -> Paths:
    """A copy of the built project with the charts and the report rendered (without Quarto),
    shared by the report's tests (test_report.py, test_report_formats.py), which only read
    it. The tests that use it are marked slow."""
    from pipeline import audit, charts, compare, render

    root = tmp_path_factory.mktemp("report")
    shutil.copytree(built.root, root, dirs_exist_ok=True)
    shutil.copytree(
        REPO / "reports", root / "reports", ignore=shutil.ignore_patterns("_output", ".render-*"), dirs_exist_ok=True
    )  # the current report, whether or not the copy has it
    paths = Paths(root)
    compare.run(paths)  # as DVC runs them before the charts and the report
    audit.run(paths)
    charts.run(paths)
    render.render_embedded(paths)
    return paths


@pytest.fixture(scope="session")
def published(built: Paths) -> pl.DataFrame:
    """The values the VIVE report printed, as recorded in data/raw/published/."""
    return pl.read_parquet(built.validated_published)


# a stage from the command line: in this process (fast tier), or in a new one (slow tier)
IN_PROCESS = [True, pytest.param(False, marks=pytest.mark.slow)]
IN_PROCESS_IDS = ["in_process", "new_process"]


def run_stage(stage: str, root: Path, in_process: bool) -> tuple[int, str]:
    """`python -m pipeline.<stage>` in the project at `root`: its exit code and stderr. In a new
    process (a Python start that imports polars, DuckDB, …: seconds), or in this one: the
    module's `__main__` call, `stage_main(run, stage)`, with NOEGLETAL_ROOT set."""
    env = {"NOEGLETAL_ROOT": str(root)}
    if not in_process:
        cmd = [sys.executable, "-m", f"pipeline.{stage}"]
        result = subprocess.run(cmd, cwd=root, env=os.environ | env, capture_output=True, text=True)
        return result.returncode, result.stderr
    run = importlib.import_module(f"pipeline.{stage}").run
    stderr, handler = io.StringIO(), signal.getsignal(signal.SIGTERM)
    try:
        with mock.patch.dict(os.environ, env), redirect_stderr(stderr):
            stage_main(run, stage)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
        if not isinstance(code, int):  # a message: the interpreter prints it and exits 1
            stderr.write(f"{code}\n")
            code = 1
    finally:
        signal.signal(signal.SIGTERM, handler)  # stage_main's, for a stage process
    return code, stderr.getvalue()


def write_release(paths: Paths, name: str, rows: list[str]) -> Path:
    """Add a release file to a project copy: header plus the given CSV lines."""
    header = ",".join(schemas.RELEASE_COLUMNS)  # the required columns; optional ones are added by name
    target = paths.raw_releases / f"{name}.csv"
    target.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return target


def tables_of(paths: Paths) -> dict[str, dict]:
    """Every table the tables stage wrote (outputs/tables/*.json), by its number as
    params.yaml declares it."""
    import json

    import yaml

    from pipeline.table_files import table_file_stem

    numbers = [t["number"] for t in yaml.safe_load(paths.params.read_text(encoding="utf-8"))["tables"].values()]
    return {n: json.loads((paths.tables / f"{table_file_stem(n)}.json").read_text(encoding="utf-8")) for n in numbers}


def table_cells(paths: Paths) -> dict[tuple[str, int], dict]:
    """Every cell of every table, by series and year."""
    return {(c["series"], c["reference_year"]): c for t in tables_of(paths).values() for c in t["cells"]}


def set_params(paths: Paths, **dotted) -> None:
    """Set params.yaml values in a project copy, by dotted key ('extrapolation.method')."""
    import yaml

    settings_ = yaml.safe_load(paths.params.read_text(encoding="utf-8"))
    for key, value in dotted.items():
        *parents, last = key.split(".")
        target = settings_
        for p in parents:
            target = target[p]
        target[last] = value
    paths.params.write_text(yaml.safe_dump(settings_, allow_unicode=True, sort_keys=False), encoding="utf-8")
