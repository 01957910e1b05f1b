"""The charts: every chart builds, exports as valid SVG, PNG and offline HTML with its data
and metadata, marks estimates, uses Danish number formatting, and is the same every run."""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
import yaml
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from pipeline import charts, compare
from pipeline.chart_cli import chart_app, output_path
from pipeline.paths import Paths

from conftest import dvc_not_asked

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module", autouse=True)
def compared(built: Paths) -> Paths:
    """The Denmark–Sweden chart reads the compare stage's output (as DVC runs compare first)."""
    compare.run(built)
    return built


@pytest.fixture(scope="module")
def exported(compared: Paths) -> tuple[Path, Path]:
    """All charts exported twice (two browser sessions), to compare the runs. The tests that
    use it are marked slow."""
    built = compared
    first, second = built.outputs / "charts", built.root / "charts_again"
    charts.export(paths=built)
    charts.export(out_dir=second, paths=built)
    return first, second


def svg_text(path: Path) -> str:
    """All text a reader sees in an SVG, one string per <text> element."""
    root = ET.fromstring(path.read_bytes())
    return "\n".join("".join(el.itertext()) for el in root.iter(f"{SVG_NS}text"))


def test_registry_has_the_charts_with_danish_titles():
    assert {"medlemmer", "sigtelser_strafmasse", "skud_saarede_draebte", "dk_se_rater", "custom_notifications"} <= set(
        charts.CHARTS
    )
    assert all(spec.title for spec in charts.CHARTS.values())


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_every_chart_builds(built, name):
    fig = charts.build_figure(name, built)
    assert isinstance(fig, go.Figure) and fig.data
    assert fig.layout.separators == ",."
    assert charts.CHARTS[name].title in fig.layout.title.text
    data = charts.chart_data(name, built)
    assert data.columns[: len(charts.CHART_COLUMNS)] == list(charts.CHART_COLUMNS)
    assert data.height > 0


def test_chart_spans_and_missing_years(built):
    members = charts.chart_data("medlemmer", built)
    assert members["reference_year"].min() == 2014 and members["status"].unique().to_list() == ["observed"]
    both = charts.chart_data("sigtelser_strafmasse", built)
    assert both["reference_year"].min() == 2021
    missing = both.filter(pl.col("status") == "missing")
    assert missing.select("series", "reference_year").rows() == [("strafmasse", 2024)]
    meta = charts.chart_metadata("sigtelser_strafmasse", built)
    assert meta["missing"] == [{"series": "strafmasse", "reference_year": 2024}]
    assert any("Strafmasse: ingen offentliggjorte tal for 2024" in n for n in meta["notes"])


@pytest.mark.slow
def test_exported_files(exported):
    out, _ = exported
    for name in charts.CHARTS:
        for ext in (*charts.FORMATS, "div.html", "csv", "json"):
            assert (out / f"{name}.{ext}").is_file(), f"{name}.{ext}"
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_svg_parses_and_holds_the_danish_title(built, exported, name):
    out, _ = exported
    text = svg_text(out / f"{name}.svg")
    title = charts.chart_metadata(name, built)["title"]
    assert title in text
    assert "Kilde: " in text
    if charts.CHARTS[name].cite is None:  # the key figures' source line
        assert "Kilde: Figuren er baseret på nøgletal fra" in text


@pytest.mark.slow
def test_png_is_a_png(exported):
    out, _ = exported
    for name in charts.CHARTS:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_html_is_standalone_and_offline(exported):
    out, _ = exported
    bundle = get_plotlyjs()
    for name in charts.CHARTS:
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        assert bundle in page, "plotly.js is not inline"
        rest = page.replace(bundle, "")  # plotly.js itself names a CDN for map data, unused here
        assert "cdn.plot.ly" not in rest
        assert not re.search(r"""<script[^>]+src=["']?https?:""", rest)
        assert f'id="noegletal-{name}"' in rest and '<html lang="da">' in rest


@pytest.mark.slow
def test_estimates_are_marked(built, exported):
    out, _ = exported
    meta = json.loads((out / "skud_saarede_draebte.json").read_text(encoding="utf-8"))
    marked = {(e["series"], e["reference_year"]) for e in meta["estimates"]}
    assert marked == {("skudepisoder", 2024), ("saarede", 2024), ("draebte", 2024)}
    assert all(e["months_covered"] == 9 and e["observed_value"] < e["value"] for e in meta["estimates"])
    assert "skøn" in meta["subtitle"] and any("Det er et skøn, ikke en opgørelse" in n for n in meta["notes"])
    assert "sigtelser 2.181 / 9 × 12 = 2.908" in " ".join(charts.chart_metadata("sigtelser_strafmasse", built)["notes"])
    assert json.loads((out / "medlemmer.json").read_text(encoding="utf-8"))["estimates"] == []
    data = pl.read_csv(out / "skud_saarede_draebte.csv")
    assert data.filter(pl.col("reference_year") == 2024)["status"].unique().to_list() == ["estimated"]
    # drawn unlike an observation: a hatched bar on top of the observed months, labelled "skøn"
    fig = charts.build_figure("skud_saarede_draebte", built)
    estimate = next(t for t in fig.data if t.uid == "skudepisoder-estimated")
    observed = next(t for t in fig.data if t.uid == "skudepisoder-observed")
    assert estimate.marker.pattern.shape and not observed.marker.pattern.shape
    assert list(estimate.base) == [19.0] and list(estimate.y) == [25.0 - 19.0]
    assert "skøn" in svg_text(out / "skud_saarede_draebte.svg")


def test_interval_drawn_when_present_and_absent_without(built, tmp_path):
    derived = pl.read_parquet(built.derived_figures)
    has_interval = "interval_lower" in derived.columns and derived["interval_lower"].drop_nulls().len() > 0
    fig = charts.build_figure("sigtelser_strafmasse", built)
    whiskers = [t for t in fig.data if t.uid and "interval" in t.uid and t.error_y and t.error_y.array]
    assert bool(whiskers) == has_interval

    # a copy of the inputs without the interval columns: no band, no note, no failure
    copy = Paths(tmp_path)
    for src, dest in (
        (built.params, copy.params),  # the charts' declarations
        (built.derived_figures, copy.derived_figures),
        (built.validated_series, copy.validated_series),
    ):
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    pl.read_parquet(copy.derived_figures).drop(list(charts.INTERVAL_COLUMNS), strict=False).write_parquet(
        copy.derived_figures
    )
    bare = charts.build_figure("sigtelser_strafmasse", copy)
    assert not [t for t in bare.data if t.uid and "interval" in t.uid]
    assert not any("interval" in n for n in charts.chart_metadata("sigtelser_strafmasse", copy)["notes"])

    # and with an interval: a whisker from lower to upper around the estimate, and a note
    with_band = (
        pl.read_parquet(built.derived_figures)
        .drop(list(charts.INTERVAL_COLUMNS), strict=False)
        .with_columns(
            interval_lower=pl.when(pl.col("status") == "estimated").then(pl.col("value") - 100),
            interval_upper=pl.when(pl.col("status") == "estimated").then(pl.col("value") + 150),
            interval_level=pl.when(pl.col("status") == "estimated").then(pl.lit(0.95)),
            interval_method=pl.when(pl.col("status") == "estimated").then(pl.lit("test: et testinterval")),
        )
    )
    with_band.write_parquet(copy.derived_figures)
    fig = charts.build_figure("sigtelser_strafmasse", copy)
    line = next(t for t in fig.data if t.uid == "sigtelser-interval-line")
    assert list(line.y) == [2908.0] and list(line.error_y.array) == [150.0] and list(line.error_y.arrayminus) == [100.0]
    notes = charts.chart_metadata("sigtelser_strafmasse", copy)["notes"]
    assert "Den lodrette streg viser et 95\xa0%-interval for skønnet: et testinterval." in notes


def test_line_chart_draws_an_estimate_as_an_open_marker(built):
    spec = charts.ChartSpec(name="test_line", title="Test", series=("sigtelser",), first_year=2021, mark="line")
    data = charts.keyfigure_rows(spec, built)
    fig = charts.apply_style(charts.draw_keyfigures(spec, data), spec, data)
    observed = next(t for t in fig.data if t.uid == "sigtelser-observed")
    estimate = next(t for t in fig.data if t.uid == "sigtelser-2024-estimate")
    segment = next(t for t in fig.data if t.uid == "sigtelser-2024-estimate-segment")
    assert list(observed.y)[-1] is None and not observed.marker.symbol.endswith("-open")
    assert estimate.marker.symbol.endswith("-open") and list(estimate.y) == [2908.0]
    assert segment.line.dash == "dot" and list(segment.x) == [2023, 2024]
    assert "åben markør" in fig.layout.title.subtitle.text


def test_period_ending_inside_a_month(built):
    """A release 'up to 15 December' is described by its end date and its months exposed."""
    spec = charts.CHARTS["sigtelser_strafmasse"]
    data = charts.chart_data("sigtelser_strafmasse", built).with_columns(
        period_end=pl.when(pl.col("status") == "estimated").then(pl.date(2024, 12, 15)),
        months_exposure=pl.when(pl.col("status") == "estimated").then(pl.lit(11.5)),
    )
    notes = " ".join(charts.chart_notes(spec, data))
    assert "kun opgjort for 1. januar–15. december (11,5 måneder)" in notes
    assert "sigtelser 2.181 / 11,5 × 12" in notes and "resten af året har samme gennemsnit" in notes


def test_a_chart_on_other_data_can_be_registered(project):
    """As the Denmark–Sweden and notification charts are: a kind of its own in code (loader,
    shared style), and a chart of it declared in params.yaml."""

    def load(spec, paths):
        return pl.DataFrame(
            {
                "series": ["x", "x"],
                "label_da": ["Eksempel", "Eksempel"],
                "unit": ["pr. 100.000"] * 2,
                "kind": ["flow"] * 2,
                "reference_year": [2022, 2023],
                "status": ["observed"] * 2,
                "value": [1.25, 2.5],
                "publisher": ["Testkilde"] * 2,
                "published": ["2024"] * 2,
                "rate_basis": ["a", "b"],
            }
        )

    settings = yaml.safe_load(project.params.read_text(encoding="utf-8"))
    settings["charts"]["test_other"] = {"kind": "test_kind", "title": "Et eksempel", "mark": "line"}
    project.params.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    charts.register_kind("test_kind", charts.Kind(load=load, selects=False))
    try:
        data = charts.chart_data("test_other", project)
        assert data.columns[: len(charts.CHART_COLUMNS)] == list(charts.CHART_COLUMNS)
        assert data.columns[-1] == "rate_basis"
        fig = charts.build_figure("test_other", project)
        assert fig.layout.separators == ",." and "Et eksempel, 2022–2023" in fig.layout.title.text
        assert (
            charts.chart_metadata("test_other", project)["source"]
            == "Kilde: Figuren er baseret på nøgletal fra Testkilde 2024."
        )
        with pytest.raises(ValueError):
            charts.register_kind("test_kind", charts.Kind())
    finally:
        charts.KINDS.pop("test_kind", None)


@pytest.mark.slow
def test_context_year_is_drawn_apart_and_labelled(built, exported):
    """The 2017 gang conflict beside 2021–2024: its own rows, a labelled band, no 2018–2020."""
    out, _ = exported
    data = charts.chart_data("skud_saarede_draebte", built)
    conflict = data.filter(pl.col("reference_year") == 2017)
    assert dict(conflict.select("series", "value").rows()) == {"skudepisoder": 87, "saarede": 45, "draebte": 3}
    assert conflict["context"].unique().to_list() == ["Bandekonflikten 2017"]
    assert conflict["status"].unique().to_list() == ["observed"] and conflict["release_id"][0] == "rigspolitiet_2017"
    assert data.filter(pl.col("reference_year") != 2017)["context"].null_count() == data.height - 3
    assert not data.filter(pl.col("reference_year").is_between(2018, 2020)).height

    meta = charts.chart_metadata("skud_saarede_draebte", built)
    assert meta["title"].endswith(", 2017 og 2021–2024")
    assert meta["context"] == [{"reference_year": 2017, "label": "Bandekonflikten 2017"}]
    assert (
        "Bandekonflikten 2017 er vist til sammenligning, adskilt fra 2021–2024; 2018–2020 er ikke vist."
        in meta["notes"]
    )
    assert meta["source"].startswith("Kilde: Figuren er baseret på nøgletal fra Rigspolitiet 2017; ")

    fig = charts.build_figure("skud_saarede_draebte", built)
    observed = next(t for t in fig.data if t.uid == "skudepisoder-observed")
    assert list(observed.y)[0] == 87 and list(observed.x)[0] < 2021 - 1  # closer than 2017, apart from 2021
    assert [s.name for s in fig.layout.shapes] == ["context-Bandekonflikten 2017"]
    assert list(fig.layout.xaxis.ticktext) == ["2017", "2021", "2022", "2023", "2024"]
    assert "Bandekonflikten 2017" in svg_text(out / "skud_saarede_draebte.svg")


@pytest.mark.slow
def test_dk_se_rates_mark_the_danish_partial_year_as_an_estimate(built, exported):
    out, _ = exported
    data = charts.chart_data("dk_se_rater", built)
    assert data.height == 8 and set(data["country"]) == {"DK", "SE"}
    estimated = data.filter(pl.col("status") == "estimated")
    assert estimated.select("series", "reference_year", "months_covered").rows() == [("draebte", 2024, 9)]
    row = estimated.row(0, named=True)
    assert row["interval_lower"] < row["value"] < row["interval_upper"] and row["count"] == 2
    assert data.filter(pl.col("series") == "se_dodade_skjutningar")["count"].to_list() == [45, 62, 53, 44]

    meta = json.loads((out / "dk_se_rater.json").read_text(encoding="utf-8"))
    assert [(e["series"], e["reference_year"], e["drawn_as"], e["period_observed"]) for e in meta["estimates"]] == [
        ("draebte", 2024, "åben markør", "januar–september")
    ]
    assert meta["subtitle"] == "2024: januar–september er opgjort, resten af året er et skøn (åben markør)"
    notes = " ".join(meta["notes"])
    assert "Ikke direkte sammenlignelig: forskellige definitioner" in notes
    assert "dækker kun januar–september" in notes and "Skønnet er tegnet med åben markør." in notes
    assert meta["source"].endswith("Folketal: Danmarks Statistik; Statistiska centralbyrån (SCB).")
    assert meta["unit"] == "pr. 100.000 indbyggere"

    fig = charts.build_figure("dk_se_rater", built)
    estimate = next(t for t in fig.data if t.uid == "draebte-estimated")
    observed = next(t for t in fig.data if t.uid == "draebte-observed")
    assert estimate.marker.symbol.endswith("-open") and not observed.marker.symbol.endswith("-open")
    assert len(observed.x) == 3 and list(estimate.x) == [pytest.approx(2024 - 0.14)]
    whiskers = [t for t in fig.data if t.uid in ("draebte-interval-line", "se_dodade_skjutningar-interval-line")]
    assert [len(t.y) for t in whiskers] == [4, 4]  # every rate with its interval
    ratios = {a.name: a.text for a in fig.layout.annotations if (a.name or "").startswith("ratio-2")}
    assert ratios["ratio-2023"] == "7,5 gange<br>(2,8–28,4)" and ratios["ratio-2024"].startswith("skøn: 9,3 gange")
    text = svg_text(out / "dk_se_rater.svg")
    assert "7,5 gange" in text and "skøn" in text and "0,50" in text and "Folketal" in text
    assert "&quot;" not in text and '("döda till följd' in text  # quotes drawn as quotes


def test_dk_se_rates_without_a_danish_rate(built, tmp_path):
    """comparison.partial_year: same_months leaves 2024 without rates: drawn as missing, no estimate."""
    copy = Paths(tmp_path)
    for src, dest in (
        (built.params, copy.params),  # the charts' declarations
        (built.derived_figures, copy.derived_figures),
        (built.validated_series, copy.validated_series),
        (built.derived_comparison, copy.derived_comparison),
    ):
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    rate_columns = [c for c in pl.read_parquet(copy.derived_comparison).columns if "rate" in c and "method" not in c]
    pl.read_parquet(copy.derived_comparison).with_columns(
        pl.when(pl.col("reference_year") == 2024).then(None).otherwise(pl.col(c)).alias(c) for c in rate_columns
    ).write_parquet(copy.derived_comparison)
    data = charts.chart_data("dk_se_rater", copy)
    assert data.filter(pl.col("reference_year") == 2024)["status"].to_list() == ["missing", "missing"]
    meta = charts.chart_metadata("dk_se_rater", copy)
    assert meta["estimates"] == [] and meta["subtitle"] == ""
    fig = charts.build_figure("dk_se_rater", copy)
    assert next(a.text for a in fig.layout.annotations if a.name == "ratio-2024") == "Forhold: ingen"


@pytest.mark.slow
def test_custom_notifications_chart(built, exported):
    out, _ = exported
    data = charts.chart_data("custom_notifications", built)
    assert dict(data.select("series", "value").rows()) == {
        "fokuspersoner": 40,
        "gennemfoert": 18,
        "personligt": 11,
        "telefon": 7,
        "ikke_naaet": 23,
        "ingen_respons": 16,
        "ikke_fundet": 7,
    }
    assert data.filter(pl.col("approximate"))["series"].to_list() == ["fokuspersoner"]
    meta = json.loads((out / "custom_notifications.json").read_text(encoding="utf-8"))
    assert meta["title"] == "Custom notifications i Forenet Mod Vold" and meta["estimates"] == []
    assert any("18 + 23 = 41, mod ca. 40" in n for n in meta["notes"])
    assert meta["source"] == "Kilde: VIVE (2025): Forenet Mod Vold, afsnit 2.6."

    fig = charts.build_figure("custom_notifications", built)
    bars = {t.uid: t for t in fig.data}
    assert all(bars[f"{item}-bar"].orientation == "h" for item in ("gennemfoert", "telefon", "ikke_fundet"))
    assert list(bars["telefon-bar"].base) == [11] and list(bars["ikke_fundet-bar"].base) == [16]
    assert [s.x0 for s in fig.layout.shapes if s.name == "root"] == [40]
    text = svg_text(out / "custom_notifications.svg")
    for shown in ("18 + 23 = 41", "11 + 7 = 18", "16 + 7 = 23", "ca. 40 fokuspersoner", "Uden respons: 16"):
        assert shown in text, shown


@pytest.mark.slow
def test_axes_use_danish_separators(exported):
    out, _ = exported
    text = svg_text(out / "medlemmer.svg")
    assert re.search(r"^1\.[0-9]{3}$", text, re.M), "no tick like 1.000"
    assert "1.520" in text and "1,520" not in text
    assert "pr. 30. sep. 2024" in text
    years = re.findall(r"^20[0-9]{2}$", text, re.M)
    assert "2014" in years  # years are not grouped as 2.014


@pytest.mark.slow
def test_two_exports_are_byte_identical(exported):
    first, second = exported
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_source_line_from_the_plotted_rows(built):
    meta = charts.chart_metadata("medlemmer", built)
    assert meta["source"] == (
        "Kilde: Figuren er baseret på nøgletal fra Rigspolitiet 2014, 2015, 2016, 2017; "
        "Nationalt Efterforskningscenter 2018, 2019, 2020; "
        "National enhed for Særlig Kriminalitet 2021, 2022, 2023, 2024."
    )
    assert any("Opgørelsesdatoen er ikke oplyst for 2014–2023" in n for n in meta["notes"])


def test_stable_svg_replaces_the_random_id():
    a = (
        b'<svg><defs id="defs-7f1a31"><clipPath id="clip7f1a31xyplot"/></defs><g clip-path="url(#clip7f1a31xyplot)"/>'
        b'<path d="M7,1V2"/></svg>'
    )
    b = a.replace(b"7f1a31", b"0f1f22")
    assert charts.stable_svg(a, "x") == charts.stable_svg(b, "x")
    assert b"7f1a31" not in charts.stable_svg(a, "x")


runner = CliRunner()


def invoke(built, *args):
    with dvc_not_asked():  # the built copy is not a DVC repository
        return runner.invoke(
            chart_app, list(args), env=os.environ | {"NOEGLETAL_ROOT": str(built.root), "COLUMNS": "200"}
        )


def test_cli_list(built):
    result = invoke(built, "list")
    assert result.exit_code == 0
    for name, spec in charts.CHARTS.items():
        assert name in result.output and spec.title in result.output


@pytest.mark.slow
def test_cli_export_one_file(built, exported):
    target = built.root / "figurer" / "medlemmer.svg"
    target.parent.mkdir(exist_ok=True)
    result = invoke(built, "export", "medlemmer", "--out", str(target))
    assert result.exit_code == 0, result.output
    # the stage's drawing, sized for a page: 16 cm wide unless told
    root_size = re.compile(rb'width="[^"]*" height="[^"]*"')
    written, drawn = target.read_bytes(), (exported[0] / "medlemmer.svg").read_bytes()
    assert root_size.search(written)[0].startswith(b'width="16cm" height="')
    assert root_size.sub(b"", written, count=1) == root_size.sub(b"", drawn, count=1)


def test_cli_export_refuses_paths_out_of_the_project(built, tmp_path):
    result = invoke(built, "export", "medlemmer", "--format", "svg", "--out", "../../elsewhere.svg")
    assert result.exit_code == 2 and "refused" in result.output
    with pytest.raises(ValueError):
        output_path(Path("../x.svg"), "medlemmer", "svg", built.root, cwd=built.root)
    with pytest.raises(ValueError):
        output_path(Path("data/raw/x.svg"), "medlemmer", "svg", built.root, cwd=built.root)
    with pytest.raises(ValueError):
        output_path(Path("x.png"), "medlemmer", "svg", built.root, cwd=built.root)
    inside = output_path(Path("outputs/../figurer/x.svg"), "medlemmer", "svg", built.root, cwd=built.root)
    assert inside == built.root.resolve() / "figurer" / "x.svg"
    assert output_path(tmp_path / "x.svg", "medlemmer", "svg", built.root) == tmp_path / "x.svg"


def test_cli_unknown_chart(built):
    result = invoke(built, "export", "nosuch")
    assert result.exit_code == 2 and "no chart nosuch" in result.output


@pytest.mark.slow  # draws in the browser
def test_the_stage_draws_only_changed_charts(built, exported, tmp_path, monkeypatch):
    """The charts stage keeps its images (outside the outputs) and draws a chart again only
    when it changed: a run on unchanged data starts no browser and writes the same bytes;
    one changed chart is drawn again, alone."""
    first, _ = exported
    cache = tmp_path / "cache"
    charts.export(out_dir=tmp_path / "a", paths=built, image_cache=cache)
    kept = sorted(p.name for p in cache.iterdir())
    assert len(kept) == len(charts.CHARTS) * len(charts.STATIC_FORMATS)
    monkeypatch.setattr(charts.ImageRenderer, "_start", lambda self: pytest.fail("started the browser"))
    charts.export(out_dir=tmp_path / "b", paths=built, image_cache=cache)
    for path in first.iterdir():
        assert (tmp_path / "b" / path.name).read_bytes() == path.read_bytes(), path.name
    assert sorted(p.name for p in cache.iterdir()) == kept

    monkeypatch.undo()
    drawn = []
    original = charts.ImageRenderer.image

    def counting(self, chart, image_format):
        before = set(p.name for p in cache.iterdir())
        image = original(self, chart, image_format)
        if set(p.name for p in cache.iterdir()) != before:
            drawn.append(chart.name)
        return image

    monkeypatch.setattr(charts.ImageRenderer, "image", counting)
    name = next(iter(charts.CHARTS))
    original_build = charts.build

    def changed(chart_name, paths=None):
        chart = original_build(chart_name, paths)
        if chart_name == name:
            chart.figure.update_layout(title_text="ændret")
        return chart

    monkeypatch.setattr(charts.output, "build", changed)  # where the stage looks it up
    charts.export(out_dir=tmp_path / "c", paths=built, image_cache=cache)
    assert set(drawn) == {name}
    assert len(list(cache.iterdir())) == len(kept)  # the old images of the changed chart are gone


@pytest.mark.slow  # starts a browser (which fails at once)
def test_a_browser_that_does_not_start_is_said_in_one_line(monkeypatch):
    """A Chromium that exits at once (here /bin/false) ends the stage with one line naming it,
    exit 1, no traceback."""
    from pipeline.charts.images import BrowserSession

    monkeypatch.setenv("BROWSER_PATH", "/bin/false")
    with pytest.raises(SystemExit) as exited:
        BrowserSession()
    message = str(exited.value.code)
    assert message.startswith("noegletal charts: the headless Chromium (/bin/false) did not start: ")
    assert "\n" not in message and "Traceback" not in message
