"""How a stage runs from the command line (DVC calls `python -m pipeline.<stage>`)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

from pipeline.errors import InputError, one_line


def stage_main(run: Callable[[], None], name: str) -> None:
    """Run a stage; on bad input print every problem and exit 1, having written nothing.

    SIGTERM becomes an exception, so the temporary files of an interrupted stage are removed
    and the outputs of the last good run stay as they were."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        run()
    except InputError as exc:
        print(f"noegletal {name}: {exc.render()}", file=sys.stderr)
        sys.exit(1)
    except PermissionError as exc:
        # a file that cannot be read or replaced (read-only file or folder): the machine's
        # problem, not the data's; one line, and the outputs stay as they were. For a rename
        # the second name is the output in place.
        print(f"noegletal {name}: {exc.strerror}: {exc.filename2 or exc.filename}", file=sys.stderr)
        sys.exit(1)
    except SystemExit as exc:
        # a stage's own one-line refusal (params, browser, formats) stays one line, whatever
        # value it quotes
        if isinstance(exc.code, str):
            raise SystemExit(one_line(exc.code)) from None
        raise


def _terminate(signum, frame):
    raise SystemExit(128 + signum)
