"""DVC as the project runs it: `python -m pipeline.dvc_entry ARGS` is `dvc ARGS`, except that
DVC's YAML files (`dvc.lock` above all) are written whole or not at all.

DVC rewrites `dvc.lock` in place after every stage: it truncates the file, then writes its
1.500 lines in pieces. A run killed in that window leaves a truncated `dvc.lock`, and every
later `dvc` command stops on it ("'./dvc.lock' is invalid") until someone repairs it by hand.
Here the same bytes go to a temporary file beside it, which then replaces it in one rename: a
killed run leaves the last complete `dvc.lock`, never part of one. DVC offers no setting for
this, so its one YAML writer is replaced for this process. (DVC's small `.dvc/tmp/rwlock` is
still written in place, in one system call; a kill exactly then leaves it empty.)

The same rewrite first reads `dvc.lock` with ruamel's round-trip parser, which keeps the
layout of files people edit: 0,13–0,25 s per stage for our 1.500 lines, a second or two of
every run. DVC writes `dvc.lock` itself, so it is read here with the C parser instead, about
seven times faster, to the same values; written again, a file DVC wrote comes out byte for
byte the same (tests/test_dvc_entry.py). A `dvc.lock` with a comment, an anchor, a tag or a
YAML directive is read as DVC reads it; one edited by hand into another layout (flow style,
block strings, hexadecimal) keeps its values but is written back in DVC's layout.

This module imports nothing from the project and DVC only when run, so the commands can take
`DVC` from here without loading DVC."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import sys
import tempfile

DVC = [sys.executable, "-m", "pipeline.dvc_entry"]
"""The command that runs DVC for the project, to which DVC's own arguments are added."""

DVC_ENV = {"DVC_NO_ANALYTICS": "1"}

DIRECTIVE = re.compile(r"^%", re.M)


def write_whole(path, write) -> None:
    """Write the text file `path` by `write(stream)`, whole or not at all: into a temporary file
    beside it (so on the same file system), then one rename over it, keeping its permission
    bits. Through a symbolic link the file it points to is replaced, as an in-place write would
    change it. A killed writer's temporary file is removed by the next write (DVC's own lock
    keeps a second writer out meanwhile)."""
    target = os.path.realpath(os.fspath(path))
    directory, name = os.path.split(target)
    prefix = f".{name}."
    for stale in glob.glob(os.path.join(glob.escape(directory), glob.escape(prefix) + "*.tmp")):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(stale)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def whole_file_writes() -> None:
    """Make DVC's YAML writer (`_dump_data`, used for `dvc.lock`, `dvc.yaml` and `.dvc` files)
    write whole files, and its reading of `dvc.lock` before a rewrite fast. Refuses to run
    if DVC's writer is no longer where it was, rather than fall back to writes in place
    without saying so."""
    from dvc.fs import LocalFileSystem
    from dvc.utils.serialize import _common, _yaml

    original = getattr(_common, "_dump_data", None)
    if (
        original is None
        or getattr(_yaml, "_dump_data", None) is not original
        or not callable(getattr(_yaml, "parse_yaml_for_update", None))
    ):
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
    _yaml.parse_yaml_for_update = _read_lock_fast(_yaml.parse_yaml_for_update)


def _read_lock_fast(original_parse):
    """DVC's parse of a file it is about to rewrite, with the C parser for a `dvc.lock` that
    holds nothing the round-trip parser would keep or read otherwise (comments, anchors, tags,
    a `%YAML` directive)."""
    from dvc.utils.serialize._yaml import parse_yaml

    def parse_for_update(text, path):
        if (
            os.path.basename(os.fspath(path)) != "dvc.lock"
            or not isinstance(text, str)
            or any(c in text for c in "#&!")
            or DIRECTIVE.search(text)
        ):
            return original_parse(text, path)
        return parse_yaml(text, path, typ="safe")  # DVC's own reading, with its errors

    return parse_for_update


def main(argv: list[str]) -> int:
    whole_file_writes()
    from dvc.cli import main as dvc_main

    return dvc_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
