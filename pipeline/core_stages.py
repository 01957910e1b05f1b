"""The core stages in order, run in one process (tests, benchmarks). `noegletal run` goes
through DVC instead, which runs each stage as its own process and skips unchanged ones."""

from __future__ import annotations

from pipeline import extrapolate, ingest, tables
from pipeline.paths import Paths

CORE_STAGES = (ingest, extrapolate, tables)


def run_core(paths: Paths) -> None:
    for stage in CORE_STAGES:
        stage.run(paths)
