"""`noegletal chart list | export`: the charts for report authors, one at a time.

Mounted in pipeline/cli.py as `app.add_typer(chart_app, name="chart")`. Plotly and kaleido
are imported only when a command runs, so the rest of the CLI stays quick."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

chart_app = typer.Typer(help="Charts for report authors: list them, or export one as SVG, PNG or HTML.",
                        no_args_is_help=True, add_completion=False)
console = Console(emoji=False)  # ":x:" in a quoted input stays as typed


def _paths():
    from pipeline.paths import Paths
    return Paths()


@chart_app.command("list")
def list_charts() -> None:
    """The charts: name and Danish title."""
    from pipeline.charts import CHARTS

    for name, spec in CHARTS.items():
        console.print(f"{name}\t{spec.title}", markup=False, highlight=False)


def output_path(out: Path | None, name: str, output_format: str, root: Path, cwd: Path | None = None) -> Path:
    """Where `export` writes. Default: outputs/charts/<name>.<format> in the project. A
    relative path is taken from the working directory, as a shell would; a path with '..'
    must not lead out of the project (an absolute path is the user's explicit choice). A
    directory gets <name>.<format> inside it. Never into data/raw/, which the pipeline only reads."""
    root = root.resolve()
    if out is None:
        target = root / "outputs" / "charts" / f"{name}.{output_format}"
    else:
        target = out if out.is_absolute() else (cwd or Path.cwd()) / out
        target = target.resolve()
        if ".." in out.parts and not target.is_relative_to(root):
            raise ValueError(f"--out {out} leads out of the project ({root}); give an absolute path "
                             "if you mean to write there")
        if target.is_dir():
            target = target / f"{name}.{output_format}"
    if target.suffix.lower() != f".{output_format}":
        raise ValueError(f"--out {target.name} does not end in .{output_format}")
    if target.is_relative_to(root / "data" / "raw"):
        raise ValueError("--out points into data/raw/, which holds the raw inputs only")
    return target


@chart_app.command("export")
def export_chart(
    name: Annotated[str, typer.Argument(help="Chart name, see `noegletal chart list`")],
    format: Annotated[str | None, typer.Option("--format", "-f",
                                               help="svg, png or html (default: from --out, else svg)")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o",
                                             help="File or directory (default outputs/charts/NAME.FORMAT)")] = None,
) -> None:
    """Write one chart as SVG, PNG or standalone HTML."""
    from pipeline.charts import CHARTS, FORMATS, write_chart

    if name not in CHARTS:
        console.print(f"[red]no chart {name}[/] (have: {', '.join(CHARTS)})")
        raise typer.Exit(2)
    output_format = (format or (out.suffix.lstrip(".").lower() if out is not None and out.suffix else "svg")).lower()
    if output_format not in FORMATS:
        console.print(f"[red]unknown format {output_format}[/]: use {', '.join(FORMATS)}")
        raise typer.Exit(2)
    paths = _paths()
    try:
        target = output_path(out, name, output_format, paths.root)
    except ValueError as exc:
        console.print(f"[red]refused:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if not paths.derived_figures.exists():
        console.print("[red]no figures yet[/]: run `noegletal run` first")
        raise typer.Exit(2)
    write_chart(name, output_format, target, paths)
    console.print(f"wrote {paths.relative(target)}", highlight=False)
