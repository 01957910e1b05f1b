"""Golden tests: Tables 1.1–1.3 rebuilt from data/raw/ equal what the VIVE report printed.

The expected values are not typed here: they are the report's printed values, recorded in
data/raw/published/ apart from the releases the pipeline computes from."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipeline.params import load_params
from pipeline.table_files import table_file_stem
from pipeline.tables import cell_text

TABLE_IDS = ("1.1", "1.2", "1.3")


def table_json(built, table_id):
    return json.loads((built.tables / f"{table_file_stem(table_id)}.json").read_text(encoding="utf-8"))


def computed_cell(built, table_id, series, year):
    table = table_json(built, table_id)
    spec = next(t for t in load_params(built)["tables"].values() if t["number"] == table_id)
    marker = spec["partial_marker"]
    matches = [c for c in table["cells"] if c["series"] == series and c["reference_year"] == year]
    assert len(matches) == 1, (table_id, series, year)
    return matches[0], cell_text(matches[0], marker)


def test_every_published_cell_is_reproduced(built, published):
    rows = published.filter(pl.col("table_id").is_in(TABLE_IDS) & pl.col("measure").is_in(["observed", "missing"]))
    # 11 member counts, 4 strafmasse cells (one missing), 4 sigtelser, 3 × 4 in Table 1.3
    assert rows.height == 11 + 4 + 4 + 12
    for row in rows.iter_rows(named=True):
        cell, text = computed_cell(built, row["table_id"], row["series"], row["reference_year"])
        assert text == row["printed"], row


def test_published_numbers_equal_computed_numbers(built, published):
    checked = 0
    for row in published.filter(pl.col("table_id").is_in(TABLE_IDS)).iter_rows(named=True):
        cell, _ = computed_cell(built, row["table_id"], row["series"], row["reference_year"])
        if row["measure"] == "observed":
            assert cell["observed_value"] == row["value"], row
        elif row["measure"] == "full_year_estimate":
            assert cell["status"] == "estimated"
            assert cell["value"] == row["value"], row
        elif row["measure"] == "missing":
            assert cell["observed_value"] is None and cell["value"] is None
        else:
            continue
        checked += 1
    # the four parenthesised extrapolations (2.908, 25, 29, 3) are among them
    assert published.filter(pl.col("measure") == "full_year_estimate").height == 4
    assert checked == 35


@pytest.mark.parametrize("table_id", TABLE_IDS)
def test_table_files_hold_the_printed_cells(built, published, table_id):
    csv_text = (built.tables / f"{table_file_stem(table_id)}.csv").read_text(encoding="utf-8")
    md_text = (built.tables / f"{table_file_stem(table_id)}.md").read_text(encoding="utf-8")
    for printed in published.filter(
        (pl.col("table_id") == table_id) & pl.col("measure").is_in(["observed", "missing"])
    )["printed"]:
        assert printed in csv_text
        assert f" {printed} |" in md_text


def test_table_layout_follows_the_report(built):
    t11, t12, t13 = (table_json(built, t) for t in TABLE_IDS)
    assert t11["header"][1:] == [str(y) for y in range(2014, 2025)]
    assert t12["header"][1:] == ["2021", "2022", "2023", "2024"]
    assert t13["header"][-1] == "2024 (jan.–sep.)"
    assert [r[0] for r in t13["rows"]] == ["Skudepisoder", "Sårede", "Dræbte"]
    assert t12["note"].startswith("Note: * ") and "9 måneder" in t12["note"]
    # VIVE printed no note under Table 1.1 but said in the text under it that 2024 was counted
    # at the end of September; the table says it, as the count dates in data/raw/ give it
    assert t11["note"] == "Note: 2024: opgjort 30. september 2024. For de øvrige år er opgørelsesdatoen ikke oplyst."
    assert "Rigspolitiet 2014, 2015, 2016, 2017" in t11["source"]
    assert "Nationalt Efterforskningscenter 2018, 2019, 2020" in t11["source"]


def test_every_output_row_carries_a_status(built):
    figures = pl.read_parquet(built.data_out / "keyfigures.parquet")
    assert set(figures["status"].unique()) == {"observed", "estimated"}
    estimated = figures.filter(pl.col("status") == "estimated")
    assert (estimated["months_exposure"] < 12).all()
    danish = estimated.filter(pl.col("country") == "DK")
    assert danish["months_covered"].to_list() == [9] * danish.height == [9] * 4
    assert estimated["method"].unique().to_list() == ["linear"]
    # a stock is never annualised
    assert figures.filter(pl.col("kind") == "stock")["status"].unique().to_list() == ["observed"]
