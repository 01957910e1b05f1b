"""Which years the tables and the comparison show, how a partial year is marked, and the
params.yaml keys that choose them (issue 12, "the annual refresh")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import compare, extrapolate, ingest, table_files, tables, wording
from pipeline.core_stages import run_core
from pipeline.params import ParamsError, resolve_years, year_choice
from pipeline.table_files import table_file_stem
from pipeline.tables import build_table

from conftest import IN_PROCESS, IN_PROCESS_IDS, copy_project, run_stage, write_release

NSK = "final,National enhed for Særlig Kriminalitet,Politiets nøgletal på rocker-/bandeområdet"
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def table(paths, number):
    return json.loads((paths.tables / f"{table_file_stem(number)}.json").read_text(encoding="utf-8"))


def edit_params(paths, edit):
    params = yaml.safe_load(paths.params.read_text(encoding="utf-8"))
    edit(params)
    paths.params.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")


def flow(series, year, value, months, unit="personer"):
    return f"{series},{year},{value},{months},,,flow,{unit},{NSK},{year},,,made up for the test"


# --- DVC can address every table key -------------------------------------------------------


def dvc_set(tmp_path, overrides):
    """What `dvc exp run -S …` does to params.yaml: DVC's own parser and writer, on a copy."""
    from dvc.utils.hydra import apply_overrides

    from conftest import REPO

    target = tmp_path / "params.yaml"
    shutil.copy2(REPO / "params.yaml", target)
    apply_overrides(target, overrides)
    return yaml.safe_load(target.read_text(encoding="utf-8"))


def test_dvc_set_param_reaches_a_tables_year(tmp_path):
    params = dvc_set(
        tmp_path,
        [
            "tables.table_1_3.first_year=2022",
            "tables.table_1_1.last_n_years=5",
            "tables.table_1_1.first_year=null",
            "comparison.last_year=2025",
        ],
    )
    assert params["tables"]["table_1_3"]["first_year"] == 2022
    assert params["tables"]["table_1_3"]["number"] == "1.3"  # untouched, still text
    assert params["tables"]["table_1_1"]["last_n_years"] == 5 and params["tables"]["table_1_1"]["first_year"] is None
    assert params["comparison"]["last_year"] == 2025
    specs = table_files.table_specs(params["tables"])  # and the pipeline accepts what DVC wrote
    assert specs["table_1_3"]["years"] == {"first_year": 2022, "last_year": None, "last_n_years": None}


def test_dotted_table_keys_are_what_dvc_cannot_set(tmp_path):
    """Why the keys changed: with a key "1.3", DVC reads tables.1.3.first_year as four levels."""
    from dvc.exceptions import InvalidArgumentError
    from dvc.utils.hydra import apply_overrides

    target = tmp_path / "params.yaml"
    target.write_text('tables:\n  "1.3":\n    first_year: 2021\n', encoding="utf-8")
    with pytest.raises(InvalidArgumentError):
        apply_overrides(target, ["tables.1.3.first_year=2022"])


@pytest.mark.slow
def test_dvc_exp_run_sets_a_tables_year(tmp_path):
    """End to end (about 7 s): `dvc exp run -S` on the key, through the tables stage."""
    copy_project(tmp_path)
    env = os.environ | {
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for args in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "base"],
        [sys.executable, "-m", "dvc", "exp", "run", "-S", "tables.table_1_3.first_year=2022", "tables"],
    ):
        result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    header = (tmp_path / "outputs/tables/table_1_3.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == ",2022,2023,2024 (jan.–sep.)"


# --- years follow the data -----------------------------------------------------------------


def add_2025(paths, months=6):
    write_release(
        paths,
        "nsk_2025",
        [
            flow("skudepisoder", 2025, 10, months, "skudepisoder"),
            flow("saarede", 2025, 7, months),
            flow("draebte", 2025, 1, months),
            flow("sigtelser", 2025, "1.500", months, "sigtelser"),
            f"medlemmer,2025,1.290,,,2025-06-30,stock,personer,{NSK},2025,,,",
        ],
    )


def test_a_new_year_extends_every_table(project):
    add_2025(project)
    run_core(project)
    assert table(project, "1.1")["header"][1:] == [str(y) for y in range(2014, 2026)]
    assert table(project, "1.2")["header"][1:] == ["2021", "2022", "2023", "2024", "2025"]
    assert table(project, "1.3")["header"][1:] == ["2021", "2022", "2023", "2024 (jan.–sep.)", "2025 (jan.–jun.)"]


def test_pinned_last_year_and_last_n_years(project):
    add_2025(project)

    def pin(params):
        params["tables"]["table_1_3"]["last_year"] = 2024
        params["tables"]["table_1_2"] |= {"first_year": None, "last_n_years": 3}
        params["tables"]["table_1_1"] |= {"first_year": None, "last_year": None}  # all the data's years

    edit_params(project, pin)
    run_core(project)
    assert table(project, "1.3")["header"][1:] == ["2021", "2022", "2023", "2024 (jan.–sep.)"]
    assert table(project, "1.2")["header"][1:] == ["2023", "2024", "2025"]
    # 2024 is no longer the latest year: its January–September count is shown as counted
    assert table(project, "1.2")["rows"][1][1:] == ["3.118", "2.181 (jan.–sep.)", "1.500 (3.000)*"]
    members = pl.read_parquet(project.derived_figures).filter(pl.col("selected") & (pl.col("series") == "medlemmer"))
    assert table(project, "1.1")["header"][1:] == [str(y) for y in range(members["reference_year"].min(), 2026)]


years = st.integers(1990, 2060)


@PROPERTY
@given(
    data_first=years,
    span=st.integers(0, 30),
    first=st.none() | years,
    last=st.none() | years,
    n=st.none() | st.integers(1, 40),
)
def test_year_rules(data_first, span, first, last, n):
    data_last = data_first + span
    section = {"first_year": first, "last_year": last, "last_n_years": n}
    try:
        got_first, got_last = resolve_years(year_choice(section, "tables.t"), "tables.t", data_first, data_last)
    except ParamsError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith("params.yaml: tables.t.")
        # an error only for what cannot be shown
        want_last = data_last if last is None else last
        want_first = want_last - n + 1 if n is not None else data_first if first is None else first
        assert (n is not None and first is not None) or want_first > want_last
        return
    assert n is None or first is None
    assert got_last == (data_last if last is None else last)
    assert got_first == (got_last - n + 1 if n is not None else data_first if first is None else first)
    assert got_first <= got_last


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ({"first_year": 2024, "last_year": 2021}, "tables.table_1_3.last_year"),
        ({"first_year": 2021, "last_n_years": 3}, "tables.table_1_3.last_n_years"),
        ({"first_year": "2021"}, "tables.table_1_3.first_year"),
        ({"first_year": 2021.5}, "tables.table_1_3.first_year"),
        ({"last_year": True}, "tables.table_1_3.last_year"),
        ({"first_year": None, "last_n_years": 0}, "tables.table_1_3.last_n_years"),
        ({"first_year": 2030}, "tables.table_1_3.first_year"),  # after the last year with figures
        ({"last_year": 2019}, "tables.table_1_3.last_year"),  # before the first year
        ({"number": 1.3}, "tables.table_1_3.number"),  # unquoted in YAML: a float
        ({"partial_marker": "stjerne"}, "tables.table_1_3.partial_marker"),
    ],
)
def test_bad_table_params_name_the_parameter(core_built, entry, key):
    edit_params(core_built, lambda p: p["tables"]["table_1_3"].update(entry))
    with pytest.raises(ParamsError) as exc:
        tables.run(core_built)
    assert str(exc.value).startswith(f"params.yaml: {key}: ") and "\n" not in str(exc.value)


def test_a_dotted_key_is_refused(core_built):
    edit_params(core_built, lambda p: p["tables"].update({"1.4": p["tables"].pop("table_1_3")}))
    with pytest.raises(ParamsError, match=r"^params.yaml: tables.1.4: .*no dots"):
        tables.run(core_built)


@pytest.mark.parametrize("in_process", IN_PROCESS, ids=IN_PROCESS_IDS)
def test_a_params_error_is_one_line_and_exit_1(core_built, in_process):
    edit_params(core_built, lambda p: p["tables"]["table_1_3"].update({"first_year": 2024, "last_year": 2021}))
    code, stderr = run_stage("tables", core_built.root, in_process)
    assert code == 1
    assert stderr.strip() == "params.yaml: tables.table_1_3.last_year: 2021 is before first_year 2024"


@pytest.fixture
def core_built(tmp_path):
    """A project copy with ingest and extrapolate run, and params.yaml restored each test."""
    paths = copy_project(tmp_path)
    ingest.run(paths)
    extrapolate.run(paths)
    return paths


# --- the header of a partial year ----------------------------------------------------------


def test_one_series_revised_to_the_full_year_plain_header_and_asterisks(project):
    write_release(project, "nsk_2025", [flow("draebte", 2024, 5, 12)])
    run_core(project)
    t13 = table(project, "1.3")
    assert t13["header"][-1] == "2024"
    assert [row[-1] for row in t13["rows"]] == ["19 (25)*", "22 (29)*", "5"]
    assert t13["note"].startswith("Note: * ") and "januar–september 2024 (9 måneder)" in t13["note"]
    assert "dræbte" not in t13["note"]  # the full-year figure is not in the note


def test_different_months_in_one_year_are_marked_per_cell(project):
    write_release(project, "nsk_2025", [flow("skudepisoder", 2025, 10, 6, "skudepisoder"), flow("draebte", 2025, 1, 3)])
    run_core(project)
    t13 = table(project, "1.3")
    assert t13["header"][-2:] == ["2024 (jan.–sep.)", "2025"]
    assert [row[-1] for row in t13["rows"]] == ["10 (20)*", "-", "1 (4)*"]
    assert "januar–juni 2025 (6 måneder)" in t13["note"] and "januar–marts 2025 (3 måneder)" in t13["note"]


def cell(year, row, status, months=None, count_date=None, kind="flow"):
    observed = None if status is None else 12.0
    return {
        "table_id": "9.9",
        "row_order": row,
        "series": f"s{row}",
        "label_da": f"Serie {row}",
        "unit": "personer",
        "kind": kind,
        "integer_valued": True,
        "reference_year": year,
        "observed_value": observed,
        "value": None if status is None else (observed * 12 / months if status == "estimated" else observed),
        "value_unrounded": None if status is None else (observed * 12 / months if status == "estimated" else observed),
        "monthly_mean": None if status != "estimated" else observed / months,
        "interval_lower": None,
        "interval_upper": None,
        "interval_level": None,
        "interval_method": None,
        "status": status,
        "method": "linear" if status == "estimated" else None,
        "months_covered": months if status == "estimated" else (12 if status else None),
        "count_date": count_date,
        "release_id": "r",
        "publisher": "P" if status else None,
        "published": "2025" if status else None,
    }


year_cell = st.one_of(
    st.just((None, None)), st.just(("observed", None)), st.tuples(st.just("estimated"), st.integers(1, 11))
)


@PROPERTY
@given(states=st.lists(year_cell, min_size=1, max_size=4), marker=st.sampled_from(["header", "asterisk"]))
def test_header_names_months_only_when_true_of_every_figure(states, marker):
    cells = [cell(2025, i, status, months) for i, (status, months) in enumerate(states)]
    built = build_table("9.9", {"title": "T", "partial_marker": marker}, cells)
    header, texts = built["header"][1], [row[1] for row in built["rows"]]
    figures = [(s, m) for s, m in states if s is not None]
    partial_months = {m for s, m in figures if s == "estimated"}
    named = marker == "header" and figures and all(s == "estimated" for s, _ in figures) and len(partial_months) == 1
    assert header == (
        f"2025 ({tables.fmt.months_span(next(iter(partial_months)), 'abbreviated')})" if named else "2025"
    )
    for (status, _), text in zip(states, texts):
        assert text.endswith("*") == (status == "estimated" and not named)
    assert (built["note"] or "").startswith("Note: * ") == any(t.endswith("*") for t in texts)


# --- count dates of stocks -----------------------------------------------------------------


def test_a_mid_year_count_is_said_in_the_note(project):
    add_2025(project)
    run_core(project)
    assert table(project, "1.1")["note"] == (
        "Note: 2024: opgjort 30. september 2024; 2025: opgjort 30. juni 2025. "
        "For de øvrige år er opgørelsesdatoen ikke oplyst."
    )


def test_count_date_note_rules():
    from datetime import date

    def stock(year, day):
        return cell(year, 0, "observed", count_date=day, kind="stock")

    year_end = [stock(y, date(y, 12, 31)) for y in range(2020, 2024)]
    assert wording.count_date_note(year_end) is None
    assert wording.count_date_note(year_end + [stock(2024, None)]) == (
        "2024: opgørelsesdato ikke oplyst. De øvrige år er opgjort 31. december."
    )
    assert wording.count_date_note([stock(2023, date(2023, 12, 31)), stock(2024, date(2024, 6, 30))]) == (
        "2023: opgjort 31. december 2023; 2024: opgjort 30. juni 2024."
    )
    # flows have no count date to speak of
    assert (
        wording.count_date_note([cell(2023, 0, "observed", count_date=date(2023, 6, 1)), cell(2024, 0, "observed")])
        is None
    )


count_days = st.none() | st.sampled_from([(12, 31), (6, 30), (9, 30)])


@PROPERTY
@given(days=st.lists(count_days, min_size=1, max_size=8))
def test_count_date_note_names_every_year_counted_otherwise(days):
    from datetime import date

    stocks = [
        cell(2010 + i, 0, "observed", kind="stock", count_date=d and date(2010 + i, *d)) for i, d in enumerate(days)
    ]
    note = wording.count_date_note(stocks)
    if len(set(days)) == 1:
        assert note is None
        return
    most = max(days.count(d) for d in days)
    for i, d in enumerate(days):
        named = f"{2010 + i}: " in note
        if days.count(d) < most:
            assert named  # a year counted on a less common day is always named
        if named:
            assert (
                f"{2010 + i}: "
                + (f"opgjort {tables.fmt.date_text(date(2010 + i, *d))}" if d else "opgørelsesdato ikke oplyst")
                in note
            )


# --- the comparison's years and notes ------------------------------------------------------


def figures_frame(danish, swedish, release="se_rel"):
    rows = [{"series": "dk", "reference_year": y, "selected": True, "release_id": "dk_rel"} for y in danish]
    rows += [{"series": "se", "reference_year": y, "selected": True, "release_id": release} for y in swedish]
    return pl.DataFrame(
        rows, schema={"series": pl.Utf8, "reference_year": pl.Int64, "selected": pl.Boolean, "release_id": pl.Utf8}
    )


@PROPERTY
@given(danish=st.sets(st.integers(2000, 2030), min_size=1), swedish=st.sets(st.integers(2000, 2030)))
def test_comparison_years_follow_the_data(danish, swedish):
    settings = {"denmark": "dk", "sweden": "se", "sweden_release": "se_rel"}
    try:
        first, last = compare.comparison_years(figures_frame(danish, swedish), settings)
    except ParamsError as exc:
        assert not any(y in swedish and y <= max(danish) for y in danish), exc
        return
    assert first == min(danish & swedish) and last == max(danish)


def test_comparison_defaults_give_the_reports_years(built):
    compare.run(built)
    assert pl.read_parquet(built.derived_comparison)["reference_year"].to_list() == [2021, 2022, 2023, 2024]


def add_population(paths, year):
    with (paths.raw_releases / "dst_folketal.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            f"befolkning_dk,{year},5.992.734,,,{year}-01-01,stock,personer,final,Danmarks Statistik,"
            "Folketal,,made up for the test,,\n"
        )


def test_missing_population_names_series_year_and_file(project):
    write_release(project, "nsk_2025", [flow("draebte", 2025, 1, 6)])
    run_core(project)
    with pytest.raises(SystemExit) as exc:
        compare.run(project)
    assert str(exc.value) == (
        "noegletal compare: no population for befolkning_dk 2025 (a count dated 2025-01-01 or 2024-12-31) for the "
        "comparison of 2025: add it to data/raw/releases/ (dst_folketal.csv holds the others)"
    )
    assert not project.derived_comparison.exists()  # nothing half-written


def test_a_year_without_a_swedish_figure_says_so(project):
    write_release(project, "nsk_2025", [flow("draebte", 2025, 1, 6)])
    add_population(project, 2025)
    edit_params(project, lambda p: p["comparison"].update({"last_year": 2025}))
    run_core(project)
    compare.run(project)
    row = pl.read_parquet(project.derived_comparison).filter(pl.col("reference_year") == 2025).row(0, named=True)
    assert row["se_count"] is None and row["dk_rate"] is None and row["rate_ratio"] is None
    assert row["period_note"] == (
        "Det danske tal for 2025 dækker kun januar–juni (6 måneder), og der er intet "
        "svensk tal for 2025 i den valgte svenske kilde: ingen rater eller forhold for 2025."
    )
    assert "svensk helår" not in row["period_note"]


def test_a_pinned_year_without_a_danish_figure_says_so(project):
    edit_params(project, lambda p: p["comparison"].update({"last_year": 2026}))
    run_core(project)
    compare.run(project)
    row = pl.read_parquet(project.derived_comparison).filter(pl.col("reference_year") == 2026).row(0, named=True)
    assert row["period_note"] == "Der er intet dansk tal for 2026: ingen rater eller forhold for 2026."


def test_bad_comparison_years_name_the_parameter(project):
    edit_params(project, lambda p: p["comparison"].update({"first_year": 2024, "last_year": 2022}))
    run_core(project)
    with pytest.raises(ParamsError, match=r"^params.yaml: comparison.last_year: 2022 is before first_year 2024$"):
        compare.run(project)


months = st.one_of(st.integers(1, 12).map(float), st.floats(0.5, 11.9).map(lambda m: round(m, 2)))


@PROPERTY
@given(
    dk=st.none() | st.tuples(st.integers(0, 50), months),
    se=st.none() | st.tuples(st.integers(0, 50), months),
    mode=st.sampled_from(compare.MODES),
)
def test_period_note_is_true_of_its_row(dk, se, mode):
    row = {
        "reference_year": 2025,
        "partial_year_mode": mode,
        "dk_count": dk and dk[0],
        "dk_months": dk and dk[1],
        "se_count": se and se[0],
        "se_months": se and se[1],
    }
    note = compare._period_note(row)
    if dk is None:
        assert "intet dansk tal" in note
        return
    if se is None:
        assert "svensk tal" in note and "ingen rater" in note
    full = dk[1] == 12 and (se is None or se[1] == 12)
    assert (note is None) == (full and se is not None)
    if note is None:
        return
    assert ("Det danske tal for 2025 dækker kun" in note or "Begge lande" in note) == (dk[1] < 12)
    assert ("svensk helår" in note) == (se is not None and se[1] == 12 and dk[1] < 12)
    assert ("dansk helår" in note) == (se is not None and dk[1] == 12 and se[1] < 12)
    assert ("Begge lande" in note) == (se is not None and dk[1] == se[1] < 12)
