"""pipeline/wording/: every data-dependent Danish phrase says what the numbers say (rise or
fall, singular or plural, partial or full year, any method), with one minus sign and no
English, for any input (hypothesis)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import fmt, wording
from pipeline.wording import Figure, Method, WordingError

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORBIDDEN = re.compile(
    r"\b(fallback|linear|trend|seasonal|seasonal_share|statsmodels|none|nan|fewer|earlier"
    r"|release)\b",
    re.I,
)
ASCII_SIGN = re.compile(r"(?<![\w/])-\s?\d")  # "-163", "- 163": a hyphen used as a minus sign

cents = st.integers(min_value=0, max_value=10**8)
counts = st.integers(min_value=0, max_value=10**6)
nouns = st.sampled_from(sorted(wording.FORMS))
methods = st.sampled_from(sorted(wording.METHOD_NAMES))
known_reasons = st.sampled_from(
    [
        "no earlier year has a release for the same months and a final full-year release",
        "fewer than 3 earlier full years (2)",
        "fewer than 5 earlier full years (0)",
    ]
)
reasons = st.one_of(known_reasons, st.text(max_size=60))


@st.composite
def method_texts(draw) -> str:
    """The `method` column as pipeline/extrapolate.py writes it: a method, or a fallback."""
    used = draw(methods)
    if draw(st.booleans()):
        return used
    return f"{used} (fallback: {draw(methods)}: {draw(reasons)})"


def no_english(text: str) -> None:
    assert not FORBIDDEN.search(text), text
    assert not ASCII_SIGN.search(text), text


# --- numbers -------------------------------------------------------------------------------


@PROPERTY
@given(st.integers(min_value=-(10**7), max_value=10**7), st.sampled_from([None, 0, 1, 2]))
def test_number_has_one_minus_sign(hundredths, decimals):
    value = hundredths / 100
    text = wording.number(value, decimals)
    assert "-" not in text
    d = wording._decimals(value, decimals)
    exact = abs(Decimal(hundredths) / 100).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)
    assert text.lstrip("−") == fmt.number(exact, d)  # rounded half up, as the report rounds
    assert text.startswith("−") == (value < 0 and exact != 0)


def test_number_examples():
    assert wording.number(-163) == "−163"
    assert wording.number(-0.001, 2) == "0,00"  # rounds to zero: no sign
    assert wording.number(2.6666) == "2,67"
    assert wording.number(3.0000000000000004) == "3"  # a float sum that is a whole number
    assert wording.number(None) == fmt.MISSING
    assert wording.percent(-0.34) == "−34\u00a0%"
    assert wording.number(2.5, 0) == "3" and wording.number(0.125, 2) == "0,13"  # half up, as the report
    assert wording.percent(-0.0049) == "0\u00a0%"


# --- change --------------------------------------------------------------------------------


@PROPERTY
@given(cents, cents, st.one_of(st.none(), nouns))
def test_change_phrase_says_the_direction_and_the_size(a_cents, b_cents, plural):
    a, b = a_cents / 100, b_cents / 100
    text = wording.change_phrase(a, b, plural)
    assert ("stigning" in text) == (b > a)
    assert ("fald" in text) == (b < a)
    assert (text == "uændret") == (a == b)
    assert "-" not in text.replace("rocker-/", "") and "−" not in text  # the word carries the direction
    if a != b:
        size = abs(Decimal(b_cents) - Decimal(a_cents)) / 100
        d = 0 if size == size.to_integral_value() else 2
        expected = fmt.number(size.quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP), d)
        assert re.search(r"på (\S+)", text).group(1) == expected, text
        if plural:
            singular, many = wording.FORMS[plural]
            assert text.split(" (")[0].endswith(f" {singular if expected == '1' else many}"), text
        if a != 0:
            assert text.endswith(f"({wording.percent(abs(b - a) / a)})"), text


def test_change_phrase_examples():
    assert wording.change_phrase(314, 337, "år", with_percent=False) == "en stigning på 23 år"
    assert wording.change_phrase(477, 314, "år") == "et fald på 163 år (34\u00a0%)"
    assert wording.change_phrase(4, 4, "dræbte") == "uændret"
    assert wording.change_phrase(2, 1, "dræbte") == "et fald på 1 dræbt (50\u00a0%)"
    assert wording.change_phrase(0, 5, "sigtelser") == "en stigning på 5 sigtelser"  # no percent of 0


@PROPERTY
@given(counts, counts, st.integers(2000, 2030), st.integers(1, 5), nouns)
def test_from_to_sentence_verb_follows_the_numbers(a, b, year, gap, plural):
    text = wording.from_to_sentence("Antallet", a, year, b, year + gap, plural)
    assert (" steg " in text) == (b > a) and (" faldt " in text) == (b < a) and ("uændret" in text) == (a == b)
    assert f"{wording.counted(a, plural)} i {year}" in text or a == b
    no_english(text)


# --- singular and plural -------------------------------------------------------------------


@PROPERTY
@given(st.one_of(counts, st.floats(0, 10**4, allow_nan=False)), nouns)
def test_singular_exactly_for_one(value, plural):
    singular, many = wording.FORMS[plural]
    text = wording.counted(value, plural)
    assert text.endswith(" " + (singular if wording.number(value) == "1" else many))
    assert wording.counted(1, plural) == f"1 {singular}" and wording.counted(2, plural) == f"2 {many}"
    assert text.startswith(wording.number(value) + " ")


def test_counted_examples():
    assert wording.counts_listing([(12, "sårede"), (1, "dræbte")]) == "12 sårede og 1 dræbt"
    assert (
        wording.counts_listing([(87, "skudepisoder"), (45, "sårede"), (3, "dræbte")])
        == "87 skudepisoder, 45 sårede og 3 dræbte"
    )
    assert wording.counted(1, "sigtelser") == "1 sigtelse"
    assert wording.counted(1, "skudepisoder") == "1 skudepisode"
    assert wording.counted(1, "personer") == "1 person"
    assert wording.counted(1, "år fængsel") == "1 år fængsel"
    assert wording.counted(2, "år fængsel") == "2 års fængsel"
    assert wording.counted(1, "sårede") == "1 såret"


def test_a_unit_without_forms_is_a_clear_error():
    with pytest.raises(WordingError, match="unit 'kroner' has no Danish singular/plural forms; add it to FORMS"):
        wording.counted(2, "kroner")


def test_every_shipped_series_has_forms():
    import csv

    from conftest import REPO

    with (REPO / "data/raw/series.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        singular, plural = wording.forms(wording.series_noun(row))
        assert singular and plural, row["series"]


# --- development over a period -------------------------------------------------------------


@PROPERTY
@given(st.lists(st.integers(0, 3000), min_size=1, max_size=12))
def test_development_follows_the_rule(values):
    text = wording.development({2014 + i: v for i, v in enumerate(values)})
    steps = [b - a for a, b in zip(values, values[1:])]
    mean = sum(values) / len(values)
    if len(values) == 1:
        assert text.startswith("var ")
    elif len(set(values)) == 1:
        assert text.startswith("var uændret")
    elif all(s >= 0 for s in steps):
        assert text.startswith("steg fra")
    elif all(s <= 0 for s in steps):
        assert text.startswith("faldt fra")
    elif all(abs(v - mean) <= wording.STABLE_WITHIN * mean for v in values):
        assert text.startswith("lå relativt stabilt") and "inden for 20\u00a0%" in text
    else:
        assert text.startswith("svingede mellem")
        assert f"{fmt.number(min(values))} (" in text and f"{fmt.number(max(values))} (" in text
    no_english(text)


def test_development_examples():
    members = dict(zip(range(2014, 2025), [1520, 1376, 1257, 1314, 1120, 1133, 1233, 1301, 1308, 1257, 1315]))
    assert wording.development(members).startswith(
        "lå relativt stabilt i 2014–2024, mellem 1.120 (2018) og 1.520 (2014)"
    )
    assert wording.development({2021: 6, 2022: 4, 2023: 12}) == "svingede mellem 4 (2022) og 12 (2023) i 2021–2023"
    assert wording.development({2021: 477, 2022: 375, 2023: 314}) == "faldt fra 477 i 2021 til 314 i 2023"


# --- periods --------------------------------------------------------------------------------


def test_period_text():
    assert wording.period_text(2024, 9) == "januar–september 2024"
    assert wording.period_text(2024, 12) == "hele 2024"
    assert wording.period_text(2024, 1) == "januar 2024"
    assert wording.period_text(2024, 11.47) == "de første 11,47 måneder af 2024"
    assert wording.months_text(1) == "1 måned"


# --- methods ---------------------------------------------------------------------------------


def test_parse_method():
    assert wording.parse_method("linear") == Method("linear")
    assert wording.parse_method("none") == Method("none")
    parsed = wording.parse_method("linear (fallback: seasonal_share: no earlier year (x) has it)")
    assert parsed == Method("linear", "seasonal_share", "no earlier year (x) has it") and parsed.fell_back
    for bad in ("cubic", "linear (fallback: cubic: x)", "linear (fallback seasonal_share)"):
        with pytest.raises(WordingError, match="cannot read the extrapolation method"):
            wording.parse_method(bad)


def test_fallback_in_danish():
    method = wording.parse_method(
        "linear (fallback: seasonal_share: no earlier year has a release for the same "
        "months and a final full-year release)"
    )
    text = wording.fallback_sentence(method, "dræbte")
    assert text.startswith(
        "Sæsonandel kunne ikke bruges for dræbte, fordi intet tidligere år har både en "
        "opgørelse for de samme måneder og en endelig helårsopgørelse; i stedet er brugt "
        "lineær fremskrivning"
    )
    trend = wording.parse_method("linear (fallback: trend: fewer than 3 earlier full years (2))")
    assert (
        "fordi der kun er 2 tidligere hele år med en endelig opgørelse, og metoden kræver mindst 3"
        in wording.fallback_sentence(trend)
    )
    odd = wording.parse_method("linear (fallback: trend: the model did not converge)")
    assert wording.UNKNOWN_REASON in wording.fallback_sentence(odd)


@st.composite
def partial_figures(draw, plural=None) -> Figure:
    months = draw(st.integers(1, 11))
    observed = draw(counts)
    method = draw(method_texts())
    used = wording.parse_method(method).used
    factor = {
        "linear": 12 / months,
        "seasonal_share": 1 / draw(st.floats(0.05, 0.99)),
        "trend": 1 + draw(st.floats(0, 3)),
    }[used]
    value = observed * factor
    return Figure(
        plural=plural or draw(nouns),
        year=draw(st.integers(2000, 2030)),
        value=value,
        observed=observed,
        months=months,
        method=method,
        monthly_mean=observed / months,
    )


@PROPERTY
@given(method_texts())
def test_no_english_in_any_method_text(text):
    method = wording.parse_method(text)
    for out in (
        wording.method_sentence(text),
        wording.fallback_sentence(method, "sårede"),
        wording.how_estimated(method, "januar–september", "oktober–december"),
        wording.computation(method, "sårede", 22, 29.3, 9, 29.0),
    ):
        no_english(out)
    assert wording.method_name(method.used) in wording.method_sentence(text)
    assert bool(wording.fallback_sentence(method)) == method.fell_back


@PROPERTY
@given(partial_figures())
def test_partial_year_sentence(f):
    text = wording.partial_year_sentence(f)
    no_english(text)
    assert text.startswith(
        f"For {f.year} foreligger kun {wording.period_text(f.year, f.months).removesuffix(f' {f.year}')}:"
    )
    assert f"{wording.counted(f.value, f.plural, 0)} for hele {f.year}" in text
    method = wording.parse_method(f.method)
    assert ("om måneden" in text) == (method.used == "linear")
    assert ("kunne ikke bruges" in text) == method.fell_back


def test_partial_year_sentence_full_year_is_empty():
    assert wording.partial_year_sentence(Figure("sigtelser", 2024, 3000, 3000)) == ""


@PROPERTY
@given(
    st.lists(
        st.one_of(st.none(), partial_figures(), st.builds(lambda v, p: Figure(p, 2024, v, v), counts, nouns)),
        min_size=1,
        max_size=4,
    )
)
def test_latest_counts_sentence(figures):
    labels = [f"serie{i}" for i in range(len(figures))]
    text = wording.latest_counts_sentence(figures, labels)
    no_english(text)
    present = [f for f in figures if f is not None]
    for f in present:
        assert wording.counted(f.counted_value, f.plural) in text
        assert wording.period_text(f.year, f.months) in text
    assert ("fremskrevet til hele året" in text) == any(f.estimated for f in present)
    for f, label in zip(figures, labels):
        assert (label in text) == (f is None)


def test_latest_counts_sentence_examples():
    shipped = [
        Figure("skudepisoder", 2024, 25, 19, 9, "linear"),
        Figure("sårede", 2024, 29, 22, 9, "linear"),
        Figure("dræbte", 2024, 3, 2, 9, "linear"),
    ]
    assert wording.latest_counts_sentence(shipped, ["skudepisoder", "sårede", "dræbte"]) == (
        "I januar–september 2024 var der 19 skudepisoder, 22 sårede og 2 dræbte; fremskrevet til hele året "
        "svarer det til 25 skudepisoder, 29 sårede og 3 dræbte."
    )
    revised = shipped[:2] + [Figure("dræbte", 2024, 1, 1)]
    assert wording.latest_counts_sentence(revised, ["skudepisoder", "sårede", "dræbte"]) == (
        "I januar–september 2024 var der 19 skudepisoder og 22 sårede, og i hele 2024 var der 1 dræbt; "
        "fremskrevet til hele året svarer det til 25 skudepisoder og 29 sårede."
    )
    full = [Figure("skudepisoder", 2024, 21, 21), Figure("dræbte", 2024, 1, 1)]
    assert (
        wording.latest_counts_sentence(full, ["skudepisoder", "dræbte"])
        == "I hele 2024 var der 21 skudepisoder og 1 dræbt."
    )


# --- table notes ------------------------------------------------------------------------------


def cell(method: str, label="Sårede", observed=22.0, unrounded=29.333, value=29.0) -> dict:
    return {
        "status": "estimated",
        "reference_year": 2024,
        "months_covered": 9,
        "method": method,
        "label_da": label,
        "observed_value": observed,
        "value_unrounded": unrounded,
        "value": value,
        "integer_valued": True,
        "monthly_mean": observed / 9,
        "interval_lower": 18.4,
        "interval_upper": 44.4,
        "interval_level": 0.95,
    }


@PROPERTY
@given(st.lists(method_texts(), min_size=1, max_size=3))
def test_table_note_describes_each_method_in_danish(texts):
    note = wording.table_note([cell(t) for t in texts], "asterisk")
    no_english(note)
    for t in texts:
        method = wording.parse_method(t)
        if method.used == "linear":
            assert "/ 9 × 12" in note
        else:
            assert wording.method_name(method.used) in note
        if method.fell_back:
            assert f"{wording.method_name(method.asked).capitalize()} kunne ikke bruges" in note


def test_table_note_trend_does_not_claim_the_linear_formula():
    note = wording.table_note([cell("trend", unrounded=31.5, value=32.0)], "header")
    assert "/ 9 × 12" not in note and "sårede 22 + 9,50 = 31,50 ≈ 32" in note
    share = wording.table_note([cell("seasonal_share", unrounded=27.5, value=28.0)], "header")
    assert "sårede 22 / 0,8000 ≈ 27,50 ≈ 28" in share
    assert wording.table_note([dict(cell("linear"), status="observed")], "header") is None


def test_interval_description_names_no_library():
    assert "statsmodels" not in wording.interval_description("poisson_glm_rate: Poisson-GLM (statsmodels) …")
    assert "statsmodels" not in wording.interval_description("unknown_code: Poisson-GLM; statsmodels GLM")
    assert (
        wording.interval_description("negative_binomial: anything")
        == wording.INTERVAL_DESCRIPTIONS["negative_binomial"]
    )
    assert wording.interval_description("test: et testinterval") == "et testinterval"
    assert wording.interval_description(None) == ""


def test_small_numbers_sentence():
    assert wording.small_numbers_sentence([33, 2], True).startswith("Så små tal")
    assert wording.small_numbers_sentence([3000, 2000], False) == ""
    assert "fremskrivning" not in wording.small_numbers_sentence([3, 2], False)


def test_comparison_intervals_name_no_library():
    assert (
        wording.comparison_interval_text("statsmodels confint_poisson, method exact-c")
        == "eksakt Poisson-interval (Garwood)"
    )
    assert (
        wording.comparison_interval_text(
            "betinget binomialt (Clopper–Pearson på det svenske antal givet summen; statsmodels proportion_confint, beta)"
        )
        == "betinget binomialt (Clopper–Pearson på det svenske antal givet summen)"
    )
    for method in ("score", "wald", "some-new-one"):
        text = wording.comparison_interval_text(f"statsmodels confint_poisson_2indep, method {method}")
        assert "statsmodels" not in text and "forholdet mellem to Poisson-rater" in text


@PROPERTY
@given(st.floats(0, 100, allow_nan=False))
def test_more_or_fewer_follows_the_ratio(ratio):
    text = wording.more_or_fewer(ratio)
    assert ("flere" in text) == (ratio > 1) and ("færre" in text) == (ratio < 1)
    assert text.startswith("langt") == (ratio >= 2 or ratio <= 0.5)


def test_unit_text():
    assert wording.unit_text(1, "personer") == "person" and wording.unit_text(3, "personer") == "personer"
    assert wording.unit_text(1, "pr. 100.000 indbyggere") == "pr. 100.000 indbyggere"


def test_times_as_many():
    assert wording.times_as_many(87 / 24.33, "skudepisoder") == "3,6 gange så mange skudepisoder som"
    assert wording.times_as_many(1.02, "skudepisoder") == "lige så mange skudepisoder som"
    assert wording.times_as_many(0.08, "skudepisoder") == "8\u00a0% af"


def test_table_note_for_a_period_ending_inside_a_month():
    """Where a cell carries the exposure and the end of its period (15 December), the note says
    that period and divides by its months, not by the whole months covered."""
    c = cell("linear") | {"months_covered": 12, "months_exposure": 11.47, "period_end": "2024-12-15"}
    note = wording.table_note([c], "header")
    assert "1. januar–15. december 2024 (11,47 måneder)" in note and "/ 11,47 × 12" in note
    assert "resten af året har samme gennemsnit" in note


def test_latest_sentence_and_years_text():
    from pipeline import report_helpers as rh

    series = {"medlemmer": {"unit": "personer", "label_da": "Rocker-/bandemedlemmer"}}
    cell = {"series": "medlemmer", "status": "observed", "value": 1.0, "count_date": None}
    tables = {"1.1": {"cells": [cell | {"reference_year": 2024}]}}
    template = "{count} var registreret {as_of}."
    assert rh.latest_sentence(tables, "medlemmer", series, template) == "1 person var registreret i 2024."
    assert rh.years_text(tables, "medlemmer") == "for 2024"
    empty = {"1.1": {"cells": [cell | {"reference_year": 2024, "status": None}]}}
    assert rh.latest_sentence(empty, "medlemmer", series, template) == ""
    assert rh.years_text(empty, "medlemmer") == "for ingen år endnu"
