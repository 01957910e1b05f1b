"""What the report's cells share (reports/noegletal.qmd): the pipeline's outputs, loaded once,
and the calls that show them in a cell: a pipeline table, a chart, a block of markdown, a
number in prose.

The report's setup cell makes one `ReportOutputs` for the project and takes its names; the
later cells call them. Everything goes out through IPython's display, so the calls work the
same in the embedded renderer and in Quarto. Kept apart from the package's __init__, which the
report imports as `rh`: this module brings in IPython and the charts."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import polars as pl
from IPython.display import Markdown, display

from pipeline import wording
from pipeline.assets import check_traces, plotlyjs
from pipeline.charts import chart_metadata, charts_dir
from pipeline.paths import Paths
from pipeline.print_image import TEXT_WIDTH_CM, svg_to_png
from pipeline.report_helpers.markdown import escape

__all__ = ["ReportOutputs", "escape", "num", "pct", "raw", "show", "table_markdown", "typst_string"]


def show(markdown: str) -> None:
    display(Markdown(markdown))


def raw(fmt_name: str, text: str) -> str:
    """A pandoc raw block: the text goes into that output format only, untouched."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", text)), default=0))
    return f"{fence}{{={fmt_name}}}\n{text}\n{fence}"


def num(value, decimals: int = 0) -> Markdown:
    """A number in prose: Danish, one minus sign '−' (pipeline/wording/)."""
    return Markdown(wording.number(value, decimals))


def pct(fraction: float) -> Markdown:
    return Markdown(wording.percent(fraction))


def typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def table_markdown(table: dict) -> str:
    """A table of the tables stage (outputs/tables/table_*.json) as a markdown table, with its
    note and source under it in the report's small print."""
    header, rows = table["header"], table["rows"]
    labelled = any(row[0] for row in rows)
    if not labelled:  # Table 1.1 has no row labels: drop the empty first column
        header, rows = header[1:], [row[1:] for row in rows]
    lines = [
        "| " + " | ".join(escape(h) for h in header) + " |",
        "|" + "|".join(":---" if labelled and i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    blocks = ["\n".join(lines)]
    blocks += [
        f'::: {{.float-note custom-style="Table Note"}}\n{escape(text)}\n:::'
        for text in (table["note"], table["source"])
        if text
    ]
    return "\n\n".join(blocks)


class ReportOutputs:
    """The pipeline's outputs that the report reads, from the project at `root`, and the calls
    that show its tables and charts."""

    def __init__(self, root: Path) -> None:
        self.paths = paths = Paths(root)
        self.tables = {
            table["table_id"]: table
            for table in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(paths.tables.glob("table_*.json")))
        }
        self.comparison = json.loads((paths.comparison / "dk_se.json").read_text(encoding="utf-8"))
        self.audit = json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))
        self.series = {row["series"]: row for row in pl.read_parquet(paths.validated_series).iter_rows(named=True)}
        self.figures = pl.read_parquet(paths.derived_figures)  # every release of every figure
        self.notifications = pl.read_parquet(paths.validated_notifications).to_dicts()
        self.published = pl.read_parquet(paths.validated_published).to_dicts()  # what the VIVE report printed
        # plotly.js (the partial bundle in pipeline/vendor/) goes into the HTML once, inline, with the first chart.
        self._plotly_js_written: list[str] = []

    def show_table(self, table_id: str) -> None:
        """A pipeline table as a markdown table, with its note and source under it."""
        display(Markdown(table_markdown(self.tables[table_id])))

    def show_chart(self, name: str) -> None:
        """A chart of pipeline/charts/ as the charts stage exported it: the interactive plotly
        <div> in the HTML, the SVG in the PDF (one headless Chromium drew all charts, there), and
        in Word that SVG as a PNG at 300 dpi for the page's text width."""
        paths = self.paths
        exported = charts_dir(paths) / name
        for suffix in (".div.html", ".svg", ".json"):
            if not exported.with_suffix(suffix).exists():
                raise FileNotFoundError(
                    f"{paths.relative(exported.with_suffix(suffix))} is missing: run the charts "
                    "stage (python -m pipeline.charts) before rendering the report"
                )
        metadata = json.loads(json.dumps(chart_metadata(name, paths), default=str))
        if json.loads(exported.with_suffix(".json").read_text(encoding="utf-8")) != metadata:
            raise RuntimeError(
                f"{paths.relative(exported.with_suffix('.svg'))} is older than the data: run the "
                "charts stage (python -m pipeline.charts) before rendering the report"
            )
        html = exported.with_suffix(".div.html").read_text(encoding="utf-8")
        check_traces(name, html)
        if not self._plotly_js_written:
            html = f'<script charset="utf-8" type="text/javascript">{plotlyjs()}</script>\n' + html
        self._plotly_js_written.append(name)
        svg = exported.with_suffix(".svg").read_text(encoding="utf-8")
        typst = f'#image(bytes({typst_string(svg)}), format: "svg", width: 100%)'
        png = base64.b64encode(svg_to_png(svg, TEXT_WIDTH_CM)).decode("ascii")
        docx = (
            f'::: {{.content-visible when-format="docx"}}\n'
            f"![](data:image/png;base64,{png}){{width={TEXT_WIDTH_CM}cm}}\n:::"
        )
        display(Markdown(raw("html", html) + "\n\n" + raw("typst", typst) + "\n\n" + docx))
