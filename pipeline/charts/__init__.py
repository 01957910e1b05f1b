"""Stage charts: the key figures as charts for report authors.

Every chart is declared in params.yaml (`charts`) by name: its kind, which series and years
it shows, how it is drawn, and its Danish title; CHARTS holds them. The kinds (families) are
code, registered in KINDS by `catalog`. All charts share one style: Danish number formatting on axes,
labels and hover; greyscale-safe colours (distinct lightness, dashes, markers, hatching); a
source line built from the plotted rows' provenance. A partial year is drawn so that the
estimate cannot be taken for an observation: the observed months as a solid bar (or filled
marker), the rest of the year as a hatched bar (or an open marker on a dotted segment)
labelled "skøn", with the estimate's interval as an error bar when the extrapolate stage
provides one. Earlier years can be shown apart for context (the 2017 gang conflict). Charts on
other data — Denmark against Sweden per 100.000 inhabitants (the compare stage's output) and
the custom notifications of VIVE section 2.6 — bring their own loader, drawing, notes and
source line, and share the rest.

Writes, per chart, to outputs/charts/: standalone HTML (plotly.js inline, works offline), SVG
and PNG, the plotted rows as CSV and the metadata (title, unit, source, notes, estimates) as
JSON. Static images come from one headless Chromium (kaleido) for the whole
run. Two runs on the same data give byte-identical files."""

# The package's modules: registry (what a chart is, the kinds, the declared charts), data
# (the loaders), notes (Danish texts), style, one module per family of charts (keyfigures,
# comparison, notifications, longrun), catalog (the kinds of chart), building, images (the headless browser and its cache), output
# (the stage) and document (`noegletal chart export`). The names below are the package's
# interface: everything other modules and the tests use comes from `pipeline.charts`.

from __future__ import annotations

from pipeline.charts import catalog  # noqa: F401  (registers the kinds of chart)
from pipeline.charts.building import BuiltChart, build, build_figure, chart_metadata, to_div, to_html
from pipeline.charts.comparison import (
    COUNTRY_DA,
    SIDES,
    comparison_notes,
    comparison_rows,
    comparison_source,
    draw_rates,
)
from pipeline.charts.data import (
    CHART_COLUMNS,
    CHART_SCHEMA,
    INTERVAL_COLUMNS,
    REQUIRED_COLUMNS,
    chart_data,
    keyfigure_rows,
)
from pipeline.charts.document import (
    BARE_BOTTOM_PX,
    BARE_TOP_PX,
    CM_PER_INCH,
    CSS_DPI,
    DPI_RANGE,
    EXPORT_FORMATS,
    JPEG_QUALITY,
    LEGEND_ROW_PX,
    PRINT_DPI,
    PRINT_WIDTH_CM,
    WIDTH_PX_RANGE,
    PrintSize,
    bare_figure,
    caption_text,
    document_image,
    export_for_document,
    print_size,
)
from pipeline.charts.images import (
    RENDER_TIMEOUT,
    STARTUP_ALLOWANCE,
    BrowserSession,
    ImageRenderer,
    browser_path,
    image_cache,
    stable_svg,
)
from pipeline.charts.keyfigures import CONTEXT_FILL, CONTEXT_GAP, draw_keyfigures, year_positions
from pipeline.charts.longrun import (
    LONGRUN_HEADROOM,
    MARK_CHAR_PX,
    MARK_LINE_PX,
    OVERLAP_COLUMNS,
    PANEL_ORDER,
    SOURCE_PART_WORDS,
    SOURCE_PARTS,
    _source_marks,
    change_label,
    change_note,
    draw_longrun,
    longrun_notes,
    longrun_rows,
    longrun_source,
    panel_groups,
    read_in,
    source_changes,
)
from pipeline.charts.notes import chart_notes, chart_source, chart_title, source_text, subtitle
from pipeline.charts.notifications import (
    BREAKDOWN_FILLS,
    GROUP_FILLS,
    draw_notifications,
    notification_notes,
    notification_rows,
    notification_source,
    notification_tree,
)
from pipeline.charts.output import export, render, run, write_chart
from pipeline.charts.registry import (
    CHARTS,
    FORMATS,
    KINDS,
    MONTHS_IN_YEAR,
    STATIC_FORMATS,
    ChartSpec,
    Kind,
    charts_dir,
    charts_for,
    get_spec,
    register_kind,
)
from pipeline.charts.style import (
    BAR_SPAN,
    ESTIMATE_PATTERN,
    FONT,
    FOOTER_LINE_PX,
    FOOTER_WRAP,
    GRID,
    INK,
    MUTED,
    PLOT_HEIGHT,
    PNG_SCALE,
    SERIES_STYLES,
    WIDTH,
    SeriesStyle,
    apply_style,
    y_title,
)

__all__ = [
    "BARE_BOTTOM_PX",
    "BARE_TOP_PX",
    "BAR_SPAN",
    "BREAKDOWN_FILLS",
    "BrowserSession",
    "BuiltChart",
    "CHARTS",
    "CHART_COLUMNS",
    "CHART_SCHEMA",
    "CM_PER_INCH",
    "CONTEXT_FILL",
    "CONTEXT_GAP",
    "COUNTRY_DA",
    "CSS_DPI",
    "ChartSpec",
    "DPI_RANGE",
    "ESTIMATE_PATTERN",
    "EXPORT_FORMATS",
    "FONT",
    "FOOTER_LINE_PX",
    "FOOTER_WRAP",
    "FORMATS",
    "GRID",
    "GROUP_FILLS",
    "INK",
    "INTERVAL_COLUMNS",
    "ImageRenderer",
    "KINDS",
    "Kind",
    "JPEG_QUALITY",
    "LEGEND_ROW_PX",
    "LONGRUN_HEADROOM",
    "MARK_CHAR_PX",
    "MARK_LINE_PX",
    "MONTHS_IN_YEAR",
    "MUTED",
    "OVERLAP_COLUMNS",
    "PANEL_ORDER",
    "PLOT_HEIGHT",
    "PNG_SCALE",
    "PRINT_DPI",
    "PRINT_WIDTH_CM",
    "PrintSize",
    "RENDER_TIMEOUT",
    "REQUIRED_COLUMNS",
    "SERIES_STYLES",
    "SIDES",
    "SOURCE_PARTS",
    "SOURCE_PART_WORDS",
    "STARTUP_ALLOWANCE",
    "STATIC_FORMATS",
    "SeriesStyle",
    "WIDTH",
    "WIDTH_PX_RANGE",
    "_source_marks",
    "apply_style",
    "bare_figure",
    "browser_path",
    "build",
    "build_figure",
    "caption_text",
    "change_label",
    "change_note",
    "chart_data",
    "chart_metadata",
    "chart_notes",
    "chart_source",
    "chart_title",
    "charts_dir",
    "charts_for",
    "comparison_notes",
    "comparison_rows",
    "comparison_source",
    "document_image",
    "draw_keyfigures",
    "draw_longrun",
    "draw_notifications",
    "draw_rates",
    "export",
    "export_for_document",
    "get_spec",
    "image_cache",
    "keyfigure_rows",
    "longrun_notes",
    "longrun_rows",
    "longrun_source",
    "notification_notes",
    "notification_rows",
    "notification_source",
    "notification_tree",
    "panel_groups",
    "print_size",
    "read_in",
    "register_kind",
    "render",
    "run",
    "source_changes",
    "source_text",
    "stable_svg",
    "subtitle",
    "to_div",
    "to_html",
    "write_chart",
    "y_title",
    "year_positions",
]
