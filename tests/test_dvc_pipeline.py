"""The whole pipeline through DVC, on a temporary copy, as `noegletal run` drives it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

# whole pipeline runs through DVC
pytestmark = pytest.mark.slow


def sh(args, cwd):
    env = os.environ | {"DVC_NO_ANALYTICS": "1", "NOEGLETAL_ROOT": str(cwd)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)


def ran_stages(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage")]


def stages_to_rerun(root) -> set[str]:
    """What `dvc repro` would run, without running it: the stages `dvc status` finds changed,
    and every stage that reads an output of one of those (dvc.yaml), at any depth."""
    result = sh([sys.executable, "-m", "dvc", "status", "--json"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    rerun = set(json.loads(result.stdout))
    stages = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]

    def outs(name):
        return [next(iter(out)) if isinstance(out, dict) else out for out in stages[name].get("outs", [])]

    def reads(name, path):
        return any(
            dep == path or dep.startswith(f"{path}/") or path.startswith(f"{dep}/")
            for dep in stages[name].get("deps", [])
        )

    while more := {
        name for name in stages.keys() - rerun if any(reads(name, out) for upstream in rerun for out in outs(upstream))
    }:
        rerun |= more
    return rerun


@pytest.fixture(scope="module")
def repo(tmp_path_factory, pipeline_run):
    """A copy of the session's run (`noegletal run` through DVC), which these tests change."""
    root = tmp_path_factory.mktemp("dvcrepo") / "project"
    shutil.copytree(pipeline_run.root, root, symlinks=True)
    return root


def test_run_writes_the_tables(repo):
    for stem in ("table_1_1", "table_1_2", "table_1_3"):
        for suffix in (".csv", ".md", ".json"):
            assert (repo / "outputs" / "tables" / f"{stem}{suffix}").is_file()
    assert "2.181 (2.908)*" in (repo / "outputs/tables/table_1_2.csv").read_text(encoding="utf-8")
    assert (repo / "outputs/comparison/dk_se.csv").is_file()
    assert (repo / "outputs/audit/audit.json").is_file()


def test_audit_command_summarises(repo):
    result = sh([sys.executable, "-m", "pipeline.cli", "audit"], repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "strafmasse_gennemsnit" in result.stdout and "389" in result.stdout


def test_second_repro_does_nothing(repo):
    result = sh([sys.executable, "-m", "dvc", "repro"], repo)
    assert result.returncode == 0
    assert ran_stages(result.stdout) == []
    assert "up to date" in result.stdout


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        # excel every time: its first sheet records the SHA-256 of params.yaml
        ("comparison", "partial_year", "same_months", {"compare", "charts", "excel", "audit", "render"}),
        ("tables", None, None, {"tables", "excel", "audit", "render"}),
        (
            "extrapolation",
            "rounding",
            "half_even",
            {"extrapolate", "tables", "compare", "excel", "audit", "charts", "render"},
        ),
    ],
)
def test_param_change_reruns_only_dependants(repo, section, key, value, expected):
    """Which stages would re-run is DVC's answer from the lock file; running them would add
    nothing (test_raw_change_reruns_from_ingest runs a change through)."""
    params = yaml.safe_load((repo / "params.yaml").read_text(encoding="utf-8"))
    if key is None:
        params["tables"]["table_1_1"]["title"] += " (ændret)"
    else:
        params[section][key] = value
    original = (repo / "params.yaml").read_bytes()
    (repo / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    try:
        assert stages_to_rerun(repo) == expected
    finally:
        (repo / "params.yaml").write_bytes(original)
    assert stages_to_rerun(repo) == set()


def test_raw_change_reruns_from_ingest(repo):
    path = repo / "data/raw/releases/nsk_2023.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",3.118,", ",3.119,"), encoding="utf-8")
    result = sh([sys.executable, "-m", "dvc", "repro"], repo)
    assert result.returncode == 0, result.stderr
    assert ran_stages(result.stdout)[0] == "ingest"
    assert "3.119" in (repo / "outputs/tables/table_1_2.csv").read_text(encoding="utf-8")


def test_bad_raw_file_fails_the_run_and_keeps_outputs(repo):
    before = (repo / "outputs/tables/table_1_2.csv").read_bytes()
    path = repo / "data/raw/releases/nsk_2023.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",3.119,", ",-3,"), encoding="utf-8")
    result = sh([sys.executable, "-m", "pipeline.cli", "run"], repo)
    assert result.returncode != 0
    assert "nsk_2023.csv, line 4, column value" in result.stdout + result.stderr
    assert (repo / "outputs/tables/table_1_2.csv").read_bytes() == before


def user_facing(root) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for d in ("outputs", "reports/_output")
        for p in sorted((root / d).rglob("*"))
        if p.is_file()
    }


def test_a_run_failing_after_some_stages_publishes_nothing(repo):
    """A raw change re-runs ingest, extrapolate and tables; then params make the comparison
    fail. Every user-facing output is as it was before the run, the cause is one line, and
    the next good run publishes everything."""
    path = repo / "data/raw/releases/nsk_2023.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",-3,", ",3.120,").replace(",3.119,", ",3.120,"), encoding="utf-8"
    )
    assert sh([sys.executable, "-m", "pipeline.cli", "run"], repo).returncode == 0
    before = user_facing(repo)
    path.write_text(path.read_text(encoding="utf-8").replace(",3.120,", ",3.121,"), encoding="utf-8")
    params = yaml.safe_load((repo / "params.yaml").read_text(encoding="utf-8"))
    good = params["comparison"]["sweden_release"]
    params["comparison"]["sweden_release"] = "no_such_release"
    (repo / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    result = sh([sys.executable, "-m", "pipeline.cli", "run"], repo)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "pipeline failed at stage compare: params.yaml: comparison." in " ".join(output.split())
    assert "Traceback" not in output and "Nothing was published" in output
    assert user_facing(repo) == before
    assert (repo / "logs/last_run.log").is_file()
    params["comparison"]["sweden_release"] = good
    (repo / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert sh([sys.executable, "-m", "pipeline.cli", "run"], repo).returncode == 0
    assert "3.121" in (repo / "outputs/tables/table_1_2.csv").read_text(encoding="utf-8")
