"""Writing outputs so that a failed or killed run never leaves half-written files.

Every output is first written under a temporary name and only moved into place (an atomic
rename) once all outputs of the stage are complete. Temporary files live in `.staging/` at
the project root, on the same file system as the outputs but outside every output folder,
so a run killed outright (SIGKILL) never leaves a stray file among the outputs; the next
run that writes the same output removes it."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StagedOutputs:
    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def path(self, target: Path) -> Path:
        """A temporary path to write `target`'s new content to."""
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = _scratch_for(target)
        scratch.mkdir(exist_ok=True)
        pending = {tmp for tmp, _ in self._pending}
        for stale in scratch.glob(f".{target.name}.*.tmp"):  # left by a killed run
            if stale not in pending:
                stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=scratch)
        os.close(fd)
        os.unlink(tmp)  # writers such as DuckDB want to create the file themselves
        self._pending.append((Path(tmp), target))
        return Path(tmp)

    def write_text(self, target: Path, text: str) -> None:
        with self.path(target).open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    def commit(self) -> None:
        # SIGTERM waits until every output is in place, so a stage's outputs never mix two
        # runs (SIGKILL cannot be held off; DVC then sees the outputs differ and re-runs).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        try:
            for tmp, target in self._pending:
                os.replace(tmp, target)
            self._pending.clear()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def discard(self) -> None:
        for tmp, _ in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()


def _scratch_for(target: Path) -> Path:
    """`.staging/` in the project root (the folder holding dvc.yaml) above `target`; for a
    target outside any project (`noegletal chart export --out`), the target's own folder."""
    for folder in target.resolve().parents:
        if (folder / "dvc.yaml").is_file():
            return folder / ".staging"
    return target.parent


@contextmanager
def staged_outputs() -> Iterator[StagedOutputs]:
    """Collect a stage's outputs; move them all into place only if the block succeeds."""
    staged = StagedOutputs()
    try:
        yield staged
    except BaseException:
        staged.discard()
        raise
    staged.commit()
