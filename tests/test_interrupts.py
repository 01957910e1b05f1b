"""Killed and concurrent runs: the last good outputs stay intact and the next run completes.
DVC runs as the project runs it (pipeline/dvc_entry.py), which writes `dvc.lock` whole."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time

import pytest

from pipeline.dvc_entry import DVC

from conftest import copy_project

# whole pipeline runs, killed and concurrent
pytestmark = pytest.mark.slow

STAGES_BEFORE_CHARTS = ["ingest", "extrapolate", "tables", "compare", "audit"]


def env(root):
    return os.environ | {"DVC_NO_ANALYTICS": "1", "NOEGLETAL_ROOT": str(root)}


def repro(root, *args):
    return subprocess.run(
        [*DVC, "repro", *args, *STAGES_BEFORE_CHARTS],
        cwd=root,
        env=env(root),
        capture_output=True,
        text=True,
    )


def outputs(root) -> dict[str, str]:
    files = [p for d in ("data/validated", "data/derived", "outputs") for p in (root / d).rglob("*") if p.is_file()]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill")
    copy_project(root)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    result = repro(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def assert_intact(root, good):
    now = outputs(root)
    assert not [p for p in now if p.endswith(".tmp")], "temporary files left behind"
    assert {k: v for k, v in now.items() if not k.endswith(".tmp")} == good


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("delay", [0.8, 2.0, 3.5])
def test_killed_run_keeps_the_last_good_outputs(repo, sig, delay):
    good = outputs(repo)
    proc = subprocess.Popen(
        [*DVC, "repro", "--force", *STAGES_BEFORE_CHARTS],
        cwd=repo,
        env=env(repo),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(delay)
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)
    # whatever was written is a complete output of identical inputs: the same bytes
    now = {k: v for k, v in outputs(repo).items() if not k.endswith(".tmp")}
    assert {k: v for k, v in now.items() if k in good} == {k: good[k] for k in now if k in good}
    result = repro(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_intact(repo, good)


def test_two_runs_at_once_do_not_corrupt(repo):
    good = outputs(repo)
    procs = [
        subprocess.Popen(
            [*DVC, "repro", "--force", *STAGES_BEFORE_CHARTS],
            cwd=repo,
            env=env(repo),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stdout.read()) for p in procs]
    assert any(code == 0 for code, _ in results), results
    for code, out in results:
        assert code == 0 or "lock" in out.lower(), out  # the loser is refused by DVC's lock
    assert_intact(repo, good)
    assert repro(repo).returncode == 0
    assert_intact(repo, good)


def test_raw_files_are_never_written(repo):
    raw = {p: p.read_bytes() for p in sorted((repo / "data/raw").rglob("*")) if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in raw}
    assert repro(repo, "--force").returncode == 0
    assert {p: p.read_bytes() for p in raw} == raw
    assert {p: p.stat().st_mtime_ns for p in raw} == stamps


def test_leftover_of_a_killed_run_is_removed_by_the_next_write(tmp_path):
    from pipeline.io import staged_outputs

    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    target = tmp_path / "out" / "x.parquet"
    stale = tmp_path / ".staging" / ".x.parquet.abc123.tmp"
    stale.parent.mkdir()
    stale.write_text("half written")
    with staged_outputs() as out:
        out.write_text(target, "new")
    assert target.read_text() == "new"
    assert not stale.exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["x.parquet"]
