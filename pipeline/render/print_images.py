"""The charts' print images for the Word report, made ahead of the cells that ask for them.

Each chart cell turns the charts stage's SVG into a 300 dpi PNG (pipeline/print_image.py), the
slowest part of the cells. The renderer makes these PNGs in a thread of its own while the
kernel starts and runs the cells, into a cache the cells read (named by a hash of everything
a PNG is made from, so an unchanged chart is not made again on the next run either)."""

from __future__ import annotations

from pathlib import Path

from pipeline.paths import Paths
from pipeline.print_image import TEXT_WIDTH_CM, cache_key, svg_to_png


def print_image_cache(paths: Paths) -> Path:
    """Outside the outputs, beside the charts stage's image cache."""
    return paths.root / ".cache" / "print-images"


def charts_svgs(paths: Paths) -> list[Path]:
    return sorted((paths.outputs / "charts").glob("*.svg"))


def make_print_images(report: Path, svgs: list[Path], cache: Path) -> set[Path]:
    """Make the PNG of every SVG the cache lacks, in the order the report shows the charts
    (so that the cells find the first ones ready); returns the cache's files for these SVGs."""
    source = report.read_text(encoding="utf-8") if report.is_file() else ""

    def shown_at(svg: Path) -> int:
        at = source.find(f'"{svg.stem}"')
        return at if at >= 0 else len(source)

    kept = set()
    for svg in sorted(svgs, key=shown_at):
        try:
            text = svg.read_text(encoding="utf-8")
            target = cache / cache_key(text, TEXT_WIDTH_CM)
            if not target.is_file():
                svg_to_png(text, TEXT_WIDTH_CM, cache=cache)
        except Exception:  # noqa: BLE001  the cell that shows the chart makes it again and says what is wrong
            continue
        kept.add(target)
    return kept
