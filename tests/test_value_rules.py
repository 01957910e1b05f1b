"""Rules on a release row's value are data (pipeline/schemas/ VALUE_RULES): a new one is a
declaration, and every evaluator decides it — the row rules (polars, pandera) and the release
scan's test on groups of rows (sql/tests/release_groups_break_no_rule.sql)."""

from __future__ import annotations

import pytest

from pipeline import release_scan, schemas
from pipeline.schemas import releases

from test_release_scan import assert_scan_agrees, monthly_release, write

AT_MOST_FIVE = schemas.ValueRule("at_most_five", "is above five, the most this test allows", maximum=5)


@pytest.fixture
def at_most_five(monkeypatch):
    """The rule declared, as a new line of VALUE_RULES would declare it."""
    rules = (*schemas.VALUE_RULES, AT_MOST_FIVE)
    monkeypatch.setattr(schemas, "VALUE_RULES", rules)
    monkeypatch.setattr(releases, "VALUE_RULES", rules)
    column = schemas.release_figures.columns["value"]
    monkeypatch.setattr(column, "checks", [r.rule() for r in rules])
    # the pandera schema is built once per process: an earlier test may have built it without the rule
    monkeypatch.delitem(vars(schemas.release_figures), "pandera", raising=False)


def test_the_row_rules_are_made_from_the_data():
    names = [r.name for r in schemas.release_figures.columns["value"].checks]
    assert names == [r.name for r in schemas.VALUE_RULES]


@pytest.mark.usefixtures("at_most_five")
@pytest.mark.parametrize(
    ("value", "refused_by"), [("5", set()), ("6", {"at_most_five"}), ("5,5", {"at_most_five", "whole_number"})]
)
def test_a_new_value_rule_is_decided_by_the_scan_and_the_rows(project, value, refused_by):
    for path in project.raw_releases.glob("*.csv"):  # the shipped figures are above five
        path.unlink()
    write(project, "zz_monthly", monthly_release(value=value))
    scanned, problems = assert_scan_agrees(project)
    assert (scanned is None) == bool(refused_by)
    assert {p.check for p in problems} == refused_by
    assert "at_most_five" in release_scan.decided_in_sql(project)
