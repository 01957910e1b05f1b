"""The render stage's Quarto branch, with a stand-in `quarto` first on PATH that records how it
was called and writes the report's files where it was told: they reach reports/_output only
through the staged outputs, all together, and a failed render leaves the last report as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.paths import Paths

SUFFIXES = (".html", ".pdf", ".docx")
STAND_IN = """#!{python}
import json, os, sys
from pathlib import Path

log = Path(__file__).with_name("calls.json")
calls = json.loads(log.read_text()) if log.exists() else []
calls.append({{"argv": sys.argv[1:], "QUARTO_PYTHON": os.environ.get("QUARTO_PYTHON")}})
log.write_text(json.dumps(calls))
# where Quarto writes: --output-dir if given, else the project's output-dir
args = sys.argv[1:]
out = Path(args[args.index("--output-dir") + 1]) if "--output-dir" in args else Path(args[1]) / "_output"
out.mkdir(parents=True, exist_ok=True)
if os.environ.get("STAND_IN_FAILS"):
    (out / "noegletal.html").write_text("half a page")
    sys.exit(3)
for suffix in {suffixes!r}:
    (out / ("noegletal" + suffix)).write_text("quarto" + suffix)
"""


def render_stage(paths: Paths, bin_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """`python -m pipeline.render` as DVC runs it, the stand-in first on PATH."""
    env = os.environ | {"NOEGLETAL_ROOT": str(paths.root), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"} | env
    return subprocess.run(
        [sys.executable, "-m", "pipeline.render"], cwd=paths.root, env=env, capture_output=True, text=True
    )


@pytest.fixture
def stand_in(project: Paths, tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    quarto = bin_dir / "quarto"
    quarto.write_text(STAND_IN.format(python=sys.executable, suffixes=SUFFIXES), encoding="utf-8")
    quarto.chmod(0o755)
    return bin_dir


def outputs(paths: Paths) -> dict[str, str]:
    folder = paths.root / "reports" / "_output"
    return {p.name: p.read_text() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def test_quarto_renders_into_scratch_and_its_files_are_staged_into_place(project, stand_in):
    result = render_stage(project, stand_in)
    assert result.returncode == 0, result.stderr
    (call,) = json.loads((stand_in / "calls.json").read_text())
    reports = project.root / "reports"
    assert call["argv"][:3] == ["render", str(reports), "--output-dir"] and len(call["argv"]) == 4
    scratch = Path(call["argv"][3])
    assert scratch.parent == reports and scratch.name.startswith(".render-")
    assert call["QUARTO_PYTHON"] == sys.executable  # the cells run with this project's Python
    assert outputs(project) == {f"noegletal{s}": f"quarto{s}" for s in SUFFIXES}
    assert not scratch.exists() and not list(reports.glob(".render-*"))
    assert not list((project.root / ".staging").glob("*.tmp"))


def test_a_failed_quarto_render_leaves_the_last_report_in_place(project, stand_in):
    folder = project.root / "reports" / "_output"
    folder.mkdir(parents=True)
    for suffix in SUFFIXES:
        (folder / f"noegletal{suffix}").write_text(f"last good{suffix}")
    result = render_stage(project, stand_in, STAND_IN_FAILS="1")
    assert result.returncode == 1
    assert result.stderr.strip() == "noegletal render: reports/noegletal.qmd: quarto render failed (exit 3) [report]"
    assert outputs(project) == {f"noegletal{s}": f"last good{s}" for s in SUFFIXES}  # not the half page
    assert not list((project.root / "reports").glob(".render-*"))
