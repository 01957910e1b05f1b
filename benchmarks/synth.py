"""Synthetic raw data for the core scaling benchmark (benchmarks/run.py, issue 7).

Writes a complete `data/raw/` tree, plus `params.yaml` and `sql/`, into a new project root:

- the shipped raw data (series, releases, published values, statements, notifications) is
  kept as it is, so the report's Tables 1.1–1.3 are built as usual;
- `series.csv` gets S synthetic flow series (`syn_s0001` …; integer counts, unit `tilfælde`);
- `releases/syn_<year>.csv`, one file (one release) per reference year, hold the synthetic
  figures. In the default `monthly` format each row is one series × month × region
  (98 police-district-like regions, months 1–12, `months_covered` blank, columns `month`
  and `region` at the end); the last year is partial (months 1–9, status preliminary), so
  the extrapolation has work to do. The `yearly` format (for checkouts without the
  month/region columns) writes one national row per series and year instead (`months_covered`
  12, or 9 for the last year) over 100 years;
- `params.yaml` gets one more table, `S.1`, showing the first three synthetic series, so the
  tables stage lays out synthetic figures too (the tidy `outputs/data/keyfigures.*` holds all).

Rows per series: monthly 98 × (12 × 8 + 9) = 10.290 over 2016–2024; yearly 100. The number
of series is chosen to get closest to the requested number of rows, so sizes are ≈10k, 100k,
1M, 10M synthetic rows. Values are Poisson counts written as plain integers (the format
allows "1520" as well as "1.520"). Everything is vectorised (numpy + polars `write_csv`).

    uv run python benchmarks/synth.py /tmp/synth-1m --rows 1000000 [--format yearly] [--seed 7] [--quoted]

prints a JSON summary (rows, files, bytes, seconds) on stdout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import yaml

PROJECT = Path(__file__).resolve().parents[1]

RELEASE_COLUMNS = (
    "series",
    "reference_year",
    "value",
    "months_covered",
    "period_end",
    "count_date",
    "kind",
    "unit",
    "status",
    "publisher",
    "publication",
    "published",
    "reported_by",
    "url",
    "note",
)
OPTIONAL_COLUMNS = ("month", "region")
N_REGIONS = 98
MONTHLY_YEARS = tuple(range(2016, 2025))  # 9 years; the last one partial
YEARLY_YEARS = tuple(range(1925, 2025))  # 100 years; the last one partial
PARTIAL_MONTHS = 9
UNIT = "tilfælde"
PUBLISHER = "Syntetisk Politi"
PUBLICATION = "Syntetiske nøgletal (benchmark)"
REGIONS = [f"Politikreds {i:02d}" for i in range(1, N_REGIONS + 1)]


def rows_per_series(fmt: str) -> int:
    if fmt == "monthly":
        return N_REGIONS * (12 * (len(MONTHLY_YEARS) - 1) + PARTIAL_MONTHS)
    return len(YEARLY_YEARS)


def series_for(rows: int, fmt: str) -> int:
    """The number of synthetic series whose rows come closest to `rows` (at least one)."""
    return max(1, round(rows / rows_per_series(fmt)))


def series_ids(n: int) -> list[str]:
    width = max(4, len(str(n)))
    return [f"syn_s{i:0{width}d}" for i in range(1, n + 1)]


def _constant(value: str | None, n: int) -> pl.Series:
    return pl.repeat(value, n, dtype=pl.Utf8, eager=True)


def _release_frame(
    ids: pl.Series, year: int, months: int, rng: np.random.Generator, rates: np.ndarray, fmt: str, partial: bool
) -> pl.DataFrame:
    s = len(ids)
    if fmt == "monthly":
        per_series = months * N_REGIONS
        n = s * per_series
        series_code = np.repeat(np.arange(s, dtype=np.uint32), per_series)
        month = np.tile(np.repeat(np.arange(1, months + 1, dtype=np.int8), N_REGIONS), s)
        region_code = np.tile(np.arange(N_REGIONS, dtype=np.uint32), s * months)
        lam = rates[series_code] * (0.5 + (region_code % 7) / 6.0)  # regions differ, series too
        extra = {
            "month": pl.Series("month", month),
            "region": pl.Series(REGIONS, dtype=pl.Enum(REGIONS)).gather(region_code),
        }
        months_covered = _constant(None, n)
    else:
        n = s
        series_code = np.arange(s, dtype=np.uint32)
        lam = rates * 12 * months
        extra = {}
        months_covered = _constant(str(months), n)
    published = f"{year}-10" if partial else f"{year + 1}-01"
    columns = {
        "series": ids.gather(series_code),
        "reference_year": _constant(str(year), n),
        "value": pl.Series(rng.poisson(lam).astype(np.int64)),
        "months_covered": months_covered,
        "period_end": _constant(None, n),
        "count_date": _constant(None, n),
        "kind": _constant("flow", n),
        "unit": _constant(UNIT, n),
        "status": _constant("preliminary" if partial else "final", n),
        "publisher": _constant(PUBLISHER, n),
        "publication": _constant(PUBLICATION, n),
        "published": _constant(published, n),
        "reported_by": _constant(None, n),
        "url": _constant(None, n),
        "note": _constant("januar-september" if partial else None, n),
        **extra,
    }
    return pl.DataFrame({k: v.alias(k) for k, v in columns.items()})


def _series_rows(ids: list[str]) -> str:
    return "".join(
        f"{sid},DK,Syntetisk serie {i},{UNIT},flow,{sid},true,"
        f"Syntetisk serie til ydelsesmålingen (benchmarks/synth.py).,benchmarks/synth.py\n"
        for i, sid in enumerate(ids, 1)
    )


def generate(
    root: Path,
    rows: int,
    fmt: str = "monthly",
    seed: int = 7,
    source: Path = PROJECT,
    synthetic: bool = True,
    quoted: bool = False,
) -> dict:
    """Write a project root with the shipped raw data plus ≈`rows` synthetic release rows.

    `source` is the checkout to take params.yaml, sql/ and the shipped data/raw/ from.
    With `synthetic=False` only the shipped data is copied (the "shipped" size). With
    `quoted=True` every text field of the synthetic files is quoted ("Syntetisk Politi"), as a
    spreadsheet may save them; the values are the same."""
    started = time.perf_counter()
    if fmt not in ("monthly", "yearly"):
        raise SystemExit(f"synth: unknown format {fmt!r} (monthly or yearly)")
    root.mkdir(parents=True, exist_ok=True)
    raw = root / "data" / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    shutil.copytree(source / "data" / "raw", raw)
    if (root / "sql").exists():
        shutil.rmtree(root / "sql")
    shutil.copytree(source / "sql", root / "sql")
    params = yaml.safe_load((source / "params.yaml").read_text(encoding="utf-8"))

    shipped_rows = sum(
        max(0, len([ln for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]) - 1)
        for p in sorted((raw / "releases").glob("*.csv"))
    )
    summary = {"format": fmt, "shipped_rows": shipped_rows, "synthetic_rows": 0, "series": 0, "files": 0, "bytes": 0}
    if synthetic:
        n_series = series_for(rows, fmt)
        ids = series_ids(n_series)
        series_csv = raw / "series.csv"
        text = series_csv.read_text(encoding="utf-8")
        series_csv.write_text(text + ("" if text.endswith("\n") else "\n") + _series_rows(ids), encoding="utf-8")

        rng = np.random.default_rng(seed)
        rates = rng.uniform(0.5, 30.0, n_series)  # per region and month
        id_series = pl.Series(ids, dtype=pl.Enum(ids))
        years = MONTHLY_YEARS if fmt == "monthly" else YEARLY_YEARS
        total = 0
        for year in years:
            partial = year == years[-1]
            frame = _release_frame(id_series, year, PARTIAL_MONTHS if partial else 12, rng, rates, fmt, partial)
            path = raw / "releases" / f"syn_{year}.csv"
            frame.write_csv(path, quote_style="non_numeric" if quoted else "necessary")
            total += frame.height
            summary["bytes"] += path.stat().st_size
            summary["files"] += 1
        summary |= {"synthetic_rows": total, "series": n_series}
        params.setdefault("tables", {})["table_s_1"] = {
            "number": "S.1",
            "title": "Syntetiske serier (ydelsesmåling)",
            "series": ids[:3],
            "first_year": years[-5],
            "row_labels": True,
            "partial_marker": "asterisk",
        }
    (root / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    summary["rows"] = summary["shipped_rows"] + summary["synthetic_rows"]
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the project root to write (created; data/raw replaced)")
    parser.add_argument("--rows", type=int, default=10_000, help="synthetic release rows wanted (approximate)")
    parser.add_argument("--format", choices=("monthly", "yearly"), default="monthly")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", type=Path, default=PROJECT, help="checkout to copy params, sql/ and data/raw from")
    parser.add_argument("--shipped-only", action="store_true", help="copy the shipped data only")
    parser.add_argument("--quoted", action="store_true", help="quote every text field of the synthetic files")
    args = parser.parse_args(argv)
    summary = generate(
        args.root, args.rows, args.format, args.seed, args.source, synthetic=not args.shipped_only, quoted=args.quoted
    )
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
