"""`python -m pipeline.render`, the DVC stage's command."""

from pipeline.render import run
from pipeline.stage import stage_main

stage_main(run, "render")
