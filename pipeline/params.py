"""params.yaml: the choices a run depends on (DVC tracks each section separately)."""

from __future__ import annotations

from typing import Any

import yaml

from pipeline.paths import Paths


def load_params(paths: Paths) -> dict[str, Any]:
    with paths.params.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}
