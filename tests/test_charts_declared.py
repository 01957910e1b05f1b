"""Charts are declared in params.yaml (`charts`), their kinds are code: a new chart of an
existing kind is a declaration, and a bad declaration is refused in one line naming the
parameter."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from pipeline import charts, compare
from pipeline.params import ParamsError
from pipeline.paths import Paths

from conftest import REPO, examples

SHIPPED = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))


def declare(paths: Paths, name: str, **declaration) -> None:
    """Add (or replace) one chart's declaration in a project copy's params.yaml."""
    settings = yaml.safe_load(paths.params.read_text(encoding="utf-8"))
    settings["charts"][name] = declaration
    paths.params.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")


def refused(paths: Paths) -> str:
    with pytest.raises(ParamsError) as exc:
        charts.charts_for(paths)
    message = str(exc.value)
    assert message.startswith("params.yaml: charts.") and "\n" not in message
    return message


@pytest.fixture
def built_copy(built: Paths, tmp_path) -> Paths:
    """A copy of the built project, to change its params.yaml without touching `built`."""
    shutil.copytree(built.root, tmp_path / "p", ignore=shutil.ignore_patterns("charts_again", ".dvc"))
    copy = Paths(tmp_path / "p")
    compare.run(copy)  # the Denmark–Sweden chart reads the compare stage's output
    return copy


def test_the_shipped_declarations_are_the_charts_in_their_order():
    assert list(charts.CHARTS) == list(SHIPPED["charts"])
    for name, declared in SHIPPED["charts"].items():
        spec = charts.CHARTS[name]
        assert (spec.kind, spec.title, spec.mark) == (declared["kind"], declared["title"], declared["mark"])
        assert spec.series == tuple(declared.get("series", ()))
        assert spec.load is charts.KINDS[declared["kind"]].load
    assert charts.CHARTS["skud_saarede_draebte"].context == ((2017, "Bandekonflikten 2017"),)


def test_a_new_chart_of_an_existing_kind_is_only_a_declaration(built_copy):
    declare(
        built_copy,
        "draebte_lang",
        kind="keyfigures",
        title="Rocker-/banderelaterede dræbte",
        series=["draebte"],
        first_year=2022,
        mark="line",
    )
    assert list(charts.charts_for(built_copy))[-1] == "draebte_lang"
    data = charts.chart_data("draebte_lang", built_copy)
    assert data["series"].unique().to_list() == ["draebte"] and data["reference_year"].min() == 2022
    meta = charts.chart_metadata("draebte_lang", built_copy)
    assert meta["title"].startswith("Rocker-/banderelaterede dræbte, 2022–")
    # the stage writes it beside the others (HTML only here: no browser in the fast tier)
    written = charts.export(formats=("html",), paths=built_copy)
    out = charts.charts_dir(built_copy)
    assert {out / f"draebte_lang.{ext}" for ext in ("html", "div.html", "csv", "json")} <= set(written)
    assert pl.read_csv(out / "draebte_lang.csv")["series"].unique().to_list() == ["draebte"]
    assert "draebte_lang" not in charts.CHARTS  # the checkout's own charts are untouched


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        (
            {"kind": "keyfigure", "title": "T", "series": ["draebte"]},
            "params.yaml: charts.ny.kind: 'keyfigure' is not a kind of chart in pipeline/charts/catalog.py; "
            "did you mean 'keyfigures'?",
        ),
        ({"kind": "keyfigures", "title": "T"}, "params.yaml: charts.ny.series: a keyfigures chart needs"),
        (
            {"kind": "comparison", "title": "T", "series": ["draebte"]},
            "params.yaml: charts.ny.series: a comparison chart chooses its own data; leave series out",
        ),
        ({"kind": "notifications", "title": "T", "first_year": 2021}, "params.yaml: charts.ny.first_year: a notif"),
        ({"kind": "keyfigures", "title": "T", "series": ["draebte"], "first_year": 1066}, "charts.ny.first_year: 1066"),
        (
            {
                "kind": "keyfigures",
                "title": "T",
                "series": ["draebte"],
                "first_year": 2021,
                "context": [{"year": 2022, "label": "Senere"}],
            },
            "params.yaml: charts.ny.context.0.year: 2022 is not before first_year 2021",
        ),
        (
            {"kind": "keyfigures", "title": "T", "series": ["draebte"], "context": [{"year": 17, "label": "x"}]},
            "params.yaml: charts.ny.context.0.year: 17 is not a year from 1900 to 2100",
        ),
        ({"kind": "keyfigures", "title": "T", "series": ["draebte"], "mark": "area"}, "params.yaml: charts.ny.mark:"),
        ({"kind": "keyfigures", "title": "", "series": ["draebte"]}, "params.yaml: charts.ny.title:"),
        (
            {"kind": "keyfigures", "title": "T", "serie": ["draebte"]},
            "charts.ny.serie: is not a known key; did you mean",
        ),
        (
            {"kind": "keyfigures", "title": "T", "series": ["draebte"], "context": [{"year": 2017, "lable": "x"}]},
            "params.yaml: charts.ny.context.0.lable: is not a known key; did you mean 'label'?",
        ),
        ({"title": "T", "series": ["draebte"]}, "params.yaml: charts.ny.kind: is missing"),
        (
            {"kind": "keyfigures", "title": "T", "series": ["draebte"], "context": [{"year": 2017, "label": "x"}]},
            "params.yaml: charts.ny.context: context years are drawn before first_year: give first_year too",
        ),
        (
            {
                "kind": "keyfigures",
                "title": "T",
                "series": ["draebte"],
                "first_year": 2021,
                "context": [{"year": 2017, "label": "a"}, {"year": 2017, "label": "b"}],
            },
            "params.yaml: charts.ny.context.1.year: 2017 is given twice",
        ),
        (
            {"kind": "longrun", "title": "T", "series": ["draebte"], "context": [{"year": 2017, "label": "x"}]},
            "params.yaml: charts.ny.context: a longrun chart draws no context years; leave context out",
        ),
    ],
)
def test_a_bad_declaration_is_refused_in_one_line_naming_the_parameter(project, declaration, expected):
    declare(project, "ny", **declaration)
    assert expected in refused(project)


def test_a_chart_name_is_dot_free(project):
    declare(project, "ny.figur", kind="keyfigures", title="T", series=["draebte"])
    assert refused(project).startswith("params.yaml: charts.ny.figur: a chart's name may hold only a-z, 0-9 and _")


def test_an_unknown_series_is_named_when_the_chart_reads_the_data(built_copy):
    declare(built_copy, "ny", kind="keyfigures", title="T", series=["draebte", "saarde"])
    with pytest.raises(ParamsError) as exc:
        charts.chart_data("ny", built_copy)
    assert str(exc.value) == (
        "params.yaml: charts.ny.series: 'saarde' is not a series in data/raw/series.csv; did you mean 'saarede'?"
    )


KEYS = ("kind", "title", "series", "first_year", "context", "mark", "panels", "plot_height", "y_title")
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**4), 10**4),
    st.text(max_size=8),
    st.lists(st.text(max_size=4), max_size=2),
    st.lists(st.fixed_dictionaries({"year": st.integers(1990, 2030), "label": st.text(max_size=4)}), max_size=2),
)


@settings(max_examples=examples(), deadline=None)
@given(name=st.sampled_from(list(SHIPPED["charts"])), key=st.sampled_from(KEYS), value=junk)
def test_any_value_in_a_declaration_is_accepted_or_refused_naming_the_chart(tmp_path_factory, name, key, value):
    """Whatever a declaration's key is set to, the charts are built from it, or it is refused
    in one line naming that chart's parameter."""
    paths = Paths(tmp_path_factory.mktemp("declared"))
    settings = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    settings["charts"][name][key] = value
    paths.params.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        declared = charts.charts_for(paths)
    except ParamsError as exc:
        message = str(exc)
        assert message.startswith(f"params.yaml: charts.{name}.") and "\n" not in message, message
    else:
        assert list(declared) == list(SHIPPED["charts"])
        assert declared[name].kind in charts.KINDS


@pytest.mark.parametrize("contexts", [[], [{"year": 2016, "label": "a"}, {"year": 2017, "label": "b"}]])
def test_the_report_needs_exactly_one_context_year_on_the_shootings_chart(project, contexts):
    """The report's prose names the gang conflict: the shootings chart's one context year.
    None or several is said in one line naming the parameter, not a traceback in a cell."""
    from pipeline.report_helpers import the_context_year

    params = yaml.safe_load((project.root / "params.yaml").read_text(encoding="utf-8"))
    params["charts"]["skud_saarede_draebte"]["context"] = contexts
    (project.root / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError) as refused_:
        the_context_year(charts.charts_for(project), "skud_saarede_draebte")
    assert str(refused_.value) == (
        "params.yaml: charts.skud_saarede_draebte.context: the report names exactly one context year here, "
        f"not {len(contexts)}"
    )


def test_the_report_names_a_missing_chart(project):
    from pipeline.report_helpers import the_context_year

    with pytest.raises(ParamsError, match=r"^params.yaml: charts.gone: is missing; the report shows it$"):
        the_context_year(charts.charts_for(project), "gone")


def test_a_cell_raising_the_projects_own_error_is_said_in_one_line():
    """The renderer passes on the message of a ParamsError raised in a cell, without the
    kernel's traceback, which would only hide the parameter it names."""
    from types import SimpleNamespace

    from pipeline.render.document import ReportError
    from pipeline.render.execute import _check_errors

    block = SimpleNamespace(options={"error": False}, line=36)
    said = SimpleNamespace(
        output_type="error", ename="ParamsError", evalue="params.yaml: charts.x: bad", traceback=["T"]
    )
    with pytest.raises(ReportError) as one_line:
        _check_errors([said], block, "reports/noegletal.qmd")
    assert "params.yaml: charts.x: bad" in str(one_line.value) and "\n" not in str(one_line.value)
    trace = ["Traceback (most recent call last)", "----> 1 {}['x']", "KeyError: 'x'"]
    other = SimpleNamespace(output_type="error", ename="KeyError", evalue="'x'", traceback=trace)
    with pytest.raises(ReportError) as traced:
        _check_errors([other], block, "reports/noegletal.qmd")
    # the problem in one line, then the cell's traceback as the kernel printed it, line by line
    assert str(traced.value).splitlines() == [
        "reports/noegletal.qmd, line 36: the cell raised KeyError: 'x' [cell]",
        *trace,
    ]
