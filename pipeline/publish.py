"""A run publishes all of its outputs or none of them.

DVC runs the stages one by one, and each stage moves its own outputs into place when it has
finished (pipeline/io.py). A run that fails at its fourth stage would leave new tables beside
an old audit and an old report. So `noegletal run` copies the user-facing outputs before the
run and, when the run fails or is interrupted, puts the copy back. The stages that had
finished run again next time: DVC sees that their outputs differ from dvc.lock.

A copy left behind by a run that was killed outright is put back before the next run starts,
so the last good outputs are never lost. A failed run ends with the stage and one line of
cause; DVC's full output goes to logs/last_run.log."""

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
BACKUP = "before_run"
# a marker written once the copy is complete: a copy without it was cut short and is not used
COMPLETE = ".complete"


class RunInProgress(SystemExit):
    def __init__(self) -> None:
        super().__init__("noegletal: another run of this project is in progress; nothing was changed")


class RestoreFailed(SystemExit):
    def __init__(self, backup: Path, exc: OSError) -> None:
        super().__init__(
            f"noegletal: the outputs could not be put back ({exc.strerror}: {exc.filename}); "
            f"the last good outputs are kept in {backup}"
        )


def _restore(paths: Paths, backup: Path, existed: dict[str, bool]) -> None:
    """Put the copy in `backup` back in place of the outputs. What is in place is first moved
    aside whole (a rename needs no permission on the files inside), so a read-only file
    cannot leave the outputs half restored; the copy is only removed once it is back."""
    aside = backup.parent / "failed_run"
    shutil.rmtree(aside, ignore_errors=True)
    try:
        for name in USER_FACING:
            target = paths.root / name
            if target.exists() or target.is_symlink():
                (aside / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, aside / name)
            if existed[name]:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(backup / name, target)
    except OSError as exc:
        raise RestoreFailed(backup, exc) from None
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(backup, ignore_errors=True)


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
        backup = staging / BACKUP
        if (backup / COMPLETE).is_file():  # left by a run that was killed outright
            left = {name: (backup / name).exists() for name in USER_FACING}
            _restore(paths, backup, left)
        shutil.rmtree(backup, ignore_errors=True)
        existed = {}
        for name in USER_FACING:
            source = paths.root / name
            existed[name] = source.exists()
            if existed[name]:
                # a copy, not links: a writer that changes a file in place (an external
                # renderer) would change a link too
                shutil.copytree(source, backup / name, symlinks=True)
        backup.mkdir(exist_ok=True)
        (backup / COMPLETE).write_text("", encoding="utf-8")
        try:
            yield
        except BaseException:
            _restore(paths, backup, existed)
            raise
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
