"""`noegletal chart list | export`: the charts for report authors, one at a time.

Mounted in pipeline/cli.py as `app.add_typer(chart_app, name="chart")`. Plotly and kaleido
are imported only when a command runs, so the rest of the CLI stays quick."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from pipeline import terminal

chart_app = typer.Typer(
    help="Charts for report authors: list them, or export one for a document (PNG, JPG, SVG, "
    "PDF) or a web page (HTML).",
    no_args_is_help=True,
    add_completion=False,
    cls=terminal.Group_,
)
console = Console(emoji=False)  # ":x:" in a quoted input stays as typed
err = Console(emoji=False, stderr=True)


@chart_app.callback()
def main() -> None:
    """Charts for report authors."""
    global console, err
    console, err = Console(emoji=False), Console(emoji=False, stderr=True)  # this call's terminal width


def _paths():
    from pipeline.paths import Paths

    return Paths()


def _warn_if_stale() -> None:
    """The charts are drawn from the data of the extrapolate and compare stages (and ingest's)."""
    from pipeline.freshness import dvc_status, stale_message

    if message := stale_message(dvc_status(_paths().root, ["charts"])):
        err.print(f"[yellow]warning:[/] {message}", highlight=False)


def chart_entries(paths) -> list[dict]:
    """`chart list --format json`: each chart's name, its title in the registry, the files
    the charts stage wrote for it, and their metadata (outputs/charts/<name>.json, or null
    before a run)."""
    from pipeline.charts import CHARTS, charts_dir

    entries = []
    for name, spec in CHARTS.items():
        folder = charts_dir(paths)
        meta = folder / f"{name}.json"
        entries.append(
            {
                "name": name,
                "title": spec.title,
                "files": sorted(paths.relative(p) for p in folder.glob(f"{name}.*")),
                "metadata": json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else None,
            }
        )
    return entries


@chart_app.command("list", cls=terminal.Command)
def list_charts(
    format: Annotated[
        Literal["terminal", "json", "csv"],
        typer.Option("--format", "-f", metavar="FORMAT", help="terminal, json or csv (name and title)"),
    ] = "terminal",
) -> None:
    """The charts: name and Danish title."""
    paths = _paths()
    _warn_if_stale()
    entries = chart_entries(paths)
    if format == "json":
        sys.stdout.write(json.dumps(entries, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    elif format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["name", "title"])
        writer.writerows([e["name"], e["title"]] for e in entries)
    else:
        console.print(terminal.fitted(console, ["name", "title"], [[e["name"], e["title"]] for e in entries]))


def output_path(out: Path | None, name: str, output_format: str, root: Path, cwd: Path | None = None) -> Path:
    """Where `export` writes. Default: outputs/export/<name>.<format> in the project (not
    outputs/charts/, which the charts stage owns). A relative path is taken from the working
    directory, as a shell would; a path with '..' must not lead out of the project (an
    absolute path is the user's explicit choice). A directory gets <name>.<format> inside it.
    Never into data/raw/, which the pipeline only reads."""
    root = root.resolve()
    if out is None:
        target = root / "outputs" / "export" / f"{name}.{output_format}"
    else:
        target = out if out.is_absolute() else (cwd or Path.cwd()) / out
        target = target.resolve()
        if ".." in out.parts and not target.is_relative_to(root):
            raise ValueError(
                f"--out {out} leads out of the project ({root}); give an absolute path if you mean to write there"
            )
        if target.is_dir():
            target = target / f"{name}.{output_format}"
    if target.suffix.lower() != f".{output_format}":
        raise ValueError(f"--out {target.name} does not end in .{output_format}")
    if target.is_relative_to(root / "data" / "raw"):
        raise ValueError("--out points into data/raw/, which holds the raw inputs only")
    return target


@chart_app.command("export", cls=terminal.Command)
def export_chart(
    name: Annotated[str, typer.Argument(help="Chart name, see `noegletal chart list`", show_default=False)],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="png, jpg, svg, pdf or html (default: from --out, else png)",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="PATH",
            help="File or directory (default outputs/export/NAME.FORMAT)",
            show_default=False,
        ),
    ] = None,
    width: Annotated[
        str,
        typer.Option("--width", "-w", metavar="WIDTH", help="Width on the page, in cm or pixels: 16cm, 12,5cm, 1800px"),
    ] = "16cm",
    dpi: Annotated[
        int, typer.Option("--dpi", metavar="DPI", help="Pixels per inch of a PNG or JPG, recorded in the file")
    ] = 300,
    bare: Annotated[
        bool,
        typer.Option(
            "--bare", help="No title, notes or source in the image; they go to NAME.txt beside it, as a caption"
        ),
    ] = False,
) -> None:
    """Write one chart for a document: PNG or JPG (16 cm at 300 dpi unless told), SVG or PDF
    (vector, 16 cm wide), or standalone HTML."""
    from pipeline.charts import CHARTS, EXPORT_FORMATS, export_for_document, print_size

    if name not in CHARTS:
        console.print(f"[red]no chart {name}[/] (have: {', '.join(CHARTS)})")
        raise typer.Exit(2)
    output_format = (format or (out.suffix.lstrip(".").lower() if out is not None and out.suffix else "png")).lower()
    output_format = "jpg" if output_format == "jpeg" else output_format
    if output_format not in EXPORT_FORMATS:
        console.print(f"[red]unknown format {output_format}[/]: use {', '.join(EXPORT_FORMATS)}")
        raise typer.Exit(2)
    paths = _paths()
    try:
        size = print_size(width, dpi)
        target = output_path(out, name, output_format, paths.root)
    except ValueError as exc:
        console.print(f"[red]refused:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if not paths.derived_figures.exists():
        console.print("[red]no figures yet[/]: run `noegletal run` first")
        raise typer.Exit(2)
    _warn_if_stale()
    for written in export_for_document(name, output_format, target, size, bare, paths):
        console.print(f"wrote {paths.relative(written)}", highlight=False)
