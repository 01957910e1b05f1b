"""Are the outputs a command prints up to date? DVC's own answer, `dvc status --json`, for
the stages the command reads (and the stages before them), so that a changed params.yaml or
raw file is never shown as if it were the current result."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.dvc_entry import DVC, DVC_ENV


@dataclass
class Status:
    """`stages`: each stage DVC reports as changed, with what changed in it; `error`: why
    DVC could not answer (not a DVC project, not a git repository, …), else None."""

    stages: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None

    @property
    def stale(self) -> bool:
        return bool(self.stages)


def _changes(entries: list) -> list[str]:
    """DVC's entries for one stage as short phrases: 'params.yaml: extrapolation modified',
    'outputs/comparison deleted', 'always changed'."""
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
            continue
        for kind, changed in entry.items():
            if not isinstance(changed, dict):
                out.append(kind)
                continue
            for path, how in changed.items():
                if isinstance(how, dict):  # params: {"params.yaml": {"extrapolation": "modified"}}
                    out += [f"{path}: {key} {what}" for key, what in how.items()]
                else:
                    out.append(f"{path} {how}")
    return out


def dvc_status(root: Path, targets: list[str] | None = None) -> Status:
    """`dvc status --json --with-deps TARGETS` in the project at `root` (all stages without targets)."""
    cmd = [*DVC, "status", "--json", *(["--with-deps", *targets] if targets else [])]
    result = subprocess.run(cmd, cwd=root, env=os.environ | DVC_ENV, capture_output=True, text=True)
    if result.returncode:
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        return Status(error=(lines[0] if lines else f"exit {result.returncode}").removeprefix("ERROR: "))
    try:
        reported = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        return Status(error="dvc status gave no JSON")
    return Status({stage.split(":")[-1]: _changes(entries) for stage, entries in reported.items()})


def stale_message(status: Status) -> str | None:
    """One warning, or None when DVC says everything shown is up to date."""
    if status.error:
        return f"Could not check whether the outputs are up to date (dvc status: {status.error})."
    if not status.stale:
        return None
    stages = "; ".join(
        f"{stage} ({', '.join(changes)})" if changes else stage for stage, changes in status.stages.items()
    )
    return (
        f"The outputs shown are out of date: dvc status reports changes in {stages}. "
        "They are from the last run; `noegletal run` brings them up to date."
    )


def repro(root: Path, target: str | None = None) -> subprocess.CompletedProcess:
    """`dvc repro` (quietly), of one stage and those before it, or of the whole pipeline."""
    cmd = [*DVC, "repro", "--quiet", *([target] if target else [])]
    return subprocess.run(cmd, cwd=root, env=os.environ | DVC_ENV, capture_output=True, text=True)
