"""The charts stage: every chart in every format, with its data and metadata."""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path

from pipeline.charts.building import BuiltChart, build, to_div, to_html
from pipeline.charts.images import ImageRenderer, image_cache
from pipeline.charts.registry import FORMATS, STATIC_FORMATS, charts_dir, charts_for
from pipeline.io import staged_outputs
from pipeline.paths import Paths


def render(chart: BuiltChart, output_format: str, renderer: ImageRenderer | None) -> bytes:
    if output_format == "html":
        return to_html(chart)
    if output_format in STATIC_FORMATS:
        if renderer is None:
            raise ValueError(f"a {output_format} image needs an ImageRenderer")
        return renderer.image(chart, output_format)
    raise ValueError(f"unknown chart format '{output_format}'; formats: {', '.join(FORMATS)}")


def _check_formats(formats: Iterable[str]) -> list[str]:
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SystemExit(f"noegletal charts: unknown format {', '.join(unknown)}; formats: {', '.join(FORMATS)}")
    return formats


def _renderer(formats: Iterable[str], cache: Path | None = None) -> ImageRenderer | nullcontext:
    return ImageRenderer(cache) if any(f in STATIC_FORMATS for f in formats) else nullcontext()


def export(
    names: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    out_dir: Path | None = None,
    paths: Paths | None = None,
    image_cache: Path | None = None,
) -> list[Path]:
    """Write each chart in each format, with its data (CSV) and metadata (JSON) beside it,
    to out_dir (default outputs/charts/); all files are moved into place only at the end."""
    paths = paths or Paths()
    out_dir = out_dir or charts_dir(paths)
    formats = _check_formats(formats)
    written, charts = [], []
    with staged_outputs() as out, _renderer(formats, image_cache) as renderer:
        for name in list(names) if names else list(charts_for(paths)):
            charts.append(build(name, paths))
            if renderer is not None:
                # the images the cache lacks are drawn in the browser while the next charts
                # are built and the other files written
                renderer.prefetch(charts[-1:], [f for f in formats if f in STATIC_FORMATS])
        for chart in charts:
            for output_format in formats:
                target = out_dir / f"{chart.name}.{output_format}"
                if output_format not in STATIC_FORMATS:
                    out.path(target).write_bytes(render(chart, output_format, renderer))
                written.append(target)
            if "html" in formats:
                out.path(out_dir / f"{chart.name}.div.html").write_bytes(to_div(chart))
                written.append(out_dir / f"{chart.name}.div.html")
            chart.data.write_csv(out.path(out_dir / f"{chart.name}.csv"))
            out.write_text(
                out_dir / f"{chart.name}.json",
                json.dumps(chart.metadata, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
            )
            written += [out_dir / f"{chart.name}.csv", out_dir / f"{chart.name}.json"]
        for chart in charts:
            for output_format in formats:
                if output_format in STATIC_FORMATS:
                    target = out_dir / f"{chart.name}.{output_format}"
                    out.path(target).write_bytes(render(chart, output_format, renderer))
    return written


def write_chart(name: str, output_format: str, target: Path, paths: Paths | None = None) -> Path:
    """One chart in one format to one file (`noegletal chart export`)."""
    _check_formats([output_format])
    chart = build(name, paths)
    with staged_outputs() as out, _renderer([output_format]) as renderer:
        out.path(target).write_bytes(render(chart, output_format, renderer))
    return target


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    export(list(charts_for(paths)), FORMATS, charts_dir(paths), paths, image_cache=image_cache(paths))
