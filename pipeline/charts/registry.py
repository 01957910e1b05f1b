"""The charts by name: what a chart is (ChartSpec), the kinds of chart (code), the charts
declared in params.yaml (data) and the formats the stage writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from pipeline.params import ParamsError, load_params, require_known, year_choice
from pipeline.paths import Paths
from pipeline.schemas import FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR

MONTHS_IN_YEAR = 12
FORMATS = ("html", "svg", "png")
STATIC_FORMATS = ("svg", "png")


def charts_dir(paths: Paths) -> Path:
    return paths.outputs / "charts"


@dataclass(frozen=True)
class ChartSpec:
    """One chart. `series` and `first_year` select the figures (the last year is always the
    latest in the data); `context` adds earlier years, drawn apart from the span with a label
    (e.g. a year of gang conflict to compare with). Charts on other data replace `load` (it
    must return REQUIRED_COLUMNS; the rest of CHART_COLUMNS is optional) and may replace
    `draw`, and `describe` and `cite` when the key figures' notes and source line do not fit
    their data; title, style and export are shared."""

    name: str
    title: str  # Danish; the data's years are appended
    kind: str = "keyfigures"  # the family it belongs to (KINDS)
    series: tuple[str, ...] = ()
    first_year: int | None = None
    context: tuple[tuple[int, str], ...] = ()  # (year, Danish label) shown apart, before the span
    mark: str = "bar"  # "bar" for flows (counts over a year), "line" for stocks
    panels: bool = False  # one panel per series (different units) or one shared axis
    horizontal: bool = False  # values on the x axis (the drawing must match)
    plot_height: int | None = None  # the plotting area in px; default PLOT_HEIGHT
    y_title: str | None = None  # default "Antal <unit>"
    drawn_as: str | None = None  # how an estimate is drawn, in words; default from `mark`
    notes: tuple[str, ...] = ()  # extra Danish notes under the chart
    load: Callable[[ChartSpec, Paths], pl.DataFrame] | None = None
    draw: Callable[[ChartSpec, pl.DataFrame], go.Figure] | None = None
    describe: Callable[[ChartSpec, pl.DataFrame], list[str]] | None = None  # notes from the data
    cite: Callable[[pl.DataFrame], str] | None = None  # the source line


@dataclass(frozen=True)
class Kind:
    """A family of charts, as code: how its charts get their rows, are drawn, and get their
    notes and source line (None: as the key figures). `selects`: its charts choose their
    series and years in their declaration; otherwise its loader (and its own params) do."""

    load: Callable[[ChartSpec, Paths], pl.DataFrame] | None = None
    draw: Callable[[ChartSpec, pl.DataFrame], go.Figure] | None = None
    describe: Callable[[ChartSpec, pl.DataFrame], list[str]] | None = None
    cite: Callable[[pl.DataFrame], str] | None = None
    selects: bool = True
    draws_context: bool = True  # draws the declared context years, apart, before first_year


KINDS: dict[str, Kind] = {}
SELECTION = ("series", "first_year", "context")  # the declaration keys of a chart that selects


def register_kind(name: str, kind: Kind) -> Kind:
    if name in KINDS:
        raise ValueError(f"kind of chart '{name}' is registered twice")
    KINDS[name] = kind
    return kind


def _spec(name: str, declared: dict) -> ChartSpec:
    """One declaration of params.yaml's `charts` as a ChartSpec of its kind; what the schema
    cannot know (the kinds are code) is checked here, naming the parameter."""
    where = f"charts.{name}"
    require_known(f"{where}.kind", declared["kind"], KINDS, "kind of chart", "pipeline/charts/catalog.py")
    kind = KINDS[declared["kind"]]
    if kind.selects and not declared["series"]:
        raise ParamsError(f"{where}.series", f"a {declared['kind']} chart needs at least one series")
    if not kind.selects:
        for key in SELECTION:
            if declared[key]:
                raise ParamsError(f"{where}.{key}", f"a {declared['kind']} chart chooses its own data; leave {key} out")
    first = year_choice(declared, where)["first_year"]
    if declared["context"] and not kind.draws_context:
        raise ParamsError(f"{where}.context", f"a {declared['kind']} chart draws no context years; leave context out")
    seen: set[int] = set()
    for i, context in enumerate(declared["context"]):
        if context["year"] in seen:
            raise ParamsError(f"{where}.context.{i}.year", f"{context['year']} is given twice")
        seen.add(context["year"])
        if not FIRST_PLAUSIBLE_YEAR <= context["year"] <= LAST_PLAUSIBLE_YEAR:
            raise ParamsError(
                f"{where}.context.{i}.year",
                f"{context['year']} is not a year from {FIRST_PLAUSIBLE_YEAR} to {LAST_PLAUSIBLE_YEAR}",
            )
        if first is not None and context["year"] >= first:
            raise ParamsError(f"{where}.context.{i}.year", f"{context['year']} is not before first_year {first}")
    if declared["context"] and first is None:
        raise ParamsError(f"{where}.context", "context years are drawn before first_year: give first_year too")
    return ChartSpec(
        name=name,
        title=declared["title"],
        kind=declared["kind"],
        series=tuple(declared["series"]),
        first_year=first,
        context=tuple((c["year"], c["label"]) for c in declared["context"]),
        mark=declared["mark"],
        panels=declared["panels"],
        horizontal=declared["horizontal"],
        plot_height=declared["plot_height"],
        y_title=declared["y_title"],
        drawn_as=declared["drawn_as"],
        notes=tuple(declared["notes"]),
        load=kind.load,
        draw=kind.draw,
        describe=kind.describe,
        cite=kind.cite,
    )


_declared: dict[tuple[str, bytes], dict[str, ChartSpec]] = {}


def charts_for(paths: Paths | None = None) -> dict[str, ChartSpec]:
    """The charts a project declares in its params.yaml, by name, in their order. Read again
    only when the file changed (the report and the CLI ask once per chart)."""
    paths = paths or Paths()
    try:
        key = (str(paths.params), paths.params.read_bytes())
    except OSError:
        load_params(paths)  # names the file's problem
        raise
    if key not in _declared:
        _declared.clear()
        _declared[key] = {name: _spec(name, declared) for name, declared in load_params(paths)["charts"].items()}
    return _declared[key]


class _ProjectCharts(Mapping):
    """The charts of the project at or above the working directory (or NOEGLETAL_ROOT), as
    declared at the moment of asking: `CHARTS[name]`, `list(CHARTS)`."""

    def __getitem__(self, name: str) -> ChartSpec:
        return charts_for()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(charts_for())

    def __len__(self) -> int:
        return len(charts_for())


CHARTS: Mapping[str, ChartSpec] = _ProjectCharts()


def get_spec(name: str, paths: Paths | None = None) -> ChartSpec:
    charts = charts_for(paths)
    if name not in charts:
        raise SystemExit(f"noegletal charts: no chart '{name}'; charts: {', '.join(charts)}")
    return charts[name]
