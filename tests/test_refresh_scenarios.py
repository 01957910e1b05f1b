"""The annual refresh: new releases in the shapes the police publish go in as data, with no
code change, and every output stays true.

Each scenario copies the project, adds releases, runs the core and the audit, and checks
that table cells change only where the rule says, that the audit's verdicts on the VIVE
report do not move for releases published after its data cut-off, and that "revised since"
lists what changed."""

from __future__ import annotations

import json

import polars as pl
import pytest
import yaml

from pipeline import audit, compare
from pipeline.core_stages import run_core
from pipeline.errors import InputError

from conftest import copy_project, set_params, table_cells as cells, write_release

NSK = "National enhed for Særlig Kriminalitet,Politiets nøgletal på rocker-/bandeområdet"
VIVE = "VIVE (2025): Forenet Mod Vold"


def row(series, year, value, months="", count_date="", published="2025-03", status="final", note=""):
    kind, unit = {
        "medlemmer": ("stock", "personer"),
        "strafmasse": ("flow", "år fængsel"),
        "sigtelser": ("flow", "sigtelser"),
        "skudepisoder": ("flow", "skudepisoder"),
        "saarede": ("flow", "personer"),
        "draebte": ("flow", "personer"),
    }[series]
    return f"{series},{year},{value},{months},,{count_date},{kind},{unit},{status},{NSK},{published},,,{note}"


FULL_YEAR_2024 = [
    row("medlemmer", 2024, "1.298", count_date="2024-12-31"),
    row("strafmasse", 2024, 341, 12),
    row("sigtelser", 2024, "2.950", 12),
    row("skudepisoder", 2024, 24, 12),
    row("saarede", 2024, 27, 12),
    row("draebte", 2024, 3, 12),
]
HALF_YEAR_2025 = [
    row("medlemmer", 2025, "1.290", count_date="2025-06-30", published="2025-08"),
    row("sigtelser", 2025, "1.480", 6, published="2025-08"),
    row("skudepisoder", 2025, 10, 6, published="2025-08"),
    row("saarede", 2025, 12, 6, published="2025-08"),
    row("draebte", 2025, 1, 6, published="2025-08"),
]

SCENARIOS = {
    "full_year_2024": {"nsk_2024_helaar": FULL_YEAR_2024},
    "full_year_2024_and_h1_2025": {"nsk_2024_helaar": FULL_YEAR_2024, "nsk_2025_h1": HALF_YEAR_2025},
    # the police's half-year status report of 2020, with its 1 July head-count
    "mid_year_count_past_year": {
        "nec_2020_h1": [
            row("medlemmer", 2020, "1.243", count_date="2020-07-01", published="2020-08"),
            row("sigtelser", 2020, "1.400", 6, published="2020-08"),
        ]
    },
    "revised_past_flow": {"nsk_2023_revideret": [row("sigtelser", 2023, "3.131", 12, published="2025-05")]},
    "one_series_revised": {"nsk_2024_draebte": [row("draebte", 2024, 5, 12, published="2025-02")]},
}


def vive_verdicts(report):
    """The audit's judgement of the VIVE report: everything it checks of what VIVE printed."""
    return json.dumps(
        {
            "published_values": report["published_values"],
            "statements": report["statements"],
            "extrapolations": [e for e in report["extrapolations"] if e["as_of"] == VIVE],
        },
        sort_keys=True,
        ensure_ascii=False,
    )


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    paths = copy_project(tmp_path_factory.mktemp("baseline"))
    run_core(paths)
    audit.run(paths)
    return cells(paths), json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))


def refreshed(tmp_path, releases, params=None):
    paths = copy_project(tmp_path)
    if params:
        set_params(paths, **params)
    for name, rows in releases.items():
        write_release(paths, name, rows)
    run_core(paths)
    audit.run(paths)
    return paths, json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))


def selected(paths):
    return pl.read_parquet(paths.derived_figures).filter(pl.col("selected"))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_cells_change_only_where_a_new_release_is_chosen(tmp_path, baseline, scenario):
    before, _ = baseline
    paths, _ = refreshed(tmp_path, SCENARIOS[scenario])
    after = cells(paths)
    new_releases = set(SCENARIOS[scenario])
    for key, cell in after.items():
        if cell["release_id"] in new_releases:
            continue
        old = before.get(key)
        if old is None:  # a year the tables did not show before: only the new releases fill it
            assert cell["release_id"] is None, key
            continue
        assert (cell["value"], cell["observed_value"]) == (old["value"], old["observed_value"]), key
    # and every figure a new release holds for a year the tables show is the one shown,
    # unless the rule keeps another observation (the mid-year count)
    chosen = {(c["series"], c["reference_year"]) for c in after.values() if c["release_id"] in new_releases}
    assert chosen or scenario == "mid_year_count_past_year"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_verdicts_on_vive_do_not_move_for_later_releases(tmp_path, baseline, scenario):
    _, before = baseline
    _, report = refreshed(tmp_path, SCENARIOS[scenario])
    published_after = all(r in report["publications"][0]["releases"]["after"] for r in SCENARIOS[scenario])
    if published_after:
        assert vive_verdicts(report) == vive_verdicts(before)
    else:  # the 2020 half-year report appeared before VIVE's cut-off: VIVE could have used it
        assert "nec_2020_h1" in report["publications"][0]["releases"]["before"]


def test_full_year_replaces_the_estimates_and_is_listed_as_revised(tmp_path):
    paths, report = refreshed(tmp_path, SCENARIOS["full_year_2024"])
    now = cells(paths)
    assert now[("sigtelser", 2024)]["status"] == "observed" and now[("sigtelser", 2024)]["value"] == 2950
    assert now[("medlemmer", 2024)]["value"] == 1298  # the 31 December count, not 30 September
    revised = {r["figure"]: r for r in report["revised_since"]}
    assert revised["sigtelser 2024"]["then"]["value"] == 2181 and revised["sigtelser 2024"]["now"]["value"] == 2950
    assert revised["sigtelser 2024"]["then"]["months"] == 9 and revised["sigtelser 2024"]["now"]["months"] == 12
    assert revised["medlemmer 2024"]["then"]["count_date"] == "2024-09-30"
    assert revised["medlemmer 2024"]["now"]["count_date"] == "2024-12-31"
    # VIVE's printed estimate is still checked against what VIVE had
    checked = {e["figure"]: e for e in report["extrapolations"] if e["as_of"] == VIVE}
    assert checked["sigtelser 2024"]["verdict"] in {"exact", "consistent"}
    assert checked["sigtelser 2024"]["inputs"][0]["value"] == 2181
    statement = {s["statement"]: s for s in report["statements"]}
    monthly = [s for s in statement.values() if s["operation"] == "monthly_mean"]
    assert monthly and all(s["verdict"] != "mismatch" or "2.181" in s["formula"] for s in monthly)


def test_half_year_count_is_its_own_observation(tmp_path):
    paths, report = refreshed(tmp_path, SCENARIOS["full_year_2024_and_h1_2025"])
    now = cells(paths)
    assert now[("medlemmer", 2025)]["observed_value"] == 1290
    assert now[("medlemmer", 2025)]["count_date"] == "2025-06-30"
    assert now[("sigtelser", 2025)]["status"] == "estimated" and now[("sigtelser", 2025)]["value"] == 2960
    # the audit lists the latest data's own estimates, unchecked by any publication
    latest = [e for e in report["extrapolations"] if e["as_of"] is None]
    assert {e["figure"] for e in latest} == {"sigtelser 2025", "skudepisoder 2025", "saarede 2025", "draebte 2025"}
    assert all(e["verdict"] is None for e in latest)


def test_a_mid_year_count_never_replaces_the_annual_count(tmp_path):
    paths, report = refreshed(tmp_path, SCENARIOS["mid_year_count_past_year"])
    now = cells(paths)
    assert now[("medlemmer", 2020)]["observed_value"] == 1233  # not 1.243 of 1 July
    both = pl.read_parquet(paths.derived_figures).filter(
        (pl.col("series") == "medlemmer") & (pl.col("reference_year") == 2020)
    )
    assert both.height == 2 and both.filter(pl.col("selected"))["release_id"].to_list() == ["nec_2020"]
    assert set(both["vintage_rank"].to_list()) == {1}  # two observations, not two vintages
    observations = [v for v in report["vintages"] if v["figure"] == "medlemmer 2020"]
    assert observations and {r["count_date"] for r in observations[0]["releases"]} == {None, "2020-07-01"}


def test_the_latest_dated_count_can_be_asked_for(tmp_path):
    paths, _ = refreshed(tmp_path, SCENARIOS["mid_year_count_past_year"], {"stocks.count": "latest_dated"})
    assert cells(paths)[("medlemmer", 2020)]["observed_value"] == 1243


def test_a_revised_full_year_flow_replaces_the_old_one_and_is_listed(tmp_path):
    paths, report = refreshed(tmp_path, SCENARIOS["revised_past_flow"])
    assert cells(paths)[("sigtelser", 2023)]["observed_value"] == 3131
    revised = {r["figure"]: r for r in report["revised_since"]}
    assert revised["sigtelser 2023"]["then"]["value"] == 3118 and revised["sigtelser 2023"]["now"]["value"] == 3131


def test_one_series_revised_leaves_the_others_partial(tmp_path):
    paths, _ = refreshed(tmp_path, SCENARIOS["one_series_revised"])
    now = cells(paths)
    assert now[("draebte", 2024)]["status"] == "observed" and now[("draebte", 2024)]["value"] == 5
    assert now[("saarede", 2024)]["status"] == "estimated"


@pytest.mark.parametrize("method", ["trend", "seasonal_share"])
def test_other_methods_leave_vive_judged_by_its_own(tmp_path, baseline, method):
    _, before = baseline
    _, report = refreshed(tmp_path, SCENARIOS["full_year_2024_and_h1_2025"], {"extrapolation.method": method})
    assert vive_verdicts(report) == vive_verdicts(before)
    latest = [e for e in report["extrapolations"] if e["as_of"] is None]
    assert latest and all(e["method"].startswith(method) or "fallback" in e["method"] for e in latest)


def test_a_release_date_that_is_no_date_is_refused(project):
    write_release(project, "nsk_2025", [row("draebte", 2025, 1, 6, published="2025-13-45")])
    from pipeline import ingest

    with pytest.raises(InputError) as exc:
        ingest.run(project)
    problem = [p for p in exc.value.problems if p.check == "real_date"]
    assert problem and problem[0].file.endswith("nsk_2025.csv") and problem[0].line == 2
    assert problem[0].column == "published"


def test_an_impossible_count_date_is_refused_not_read_as_unknown(project):
    write_release(project, "nsk_2025", [row("medlemmer", 2024, "1.300", count_date="2024-02-30")])
    from pipeline import ingest

    with pytest.raises(InputError) as exc:
        ingest.run(project)
    assert any(p.check == "real_date" and p.column == "count_date" for p in exc.value.problems)


def test_a_publication_must_be_declared(project):
    (project.raw_publications / "vive_2025.csv").write_text(
        "publication,published,data_cutoff,method,note\n", encoding="utf-8"
    )
    from pipeline import ingest

    with pytest.raises(InputError) as exc:
        ingest.run(project)
    assert any(p.check == "declared_publication" and p.line for p in exc.value.problems)


# --- generated refreshes ------------------------------------------------------------------

from hypothesis import (  # noqa: E402
    HealthCheck,
    given,
    settings,
    strategies as st,  # noqa: E402
)

FLOWS = ("sigtelser", "skudepisoder", "saarede", "draebte", "strafmasse")


@st.composite
def a_release(draw):
    published = draw(st.one_of(st.just(""), st.sampled_from(["2024", "2025", "2025-06", "2026-01-15", "2023-11"])))
    status = draw(st.sampled_from(["final", "preliminary"]))
    rows = []
    for year in draw(st.sets(st.integers(2021, 2025), min_size=1, max_size=2)):
        for series in draw(st.sets(st.sampled_from(FLOWS), min_size=1, max_size=3)):
            rows.append(
                row(
                    series,
                    year,
                    draw(st.integers(0, 1000)),
                    draw(st.integers(1, 12)),
                    published=published,
                    status=status,
                )
            )
        if draw(st.booleans()):
            day = draw(st.one_of(st.just(""), st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)).map(str)))
            rows.append(
                row("medlemmer", year, draw(st.integers(900, 2000)), count_date=day, published=published, status=status)
            )
    return rows


import datetime as dt  # noqa: E402


@pytest.mark.slow
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(new=st.lists(a_release(), min_size=1, max_size=3))
def test_every_core_stage_completes_on_generated_releases(tmp_path_factory, new):
    paths = copy_project(tmp_path_factory.mktemp("generated"))
    for i, rows in enumerate(new):
        write_release(paths, f"generated_{i}", rows)
    try:
        run_core(paths)
    except InputError as exc:
        # the only refusals valid releases can meet: the same figure twice with the same
        # provenance (a duplicated release), or with different values and nothing to choose
        # between them; each named with its file and line
        assert {p.check for p in exc.problems} <= {"duplicate_release", "undecidable_releases"}, exc.render()
        return
    audit.run(paths)
    derived = pl.read_parquet(paths.derived_figures)
    assert derived.filter(pl.col("selected")).group_by("series", "reference_year").len()["len"].max() == 1
    report = json.loads((paths.audit / "audit.json").read_text(encoding="utf-8"))
    assert {"revised_since", "uncertain_dates", "publications"} <= set(report)


def test_audit_and_backtest_commands_handle_revised_stocks(tmp_path, monkeypatch):
    """A revised member count (a stock, same count date) is a disagreement between releases;
    the audit's listing and the backtest print it without trouble."""
    import os

    from typer.testing import CliRunner

    from pipeline import cli

    paths, report = refreshed(
        tmp_path,
        {
            **SCENARIOS["full_year_2024_and_h1_2025"],
            "nsk_2023_revideret": [row("medlemmer", 2023, "1.260", published="2025-05")],
        },
    )
    disagreement = {d["figure"]: d for d in report["disagreements_between_releases"]}["medlemmer 2023"]
    assert disagreement["months"] is None and disagreement["count_date"] is None
    assert "count undated" in (paths.audit / "audit.md").read_text(encoding="utf-8")
    # the copy is not a DVC repository: print what is there rather than bring it up to date
    monkeypatch.setattr(cli, "_repro", lambda target=None: None)
    monkeypatch.setattr(cli, "_run_pipeline", lambda *args, **kwargs: None)
    env = os.environ | {"NOEGLETAL_ROOT": str(paths.root), "COLUMNS": "200"}
    for command in ("audit", "backtest"):
        result = CliRunner().invoke(cli.app, [command], env=env)
        assert result.exit_code == 0, result.output
    assert "revised since" in CliRunner().invoke(cli.app, ["audit"], env=env).output


def test_a_year_without_population_is_named(tmp_path):
    """Scenario 6: a Danish 2025 figure with no population for 2025 stops the comparison with
    a message naming the series, the year and where the others are; adding it lets it run."""
    paths, _ = refreshed(tmp_path, SCENARIOS["full_year_2024_and_h1_2025"])
    with pytest.raises(SystemExit) as exc:
        compare.run(paths)
    message = str(exc.value)
    assert "befolkning_dk 2025" in message and "dst_folketal.csv" in message and "\n" not in message
    with (paths.raw_releases / "dst_folketal.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "befolkning_dk,2025,5.992.734,,,2025-01-01,stock,personer,final,Danmarks Statistik,Folketal,,"
            "made up for the test,,\n"
        )
    run_core(paths)
    compare.run(paths)
    assert pl.read_parquet(paths.derived_comparison)["reference_year"].max() == 2025


def test_a_duplicate_release_is_found_whatever_the_case_of_the_publisher(project):
    """One capital letter or an extra space in `publisher` does not make a second release
    (read in the same place as the shipped one: read elsewhere, it would be a quote of it)."""
    from pipeline import ingest

    copy = row("draebte", 2024, 2, 9, published="2024").replace(
        NSK.split(",")[0], "NATIONAL enhed  for Særlig Kriminalitet"
    )
    assert copy.endswith(",2024,,,")
    write_release(project, "nsk_2024_kopi", [copy[: -len(",,,")] + ',"VIVE (2025): Forenet Mod Vold, Tabel 1.3",,'])
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    assert {p.check for p in exc.value.problems} == {"duplicate_release"}


def test_releases_that_nothing_orders_are_refused_naming_both(project):
    """Two releases of the same figure, period, status and date with different values: no
    file name decides which the tables use."""
    from pipeline import ingest

    write_release(project, "a_2025", [row("draebte", 2024, 7, 12, published="2025-02")])
    write_release(
        project, "b_2025", [row("draebte", 2024, 6, 12, published="2025-02").replace(NSK.split(",")[0], "Rigspolitiet")]
    )
    with pytest.raises(InputError) as exc:
        ingest.run(project)
    problems = [p for p in exc.value.problems if p.check == "undecidable_releases"]
    assert {p.file.rsplit("/", 1)[-1] for p in problems} == {"a_2025.csv", "b_2025.csv"}
    assert all("a_2025.csv" in p.message and "b_2025.csv" in p.message for p in problems)


def test_a_mid_year_population_count_leaves_the_start_of_year_one_in_use(project):
    """A 1 July population count is the tables' count for the year under `annual`, but the
    comparison sets rates against the population at the start of the year."""
    before_paths = project
    run_core(before_paths)
    compare.run(before_paths)
    before = pl.read_parquet(before_paths.derived_comparison).select("reference_year", "dk_population")
    with (project.raw_releases / "dst_folketal.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "befolkning_dk,2024,5.980.000,,,2024-07-01,stock,personer,final,Danmarks Statistik,Folketal,,"
            "made up for the test,,\n"
        )
    run_core(project)
    compare.run(project)
    after = pl.read_parquet(project.derived_comparison).select("reference_year", "dk_population")
    assert after.equals(before)


def test_the_rate_unit_follows_params(project):
    import json

    settings = yaml.safe_load(project.params.read_text(encoding="utf-8"))
    settings["comparison"]["per_inhabitants"] = 1000
    project.params.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_core(project)
    compare.run(project)
    table = json.loads((project.comparison / "dk_se.json").read_text(encoding="utf-8"))
    # what a reader sees (the JSON's `figures` keep the machine's method names, for auditors)
    text = json.dumps([table[k] for k in ("title", "header", "rows", "note")], ensure_ascii=False)
    assert "pr. 1.000" in text and "100.000" not in text
    assert "statsmodels" not in text and "annualise" not in text


def test_two_counts_of_one_year_are_two_observations_not_a_sum_or_a_duplicate(project):
    """One half-year report with counts on 1 January and 30 June, and a second report by the
    same publisher on the same date with a 31 December count: three observations, none
    summed, none refused as a duplicate."""
    write_release(
        project,
        "nsk_2025_status",
        [
            row("medlemmer", 2025, "1.280", count_date="2025-01-01", published="2025-08"),
            row("medlemmer", 2025, "1.290", count_date="2025-06-30", published="2025-08"),
        ],
    )
    write_release(
        project, "nsk_2025_status_2", [row("medlemmer", 2025, "1.301", count_date="2025-12-31", published="2025-08")]
    )
    run_core(project)
    counts = (
        pl.read_parquet(project.derived_figures)
        .filter((pl.col("series") == "medlemmer") & (pl.col("reference_year") == 2025))
        .sort("count_date")
    )
    assert counts["observed_value"].to_list() == [1280, 1290, 1301]
    assert counts["source_line"].to_list() == [2, 3, 2]
    assert counts.filter(pl.col("selected"))["observed_value"].to_list() == [1301]


def test_a_release_from_before_the_cut_off_can_change_a_verdict_and_is_named(tmp_path, baseline):
    """A correction published in June 2024, before VIVE's cut-off, was there for VIVE to use:
    the audit says that VIVE printed the older figure, and which release it did not follow."""
    _, before = baseline
    _, report = refreshed(tmp_path, {"nsk_2023_rettet": [row("sigtelser", 2023, "3.131", 12, published="2024-06")]})
    assert "nsk_2023_rettet" in report["publications"][0]["releases"]["before"]
    old = {p["figure"] + p["where"]: p for p in before["published_values"]}
    new = {p["figure"] + p["where"]: p for p in report["published_values"]}
    changed = [k for k in new if new[k]["verdict"] != old[k]["verdict"]]
    assert changed and all(k.startswith("sigtelser 2023") for k in changed)
    for k in changed:
        # VIVE printed the older release's 3.118 where the best one available to it said 3.131
        assert new[k]["verdict"] == "follows_older_release"
        assert "nsk_2023_rettet" in new[k]["reason"] and "3.131" in new[k]["reason"]
        assert new[k]["sources"]["followed"]["release"] == "nsk_2023" and "3.131" in new[k]["finding"]
