"""Stage render: the Quarto report reports/noegletal.qmd as self-contained HTML, as PDF and as Word.

With the Quarto CLI on PATH this is `quarto render reports/`, into a scratch folder whose files
then go into place through staged outputs (pipeline/io.py). Quarto is on no package registry
the project installs from, so without it an embedded renderer does what Quarto's jupyter engine
and pandoc would, for the subset of Quarto described in reports/README.md, in four steps, a
module each:

1. parse    the .qmd: YAML front matter merged over _quarto.yml, markdown, ```{python} cells
            with their `#| ` options. Anything outside the subset fails here, naming file and line.
2. execute  every cell and every inline `{python} expr` in document order in one Jupyter
            kernel (nbclient + ipykernel), working directory reports/, as Quarto does.
3. markdown each cell's outputs as markdown, once per format (HTML, Typst, Word): raw blocks for
            what only one format understands, numbered captions ("Tabel 1.1") and
            cross-references (xref).
4. convert  pandoc to standalone HTML with every resource embedded; pandoc to Typst and the
            typst compiler to PDF; pandoc to Word. All are written atomically and byte-for-byte
            reproducibly.

`python -m pipeline.render` (pipeline/render/__main__.py) runs the stage.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.print_image import CACHE_ENV
from pipeline.render.convert import (
    CHART_FONT_DIRS,
    DATA_URI_IMAGE,
    DEFAULT_SOURCE_DATE_EPOCH,
    HEADING_WITH_ID,
    HTML_CSS,
    HTML_TEMPLATE,
    PANDOC_FILTER,
    THEME_TOKEN,
    TOC_TITLES,
    TYPST_CHAPTERS,
    TYPST_PREAMBLE,
    _pandoc_args,
    to_docx,
    to_html,
    to_pdf,
)
from pipeline.render.document import (
    ANSI,
    ATTRIBUTES,
    CODE_SPAN,
    DIV_BARE_CLASS,
    ENGINE,
    FENCE,
    FENCED_BLOCK,
    FLOAT_NAMES,
    HEADING_1,
    INLINE_EXPR,
    OUTPUT_SUFFIX,
    PROJECT_FILE,
    REPORT,
    XREF,
    Block,
    Report,
    ReportError,
)
from pipeline.render.execute import CELL_TIMEOUT_S, INLINE_KEY, execute
from pipeline.render.markdown import MIME_ORDER, PLOTLYJS_TOKEN, report_markdown
from pipeline.render.parse import (
    CELL_OPTION_VALUES,
    CELL_OPTIONS,
    CONDITIONAL_CLASSES,
    CONDITIONS,
    CONFIG_SCHEMA,
    CONFIG_VALUES,
    EXECUTE_OPTIONS,
    QUARTO_ATTRIBUTES,
    QUARTO_CLASSES,
    XREF_PREFIXES,
    formats,
    parse,
)
from pipeline.render.print_images import charts_svgs, make_print_images, print_image_cache

__all__ = [
    "ANSI",
    "ATTRIBUTES",
    "Block",
    "CODE_SPAN",
    "DIV_BARE_CLASS",
    "ENGINE",
    "FENCE",
    "FENCED_BLOCK",
    "FLOAT_NAMES",
    "HEADING_1",
    "INLINE_EXPR",
    "OUTPUT_SUFFIX",
    "PROJECT_FILE",
    "REPORT",
    "Report",
    "ReportError",
    "XREF",
    "CELL_OPTIONS",
    "CELL_OPTION_VALUES",
    "CONDITIONAL_CLASSES",
    "CONDITIONS",
    "CONFIG_SCHEMA",
    "CONFIG_VALUES",
    "EXECUTE_OPTIONS",
    "QUARTO_ATTRIBUTES",
    "QUARTO_CLASSES",
    "XREF_PREFIXES",
    "formats",
    "parse",
    "CELL_TIMEOUT_S",
    "INLINE_KEY",
    "execute",
    "MIME_ORDER",
    "PLOTLYJS_TOKEN",
    "report_markdown",
    "CHART_FONT_DIRS",
    "DATA_URI_IMAGE",
    "DEFAULT_SOURCE_DATE_EPOCH",
    "HEADING_WITH_ID",
    "HTML_CSS",
    "HTML_TEMPLATE",
    "PANDOC_FILTER",
    "THEME_TOKEN",
    "TOC_TITLES",
    "TYPST_CHAPTERS",
    "TYPST_PREAMBLE",
    "_pandoc_args",
    "to_docx",
    "to_html",
    "to_pdf",
    "render_embedded",
    "render_with_quarto",
    "run",
]


def render_embedded(paths: Paths) -> dict[str, float]:
    """Render without the Quarto CLI; returns the seconds each step took."""
    reports = paths.root / "reports"
    timings, started = {}, time.perf_counter()

    def lap(name):
        nonlocal started
        timings[name] = time.perf_counter() - started
        started = time.perf_counter()

    report = parse(reports, paths)
    targets = formats(report)
    output_dir = reports / report.config.get("project", {}).get("output-dir", ".")
    lap("parse")
    # The charts' print images (PNG for Word) are made here, side by side, while the kernel
    # starts and runs the cells; the cells take them from the cache (pipeline/print_image.py).
    cache = print_image_cache(paths)
    with ThreadPoolExecutor(max_workers=1) as pool:
        kept = pool.submit(make_print_images, reports / REPORT, charts_svgs(paths), cache)
        execute(report, reports, env={CACHE_ENV: str(cache)})
        lap("execute")
        kept = kept.result()
    # Scratch files (images for Typst, CSS, metadata) in reports/, so that Typst, whose root
    # that is, reads the images; removed at the end, like Quarto's noegletal_files/.
    with tempfile.TemporaryDirectory(prefix=".render-", dir=reports) as tmp, staged_outputs() as out:
        workdir = Path(tmp)
        markdown = {fmt: report_markdown(report, fmt, workdir) for fmt in targets}
        lap("markdown")
        # The formats convert side by side: pandoc runs as its own process and typst
        # compiles in Rust, so both cores work.
        convert = {"html": to_html, "typst": to_pdf, "docx": to_docx}
        with ThreadPoolExecutor(max_workers=len(targets) or 1) as pool:
            done = {fmt: pool.submit(convert[fmt], markdown[fmt], report, reports, workdir) for fmt in targets}
            for fmt in targets:
                out.path(output_dir / (Path(REPORT).stem + OUTPUT_SUFFIX[fmt])).write_bytes(done[fmt].result())
        lap("convert")
    for stale in set(cache.glob("*.png")) - kept:  # images of charts that are no more
        stale.unlink(missing_ok=True)
    return timings


def render_with_quarto(paths: Paths) -> None:
    """`quarto render reports/` into a scratch folder; its files then go into place together
    through the staged outputs, as the embedded renderer's do, so that a failed render leaves
    the last good report as it was."""
    reports = paths.root / "reports"
    project = reports / PROJECT_FILE
    config = (yaml.safe_load(project.read_text(encoding="utf-8")) or {}) if project.exists() else {}
    output_dir = reports / ((config.get("project") or {}).get("output-dir") or ".")
    env = os.environ | {"QUARTO_PYTHON": sys.executable}
    with tempfile.TemporaryDirectory(prefix=".render-", dir=reports) as tmp, staged_outputs() as out:
        done = subprocess.run(["quarto", "render", str(reports), "--output-dir", tmp], env=env)
        if done.returncode != 0:  # Quarto has said why on stderr
            raise ReportError(paths.relative(reports / REPORT), None, f"quarto render failed (exit {done.returncode})")
        for file in sorted(p for p in Path(tmp).rglob("*") if p.is_file()):
            shutil.move(file, out.path(output_dir / file.relative_to(tmp)))


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    if shutil.which("quarto"):
        render_with_quarto(paths)
        return
    timings = render_embedded(paths)
    print("render: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))
