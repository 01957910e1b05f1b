"""The command line: `noegletal run | table | explain`."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.chart_cli import chart_app

app = typer.Typer(help="Danish gang-related police key figures: tables, extrapolations and audits.",
                  no_args_is_help=True, add_completion=False)
app.add_typer(chart_app, name="chart")
console = Console(emoji=False)  # ":x:" in a quoted input stays as typed


def _paths():
    from pipeline.paths import Paths
    return Paths()


class _RunFailed(Exception):
    """DVC ended with an error: the outputs are put back, then the cause is told."""


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@app.command()
def run(force: Annotated[bool, typer.Option(help="Re-run every stage even if nothing changed.")] = False) -> None:
    """Run the whole pipeline through DVC (only the stages whose inputs changed)."""
    paths = _paths()
    from pipeline.params import load_params
    from pipeline.publish import LOG, all_or_nothing, failure_summary

    load_params(paths)  # a bad params.yaml stops here, before any stage writes
    cmd = [sys.executable, "-m", "dvc", "repro"] + (["--force"] if force else [])
    env = os.environ | {"DVC_NO_ANALYTICS": "1"}
    output: list[str] = []
    # SIGTERM ends the run as Ctrl-C does: DVC is stopped, then the outputs are put back
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with all_or_nothing(paths), console.status("dvc repro …") as status:
            proc = subprocess.Popen(cmd, cwd=paths.root, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            try:
                for line in proc.stdout:
                    output.append(line)
                    if m := re.match(r"Running stage '([^']+)'", line):
                        status.update(f"stage {m.group(1)} …")
                        console.print(f"[bold]▶[/] {m.group(1)}")
                    elif "didn't change, skipping" in line:
                        console.print(f"[dim]· {line.strip()}[/]")
                if proc.wait() != 0:
                    raise _RunFailed()
            finally:
                # no stage may still be moving files into place when the outputs are put back
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
    except _RunFailed:
        log = paths.root / LOG
        log.parent.mkdir(exist_ok=True)
        log.write_text("".join(output), encoding="utf-8")
        stage, cause = failure_summary("".join(output))
        where = f" at stage {stage}" if stage else ""
        console.print(f"[red]pipeline failed{where}:[/] ", end="")
        console.print(cause, markup=False, highlight=False)
        console.print(f"Nothing was published: {' and '.join(f'{n}/' for n in ('outputs', 'reports/_output'))} "
                      f"are as they were before this run. Full output: {LOG.as_posix()}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("[red]interrupted:[/] nothing was published; the outputs are as they were before this run")
        raise typer.Exit(130) from None
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


def _repro(target: str | None = None) -> None:
    """Bring the pipeline's outputs up to date (quietly) before reading them."""
    paths = _paths()
    cmd = [sys.executable, "-m", "dvc", "repro", "--quiet"] + ([target] if target else [])
    result = subprocess.run(cmd, cwd=paths.root, env=os.environ | {"DVC_NO_ANALYTICS": "1"},
                            capture_output=True, text=True)
    if result.returncode:
        console.print(result.stdout + result.stderr, markup=False, highlight=False)
        raise typer.Exit(result.returncode)


@app.command()
def audit() -> None:
    """Run every check of derived figures, statements and releases; write and summarise the audit."""
    import json

    paths = _paths()
    _repro("audit")
    report = json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))
    colours = {"exact": "green", "consistent": "green", "mismatch": "yellow", "finding": "yellow"}
    for section in ("extrapolations", "statements", "published_values", "revised_since", "disagreements_between_releases",
                    "publication_dates", "count_dates", "uncertain_dates"):
        items = report[section]
        counts = report["summary"].get(section, {}) or {"listed": len(items)}
        console.print(f"[bold]{section.replace('_', ' ')}[/] ({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))})")
        for item in items:
            if section == "published_values" and item["verdict"] == "exact":
                continue
            label = item.get("figure") or item.get("statement") or item.get("series") or item.get("release") or ""
            verdict = item.get("verdict") or ("unchecked" if section == "extrapolations" else "")
            colour = colours.get(verdict, "white")
            console.print(f"  [{colour}]{verdict}[/] {label}: ".replace("  [white][/] ", "  "), end="")
            console.print(item["reason"], markup=False, highlight=False)
    console.print(f"written: {paths.relative(paths.audit / 'audit.md')}, {paths.relative(paths.audit / 'audit.json')}")


@app.command()
def backtest() -> None:
    """Score every extrapolation method against later final releases, with the number of cases."""
    import json

    paths = _paths()
    _repro("audit")
    methods = json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))["methods"]
    from pipeline import fmt

    cases = Table(title="Cases: an earlier (partial or preliminary) release against the final count")
    for name in ("figure", "earlier release", "months", "method", "estimate", "interval", "final", "error %"):
        cases.add_column(name, justify="left" if name in ("figure", "earlier release", "method") else "right")
    for c in methods["cases"]:
        interval = (f"{fmt.number(c['interval_lower'])}–{fmt.number(c['interval_upper'])}"
                    + ("" if c["covered"] else " (missed)") if c["interval_lower"] is not None else "-")
        cases.add_row(f"{c['series']} {c['reference_year']}" + ("" if c["common"] else " (not common)"),
                      c["release_id"], fmt.months(c["months_exposure"]),
                      c["method"], fmt.number(c["estimate"], 1) if c["estimate"] is not None else f"- ({c['reason']})",
                      interval, fmt.number(c["final"]),
                      fmt.number(c["error_percent"], 1) if c["error_percent"] is not None else "-")
    console.print(cases)
    summary = Table(title="Methods, on the cases every method can score")
    for name in ("method", "cases", "mean abs. % error", "mean % error", "coverage", "mean width", "verdict"):
        summary.add_column(name, justify="left" if name in ("method", "coverage", "verdict") else "right")
    for m in methods["summary"]:
        coverage = (f"{m['covered']}/{m['interval_cases']} ({fmt.number(m['coverage_lower'] * 100)}–"
                    f"{fmt.number(m['coverage_upper'] * 100)} %)" if m["interval_cases"] else "-")
        summary.add_row(m["method"], str(m["cases"]), fmt.number(m["mean_absolute_percent_error"], 2),
                        fmt.number(m["mean_percent_error"], 2), coverage, fmt.number(m["mean_interval_width"], 1),
                        m["verdict"])
    console.print(summary)
    rec = methods["recommendation"]
    console.print(f"Recommendation: {rec['method'] or 'none'} ({rec['reason']})", highlight=False)


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
