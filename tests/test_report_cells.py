"""pipeline/report_helpers/cells.py, what the report's cells share: a pipeline table becomes a
pipe table with its note and source under it, whatever its cells hold; a raw block keeps its
text whole, whatever backticks the text holds."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from pipeline.report_helpers.cells import raw, table_markdown

from conftest import examples

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
TOKEN = re.compile(r"\\.|\|")  # an escaped character, or a pipe that separates cells


@st.composite
def tables(draw) -> dict:
    columns = draw(st.integers(1, 5))
    labelled = draw(st.booleans())
    rows = [
        [draw(text.filter(bool)) if labelled and i == 0 else ""]
        + draw(st.lists(text, min_size=columns, max_size=columns))
        for i in range(draw(st.integers(1, 4)))
    ]
    return {"header": [""] + draw(st.lists(text, min_size=columns, max_size=columns)), "rows": rows} | {
        "note": draw(st.one_of(st.just(""), st.none(), text)),
        "source": draw(st.one_of(st.just(""), st.none(), text)),
    }


@settings(max_examples=examples())
@given(tables())
def test_a_table_is_a_pipe_table_with_its_note_and_source(table):
    blocks = table_markdown(table).split("\n\n")
    lines = blocks[0].split("\n")
    labelled = any(row[0] for row in table["rows"])
    width = len(table["header"]) - (0 if labelled else 1)  # no row labels: no empty first column
    assert len(lines) == 2 + len(table["rows"])
    for line in lines:
        assert TOKEN.findall(line).count("|") == width + 1, line
    alignment = lines[1].strip("|").split("|")
    assert alignment == ([":---"] if labelled else ["---:"]) + ["---:"] * (width - 1)
    small_print = [t for t in (table["note"], table["source"]) if t]
    assert len(blocks) == 1 + len(small_print)
    for block, _ in zip(blocks[1:], small_print):
        assert block.startswith('::: {.float-note custom-style="Table Note"}\n') and block.endswith("\n:::")


@settings(max_examples=examples())
@given(st.text(st.sampled_from("a`\n{}"), max_size=30), st.sampled_from(["html", "typst"]))
def test_a_raw_block_keeps_its_text_whole(content, fmt_name):
    block = raw(fmt_name, content)
    fence = block.split("{", 1)[0]
    assert set(fence) == {"`"} and len(fence) >= 3
    assert block == f"{fence}{{={fmt_name}}}\n{content}\n{fence}"
    assert fence not in content  # no run of backticks in the text closes the block early
