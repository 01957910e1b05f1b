"""Adding releases to data/raw/ changes the tables with no code change."""

from __future__ import annotations

import json

from pipeline import schemas
from pipeline.core_stages import run_core
from pipeline.table_files import table_file_stem

from conftest import write_release

NSK = "final,National enhed for Særlig Kriminalitet,Politiets nøgletal på rocker-/bandeområdet"


def table(paths, table_id):
    return json.loads((paths.tables / f"{table_file_stem(table_id)}.json").read_text(encoding="utf-8"))


def test_new_half_year_is_extrapolated_from_six_months(project):
    write_release(
        project,
        "nsk_2025",
        [
            f"skudepisoder,2025,10,6,,,flow,skudepisoder,{NSK},2025,,,januar-juni 2025",
            f"saarede,2025,7,6,,,flow,personer,{NSK},2025,,,januar-juni 2025",
            f"draebte,2025,1,6,,,flow,personer,{NSK},2025,,,januar-juni 2025",
            f"sigtelser,2025,1.500,6,,,flow,sigtelser,{NSK},2025,,,januar-juni 2025",
            f"medlemmer,2025,1.290,,,2025-06-30,stock,personer,{NSK},2025,,,",
        ],
    )
    run_core(project)
    t13 = table(project, "1.3")
    assert t13["header"][-1] == "2025 (jan.–jun.)"
    assert t13["header"][-2] == "2024 (jan.–sep.)"
    assert [row[-1] for row in t13["rows"]] == ["10 (20)", "7 (14)", "1 (2)"]
    assert "6 måneder" in t13["note"] and "juli–december" in t13["note"]
    t12 = table(project, "1.2")
    assert t12["rows"][1][-1] == "1.500 (3.000)*"
    assert t12["rows"][0][-1] == "-"  # no strafmasse for 2025
    t11 = table(project, "1.1")
    assert t11["rows"][0][-1] == "1.290"  # a stock: no parenthesis, never annualised


def test_full_year_release_replaces_the_extrapolation(project):
    write_release(project, "nsk_2025", [f"draebte,2024,5,12,,,flow,personer,{NSK},2025,,,made up for the test"])
    run_core(project)
    t13 = table(project, "1.3")
    assert t13["rows"][2][-1] == "5"  # dræbte now observed for the full year
    # the others are still January–September: the header no longer names the months (the 5 is
    # for the whole year), so each partial cell carries the asterisk and the note the months
    assert t13["header"][-1] == "2024"
    assert t13["rows"][0][-1] == "19 (25)*" and t13["rows"][1][-1] == "22 (29)*"
    assert t13["note"].startswith("Note: * ") and "januar–september 2024" in t13["note"]
    cell = [c for c in t13["cells"] if c["series"] == "draebte" and c["reference_year"] == 2024][0]
    assert cell["status"] == "observed" and cell["release_id"] == "nsk_2025"


def monthly_rows(months, regions, value=2):
    header_tail = f"{NSK},2025,,,"
    return [f"skudepisoder,2025,{value},,,,flow,skudepisoder,{header_tail},{m},{r}" for r in regions for m in months]


def with_dimensions(paths, name, rows):
    header = ",".join(schemas.RELEASE_COLUMNS) + ",month,region"
    (paths.raw_releases / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def test_monthly_regional_rows_are_summed_to_a_national_year(project):
    with_dimensions(project, "nsk_2025_maaned", monthly_rows(range(1, 7), ["Københavns Politi", "Fyns Politi"]))
    run_core(project)
    t13 = table(project, "1.3")
    # 2 a month in 2 regions for January–June: 24 observed, 48 for the year
    assert t13["header"][-1] == "2025 (jan.–jun.)"
    assert t13["rows"][0][-1] == "24 (48)"
    import polars as pl

    row = (
        pl.read_parquet(project.derived_figures)
        .filter((pl.col("series") == "skudepisoder") & (pl.col("reference_year") == 2025))
        .row(0, named=True)
    )
    assert row["rows_aggregated"] == 12 and row["regions"] == 2 and row["months_covered"] == 6


import pytest  # noqa: E402

from pipeline.errors import InputError  # noqa: E402


@pytest.mark.parametrize(
    ("rows", "check"),
    [
        (monthly_rows([1, 2, 4], ["A"]), "months_from_january"),
        (monthly_rows([1, 2, 3], ["A"]) + monthly_rows([1, 2], ["B"]), "same_months_in_every_region"),
        (monthly_rows([1, 2], ["A"]) + [r.replace(",A", ",") for r in monthly_rows([1, 2], ["A"])], "regional_or_not"),
        ([r.replace(",,,,flow", ",3,,,flow") for r in monthly_rows([1], ["A"])], "month_or_months_covered"),
        (monthly_rows([13], ["A"]), "month_in_range"),
    ],
)
def test_bad_monthly_regional_rows_are_located(project, rows, check):
    with_dimensions(project, "nsk_2025_maaned", rows)
    from pipeline import ingest

    with pytest.raises(InputError) as exc:
        ingest.run(project)
    assert check in {p.check for p in exc.value.problems}
    assert all(p.line for p in exc.value.problems if p.check == check)
