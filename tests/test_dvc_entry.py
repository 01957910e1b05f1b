"""DVC as the project runs it writes its YAML files whole: a run killed while DVC writes
`dvc.lock` leaves the last complete one (pipeline/dvc_entry.py)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from dvc.utils.serialize import _common, _yaml, dump_yaml, load_yaml, modify_yaml
from hypothesis import given, strategies as st
from ruamel.yaml.representer import RepresenterError

from pipeline import dvc_entry

from conftest import REPO

LOCK = {"schema": "2.0", "stages": {"ingest": {"cmd": "python -m pipeline stage ingest"}}}


@pytest.fixture
def whole(monkeypatch):
    """DVC's writer replaced for this test only."""
    monkeypatch.setattr(_common, "_dump_data", _common._dump_data)
    monkeypatch.setattr(_yaml, "_dump_data", _yaml._dump_data)
    monkeypatch.setattr(_yaml, "parse_yaml_for_update", _yaml.parse_yaml_for_update)
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
    monkeypatch.setattr(_yaml, "parse_yaml_for_update", _yaml.parse_yaml_for_update)
    if replaced:
        dvc_entry.whole_file_writes()
    (tmp_path / ".dvc" / "tmp").mkdir(parents=True)
    lock = tmp_path / "dvc.lock"
    dump_yaml(lock, LOCK)
    before = lock.read_bytes()
    with pytest.raises(RepresenterError), modify_yaml(lock) as data:
        data["stages"]["tables"] = {"cmd": "x", "deps": [str(i) for i in range(5000)] + [Unwritable()]}
    assert (lock.read_bytes() == before) is replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dvc", "dvc.lock"], "temporary file left behind"


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
    # the killed writer's temporary file, beside the lock, goes with the next write
    assert [p.name for p in tmp_path.glob(".dvc.lock.*.tmp")]
    dvc_entry.write_whole(lock, lambda stream: stream.write("schema: '2.0'\nstages: {}\n"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dvc", "dvc.lock", "started"]


def test_through_a_link_the_file_it_points_to_is_written(tmp_path, whole):
    """As DVC's in-place write does: the link stays, the file behind it changes, even on
    another folder (the temporary file is made beside that file)."""
    (tmp_path / "store").mkdir()
    real = tmp_path / "store" / "real.lock"
    real.write_text("{}\n")
    (tmp_path / "dvc.lock").symlink_to(real)
    dump_yaml(tmp_path / "dvc.lock", LOCK)
    assert (tmp_path / "dvc.lock").is_symlink()
    assert load_yaml(real) == LOCK
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["real.lock"]


def test_a_lock_with_a_yaml_directive_is_read_as_dvc_reads_it():
    text = "%YAML 1.1\n---\nstages:\n  a:\n    cmd: yes\n"
    read = dvc_entry._read_lock_fast(_yaml.parse_yaml_for_update)(text, "dvc.lock")
    assert type(read) is not dict and read == _yaml.parse_yaml_for_update(text, "dvc.lock")


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


scalars = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.dates()
)
keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
lock_data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4))


def dvc_text(data) -> str:
    stream = io.StringIO()
    _yaml._dump(data, stream)
    return stream.getvalue()


@given(st.dictionaries(keys, lock_data, min_size=1, max_size=4))
def test_a_lock_read_fast_is_rewritten_to_the_same_bytes(data):
    """Whatever DVC wrote into dvc.lock, read with the C parser, holds the values DVC's
    round-trip parser reads; wherever DVC's own read and write give back the same bytes, the
    fast read does too. (DVC's does not always: it can change a float's last digit,
    1.6073018678713299e-299 → …298e-299, and a key '\x85' comes back as ' '.)"""
    text = dvc_text(data)
    fast = dvc_entry._read_lock_fast(_yaml.parse_yaml_for_update)(text, "dvc.lock")
    slow = _yaml.parse_yaml_for_update(text, "dvc.lock")
    assert fast == slow
    if dvc_text(slow) == text:
        assert dvc_text(fast) == text


def test_the_shipped_lock_is_read_fast_to_the_same_bytes():
    text = (REPO / "dvc.lock").read_text(encoding="utf-8")
    fast = dvc_entry._read_lock_fast(_yaml.parse_yaml_for_update)(text, "dvc.lock")
    assert type(fast) is dict, "the shipped dvc.lock is read with the C parser"
    assert dvc_text(fast) == text


def test_a_corrupt_lock_gives_dvcs_own_error():
    with pytest.raises(_yaml.YAMLFileCorruptedError):
        dvc_entry._read_lock_fast(_yaml.parse_yaml_for_update)("stages:\n  a: [\n", "dvc.lock")
