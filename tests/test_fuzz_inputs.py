"""Fuzzing the inputs: a valid data/raw/ tree mutated at random — bytes, fields, dates,
numbers, Unicode, file names — goes through the ingest. Every outcome is either success or
a refusal whose every problem is one line naming a file; never another exception, and after
a refusal no output has changed.

Examples: the hypothesis profile's (conftest.py: a few dozen everyday, 2.000 in CI);
NOEGLETAL_FUZZ_EXAMPLES overrides it for this test alone."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import ingest
from pipeline.errors import InputError
from pipeline.params import ParamsError

from conftest import copy_project, examples

EXAMPLES = int(os.environ.get("NOEGLETAL_FUZZ_EXAMPLES") or examples())

# an ingest of the whole tree per example
pytestmark = pytest.mark.slow

# text that has broken or could break a reader, a parser or a renderer
NASTY = st.sampled_from(
    [
        "",
        " ",
        '"',
        '""',
        '1"2',
        "=1+1",
        "-2+3",
        "+45",
        "@x",
        "\t",
        "1.5.20",
        "1,5",
        "1.52",
        "9" * 40,
        "2024-02-30",
        "2024-13-45",
        "2099-12-31",
        "2024",
        "2024-09",
        "0000",
        "-1",
        "1e5",
        "NaN",
        "inf",
        "\u202e",
        "\u200b",
        "ø",
        "Æ",
        "𝑦",
        "$y$",
        "&amp;",
        "<b>",
        "\\",
        ",",
        ",,",
        "\ufeff",
        "ﬁ",
    ]
)
FIELD_TEXT = st.one_of(NASTY, st.text(max_size=12), st.integers(-(10**6), 10**18).map(str))
NAMES = st.sampled_from(["x.CSV", "x.csv.txt", "x", ".x.csv", "x y.csv", "æøå.csv", "x.csv"])


@st.composite
def mutation(draw):
    kind = draw(st.sampled_from(["field", "field", "field", "byte", "rename", "truncate", "duplicate_line"]))
    return kind, draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6)), draw(FIELD_TEXT), draw(NAMES)


def apply(paths, kind, a, b, text, name) -> None:
    files = sorted(p for p in paths.raw.rglob("*.csv") if p.is_file())
    target = files[a % len(files)]
    data = target.read_bytes()
    if kind == "byte" and data:
        i = b % len(data)
        target.write_bytes(data[:i] + bytes([a % 256]) + data[i + 1 :])
    elif kind == "rename":
        target.rename(target.with_name(name))
    elif kind == "truncate":
        target.write_bytes(data[: b % (len(data) + 1)])
    else:
        lines = data.decode("utf-8", errors="replace").split("\n")
        if len(lines) < 2:
            return
        row = 1 + b % max(1, len(lines) - 2)
        if kind == "duplicate_line":
            lines.insert(row, lines[row])
        else:
            fields = lines[row].split(",")
            fields[a % len(fields)] = text
            lines[row] = ",".join(fields)
        target.write_text("\n".join(lines), encoding="utf-8")


def snapshot(paths) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths.validated.rglob("*")) if p.is_file()
    }


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(mutation(), min_size=1, max_size=3))
def test_any_mutation_is_accepted_or_refused_in_lines_that_name_a_file(tmp_path_factory, mutations):
    base = tmp_path_factory.getbasetemp() / "fuzz_base"
    if not base.exists():
        base.mkdir()
        ingest.run(copy_project(base))
    work = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(base, work, dirs_exist_ok=True)
    from pipeline.paths import Paths

    paths = Paths(work)
    before = snapshot(paths)
    for m in mutations:
        apply(paths, *m)
    try:
        ingest.run(paths)
    except InputError as exc:
        assert exc.problems
        for problem in exc.problems:
            line = problem.render()
            assert "\n" not in line and problem.file, line
            assert problem.file.startswith("data/raw") or problem.file == "(all files)", line
        assert snapshot(paths) == before
    except ParamsError as exc:  # a renamed file cannot reach params.yaml, but be exact
        assert "\n" not in str(exc)
        assert snapshot(paths) == before
