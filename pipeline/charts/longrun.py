"""The long run: one panel per kind, with a mark wherever a series' source changes."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from pipeline import fmt, wording
from pipeline.charts.data import keyfigure_rows
from pipeline.charts.keyfigures import _bar_traces, _label_text, _legend_keys, _line_traces, _top
from pipeline.charts.notes import (
    _count_date_notes,
    _estimate_notes,
    _interval_notes,
    _num,
    _past_partial_notes,
    _rows,
    source_text,
)
from pipeline.charts.notifications import _joined
from pipeline.charts.registry import ChartSpec
from pipeline.charts.style import INK, MUTED, SERIES_STYLES, WIDTH, y_title, year_axis
from pipeline.paths import Paths

# What names a figure's source, compared from one plotted year to the next: who produced it,
# the publication (whose title carries the definition as the source words it, e.g. "Sårede
# og døde i rocker- og bandekonflikten"), and the secondary source it was read in. By the
# raw format's convention `reported_by` names that source first and, after a comma, where in
# it ("VIVE (2025): Forenet Mod Vold, Tabel 1.1"): a table or page of the same source is no change.
SOURCE_PARTS = ("publisher", "publication", "read_in")
SOURCE_PART_WORDS = {"publisher": "udgiver", "publication": "opgørelse", "read_in": "kilde"}
LONGRUN_HEADROOM = 1.45  # of a panel's highest figure: room above the value labels for the marks' labels
PANEL_ORDER = ("stock", "flow")  # head-counts above, counts over the year below


def read_in(reported_by: str | None, publisher: str | None = None) -> str | None:
    """'VIVE (2025): Forenet Mod Vold, Tabel 1.1' -> 'VIVE (2025): Forenet Mod Vold'; None when
    the figure was read at its publisher (wording.secondary_source)."""
    return wording.secondary_source(publisher, reported_by)


def _source_of(row: dict) -> tuple:
    return row["publisher"], row["publication"], read_in(row["reported_by"], row["publisher"])


OVERLAP_COLUMNS = {
    "other_publisher": pl.Utf8,
    "other_publication": pl.Utf8,
    "other_read_in": pl.Utf8,
    "other_observed_value": pl.Float64,
    "other_count_date": pl.Date,
    "other_count_date_precision": pl.Utf8,
}


def longrun_rows(spec: ChartSpec, paths: Paths) -> pl.DataFrame:
    """The selected figures of the spec's series, each from its own first year in the data to
    the latest year of any; a year without a figure inside that span is 'missing'. Where a
    release from another source has the same figure for the same months (where two sources
    overlap, as members 2014), the first such release is named beside it (`other_*`). A stock
    counted on another date that year is named too, from any source: a count of its own, with
    its count date (`other_count_date`)."""
    rows = keyfigure_rows(spec, paths)
    firsts = (
        rows.filter(pl.col("status") != "missing")
        .group_by("series")
        .agg(pl.col("reference_year").min().alias("_first"))
    )
    rows = (
        rows.join(firsts, on="series", how="inner")
        .filter(pl.col("reference_year") >= pl.col("_first"))
        .drop("_first")
        .with_columns(
            pl.struct("reported_by", "publisher")
            .map_elements(lambda r: read_in(r["reported_by"], r["publisher"]), return_dtype=pl.Utf8)
            .alias("read_in")
        )
    )
    shown = {(r["series"], r["reference_year"]): r for r in rows.iter_rows(named=True) if r["status"] != "missing"}
    others: dict[tuple, dict] = {}
    not_selected = pl.read_parquet(paths.derived_figures).filter(
        ~pl.col("selected") & pl.col("series").is_in(spec.series)
    )
    for other in not_selected.sort("vintage_rank").iter_rows(named=True):
        key = (other["series"], other["reference_year"])
        mine = shown.get(key)
        if mine is None or key in others:
            continue
        another_date = mine["kind"] == "stock" and other["count_date"] != mine["count_date"]
        if not another_date and (
            other["months_covered"] != mine["months_covered"] or _source_of(other) == _source_of(mine)
        ):
            continue
        others[key] = {
            "other_publisher": other["publisher"],
            "other_publication": other["publication"],
            "other_read_in": read_in(other["reported_by"], other["publisher"]),
            "other_observed_value": other["observed_value"],
            "other_count_date": other["count_date"],
            "other_count_date_precision": other.get("count_date_precision"),
        }
    return rows.with_columns(
        pl.Series(
            column,
            [others.get((r["series"], r["reference_year"]), {}).get(column) for r in rows.iter_rows(named=True)],
            dtype=dtype,
        )
        for column, dtype in OVERLAP_COLUMNS.items()
    )


def source_changes(data: pl.DataFrame) -> list[dict]:
    """Where the source of a series changes between two plotted years: one entry per year and
    change, with the series it applies to (series changing alike share an entry), and for each
    part that changed its value before and after. Derived from the rows' provenance only."""
    changes: dict[tuple, dict] = {}
    for s in dict.fromkeys(data["series"]):
        plotted = [r for r in _rows(data.filter(pl.col("series") == s)) if r["status"] != "missing"]
        for before, after in zip(plotted, plotted[1:]):
            changed = tuple((part, before[part], after[part]) for part in SOURCE_PARTS if before[part] != after[part])
            if not changed:
                continue
            key = (after["kind"], after["reference_year"], changed)
            entry = changes.setdefault(
                key,
                {
                    "kind": after["kind"],
                    "reference_year": after["reference_year"],
                    "previous_year": before["reference_year"],
                    "series": [],
                    "labels": [],
                    "changed": [{"part": p, "before": b, "after": a} for p, b, a in changed],
                },
            )
            entry["series"].append(s)
            entry["labels"].append(after["label_da"])
    return sorted(changes.values(), key=lambda c: (c["reference_year"], c["series"]))


def change_label(change: dict) -> str:
    """The short label on the chart: 'Ny udgiver', 'Ny opgørelse og kilde'."""
    return "Ny " + _joined([SOURCE_PART_WORDS[c["part"]] for c in change["changed"]])


def _change_part_text(part: dict) -> str:
    """'gengivet i VIVE (2025) (før Nordjyske)', 'læst hos udgiveren selv (før Nordjyske)',
    'gengivet i Nordjyske (før læst hos udgiveren selv)', 'udgiver ikke oplyst (før Rigspolitiet)';
    the words: pipeline/wording/."""
    if part["part"] == "read_in":
        before = part["before"] or wording.read_in_text(None)
        return f"{wording.read_in_text(part['after'])} (før {before})"

    def shown(value: str | None) -> str:  # a change of publisher says an unknown one is not stated
        if value is None:
            return "ikke oplyst"
        return f"»{value}«" if part["part"] == "publication" else value

    return f"{SOURCE_PART_WORDS[part['part']]} {shown(part['after'])} (før {shown(part['before'])})"


def change_note(change: dict) -> str:
    """'Sårede og dræbte fra 2017: opgørelse »…« (før »…«); gengivet i VIVE (2025) (før Nordjyske).'"""
    return (
        f"{_joined(change['labels'])} fra {change['reference_year']}: "
        f"{'; '.join(_change_part_text(p) for p in change['changed'])}."
    )


def _and(names: list[str]) -> str:
    """['A', 'B', 'C'] -> 'A, B og C' (names keep their capitals)."""
    return " og ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def longrun_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    changes = source_changes(data)
    missing: dict[tuple[int, ...], list[str]] = {}
    for label in dict.fromkeys(r["label_da"] for r in _rows(data, "missing")):
        missing.setdefault(
            tuple(r["reference_year"] for r in _rows(data, "missing") if r["label_da"] == label), []
        ).append(label)
    notes = [*_estimate_notes(spec, data), *_interval_notes(data), *_past_partial_notes(data), *_count_date_notes(data)]
    notes += [
        f"{_joined(labels)}: ingen tal i de anvendte udgivelser for {fmt.year_ranges(years)}."
        for years, labels in missing.items()
    ]
    for r in _rows(data):
        if r["other_observed_value"] is not None:
            other, mine = _num(r["other_observed_value"], r), _num(r["observed_value"], r)
            found = wording.found_in(r["other_publisher"], r["other_publication"], r["other_read_in"])
            if r["kind"] == "stock":  # two head-counts: each with its count date
                notes.append(
                    wording.other_count_sentence(
                        r["label_da"],
                        r["reference_year"],
                        other,
                        r["other_count_date"],
                        found,
                        mine,
                        r["count_date"],
                        r.get("other_count_date_precision"),
                        r.get("count_date_precision"),
                    )
                )
                continue
            notes.append(
                f"{r['label_da']} {r['reference_year']} findes også i {found}: {other}"
                + (
                    ", det samme tal."
                    if r["other_observed_value"] == r["observed_value"]
                    else f", mod {mine} i figuren."
                )
            )
    if changes:
        notes.append(
            " ".join(
                [
                    "Prikket lodret linje: kilden skifter mellem to år (udgiver, opgørelse eller den "
                    "kilde, tallet er gengivet i).",
                    *(change_note(c) for c in changes),
                ]
            )
        )
    return notes


def longrun_source(data: pl.DataFrame) -> str:
    """The key figures' source line, then where the figures were read, with their years."""
    read: dict[str, list[int]] = {}
    for r in _rows(data):
        if r["status"] != "missing" and r["read_in"]:
            read.setdefault(r["read_in"], []).append(r["reference_year"])
    places = [f"{place} ({fmt.year_ranges(years)})" for place, years in sorted(read.items(), key=lambda p: min(p[1]))]
    # every place a figure was read is said here, with its years: the publishers' line does
    # not name the quotes again (wording.cited_publisher names them where nothing else does)
    publishers = source_text(data.with_columns(pl.lit(None, dtype=pl.Utf8).alias("source_kind")))
    return publishers + (f" Gengivet i {_and(places)}." if places else "")


def panel_groups(rows: list[dict]) -> list[list[str]]:
    """The series per panel: one panel per kind (stocks, then flows), series in the spec's order."""
    kinds = {r["series"]: r["kind"] for r in rows}
    ordered = sorted(dict.fromkeys(kinds.values()), key=lambda k: PANEL_ORDER.index(k) if k in PANEL_ORDER else 99)
    return [[s for s in kinds if kinds[s] == kind] for kind in ordered]


MARK_LINE_PX = 14  # one line of a mark's label
MARK_CHAR_PX = 6  # about, at 11 px


def _source_marks(fig: go.Figure, panel: int, changes: list[dict], n_years: int) -> None:
    """One dotted line per year of change in the panel, just before that year, labelled; the
    labels of series changing differently in one year are stacked, and a label that would run
    into the one before it goes a line lower."""
    by_year: dict[int, list[dict]] = {}
    for change in changes:
        by_year.setdefault(change["reference_year"], []).append(change)
    year_px = (WIDTH - 100) / (n_years + 1.2)  # the plot's width over the axis range
    ends: list[float] = []  # where each line of labels is taken up to, in years
    for year, here in sorted(by_year.items()):
        x = year - 0.5
        name = f"source-change-{year}-{'-'.join(s for c in here for s in c['series'])}"
        lines = (
            [change_label(c) for c in here]
            if len(here) == 1
            else [f"{change_label(c)} ({_joined(c['labels']).lower()})" for c in here]
        )
        width = (max(len(line) for line in lines) * MARK_CHAR_PX + 6) / year_px
        level = next(i for i in range(len(ends) + 1) if all(end < x for end in ends[i : i + len(lines)]))
        ends += [float("-inf")] * (level + len(lines) - len(ends))
        ends[level : level + len(lines)] = [x + width] * len(lines)
        fig.add_vline(
            x=x, row=panel, col=1, line=dict(color=INK, width=1.2, dash="dot"), name=name, exclude_empty_subplots=False
        )
        fig.add_annotation(
            x=x,
            y=1,
            yref="y domain",
            row=panel,
            col=1,
            xanchor="left",
            yanchor="top",
            xshift=3,
            yshift=-MARK_LINE_PX * level,
            showarrow=False,
            align="left",
            text="<br>".join(html.escape(line) for line in lines),
            font=dict(size=11, color=INK),
            name=name,
        )


def draw_longrun(spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """One panel per kind sharing the year axis: stocks as lines, flows as bars (a partial
    year as the other charts draw it); a dotted vertical line with a short label wherever a
    series' source changes (source_changes), in the panel of that series."""
    rows = [r | {"x": r["reference_year"]} for r in _rows(data)]
    series_ids = list(dict.fromkeys(r["series"] for r in rows))
    years = sorted({r["reference_year"] for r in rows})
    groups = panel_groups(rows)
    titles = [f"{_joined([next(r['label_da'] for r in rows if r['series'] == s) for s in g])}" for g in groups]
    fig = make_subplots(rows=len(groups), cols=1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=titles)
    changes = source_changes(data)
    for panel, group in enumerate(groups, start=1):
        group_rows = [r for r in rows if r["series"] in group]
        # a year no series of the panel has gets one "ingen tal", not one per series
        empty = sorted(
            {r["reference_year"] for r in group_rows}
            - {r["reference_year"] for r in group_rows if r["status"] != "missing"}
        )
        bars = [s for s in group if next(r["kind"] for r in rows if r["series"] == s) != "stock"]
        for s in group:
            style = SERIES_STYLES[series_ids.index(s) % len(SERIES_STYLES)]
            series_rows = [r for r in group_rows if r["series"] == s and r["reference_year"] not in empty]
            traces = (
                _bar_traces(series_rows, style, bars.index(s), len(bars), True)
                if s in bars
                else _line_traces(series_rows, style, True)
            )
            for trace in traces:
                if trace.uid == f"{s}-labels" and s not in bars:
                    # the count date is in the notes and the hover: on 16 years a second line would collide
                    trace.text = [
                        _num(r["value"], r) if r["status"] == "observed" else _label_text(r) for r in series_rows
                    ]
                fig.add_trace(trace, row=panel, col=1)
        if empty:
            fig.add_trace(
                go.Scatter(
                    x=empty,
                    y=[0] * len(empty),
                    mode="text",
                    text=["ingen<br>tal"] * len(empty),
                    textposition="top center",
                    textfont=dict(size=11, color=MUTED),
                    showlegend=False,
                    hoverinfo="skip",
                    cliponaxis=False,
                    uid=f"panel{panel}-missing-labels",
                ),
                row=panel,
                col=1,
            )
        top = max((_top(r) for r in group_rows if r["status"] != "missing"), default=0) or 1
        fig.update_yaxes(title_text=y_title(spec, group_rows), range=[0, top * LONGRUN_HEADROOM], row=panel, col=1)
        _source_marks(fig, panel, [c for c in changes if set(c["series"]) & set(group)], len(years))
    for key in _legend_keys(spec, data):
        fig.add_trace(key, row=len(groups), col=1)
    year_axis(fig, years)
    return fig
