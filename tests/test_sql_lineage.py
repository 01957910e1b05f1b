"""The SQL reads as lineage (dbt's ref()): every relation a model or test reads is a model of
sql/ (whose result is kept under its name, pipeline/db.py) or a declared source, and staging
models read sources only."""

from __future__ import annotations

import re

import pytest

from pipeline import db

from conftest import REPO

SQL = REPO / "sql"
MODELS = {p.stem for p in SQL.glob("*.sql") if p.stem != "macros"}
FILES = sorted(p for p in SQL.rglob("*.sql") if p.stem != "macros")


def relations_read(text: str) -> set[str]:
    """The relations a query reads: names after `from` or `join`, but its own CTEs and table
    functions (a name followed by a parenthesis)."""
    text = re.sub(r"--[^\n]*", "", text)
    ctes = set(re.findall(r"\b([a-z_][a-z0-9_]*)\s+as\s*\(", text, flags=re.I))
    read = set(re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)\b(?!\s*\()", text, flags=re.I))
    return {r for r in read if r not in ctes and r.lower() not in {"select", "lateral", "unnest"}}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(SQL).as_posix())
def test_a_query_reads_models_and_declared_sources_only(path):
    unknown = relations_read(path.read_text(encoding="utf-8")) - MODELS - set(db.SOURCES)
    assert not unknown, f"{path.name} reads {sorted(unknown)}: neither a model of sql/ nor in pipeline/db.py SOURCES"


@pytest.mark.parametrize("path", sorted(SQL.glob("stg_*.sql")), ids=lambda p: p.name)
def test_staging_reads_one_source_and_no_model(path):
    read = relations_read(path.read_text(encoding="utf-8"))
    assert len(read) <= 1 and not read & MODELS, f"{path.name} reads {sorted(read)}"


def test_the_reading_finds_relations_and_leaves_ctes_and_functions():
    text = "with a as (select * from b) select * from a join c using (x), range(3) cross join unnest(y)"
    assert relations_read(text) == {"b", "c"}


def test_a_source_must_be_declared():
    con = db.connect()
    with pytest.raises(ValueError, match="not a source"):
        db.source(con, "ranked_figures", None)
