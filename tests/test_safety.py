"""Safe outputs: CSV cells a spreadsheet would run are neutralised; text is never code."""

from __future__ import annotations

import polars as pl
from hypothesis import given, strategies as st

from pipeline import fmt
from pipeline.table_files import table_csv as to_csv, table_markdown as to_markdown


def test_formula_cells_are_neutralised():
    assert fmt.spreadsheet_safe('=HYPERLINK("http://x","klik")').startswith("'=")
    assert fmt.spreadsheet_safe("+1+1") == "'+1+1"
    assert fmt.spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert fmt.spreadsheet_safe("-cmd") == "'-cmd"
    for harmless in ("-", "-163", "2.181 (2.908)*", "Sårede", ""):
        assert fmt.spreadsheet_safe(harmless) == harmless


@given(st.text())
def test_no_csv_cell_can_start_a_formula(text):
    """A cell starts with none of = + - @ tab CR, unless it is a number as a whole ('-163',
    '+0'), which a spreadsheet reads as that number."""
    safe = fmt.spreadsheet_safe(text)
    assert not safe or safe[0] not in "=+-@\t\r" or fmt.WHOLE_NUMBER.fullmatch(safe)
    assert not safe or safe[0] not in "=@\t\r"
    frame = fmt.spreadsheet_safe_frame(pl.DataFrame({"a": [text]}))
    assert frame["a"][0] == safe


def test_table_writers_neutralise_and_escape():
    table = {"title": "T", "header": ["", "2024"], "rows": [["=1+1", "a|b"]], "note": None, "source": "Kilde: x"}
    assert "'=1+1" in to_csv(table)
    assert "a\\|b" in to_markdown(table)
