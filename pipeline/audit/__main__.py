"""`python -m pipeline.audit`, the DVC stage's command."""

from pipeline.audit import run
from pipeline.stage import stage_main

stage_main(run, "audit")
