"""A run publishes all of its outputs or none of them.

DVC runs the stages one by one, and each stage moves its own outputs into place when it has
finished (pipeline/io.py). A run that fails at its fourth stage would leave new tables beside
an old audit and an old report. So `noegletal run` keeps the user-facing outputs as they were
before the run (hard links: every stage replaces files by renaming, never in place) and,
when the run fails or is interrupted, puts them back. The stages that had finished are run
again next time: DVC sees that their outputs differ from dvc.lock.

A failed run ends with one line of cause and the stage it failed at; DVC's full output goes
to logs/last_run.log."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from pipeline.paths import Paths

USER_FACING = ("outputs", "reports/_output")
LOG = Path("logs") / "last_run.log"


class RunInProgress(SystemExit):
    def __init__(self) -> None:
        super().__init__("noegletal: another run of this project is in progress; nothing was changed")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextlib.contextmanager
def all_or_nothing(paths: Paths) -> Iterator[None]:
    """Within the block, outputs may change; if it raises (or is interrupted), they are put
    back exactly as they were before it."""
    staging = paths.root / ".staging"
    staging.mkdir(exist_ok=True)
    with (staging / "run.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress() from None
        backup = staging / "before_run"
        shutil.rmtree(backup, ignore_errors=True)  # left by a run killed outright
        existed = {}
        for name in USER_FACING:
            source = paths.root / name
            existed[name] = source.exists()
            if existed[name]:
                shutil.copytree(source, backup / name, copy_function=_link_or_copy, symlinks=True)
        try:
            yield
        except BaseException:
            for name in USER_FACING:
                target = paths.root / name
                shutil.rmtree(target, ignore_errors=True)
                if existed[name]:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(backup / name, target)
            raise
        finally:
            shutil.rmtree(backup, ignore_errors=True)


# What a stage prints to say why it stopped: the project's own one-line messages.
OWN_MESSAGE = re.compile(r"^(noegletal [\w-]+: .*|params\.yaml: .*)$")
PROBLEM_LINE = re.compile(r"^\s+(\S.*\[[\w_]+\])$")
FAILED_STAGE = re.compile(r"failed to reproduce '([^']+)'")


def failure_summary(output: str) -> tuple[str | None, str]:
    """(the stage that failed, one line of cause) from DVC's output of a failed run."""
    stage = next(iter(FAILED_STAGE.findall(output)), None)
    lines = output.splitlines()
    problems = [m.group(1) for line in lines if (m := PROBLEM_LINE.match(line))]
    own = [line.strip() for line in lines if OWN_MESSAGE.match(line.strip())]
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        return stage, problems[0] + more
    if own:
        return stage, own[-1]
    dvc = [line.strip().removeprefix("ERROR:").strip() for line in lines if line.startswith("ERROR:")]
    if dvc and not stage:
        return stage, dvc[0]
    errors = [line.strip() for line in lines if re.match(r"^\w*(Error|Exception)\b.*:", line.strip())]
    if errors:
        return stage, f"unexpected error (a bug in the pipeline, not in the data): {errors[-1]}"
    tail = next((line.strip() for line in reversed(lines) if line.strip()), "no output")
    return stage, tail
