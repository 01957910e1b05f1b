"""params.yaml is checked against a schema before anything runs: every bad value gives one
line naming the parameter, a misspelt key is refused with a hint, nothing is ignored."""

from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from pipeline.params import ParamsError, check_params, load_params
from pipeline.paths import Paths

from conftest import REPO, examples

SHIPPED = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))


def with_value(path: str, value):
    settings = copy.deepcopy(SHIPPED)
    *parents, key = path.split(".")
    target = settings
    for part in parents:
        target = target[part]
    target[key] = value
    return settings


def refused(settings) -> str:
    with pytest.raises(ParamsError) as exc:
        check_params(settings)
    message = str(exc.value)
    assert message.startswith("params.yaml: ") and "\n" not in message
    return message


def test_the_shipped_params_pass_unchanged():
    checked = check_params(copy.deepcopy(SHIPPED))
    assert checked["extrapolation"] == SHIPPED["extrapolation"]
    assert checked["tables"]["table_1_3"]["series"] == ["skudepisoder", "saarede", "draebte"]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("extrapolation.interval.level", 1.5, "extrapolation.interval.level: 1.5"),
        ("extrapolation.interval.level", 0, "extrapolation.interval.level: 0"),
        ("comparison.interval.level", -0.1, "comparison.interval.level"),
        ("comparison.per_inhabitants", 0, "comparison.per_inhabitants: 0"),
        ("extrapolation.decimals", -400, "extrapolation.decimals: -400"),
        ("extrapolation.decimals", "two", "extrapolation.decimals: 'two'"),
        ("extrapolation.method", "cubic", "extrapolation.method: 'cubic'"),
        ("extrapolation.rounding", "up", "extrapolation.rounding"),
        ("stocks.count", "first", "stocks.count"),
        ("comparison.partial_year", "ignore", "comparison.partial_year"),
        ("comparison.interval.ratio", "wald", "comparison.interval.ratio"),
        ("tables.table_1_3.series", [], "tables.table_1_3.series"),
        ("tables.table_1_3.row_labels", "yes", "tables.table_1_3.row_labels"),
        ("tables.table_1_3.first_year", "2021", "tables.table_1_3.first_year"),
    ],
)
def test_bad_values_are_named(path, value, expected):
    assert expected in refused(with_value(path, value))


def test_a_misspelt_key_is_refused_with_a_hint():
    settings = copy.deepcopy(SHIPPED)
    settings["extrapolation"]["metod"] = "trend"
    assert refused(settings) == "params.yaml: extrapolation.metod: is not a known key; did you mean 'method'?"


def test_unknown_sections_and_table_keys_are_refused():
    settings = copy.deepcopy(SHIPPED)
    settings["tabels"] = {}
    assert "tabels: is not a known key; did you mean 'tables'?" in refused(settings)
    settings = with_value("tables.table_1_1.frist_year", 2014)
    assert "tables.table_1_1.frist_year: is not a known key; did you mean 'first_year'?" in refused(settings)


def test_a_missing_section_is_named():
    settings = copy.deepcopy(SHIPPED)
    del settings["comparison"]
    assert refused(settings) == "params.yaml: comparison: is missing"


def test_yaml_that_does_not_parse_names_line_and_column(project):
    project.params.write_text("extrapolation:\n  method: [linear\n", encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params(project)
    assert "params.yaml: line " in str(exc.value) and "column" in str(exc.value)


@pytest.mark.parametrize(
    "raw, where",
    [
        (b"extrapolation:\n  method: \xfflinear\n", "line 2, column 11: is not UTF-8 text"),
        (b"extrapolation:\n  method: lin\x1bear\n", "line 2, column 14: is not valid YAML (character #x001b"),
        (b"\x00", "line 1, column 1: is not valid YAML"),
    ],
)
def test_bytes_that_are_not_yaml_text_name_line_and_column(tmp_path, raw, where):
    (tmp_path / "params.yaml").write_bytes(raw)
    with pytest.raises(ParamsError) as exc:
        load_params(Paths(tmp_path))
    assert str(exc.value).startswith(f"params.yaml: {where}")


shipped_bytes = (REPO / "params.yaml").read_bytes()


@given(
    raw=st.binary(max_size=60)
    | st.builds(
        lambda at, junk: shipped_bytes[:at] + junk + shipped_bytes[at:],
        st.integers(0, len(shipped_bytes)),
        st.binary(min_size=1, max_size=4),
    )
)
def test_any_bytes_are_read_or_refused_in_one_line(tmp_path_factory, raw):
    """Whatever params.yaml holds, it is read, or refused in one line starting with the file's
    name: never a traceback."""
    root = tmp_path_factory.mktemp("params")
    (root / "params.yaml").write_bytes(raw)
    try:
        load_params(Paths(root))
    except ParamsError as exc:
        assert str(exc).startswith("params.yaml: ") and len(str(exc).splitlines()) == 1, str(exc)


def _leaves(node, path=()):
    """Every key of params.yaml whose value is not a mapping, as a dotted path."""
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*path, key))
        else:
            yield ".".join((*path, key)), value


leaves = list(_leaves(SHIPPED))
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@settings(max_examples=examples(at_least=300), deadline=None)
@given(leaf=st.sampled_from(leaves), value=junk)
def test_any_value_is_accepted_or_refused_in_one_line(leaf, value):
    """Whatever a key is set to, the check either accepts it (and the result has the same
    keys) or refuses it in one line naming that key."""
    path, _ = leaf
    try:
        checked = check_params(with_value(path, value))
    except ParamsError as exc:
        message = str(exc.value) if hasattr(exc, "value") else str(exc)
        assert message.startswith(f"params.yaml: {path}") and "\n" not in message, message
    else:
        assert set(checked) == set(SHIPPED)


# --- references into the data ------------------------------------------------------------

from pipeline import compare, tables  # noqa: E402
from pipeline.core_stages import run_core  # noqa: E402


def write(project, settings):
    project.params.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_an_unknown_series_in_a_table_is_named(project):
    run_core(project)
    write(project, with_value("tables.table_1_3.series", ["skudepisoder", "saarde"]))
    with pytest.raises(ParamsError) as exc:
        tables.run(project)
    assert str(exc.value) == (
        "params.yaml: tables.table_1_3.series: 'saarde' is not a series in data/raw/series.csv; did you mean 'saarede'?"
    )


def test_an_unknown_swedish_release_is_named(project):
    run_core(project)
    write(project, with_value("comparison.sweden_release", "vive_2025_sverge"))
    with pytest.raises(ParamsError) as exc:
        compare.run(project)
    assert "comparison.sweden_release: 'vive_2025_sverge' is not a release" in str(exc.value)
    assert "did you mean 'vive_2025_sverige'?" in str(exc.value)
