"""A run publishes all of its outputs or none (pipeline/publish.py): the outputs are put
back after a failure, also when there were none before, also after a run killed outright,
and a restore that cannot finish keeps the copy and says where it is."""

from __future__ import annotations

import os

import pytest

from pipeline import publish


def tree(root):
    return {
        str(p.relative_to(root)): p.read_bytes()
        for d in publish.USER_FACING
        for p in sorted((root / d).rglob("*"))
        if p.is_file()
    }


def seed(paths):
    for name in publish.USER_FACING:
        (paths.root / name / "sub").mkdir(parents=True, exist_ok=True)
        (paths.root / name / "sub" / "a.txt").write_text(f"old {name}\n", encoding="utf-8")


def test_a_failure_puts_everything_back(project):
    seed(project)
    before = tree(project.root)
    with pytest.raises(RuntimeError), publish.all_or_nothing(project):
        (project.root / "outputs" / "sub" / "a.txt").write_text("new\n", encoding="utf-8")
        (project.root / "outputs" / "b.txt").write_text("new\n", encoding="utf-8")
        raise RuntimeError("a stage failed")
    assert tree(project.root) == before
    assert not (project.root / ".staging" / publish.BACKUP).exists()


def test_outputs_that_did_not_exist_are_removed_again(project):
    with pytest.raises(RuntimeError), publish.all_or_nothing(project):
        (project.root / "outputs").mkdir()
        (project.root / "outputs" / "b.txt").write_text("new\n", encoding="utf-8")
        raise RuntimeError("a stage failed")
    assert not (project.root / "outputs").exists()


def test_a_success_keeps_the_new_outputs(project):
    seed(project)
    with publish.all_or_nothing(project):
        (project.root / "outputs" / "sub" / "a.txt").write_text("new\n", encoding="utf-8")
    assert (project.root / "outputs" / "sub" / "a.txt").read_text(encoding="utf-8") == "new\n"


def test_the_copy_of_a_run_killed_outright_is_put_back_first(project):
    """A run killed outright (SIGKILL) leaves its complete copy and half-new outputs; the
    next run starts from the last good outputs."""
    import shutil

    seed(project)
    before = tree(project.root)
    backup = project.root / ".staging" / publish.BACKUP
    for name in publish.USER_FACING:
        shutil.copytree(project.root / name, backup / name)
    (backup / publish.COMPLETE).write_text("", encoding="utf-8")
    (project.root / "outputs" / "sub" / "a.txt").write_text("half-done\n", encoding="utf-8")
    with publish.all_or_nothing(project):
        assert tree(project.root) == before


def test_a_restore_that_cannot_finish_keeps_the_copy(project, monkeypatch):
    seed(project)
    real = os.replace

    def refuse(src, dst):
        if publish.BACKUP in str(src):
            raise PermissionError(13, "Permission denied", str(src), None, str(dst))
        return real(src, dst)

    with pytest.raises(publish.RestoreFailed) as exc, publish.all_or_nothing(project):
        monkeypatch.setattr(publish.os, "replace", refuse)
        raise RuntimeError("a stage failed")
    assert "the last good outputs are kept in" in str(exc.value)
    assert (project.root / ".staging" / publish.BACKUP / "outputs" / "sub" / "a.txt").is_file()
