"""What benchmarks/run.py runs in a fresh process, one measurement per process.

    python benchmarks/_child.py core ROOT            # ingest (read, type, validate) → extrapolate → tables
    python benchmarks/_child.py floor ROOT VARIANT   # DuckDB alone, one SQL statement
    python benchmarks/_child.py render-probe ROOT    # pandoc alone and typst alone
    python benchmarks/_child.py profile ROOT [N]     # cProfile of the core, top N functions

The pipeline code comes from PYTHONPATH (the benchmarked checkout), the data from ROOT.
Each command prints one JSON object as its last line of stdout.
"""

from __future__ import annotations

import json
import sys
import time

STARTED = time.perf_counter()

from pathlib import Path  # noqa: E402


def _peak_rss_kb() -> int | None:
    """The process's peak resident set size so far (VmHWM), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0), so each stage gets its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def core(root: Path) -> dict:
    import pipeline
    from pipeline.core_stages import CORE_STAGES
    from pipeline.paths import Paths

    imported = time.perf_counter()
    paths = Paths(root)
    stages = {}
    # Resetting VmHWM also resets what getrusage()/wait4() report as the peak (ru_maxrss), so
    # the overall peak is the largest of the per-phase peaks recorded here.
    import_peak = _peak_rss_kb()
    resettable = _reset_peak_rss()
    for stage in CORE_STAGES:
        name = stage.__name__.rsplit(".", 1)[-1]
        began = time.perf_counter()
        stage.run(paths)
        stages[name] = {"seconds": time.perf_counter() - began, "peak_rss_kb": _peak_rss_kb() if resettable else None}
        if resettable:
            _reset_peak_rss()
    done = time.perf_counter()
    peaks = [p for p in [import_peak, *(s["peak_rss_kb"] for s in stages.values())] if p]
    return {
        "pipeline_file": pipeline.__file__,
        "peak_rss_kb": max(peaks) if peaks else None,
        "import_peak_rss_kb": import_peak,
        "import_seconds": imported - STARTED,
        "core_seconds": done - imported,
        "stages": stages,
    }


# The floor: what any reader of these files must do at least — read every release file and,
# per release (file), series and year, sum the figures over months and regions, count the
# months observed and extrapolate a partial year linearly (× 12 / months) — in one statement.
#
# `varchar`: every field as text, numbers parsed the Danish way ("1.520" = 1520, "388,5"),
#            as the format requires of any reader;
# `typed`:   the synthetic files read with their column types declared (they hold plain
#            integers only), the shipped files as text. Faster; valid only for this data.
DANISH = r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
FLOOR_SQL = """
copy (
    with raw as (
        {source}
    ),
    per_figure as (
        select
            release_id, series, reference_year,
            sum(value) as observed_value,
            case when count(month) > 0 then count(distinct month)
                 else max(months_covered) end as months_observed,
            count(*) as input_rows
        from raw
        group by release_id, series, reference_year
    )
    select
        *,
        case when months_observed < 12 then observed_value * 12.0 / months_observed
             else observed_value end as value_full_year
    from per_figure
    order by series, reference_year, release_id
) to '{out}' (format parquet)
"""
VARCHAR_SOURCE = """
        select
            regexp_extract(filename, '([^/]+)\\.csv$', 1) as release_id,
            trim(series) as series,
            cast(trim(reference_year) as integer) as reference_year,
            case when regexp_full_match(trim(value), '{danish}')
                 then cast(replace(replace(trim(value), '.', ''), ',', '.') as double) end as value,
            cast(nullif(trim(months_covered), '') as integer) as months_covered,
            {month_expr} as month
        from read_csv({files}, header = true, all_varchar = true, union_by_name = true,
                      filename = true, auto_detect = true)
"""
TYPED_SOURCE = (
    """
        select
            regexp_extract(filename, '([^/]+)\\.csv$', 1) as release_id,
            series, reference_year, value::double as value, months_covered, {typed_month} as month
        from read_csv({synthetic}, header = true, filename = true, union_by_name = true,
                      types = {{'series': 'VARCHAR', 'reference_year': 'INTEGER', 'value': 'BIGINT',
                               'months_covered': 'INTEGER'{month_type}}})
        union all by name
"""
    + VARCHAR_SOURCE
)


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def floor(root: Path, variant: str) -> dict:
    import duckdb

    imported = time.perf_counter()
    releases = sorted((root / "data" / "raw" / "releases").glob("*.csv"))
    synthetic = [p for p in releases if p.name.startswith("syn_")]
    shipped = [p for p in releases if not p.name.startswith("syn_")]

    def has_month(files):
        return any("month" in p.open(encoding="utf-8-sig").readline().strip().split(",") for p in files)

    def month_expr(files):
        return "cast(nullif(trim(month), '') as integer)" if has_month(files) else "null::integer"

    if variant == "typed" and synthetic:
        typed_month = has_month(synthetic)
        source = TYPED_SOURCE.format(
            synthetic=_sql_list(synthetic),
            files=_sql_list(shipped),
            danish=DANISH,
            month_expr=month_expr(shipped),
            typed_month="month" if typed_month else "null::integer",
            month_type=", 'month': 'INTEGER'" if typed_month else "",
        )
    elif variant in ("typed", "varchar"):
        source = VARCHAR_SOURCE.format(files=_sql_list(releases), danish=DANISH, month_expr=month_expr(releases))
    else:
        raise SystemExit(f"unknown floor variant {variant!r}")
    out = root / f"floor_{variant}.parquet"
    con = duckdb.connect(":memory:")
    con.execute(FLOOR_SQL.format(source=source, out=str(out).replace("'", "''")))
    done = time.perf_counter()
    return {
        "import_seconds": imported - STARTED,
        "core_seconds": done - imported,
        "output": str(out),
        "threads": con.execute("select current_setting('threads')").fetchone()[0],
    }


def render_probe(root: Path) -> dict:
    """Rebuild the renderer's intermediate documents (markdown for HTML, Typst source) with its
    own functions, then time pandoc alone (the CLI the renderer calls, same arguments) and
    typst alone (the same compile call) on exactly those documents."""
    import re
    import subprocess
    import tempfile

    import pypandoc
    import typst

    from pipeline import render
    from pipeline.paths import Paths

    paths = Paths(root)
    reports = root / "reports"
    began = time.perf_counter()
    report = render.parse(reports, paths)
    render.formats(report)
    render.execute(report, reports)
    executed = time.perf_counter()
    pandoc = pypandoc.get_pandoc_path()
    result = {"parse_execute_seconds": executed - began}
    with tempfile.TemporaryDirectory(prefix=".render-bench-", dir=reports) as tmp:
        workdir = Path(tmp)
        t = time.perf_counter()
        md_html = render.report_markdown(report, "html", workdir)
        result["to_markdown_html_seconds"] = time.perf_counter() - t
        t = time.perf_counter()
        md_typst = render.report_markdown(report, "typst", workdir)
        result["to_markdown_typst_seconds"] = time.perf_counter() - t
        (workdir / "report.css").write_text(render.HTML_CSS, encoding="utf-8")
        html_args = render._pandoc_args(report, "html", workdir) + [
            "--embed-resources",
            f"--css={workdir / 'report.css'}",
            "--variable=document-css",
            f"--resource-path={reports}",
        ]
        preamble = render.TYPST_PREAMBLE.replace("DELIM", report.config.get("crossref", {}).get("title-delim", ":"))
        if report.config.get("crossref", {}).get("chapters"):
            preamble += render.TYPST_CHAPTERS
        (workdir / "preamble.typ").write_text(preamble, encoding="utf-8")
        typst_args = render._pandoc_args(report, "typst", workdir) + [f"--include-in-header={workdir / 'preamble.typ'}"]
        (workdir / "doc-html.md").write_text(md_html, encoding="utf-8")
        (workdir / "doc-typst.md").write_text(md_typst, encoding="utf-8")
        result["markdown_html_bytes"] = len(md_html.encode())
        result["markdown_typst_bytes"] = len(md_typst.encode())

        def timed(args):
            t = time.perf_counter()
            done = subprocess.run(args, capture_output=True)
            if done.returncode:
                raise SystemExit(f"{args[0]} failed: {done.stderr.decode(errors='replace')[-2000:]}")
            return time.perf_counter() - t

        out_html, out_typ = workdir / "out.html", workdir / "out.typ"
        result["pandoc_html_seconds"] = timed(
            [pandoc, str(workdir / "doc-html.md"), "-f", "markdown", "-t", "html5", "-o", str(out_html), *html_args]
        )
        result["pandoc_typst_seconds"] = timed(
            [pandoc, str(workdir / "doc-typst.md"), "-f", "markdown", "-t", "typst", "-o", str(out_typ), *typst_args]
        )
        # diagnostic: the HTML markdown without the (multi-megabyte) plotly.js bundle, which
        # would then have to be put into the HTML after pandoc
        bundle = re.compile(r"<script[^>]*>.{100000,}?</script>", re.S)
        (workdir / "doc-html-nojs.md").write_text(
            bundle.sub("<script>/* plotly.js */</script>", md_html, count=1), encoding="utf-8"
        )
        result["plotlyjs_bytes"] = len(md_html) - len((workdir / "doc-html-nojs.md").read_text(encoding="utf-8"))
        result["pandoc_html_no_plotlyjs_seconds"] = timed(
            [
                pandoc,
                str(workdir / "doc-html-nojs.md"),
                "-f",
                "markdown",
                "-t",
                "html5",
                "-o",
                str(workdir / "out-nojs.html"),
                *html_args,
            ]
        )
        source = out_typ.read_bytes()
        fonts = [str(d) for d in render.CHART_FONT_DIRS if d.is_dir()]
        t = time.perf_counter()
        pdf = typst.compile(
            source, root=str(reports), format="pdf", timestamp=0, ignore_system_fonts=True, font_paths=fonts
        )
        result["typst_seconds"] = time.perf_counter() - t
        result["html_bytes"] = out_html.stat().st_size
        result["typst_source_bytes"] = len(source)
        result["pdf_bytes"] = len(pdf)
    return result


def profile(root: Path, top: int) -> dict:
    import cProfile
    import io
    import pstats

    from pipeline.core_stages import run_core
    from pipeline.paths import Paths

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    run_core(Paths(root))
    profiler.disable()
    seconds = time.perf_counter() - began
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(top)
    text.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(top)
    print(text.getvalue())
    return {"core_seconds": seconds}


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(__doc__)
    command, root = argv[0], Path(argv[1]).resolve()
    if command == "core":
        result = core(root)
    elif command == "floor":
        result = floor(root, argv[2] if len(argv) > 2 else "varchar")
    elif command == "render-probe":
        result = render_probe(root)
    elif command == "profile":
        result = profile(root, int(argv[2]) if len(argv) > 2 else 40)
    else:
        raise SystemExit(f"unknown command {command!r}\n{__doc__}")
    result["process_seconds"] = time.perf_counter() - STARTED
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
