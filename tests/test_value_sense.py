"""Values that make sense: a number has a bounded number of digits, and a national figure
beyond its series' plausible maximum (data/raw/series.csv) is refused with the limit named."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from pipeline import ingest, schemas
from pipeline.errors import InputError

from conftest import write_release

NSK = "National enhed for Særlig Kriminalitet,Politiets nøgletal på rocker-/bandeområdet"


def killed(value: str) -> str:
    return f"draebte,2025,{value},6,,,flow,personer,final,{NSK},2025,,,"


def problems_of(project, rows, name="nsk_2025"):
    write_release(project, name, rows)
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    return exc.value.problems


def test_a_400_digit_value_is_refused_not_read_as_infinity(project):
    problems = problems_of(project, [killed("9" * 400)])
    assert [(p.check, p.line, p.column) for p in problems] == [("number_format", 2, "value")]
    assert "at most 15 digits" in problems[0].message


def test_a_figure_beyond_its_plausible_maximum_names_the_limit(project):
    problems = problems_of(project, [killed("1.000.000.000.000")])
    assert [(p.check, p.line, p.column) for p in problems] == [("plausible_max", 2, "value")]
    assert "1.000" in problems[0].message and "plausible maximum 1.000" in problems[0].message


def test_a_sum_of_rows_beyond_the_maximum_names_its_file(project):
    header = ",".join(schemas.RELEASE_COLUMNS) + ",month,region"
    rows = [f"draebte,2025,600,,,,flow,personer,final,{NSK},2025,,,,{m},A" for m in (1, 2)]
    (project.raw_releases / "nsk_2025_maaned.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    (problem,) = exc.value.problems
    assert problem.check == "plausible_max" and problem.file.endswith("nsk_2025_maaned.csv")
    assert "sum of 2 rows" in problem.message


DANISH = re.compile(schemas.NUMBER_PATTERN)


def reading(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


@settings(max_examples=500)
@given(st.from_regex(r"\A-?[0-9][0-9.,]{0,30}\Z"))
def test_every_accepted_number_is_finite_and_exact_enough(text):
    """The pattern admits only numbers a double reads to within its precision: no infinity,
    no silent loss of whole units."""
    if not DANISH.match(text):
        return
    value = reading(text)
    whole = abs(int(value))
    assert whole < 10**schemas.MAX_WHOLE_DIGITS
    assert float(whole) == whole  # every whole part admitted is exact as a double


# --- text that cannot spoof or inject --------------------------------------------------------

from pipeline import fmt  # noqa: E402


@pytest.mark.parametrize("note", ["-2+3+cmd|' /C calc'!A0", '=HYPERLINK("x")', "+1+cmd", "@SUM(A1)"])
def test_formula_like_text_is_refused_on_input(project, note):
    problems = problems_of(project, [f"draebte,2025,1,6,,,flow,personer,final,{NSK},2025,,,{note}"])
    assert [(p.check, p.line, p.column) for p in problems] == [("no_formula", 2, "note")]


def test_a_direction_override_is_refused_and_shown_escaped(project):
    problems = problems_of(project, [f"draebte,2025,1,6,,,flow,personer,final,{NSK},2025,,,2 / 9\u202e × 12"])
    (problem,) = problems
    assert problem.check == "no_invisible" and problem.column == "note"
    assert "\\u202e" in problem.render() and "\u202e" not in problem.render()


@given(st.text(max_size=30))
def test_every_csv_cell_written_is_safe(text):
    """Whatever text reaches a CSV output, a spreadsheet cannot read it as a formula: it
    starts with none of = + - @ tab CR, or it is a number as a whole."""
    cell = fmt.spreadsheet_safe(text)
    assert not fmt.FORMULA_START.search(cell) or fmt.WHOLE_NUMBER.fullmatch(cell)
    assert cell in (text, "'" + text)
    import polars as pl

    framed = fmt.spreadsheet_safe_frame(pl.DataFrame({"c": [text]}))["c"][0]
    assert framed == cell


def test_a_repeated_series_id_is_one_problem_of_series_csv(project):
    with project.raw_series.open("a", encoding="utf-8") as fh:
        fh.write("draebte,DK,Dræbte igen,personer,flow,x,true,Def.,Kilde,\n")
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    assert {(p.file, p.check) for p in exc.value.problems} == {("data/raw/series.csv", "field_uniqueness")}


def test_a_backwards_year_range_in_a_statement_is_refused(project):
    path = project.raw_statements / "vive_2025.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",mean,strafmasse,2021-2023,", ",mean,strafmasse,2023-2021,", 1), encoding="utf-8")
    assert text != path.read_text(encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    assert [(p.check, p.column) for p in exc.value.problems] == [("years_ascending", "years")]


# --- dates no later than the run's reference date ------------------------------------------------

import yaml  # noqa: E402


def with_as_of(project, day: str) -> None:
    settings = yaml.safe_load(project.params.read_text(encoding="utf-8"))
    settings["as_of"] = day
    project.params.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_release_from_the_future_is_refused(project):
    with_as_of(project, "2026-06-30")
    problems = problems_of(project, [f"draebte,2025,1,6,,,flow,personer,final,{NSK},2099-12-31,,,"])
    assert [(p.check, p.line, p.column) for p in problems] == [("published_in_future", 2, "published")]
    assert "2026-06-30 (params.yaml as_of)" in problems[0].message


def test_a_year_after_the_reference_year_is_refused(project):
    with_as_of(project, "2026-06-30")
    problems = problems_of(project, [f"draebte,2030,1,6,,,flow,personer,final,{NSK},2026,,,"])
    assert [(p.check, p.column) for p in problems] == [("year_in_future", "reference_year")]


def test_the_shipped_data_is_not_from_the_future_of_its_newest_release(project):
    with_as_of(project, "2026-02-02")  # the newest release's day
    ingest.run(project)
    figures = pl.read_parquet(project.validated_figures)
    # the boundary is inclusive: the release of that very day is read, not refused
    assert figures["published_start"].max() == datetime.date(2026, 2, 2)
    assert set(figures["source_file"]) == {project.relative(f) for f in project.raw_releases.glob("*.csv")}


def test_a_cycle_in_the_notifications_parents_is_refused(project):
    path = project.raw_notifications / "vive_2025_custom_notifications.csv"
    text = path.read_text(encoding="utf-8")
    # fokuspersoner gets a parent inside its own tree: fokuspersoner -> ikke_naaet -> fokuspersoner
    path.write_text(text.replace("\nfokuspersoner,,", "\nfokuspersoner,ikke_naaet,", 1), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    (problem,) = exc.value.problems
    assert problem.check == "parent_cycle" and problem.column == "parent" and problem.line == 2
    assert "fokuspersoner → ikke_naaet → fokuspersoner" in problem.message


def test_the_invisible_characters_are_every_format_and_control_character():
    import sys
    import unicodedata

    expected = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cf", "Cc") and chr(c) not in "\t\n\r"
    }
    found = {chr(c) for c in range(sys.maxunicode + 1) if fmt.INVISIBLE.fullmatch(chr(c))}
    assert found == expected
