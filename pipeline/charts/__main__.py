"""`python -m pipeline.charts`: the charts stage (dvc.yaml)."""

from pipeline.charts.output import run
from pipeline.stage import stage_main

stage_main(run, "charts")
