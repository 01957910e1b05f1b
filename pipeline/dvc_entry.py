"""DVC as the project runs it: `python -m pipeline.dvc_entry ARGS` is `dvc ARGS`, except that
DVC's YAML files (`dvc.lock` above all) are written whole or not at all.

DVC rewrites `dvc.lock` in place after every stage: it truncates the file, then writes about
1.000 lines in pieces. A run killed in that window leaves a truncated `dvc.lock`, and every
later `dvc` command stops on it ("'./dvc.lock' is invalid") until someone repairs it by hand.
Here the same bytes go to a temporary file beside DVC's other temporary files, then replace
the old file in one rename: a killed run leaves the last complete `dvc.lock`, never part of
one. DVC offers no setting for this, so its one YAML writer is replaced for this process.

This module imports nothing from the project and DVC only when run, so the commands can take
`DVC` from here without loading DVC."""

from __future__ import annotations

import os
import sys
import tempfile

DVC = [sys.executable, "-m", "pipeline.dvc_entry"]
"""The command that runs DVC for the project, to which DVC's own arguments are added."""

DVC_ENV = {"DVC_NO_ANALYTICS": "1"}


def write_whole(path, write) -> None:
    """Write the text file `path` by `write(stream)`, whole or not at all: into a temporary file
    on the same file system, then one rename over `path`, keeping its permissions."""
    path = os.path.abspath(os.fspath(path))
    directory = os.path.dirname(path)
    scratch = os.path.join(directory, ".dvc", "tmp")
    fd, tmp = tempfile.mkstemp(dir=scratch if os.path.isdir(scratch) else directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def whole_file_writes() -> None:
    """Make DVC's YAML writer (`_dump_data`, used for `dvc.lock`, `dvc.yaml` and `.dvc` files)
    write whole files. Refuses to run if DVC's writer is no longer where it was, rather than
    falling back to writes in place without saying so."""
    from dvc.fs import LocalFileSystem
    from dvc.utils.serialize import _common, _yaml

    original = getattr(_common, "_dump_data", None)
    if original is None or getattr(_yaml, "_dump_data", None) is not original:
        raise SystemExit(
            "pipeline/dvc_entry.py: this DVC version writes its YAML files elsewhere; "
            "the whole-file writes need updating for it"
        )

    def dump_whole(path, data, dumper, fs=None, **dumper_args):
        if fs is not None and not isinstance(fs, LocalFileSystem):
            return original(path, data, dumper, fs=fs, **dumper_args)
        write_whole(path, lambda stream: dumper(data, stream, **dumper_args))

    _common._dump_data = dump_whole
    _yaml._dump_data = dump_whole


def main(argv: list[str]) -> int:
    whole_file_writes()
    from dvc.cli import main as dvc_main

    return dvc_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
