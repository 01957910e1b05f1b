"""Export for documents (`noegletal chart export`): one chart at a size on paper."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from pipeline.charts.building import BuiltChart, build, to_html
from pipeline.charts.images import BrowserSession, stable_svg
from pipeline.io import staged_outputs
from pipeline.paths import Paths

EXPORT_FORMATS = ("png", "svg", "pdf", "jpg", "html")
CM_PER_INCH = 2.54
CSS_DPI = 96  # a CSS pixel, plotly's unit, is 1/96 inch: how a size maps to paper
PRINT_DPI = 300
PRINT_WIDTH_CM = 16.0  # the text width of an A4 page with ordinary margins
DPI_RANGE = (72, 1200)
WIDTH_PX_RANGE = (200, 12000)
JPEG_QUALITY = 92
BARE_TOP_PX = 12  # above the legend (or the plot) once the title is gone
BARE_BOTTOM_PX = 6  # below the tick labels once the notes and source are gone
LEGEND_ROW_PX = 28  # the room apply_style gives the legend's row
_WIDTH = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*(cm|px)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class PrintSize:
    """An exported chart's size on paper: its width in cm, and for PNG and JPG the pixels
    that width gets at `dpi` (recorded in the file, so a word processor places it at that size)."""

    width_cm: float
    width_px: int
    dpi: int


def print_size(width: str | None = None, dpi: int = PRINT_DPI) -> PrintSize:
    """'16cm' (or '16,5 cm') or '1800px' at `dpi`; default 16 cm at 300 dpi (1.890 px)."""
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise ValueError(f"--dpi {dpi} is outside {DPI_RANGE[0]}–{DPI_RANGE[1]}")
    match = _WIDTH.fullmatch(width or f"{PRINT_WIDTH_CM}cm")
    if not match:
        raise ValueError(f"--width {width!r} is not a width: give it in cm or px, e.g. 16cm or 1800px")
    number, unit = float(match[1].replace(",", ".")), match[2].lower()
    if unit == "cm":
        size = PrintSize(number, round(number / CM_PER_INCH * dpi), dpi)
    else:
        size = PrintSize(number / dpi * CM_PER_INCH, round(number), dpi)
    if not WIDTH_PX_RANGE[0] <= size.width_px <= WIDTH_PX_RANGE[1]:
        raise ValueError(
            f"--width {width} gives {size.width_px} px at {dpi} dpi; the limits are "
            f"{WIDTH_PX_RANGE[0]}–{WIDTH_PX_RANGE[1]} px"
        )
    return size


def bare_figure(figure: go.Figure) -> go.Figure:
    """The chart without its title, subtitle, notes and source (a document sets its own
    caption): the plotting area, legend and panel titles keep their size; the margins that
    held the texts shrink, so the image is shorter."""
    bare = go.Figure(figure)
    layout = bare.layout
    plot_height = layout.height - layout.margin.t - layout.margin.b
    footer = next((a for a in layout.annotations if a.name == "footer"), None)
    # the room above the plot that is not the title's: the gap under the legend (the panels'
    # titles sit in it) and the legend itself (apply_style sets both)
    gap = (layout.legend.y - 1) * plot_height if layout.legend.y is not None else 0
    top = round(gap + (LEGEND_ROW_PX if layout.showlegend else 0)) + BARE_TOP_PX
    bottom = round(-footer.y * plot_height) + BARE_BOTTOM_PX if footer else layout.margin.b
    bare.layout.annotations = [a for a in layout.annotations if a.name != "footer"]
    bare.update_layout(
        title=dict(text="", subtitle=dict(text="")), height=plot_height + top + bottom, margin=dict(t=top, b=bottom)
    )
    return bare


def caption_text(metadata: dict) -> str:
    """What `--bare` leaves out of the image, as paragraphs to paste as the caption: the
    title (and the line under it), the notes, the source."""
    heading = [metadata["title"], metadata.get("subtitle") or ""]
    paragraphs = ["\n".join(line for line in heading if line), *metadata.get("notes", []), metadata["source"]]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def _browser_image(figure: go.Figure, image_format: str, scale: float) -> bytes:
    """One image from a Chromium session of its own: an export writes one file. MathJax off,
    plotly.js from the plotly package: no network."""
    opts = {"format": image_format, "width": figure.layout.width, "height": figure.layout.height, "scale": scale}
    with BrowserSession() as browser:
        return browser.image(figure.to_dict(), opts)


def _raster(figure: go.Figure, image_format: str, size: PrintSize) -> bytes:
    """PNG or JPG `size.width_px` wide, with `size.dpi` recorded in the file (PNG's pHYs
    chunk, JPEG's JFIF density), which the browser's screenshot does not do."""
    import io

    from PIL import Image

    png = _browser_image(figure, "png", size.width_px / figure.layout.width)
    image = Image.open(io.BytesIO(png))
    height = round(figure.layout.height * size.width_px / figure.layout.width)
    if image.size != (size.width_px, height):  # a pixel lost to rounding in the browser
        image = image.resize((size.width_px, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image_format == "jpg":
        image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, dpi=(size.dpi, size.dpi))
    else:
        image.save(out, "PNG", dpi=(size.dpi, size.dpi), optimize=True)
    return out.getvalue()


def _cm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "cm"


def _svg_on_paper(svg: bytes, figure: go.Figure, size: PrintSize) -> bytes:
    """The SVG at its width on paper: the root's width and height in cm (the viewBox keeps
    the drawing's own units)."""
    height_cm = size.width_cm * figure.layout.height / figure.layout.width
    root = f'width="{figure.layout.width}" height="{figure.layout.height}"'.encode()
    return svg.replace(root, f'width="{_cm(size.width_cm)}" height="{_cm(height_cm)}"'.encode(), 1)


def document_image(chart: BuiltChart, output_format: str, size: PrintSize) -> bytes:
    """One chart as a file for a document, `size.width_cm` wide on paper."""
    figure = chart.figure
    if output_format == "html":
        return to_html(chart)
    if output_format in ("png", "jpg"):
        return _raster(figure, output_format, size)
    if output_format == "svg":
        return _svg_on_paper(stable_svg(_browser_image(figure, "svg", 1), chart.name), figure, size)
    if output_format == "pdf":  # the page is the chart, width_cm wide; text and lines stay vector
        return _browser_image(figure, "pdf", size.width_cm / CM_PER_INCH * CSS_DPI / figure.layout.width)
    raise ValueError(f"unknown chart format '{output_format}'; formats: {', '.join(EXPORT_FORMATS)}")


def export_for_document(
    name: str,
    output_format: str,
    target: Path,
    size: PrintSize | None = None,
    bare: bool = False,
    paths: Paths | None = None,
) -> list[Path]:
    """`noegletal chart export`: one chart in one format to `target`. With `bare`, the image
    has no title, notes or source; they go to `<target stem>.txt` beside it, as a caption."""
    chart = build(name, paths)
    if bare:
        chart = BuiltChart(chart.name, chart.data, bare_figure(chart.figure), chart.metadata)
    written = [target] + ([target.with_suffix(".txt")] if bare else [])
    with staged_outputs() as out:
        out.path(target).write_bytes(document_image(chart, output_format, size or print_size()))
        if bare:
            out.write_text(written[1], caption_text(chart.metadata))
    return written
