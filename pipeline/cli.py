"""The command line: `noegletal run | table | compare | explain | audit | backtest | chart`.

Every command that prints outputs reads them as the pipeline wrote them: `--format json`
prints the output file's content (or the part of it the command shows), `csv` where the
output is a table, `terminal` lays it out for a person at the terminal's width. A command
either brings the pipeline up to date first (`audit`, `backtest`) or warns, on stderr, when
DVC reports that what it shows is out of date.

Beside this module: pipeline/cli_run.py runs the pipeline through DVC, pipeline/cli_output.py
prints JSON and CSV, pipeline/chart_cli.py holds `noegletal chart`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from pipeline import terminal
from pipeline.chart_cli import chart_app
from pipeline.cli_output import print_csv, print_json
from pipeline.cli_run import run_pipeline as _run_pipeline
from pipeline.errors import one_line

app = typer.Typer(
    help="Danish gang-related police key figures: tables, extrapolations and audits.",
    no_args_is_help=True,
    add_completion=False,
    cls=terminal.Group_,
)
app.add_typer(chart_app, name="chart")
console = Console(emoji=False)  # ":x:" in a quoted input stays as typed
err = Console(emoji=False, stderr=True)
command = app.command


def _show_version(value: bool) -> None:
    if value:
        from pipeline import __version__

        print(f"noegletal {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_show_version)
    ] = False,
) -> None:
    """Danish gang-related police key figures: tables, extrapolations and audits."""
    global console, err
    # fresh consoles per invocation: the width follows the terminal (or $COLUMNS) of this call
    console, err = Console(emoji=False), Console(emoji=False, stderr=True)


Format = Literal["terminal", "csv", "json", "markdown"]
FORMAT_HELP = "terminal, csv, json or markdown"


def _format_option(help: str = FORMAT_HELP):
    return typer.Option("--format", "-f", metavar="FORMAT", help=help)


def _paths():
    from pipeline.paths import Paths

    return Paths()


@command(cls=terminal.Command)
def run(force: Annotated[bool, typer.Option(help="Re-run every stage even if nothing changed.")] = False) -> None:
    """Run the whole pipeline through DVC (only the stages whose inputs changed)."""
    _run_pipeline(console, force=force)
    console.print(f"[green]done[/] — tables in {_paths().relative(_paths().tables)}/")


def _warn_if_stale(*stages: str) -> None:
    """A warning on stderr when DVC reports a change in `stages` or a stage before them."""
    from pipeline.freshness import dvc_status, stale_message

    if message := stale_message(dvc_status(_paths().root, list(stages))):
        err.print(f"[yellow]warning:[/] {message}", highlight=False)


def _repro(target: str | None = None) -> None:
    """Bring the pipeline's outputs up to date (quietly) before reading them."""
    from pipeline.freshness import repro

    result = repro(_paths().root, target)
    if result.returncode:
        err.print(result.stdout + result.stderr, markup=False, highlight=False)
        raise typer.Exit(result.returncode)


@command(cls=terminal.Command)
def table(
    table_id: Annotated[str, typer.Argument(help="Table number, e.g. 1.2", show_default=False)],
    format: Annotated[Format, _format_option()] = "terminal",
) -> None:
    """Print one of the report's tables from the pipeline's outputs."""
    from pipeline.table_files import table_file_stem

    paths = _paths()
    stem = paths.tables / table_file_stem(table_id)
    if not stem.with_suffix(".json").exists():
        available = sorted(p.stem.removeprefix("table_").replace("_", ".") for p in paths.tables.glob("table_*.json"))
        console.print(f"[red]no table {table_id}[/] (have: {', '.join(available) or 'none — run `noegletal run`'})")
        raise typer.Exit(2)
    _warn_if_stale("tables")
    _print_output(stem, format, f"table {table_id}")


def _print_output(stem: Path, format: str, what: str) -> None:
    if not stem.with_suffix(".json").exists():
        console.print(f"[red]no {what} yet[/] — run `noegletal run`")
        raise typer.Exit(2)
    if format in ("csv", "json"):
        sys.stdout.write(stem.with_suffix(f".{format}").read_text(encoding="utf-8"))
    elif format == "markdown":
        sys.stdout.write(stem.with_suffix(".md").read_text(encoding="utf-8"))
    else:
        _print_table(json.loads(stem.with_suffix(".json").read_text(encoding="utf-8")))


def _print_table(meta: dict) -> None:
    """A report table: as printed if it fits the terminal, else turned (years as rows)."""
    terminal.print_table(
        console, meta["title"], meta["header"], meta["rows"], [meta["note"], meta["source"]], corner="År"
    )


@command(cls=terminal.Command)
def compare(format: Annotated[Format, _format_option()] = "terminal") -> None:
    """Print the Denmark–Sweden comparison: counts, rates per 100.000, ratio and flags."""
    paths = _paths()
    _warn_if_stale("compare")
    stem = paths.comparison / "dk_se"
    if format != "terminal" or not stem.with_suffix(".json").exists():
        _print_output(stem, format, "comparison")
        return
    meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    header, rows = meta["header"], meta["rows"]
    # a row's note goes under the table, named by its year; a text the same on every row
    # (whether the two series are comparable) is said once
    notes = [f"{row[0]}: {row[-1]}" for row in rows if row[-1]]
    header, rows = terminal.without([len(header) - 1], header, rows)
    once, lines = terminal.said_once(header, rows, "alle år")
    header, rows = terminal.without(once, header, rows)
    terminal.print_table(
        console, meta["title"], header, rows, [*lines, *notes, meta["note"], meta["source"]], corner="År"
    )


def _audit_report() -> dict:
    return json.loads((_paths().audit / "audit.json").read_text(encoding="utf-8"))


AUDIT_SECTIONS = (
    "extrapolations",
    "statements",
    "published_values",
    "revised_since",
    "disagreements_between_releases",
    "publication_dates",
    "count_dates",
    "uncertain_dates",
)


def _findings(report: dict) -> list[dict]:
    """The audit's findings, one per item: section, verdict, what, reason."""
    rows = []
    for section in AUDIT_SECTIONS:
        for item in report[section]:
            label = item.get("figure") or item.get("statement") or item.get("series") or item.get("release") or ""
            verdict = item.get("verdict") or ("unchecked" if section == "extrapolations" else "")
            reason = item["reason"] + (f" {item['finding']}" if item.get("finding") else "")
            rows.append({"section": section, "verdict": verdict, "item": label, "reason": reason})
    return rows


@command(cls=terminal.Command)
def audit(
    format: Annotated[
        Literal["terminal", "json", "csv"],
        _format_option("terminal, json (outputs/audit/audit.json) or csv (one row a finding)"),
    ] = "terminal",
) -> None:
    """Bring the pipeline up to date, then summarise the audit (written to outputs/audit/)."""
    paths = _paths()
    _run_pipeline(err, quiet=True)
    if format == "json":
        sys.stdout.write((paths.audit / "audit.json").read_text(encoding="utf-8"))
        return
    report = _audit_report()
    if format == "csv":
        print_csv(_findings(report))
        return
    colours = {
        "exact": "green",
        "consistent": "green",
        "follows_older_release": "yellow",
        "mismatch": "yellow",
        "not_checkable": "yellow",
        "finding": "yellow",
    }
    findings = _findings(report)
    for section in AUDIT_SECTIONS:
        counts = report["summary"].get(section, {}) or {"listed": len(report[section])}
        console.print(
            f"[bold]{section.replace('_', ' ')}[/] ({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))})"
        )
        for item in findings:
            if item["section"] != section or (section == "published_values" and item["verdict"] == "exact"):
                continue
            verdict = (item["verdict"], colours.get(item["verdict"], "")) if item["verdict"] else ""
            line = Text.assemble(
                verdict, " " if verdict else "", f"{item['item']}: " if item["item"] else "", item["reason"]
            )
            console.print(Padding(line, (0, 0, 0, 2)))  # one text, so that it wraps as a whole
    console.print(f"written: {paths.relative(paths.audit / 'audit.md')}, {paths.relative(paths.audit / 'audit.json')}")


CASE_KEYS = ("series", "reference_year", "release_id")


@command(cls=terminal.Command)
def backtest(
    format: Annotated[Literal["terminal", "json", "csv"], _format_option("terminal, json or csv")] = "terminal",
    part: Annotated[
        Literal["summary", "cases", "comparisons", "revisions"],
        typer.Option(
            "--table",
            metavar="TABLE",
            help="With csv: summary (a row per method and months covered), cases, comparisons or revisions",
        ),
    ] = "summary",
) -> None:
    """Score every extrapolation method against later final releases, with the number of cases."""
    _repro("audit")
    methods = _audit_report()["methods"]
    if format == "json":  # as in outputs/audit/audit.json → methods
        print_json(methods)
    elif format == "csv":
        print_csv(methods[part])
    else:
        head = methods["headline"]
        console.print(
            f"The tables' method, {head['method']}: {len(head['cases'])} cases from "
            f"{len({c['release_id'] for c in head['cases']})} releases, {len(head['unscored'])} it cannot score",
            highlight=False,
        )
        for group in head.get("printed", []):
            console.print(
                f"The tables' estimates from {group['months']:g} months: {group['cases']} of its cases (from "
                f"{group['releases']} releases) extrapolate from as few months or fewer",
                highlight=False,
            )
        console.print()
        terminal.print_records(console, "Methods, per months covered", methods["summary"], lead=("method", "months"))
        console.print()
        terminal.print_records(
            console, "Methods pairwise, on the cases both score", methods["comparisons"], lead=("method", "other")
        )
        console.print()
        terminal.print_records(
            console,
            "Cases: a partial-year release against the final count",
            methods["cases"],
            group_by=("series", "reference_year", "release_id"),
            lead=("method",),
        )
        if methods["revisions"]:
            console.print()
            terminal.print_records(
                console, "Revisions of preliminary full-year counts (not scored)", methods["revisions"], lead=CASE_KEYS
            )
        rec = methods.get("recommendation") or {}
        if rec:
            console.print(f"Recommendation: {rec['method'] or 'none'} ({rec['reason']})", highlight=False)


@command(cls=terminal.Command)
def explain(
    series: Annotated[
        str,
        typer.Argument(
            help="Series id (e.g. sigtelser), or a comparison figure: rate_dk, rate_se, rate_ratio", show_default=False
        ),
    ],
    year: Annotated[int, typer.Argument(help="Reference year, e.g. 2024", show_default=False)],
    format: Annotated[Literal["terminal", "json"], _format_option("terminal or json")] = "terminal",
) -> None:
    """Show how one figure was made: inputs, sources, method, formula and published value."""
    from pipeline.explain import COMPARISON_FIGURES, explain as build, explain_comparison

    paths = _paths()
    comparison = series in COMPARISON_FIGURES
    _warn_if_stale("compare" if comparison else "audit")  # a figure's printed values: the audit's results
    result = explain_comparison(series, year, paths) if comparison else build(series, year, paths)
    if format == "json":
        print_json(
            {
                "figure": series,
                "reference_year": year,
                "title": result.title,
                "lines": result.lines,
                "comparisons": [c.record() for c in result.comparisons],
                "rows": _explained_rows(series, year, comparison, paths),
            }
        )
        return
    console.print(f"[bold]{result.title}[/]")
    for line in result.lines:
        console.print(line, markup=False, highlight=False)
    if result.comparisons:
        console.print("Against the published values:")
        for c in result.comparisons:  # the audit's verdict on each, as audit.json gives it
            colour = "green" if c.match else "yellow"
            console.print(
                f'  [{colour}]{c.verdict or "unchecked"}[/] {c.what}: computed {c.computed}; printed "{c.printed}" — '
                f"{c.reason}" + (f" {c.finding}" if c.finding else ""),
                highlight=False,
            )


def _explained_rows(series: str, year: int, comparison: bool, paths) -> list[dict]:
    """The output rows the explanation is about: the comparison's year in
    outputs/comparison/dk_se.json, or every release of the figure in outputs/data/keyfigures.parquet."""
    if comparison:
        figures = json.loads((paths.comparison / "dk_se.json").read_text(encoding="utf-8"))["figures"]
        return [f for f in figures if f["reference_year"] == year]
    import polars as pl

    rows = pl.read_parquet(paths.data_out / "keyfigures.parquet").filter(
        (pl.col("series") == series) & (pl.col("reference_year") == year)
    )
    return json.loads(json.dumps(rows.to_dicts(), default=str))


def entry_point() -> None:
    """The `noegletal` command. Whatever it says stays on one line per message: an argument
    with a line break or another control character is refused before any command runs (it
    would otherwise be quoted across lines), and a command's one-line refusal is shown with
    such characters escaped."""
    for n, arg in enumerate(sys.argv[1:], 1):
        if one_line(arg) != arg:
            raise SystemExit(f"noegletal: argument {n} ({one_line(arg)}) has a line break or another control character")
    try:
        app()
    except SystemExit as exc:
        if isinstance(exc.code, str):
            raise SystemExit(one_line(exc.code)) from None
        raise


if __name__ == "__main__":
    entry_point()
