"""The command line: `noegletal run | table | explain`."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Danish gang-related police key figures: tables, extrapolations and audits.",
                  no_args_is_help=True, add_completion=False)
console = Console()


def _paths():
    from pipeline.paths import Paths
    return Paths()


@app.command()
def run(force: Annotated[bool, typer.Option(help="Re-run every stage even if nothing changed.")] = False) -> None:
    """Run the whole pipeline through DVC (only the stages whose inputs changed)."""
    paths = _paths()
    cmd = [sys.executable, "-m", "dvc", "repro"] + (["--force"] if force else [])
    env = os.environ | {"DVC_NO_ANALYTICS": "1"}
    with console.status("dvc repro …") as status:
        proc = subprocess.Popen(cmd, cwd=paths.root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        output = []
        for line in proc.stdout:
            output.append(line)
            if m := re.match(r"Running stage '([^']+)'", line):
                status.update(f"stage {m.group(1)} …")
                console.print(f"[bold]▶[/] {m.group(1)}")
            elif "didn't change, skipping" in line:
                console.print(f"[dim]· {line.strip()}[/]")
        code = proc.wait()
    if code != 0:
        console.print("".join(output), markup=False, highlight=False)
        console.print(f"[red]pipeline failed (exit {code}); earlier outputs are left as they were[/]")
        raise typer.Exit(code)
    console.print(f"[green]done[/] — tables in {paths.relative(paths.tables)}/")


@app.command()
def table(
    table_id: Annotated[str, typer.Argument(help="Table number, e.g. 1.2")],
    format: Annotated[str, typer.Option("--format", "-f", help="terminal, csv or markdown")] = "terminal",
) -> None:
    """Print one of the report's tables from the pipeline's outputs."""
    from pipeline.tables import table_file_stem

    paths = _paths()
    stem = paths.tables / table_file_stem(table_id)
    if not stem.with_suffix(".csv").exists():
        available = sorted(p.stem.removeprefix("table_").replace("_", ".") for p in paths.tables.glob("table_*.csv"))
        console.print(f"[red]no table {table_id}[/] (have: {', '.join(available) or 'none — run `noegletal run`'})")
        raise typer.Exit(2)
    _print_output(stem, format, f"table {table_id}")


def _print_output(stem: Path, format: str, what: str) -> None:
    if not stem.with_suffix(".csv").exists():
        console.print(f"[red]no {what} yet[/] — run `noegletal run`")
        raise typer.Exit(2)
    if format == "csv":
        sys.stdout.write(stem.with_suffix(".csv").read_text(encoding="utf-8"))
    elif format == "markdown":
        sys.stdout.write(stem.with_suffix(".md").read_text(encoding="utf-8"))
    elif format == "terminal":
        _print_table(stem)
    else:
        console.print(f"[red]unknown format {format}[/]: use terminal, csv or markdown")
        raise typer.Exit(2)


def _print_table(stem: Path) -> None:
    import json

    meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    rows = list(csv.reader(io.StringIO(stem.with_suffix(".csv").read_text(encoding="utf-8"))))
    grid = Table(title=meta["title"], caption="\n".join(filter(None, [meta["note"], meta["source"]])),
                 caption_justify="left")
    for i, name in enumerate(rows[0]):
        grid.add_column(name, justify="left" if i == 0 else "right")
    for row in rows[1:]:
        grid.add_row(*row)
    console.print(grid)


@app.command()
def compare(
    format: Annotated[str, typer.Option("--format", "-f", help="terminal, csv or markdown")] = "terminal",
) -> None:
    """Print the Denmark–Sweden comparison: counts, rates per 100.000, ratio and flags."""
    paths = _paths()
    _print_output(paths.comparison / "dk_se", format, "comparison")


@app.command()
def explain(
    series: Annotated[str, typer.Argument(
        help="Series id (e.g. sigtelser), or a comparison figure: rate_dk, rate_se, rate_ratio")],
    year: Annotated[int, typer.Argument(help="Reference year, e.g. 2024")],
) -> None:
    """Show how one figure was made: inputs, sources, method, formula and published value."""
    from pipeline.explain import COMPARISON_FIGURES, explain as build, explain_comparison

    if series in COMPARISON_FIGURES:
        result = explain_comparison(series, year, _paths())
    else:
        result = build(series, year, _paths())
    console.print(f"[bold]{result.title}[/]")
    for line in result.lines:
        console.print(line, markup=False, highlight=False)
    if result.comparisons:
        console.print("Against the published values:")
        for what, ours, printed, match in result.comparisons:
            verdict = "[green]match[/]" if match else "[yellow]mismatch[/]"
            console.print(f"  {verdict} {what}: computed {ours}; printed \"{printed}\"", highlight=False)


if __name__ == "__main__":
    app()
