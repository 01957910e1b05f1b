"""How a stage runs from the command line (DVC calls `python -m pipeline.<stage>`)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from pipeline.errors import InputError


def stage_main(run: Callable[[], None], name: str) -> None:
    """Run a stage; on bad input print every problem and exit 1, having written nothing."""
    try:
        run()
    except InputError as exc:
        print(f"noegletal {name}: {exc.render()}", file=sys.stderr)
        sys.exit(1)
