"""The whole pipeline from the command line (`noegletal run`, and `noegletal audit` before it
reads): `dvc repro`, publishing all or nothing (pipeline/publish.py), each stage named as DVC
starts it.

DVC gives no machine-readable account of a repro in progress: `dvc repro` has no JSON output,
and `dvc status --json` (pipeline/freshness.py) tells only what is out of date before a run,
not which stage runs next, as a stage's outputs change those after it. So the progress is read
from DVC's log lines. They decide only what is shown, never whether the run succeeded (DVC's
exit code does): a line DVC words differently goes unshown, nothing else."""

from __future__ import annotations

import os
import re
import signal
import subprocess

import typer
from rich.console import Console

from pipeline.dvc_entry import DVC, DVC_ENV

RUNNING_STAGE = re.compile(r"Running stage '([^']+)'")
SKIPPED_STAGE = "didn't change, skipping"


class _RunFailed(Exception):
    """DVC ended with an error: the outputs are put back, then the cause is told."""


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run_pipeline(out: Console, force: bool = False, quiet: bool = False) -> None:
    """`dvc repro`, publishing all or nothing (pipeline/publish.py); progress on `out`, and
    with `quiet` only the stages that run."""
    from pipeline.params import load_params
    from pipeline.paths import Paths
    from pipeline.publish import LOG, all_or_nothing, failure_summary

    paths = Paths()
    load_params(paths)  # a bad params.yaml stops here, before any stage writes
    cmd = [*DVC, "repro"] + (["--force"] if force else [])
    env = os.environ | DVC_ENV
    output: list[str] = []
    # SIGTERM ends the run as Ctrl-C does: DVC is stopped, then the outputs are put back
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with all_or_nothing(paths), out.status("dvc repro …") as status:
            proc = subprocess.Popen(
                cmd, cwd=paths.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            try:
                for line in proc.stdout:
                    output.append(line)
                    if m := RUNNING_STAGE.match(line):
                        status.update(f"stage {m.group(1)} …")
                        out.print(f"[bold]▶[/] {m.group(1)}")
                    elif SKIPPED_STAGE in line and not quiet:
                        out.print(f"[dim]· {line.strip()}[/]")
                if proc.wait() != 0:
                    raise _RunFailed()
            finally:
                # no stage may still be moving files into place when the outputs are put back
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
    except _RunFailed:
        log = paths.root / LOG
        log.parent.mkdir(exist_ok=True)
        log.write_text("".join(output), encoding="utf-8")
        stage, cause = failure_summary("".join(output))
        where = f" at stage {stage}" if stage else ""
        out.print(f"[red]pipeline failed{where}:[/] ", end="")
        out.print(cause, markup=False, highlight=False)
        out.print(
            f"Nothing was published: {' and '.join(f'{n}/' for n in ('outputs', 'reports/_output'))} "
            f"are as they were before this run. Full output: {LOG.as_posix()}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        out.print("[red]interrupted:[/] nothing was published; the outputs are as they were before this run")
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
