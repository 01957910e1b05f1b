"""DVC as the project runs it writes its YAML files whole: a run killed while DVC writes
`dvc.lock` leaves the last complete one (pipeline/dvc_entry.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from dvc.utils.serialize import _common, _yaml, dump_yaml, load_yaml, modify_yaml
from ruamel.yaml.representer import RepresenterError

from pipeline import dvc_entry

LOCK = {"schema": "2.0", "stages": {"ingest": {"cmd": "python -m pipeline stage ingest"}}}


@pytest.fixture
def whole(monkeypatch):
    """DVC's writer replaced for this test only."""
    monkeypatch.setattr(_common, "_dump_data", _common._dump_data)
    monkeypatch.setattr(_yaml, "_dump_data", _yaml._dump_data)
    dvc_entry.whole_file_writes()


class Unwritable:
    """A value the YAML writer fails on, part of the way through the file."""


def test_the_same_bytes_as_dvc_writes(tmp_path, whole):
    dump_yaml(tmp_path / "dvc.lock", LOCK)
    with modify_yaml(tmp_path / "dvc.lock") as data:
        data["stages"]["tables"] = {"cmd": "python -m pipeline stage tables"}
    assert load_yaml(tmp_path / "dvc.lock")["stages"]["tables"] == {"cmd": "python -m pipeline stage tables"}
    written = (tmp_path / "dvc.lock").read_bytes()
    (tmp_path / "dvc.lock").unlink()
    assert _yaml._dump_data.__name__ == _common._dump_data.__name__ == "dump_whole"
    data = dict(LOCK, stages=dict(LOCK["stages"], tables={"cmd": "python -m pipeline stage tables"}))
    in_place = tmp_path / "in_place.lock"
    with open(in_place, "w", encoding="utf-8") as stream:
        _yaml._dump(data, stream)
    assert written == in_place.read_bytes()


@pytest.mark.parametrize("replaced", [True, False], ids=["whole", "dvc-in-place"])
def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch, replaced):
    """DVC's own writer truncates first: the same failure leaves part of a file. The test would
    fail for the project's writer if it wrote in place."""
    monkeypatch.setattr(_common, "_dump_data", _common._dump_data)
    monkeypatch.setattr(_yaml, "_dump_data", _yaml._dump_data)
    if replaced:
        dvc_entry.whole_file_writes()
    (tmp_path / ".dvc" / "tmp").mkdir(parents=True)
    lock = tmp_path / "dvc.lock"
    dump_yaml(lock, LOCK)
    before = lock.read_bytes()
    with pytest.raises(RepresenterError), modify_yaml(lock) as data:
        data["stages"]["tables"] = {"cmd": "x", "deps": [str(i) for i in range(5000)] + [Unwritable()]}
    assert (lock.read_bytes() == before) is replaced
    assert not list((tmp_path / ".dvc" / "tmp").iterdir()), "temporary file left behind"


def test_permissions_kept(tmp_path, whole):
    lock = tmp_path / "dvc.lock"
    lock.write_text("{}\n")
    lock.chmod(0o640)
    dump_yaml(lock, LOCK)
    assert lock.stat().st_mode & 0o777 == 0o640


def test_killed_while_writing_leaves_the_last_complete_file(tmp_path):
    """SIGKILL while the writer is part of the way through: the old file, whole."""
    (tmp_path / ".dvc" / "tmp").mkdir(parents=True)
    lock = tmp_path / "dvc.lock"
    lock.write_text("schema: '2.0'\n", encoding="utf-8")
    started = tmp_path / "started"
    child = textwrap.dedent(
        f"""
        import time
        from pipeline.dvc_entry import whole_file_writes
        whole_file_writes()
        from dvc.utils.serialize import dump_yaml

        def slow(data, stream):
            for i in range(10_000):
                stream.write(f"line{{i}}: {{'x' * 60}}\\n")
                stream.flush()
                if i == 100:
                    open({str(started)!r}, "w").close()
                time.sleep(0.001)

        from dvc.utils.serialize import _yaml
        _yaml._dump_data({str(lock)!r}, {{}}, dumper=slow)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], start_new_session=True)
    deadline = time.monotonic() + 60
    while not started.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the writer did not start"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert lock.read_text(encoding="utf-8") == "schema: '2.0'\n"


def test_a_moved_writer_is_refused_in_one_line(monkeypatch):
    monkeypatch.setattr(_common, "_dump_data", _common._dump_data)
    monkeypatch.setattr(_yaml, "_dump_data", lambda *a, **k: None)
    with pytest.raises(SystemExit) as exc:
        dvc_entry.whole_file_writes()
    assert str(exc.value).startswith("pipeline/dvc_entry.py: ") and "\n" not in str(exc.value)


def test_the_entry_runs_dvc(tmp_path):
    result = subprocess.run([*dvc_entry.DVC, "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()[0].isdigit()
