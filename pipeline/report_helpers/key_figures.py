"""The key figures in prose (chapter "Rocker-/banderelateret vold i Danmark")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline import fmt, wording
from pipeline.report_helpers.markdown import escape
from pipeline.report_helpers.words import MONTHS_IN_YEAR, _upper_first, count_by_verdict, listing, number

# Each function takes the tables' JSON (outputs/tables/table_*.json, by table id) and returns a
# sentence that is true for the data it is given: rise or fall, singular or plural, a partial
# year or none, a figure missing, any extrapolation method. The words: pipeline/wording/.


def series_cells(tables: dict[str, dict], name: str) -> list[dict]:
    """A series' cells in the tables, by year (status None where the year has no figure)."""
    by_year: dict[int, dict] = {}
    for table in tables.values():
        for cell in table["cells"]:
            if cell["series"] == name:
                by_year.setdefault(cell["reference_year"], cell)
    return [by_year[year] for year in sorted(by_year)]


def full_years(tables: dict[str, dict], name: str) -> list[dict]:
    """The years counted in full: observed, and not an earlier year known only in part (shown
    as counted, wording.is_past_partial), which no sentence about whole years may take as one."""
    return [c for c in series_cells(tables, name) if c["status"] == "observed" and not wording.is_past_partial(c)]


def partial_year(tables: dict[str, dict], name: str) -> dict | None:
    """The latest estimated (partial) year of a series, or None."""
    return next((c for c in reversed(series_cells(tables, name)) if c["status"] == "estimated"), None)


def with_figures(tables: dict[str, dict], name: str) -> list[dict]:
    """The cells with a figure, observed or estimated."""
    return [c for c in series_cells(tables, name) if c["status"] in ("observed", "estimated")]


def key_figure_years(tables: dict[str, dict]) -> tuple[int, int]:
    years = [c["reference_year"] for t in tables.values() for c in t["cells"] if c["status"]]
    return min(years), max(years)


def figure(cell: dict | None, series: dict[str, dict]) -> wording.Figure | None:
    """A table cell as wording.Figure, counted in its series' noun."""
    if cell is None or cell["status"] not in ("observed", "estimated"):
        return None
    estimated = cell["status"] == "estimated"
    return wording.Figure(
        plural=wording.series_noun(series.get(cell["series"], cell)),
        year=cell["reference_year"],
        value=cell["value"],
        observed=cell["observed_value"],
        months=wording.months_of(cell) if estimated else MONTHS_IN_YEAR,
        method=cell["method"] if estimated else None,
        monthly_mean=cell["monthly_mean"],
        period_end=wording.period_end_of(cell) if estimated else None,
        interval=(cell["interval_lower"], cell["interval_upper"], cell["interval_level"], cell.get("interval_kind"))
        if estimated and cell.get("interval_lower") is not None
        else None,
        unrounded=cell.get("value_unrounded") if estimated else None,
        interval_caveat=wording.interval_caveat(cell) if estimated else "",
    )


def releases_text(tables: dict[str, dict], figures: Iterable[dict]) -> str:
    """Which releases the key-figure tables use, from the data: 'nøgletallene fra Rigspolitiet
    (2014–2017), … og National enhed for Særlig Kriminalitet (2021–2024), som de gengives i VIVE
    (2025): Forenet Mod Vold'. `figures`: the derived figures' rows (for where each was read)."""
    used = {
        (c["series"], c["reference_year"], c["release_id"])
        for t in tables.values()
        for c in t["cells"]
        if c["status"] in ("observed", "estimated")
    }
    rows = [r for r in figures if (r["series"], r["reference_year"], r["release_id"]) in used]
    # each publisher with the years of its figures (not the years it published them: a year's
    # figures may be published the year after)
    years: dict[str, set[int]] = {}
    for r in sorted(rows, key=lambda r: (r["reference_year"], r["published"] or "", r["publisher"] or "")):
        years.setdefault(wording.publisher_text(r["publisher"]), set()).add(r["reference_year"])
    publishers = wording.listing([f"{p} ({fmt.year_ranges(y)})" for p, y in years.items()])
    # where each figure was read: a publication quoting it, or the release itself (also when
    # `reported_by` names the publisher); with the years each covers when there is more than one
    read_in: dict[str, set[int]] = {}
    for r in sorted(rows, key=lambda r: r["reference_year"]):
        source = wording.secondary_source(r["publisher"], r["reported_by"]) or ""
        read_in.setdefault(source, set()).add(r["reference_year"])
    text = f"nøgletallene fra {publishers}"
    if set(read_in) == {""}:
        return escape(text)
    places = [
        (f"i {source}" if source else "i udgivelserne selv") + (f" ({fmt.year_ranges(y)})" if len(read_in) > 1 else "")
        for source, y in read_in.items()
    ]
    return escape(f"{text}, som de gengives {wording.listing(places)}")


def as_of(cell: dict) -> str:
    """'pr. 30. september 2024' when the count date is known ('i januar 2016' to the month),
    else 'i 2024'."""
    if not cell["count_date"]:
        return f"i {cell['reference_year']}"
    return wording.counted_on(cell["count_date"], cell.get("count_date_precision"), cell["reference_year"])


def years_text(tables: dict[str, dict], name: str) -> str:
    """'fra 2014 til 2024' over the years with a figure; 'for 2024' for one; 'for ingen år
    endnu' for none."""
    years = [c["reference_year"] for c in with_figures(tables, name)]
    if not years:
        return "for ingen år endnu"
    return f"for {years[0]}" if min(years) == max(years) else f"fra {min(years)} til {max(years)}"


def latest_sentence(tables: dict[str, dict], name: str, series: dict[str, dict], template: str) -> str:
    """The report's sentence on a series' latest observed figure, with `{count}` ('1.315
    personer', '1 person') and `{as_of}` ('pr. 30. september 2024', else 'i 2024') filled in;
    '' when the series has no observed figure."""
    cells = full_years(tables, name)
    if not cells:
        return ""
    latest = cells[-1]
    return template.format(count=wording.counted(latest["value"], series[name]["unit"]), as_of=as_of(latest))


def counted(value: float, plural: str, decimals: int | None = None) -> str:
    return wording.counted(value, plural, decimals)


def development_text(tables: dict[str, dict], name: str) -> str:
    """The rest of 'Antallet …' over the years observed: 'lå relativt stabilt …', 'steg fra …',
    'svingede mellem …' (the rule: wording.development)."""
    cells = full_years(tables, name)
    if not cells:
        return "er endnu ikke opgjort for noget helt år"
    return wording.development({c["reference_year"]: c["value"] for c in cells})


def change_sentence(
    tables: dict[str, dict], name: str, subject: str, series: dict[str, dict], decimals: int | None = None
) -> str:
    """'Antallet af sigtelser faldt fra 3.357 sigtelser i 2021 til 3.118 sigtelser i 2023, et
    fald på 239 sigtelser (7 %).' — first and last full year; '' without a full year."""
    cells = full_years(tables, name)
    if not cells:
        return ""
    plural = wording.series_noun(series[name])
    a, b = cells[0], cells[-1]
    return wording.from_to_sentence(
        subject, a["value"], a["reference_year"], b["value"], b["reference_year"], plural, decimals
    )


def mean_sentence(tables: dict[str, dict], name: str, series: dict[str, dict], verb: str) -> str:
    """'I perioden 2021–2023 blev der i gennemsnit idømt 389 års fængsel om året.' with `verb`
    'blev der i gennemsnit idømt'; '' with fewer than two full years."""
    cells = full_years(tables, name)
    if len(cells) < 2:
        return ""
    mean = sum(c["value"] for c in cells) / len(cells)
    span = fmt.year_ranges(c["reference_year"] for c in cells)
    return f"I perioden {span} {verb} {wording.counted(mean, wording.series_noun(series[name]), 0)} om året."


def missing_sentence(tables: dict[str, dict], name: str, subject: str) -> str:
    """'Strafmassen for 2024 er endnu ikke offentliggjort.' for the years without a figure."""
    missing = [c["reference_year"] for c in series_cells(tables, name) if c["status"] not in ("observed", "estimated")]
    if not missing:
        return ""
    return f"{subject} for {fmt.year_ranges(missing)} er endnu ikke offentliggjort."


def partial_sentence(tables: dict[str, dict], name: str, series: dict[str, dict]) -> str:
    """What is known of the latest partial year and how it was estimated; '' without one."""
    cell = partial_year(tables, name)
    return wording.partial_year_sentence(figure(cell, series)) if cell else ""


def first_year_sentence(tables: dict[str, dict], names: Sequence[str], series: dict[str, dict]) -> str:
    """'I 2021 var der 33 skudepisoder.' for the first full year of the first series; '' without
    one, or when it is the latest year (latest_counts_sentence says that one)."""
    name = names[0]
    cells = full_years(tables, name)
    if not cells or cells[0]["reference_year"] == latest_year(tables, names):
        return ""
    first = cells[0]
    return f"I {first['reference_year']} var der {wording.counted(first['value'], wording.series_noun(series[name]))}."


def latest_year(tables: dict[str, dict], names: Sequence[str]) -> int | None:
    years = [c["reference_year"] for n in names for c in with_figures(tables, n)]
    return max(years) if years else None


def latest_counts_sentence(tables: dict[str, dict], names: Sequence[str], series: dict[str, dict]) -> str:
    """The latest year of several series, each by the period it covers, with the estimates
    (wording.latest_counts_sentence); after the first full year, so only when it is later."""
    year = latest_year(tables, names)
    if year is None:
        return ""
    cells = {n: next((c for c in series_cells(tables, n) if c["reference_year"] == year), None) for n in names}
    return wording.latest_counts_sentence(
        [figure(cells[n], series) for n in names], [wording.noun(2, wording.series_noun(series[n])) for n in names]
    )


def small_numbers_sentence(tables: dict[str, dict], names: Sequence[str]) -> str:
    cells = [c for n in names for c in with_figures(tables, n)]
    return wording.small_numbers_sentence(
        [c["observed_value"] for c in cells], any(c["status"] == "estimated" for c in cells)
    )


def comparison_with_year(
    tables: dict[str, dict],
    names: Sequence[str],
    series: dict[str, dict],
    other: dict[str, dict],
    year: int,
    source: str,
) -> str:
    """The figures of another year (the gang conflict) set against the mean of the years in
    the tables: 'Under bandekonflikten i 2017 var der til sammenligning 87 skudepisoder, … Det
    er 3,6 gange så mange skudepisoder som gennemsnittet for 2021–2024 (24,33 om året, med
    helårsskønnet for 2024), mens der i gennemsnit var 34,58 sårede og 4,25 dræbte om året i
    2021–2024.' `other`: that year's derived rows by series."""
    nouns = {n: wording.series_noun(series[n]) for n in names}
    shown = [n for n in names if n in other and other[n]["value"] is not None]
    text = (
        f"Under bandekonflikten i {year} var der til sammenligning "
        f"{wording.counts_listing((other[n]['value'], nouns[n]) for n in shown)} ({escape(source)})."
    )
    # the years' full-year figures (the estimate of the latest partial year included); an
    # earlier year known only in part has no full-year figure to average
    cells = {n: [c for c in with_figures(tables, n) if not wording.is_past_partial(c)] for n in names}
    first = names[0]
    if first not in shown or not cells[first] or not sum(c["value_unrounded"] for c in cells[first]):
        return text
    span = fmt.year_ranges(c["reference_year"] for c in cells[names[0]])
    means = {n: sum(c["value_unrounded"] for c in cs) / len(cs) for n, cs in cells.items() if cs}
    estimated = [c["reference_year"] for c in cells[first] if c["status"] == "estimated"]
    text += (
        f" Det er {wording.times_as_many(other[first]['value'] / means[first], nouns[first])} "
        f"gennemsnittet for {span} ({number(means[first], 2)} om året"
        + (f", med helårsskønnet for {fmt.year_ranges(estimated)}" if estimated else "")
        + ")"
    )
    rest = [n for n in names[1:] if n in means]
    spans = {n: fmt.year_ranges(c["reference_year"] for c in cells[n]) for n in rest}
    if rest:  # each mean over its own years, said where they differ from the first series'
        text += (
            ", mens der i gennemsnit var "
            + wording.listing(
                [wording.counted(means[n], nouns[n]) + (f" ({spans[n]})" if spans[n] != span else "") for n in rest]
            )
            + f" om året i {span}"
        )
    return text + "."


def extrapolations_sentence(audit: dict) -> str:
    """After '… viser hver fremskrivning af et delår til hele året:': 'de 4 fremskrivninger er
    1 eksakt og 3 konsistente med afrundingen.', or that there is none."""
    items = audit["extrapolations"]
    if not items:
        return "der er ingen, for alle de tal, tabellerne bruger, dækker hele året."
    checked = [e for e in items if e.get("as_of")]
    latest = [e for e in items if not e.get("as_of")]
    parts = []
    if checked:
        n = len(checked)
        method = wording.method_name(wording.parse_method(checked[0]["method"]).used)
        parts.append(
            f"{'rapportens ene fremskrivning er' if n == 1 else f'rapportens {n} fremskrivninger er'} "
            f"{count_by_verdict(checked)}, regnet på de udgivelser, der forelå ved rapportens "
            f"dataafgrænsning, og med rapportens egen metode ({method})"
        )
    if latest:
        methods = listing(
            list(dict.fromkeys(wording.method_name(wording.parse_method(e["method"]).used) for e in latest))
        )
        again = [e for e in latest if e.get("printed_by")]
        new = [e for e in latest if not e.get("printed_by")]
        if again:
            n = len(again)
            parts.append(
                f"{'det samme tal' if n == 1 else f'de samme {n} tal'} er i de nyeste data fremskrevet efter "
                f"{methods}, som valgt til tabellerne"
            )
        if new:
            n = len(new)
            parts.append(
                f"{'ét tal' if n == 1 else f'{n} tal'} i de nyeste data er fremskrevet efter {methods} "
                "og er ikke trykt i nogen udgivelse"
            )
    return _upper_first(listing(parts)) + "." if not checked else listing(parts) + "."


def unchecked_sentence(backtest: dict) -> str:
    """'Rapportens egne skøn (sigtelser 2024; …) kan først kontrolleres, når de endelige
    helårstal foreligger.' — or, when every partial-year figure has a final one, that."""
    if not backtest["unchecked"]:
        return "Hvert delårstal i udgivelserne er nu fulgt af et endeligt helårstal, som skønnene kan kontrolleres mod."
    return f"Skønnene for {backtest['unchecked']} kan først kontrolleres, når de endelige helårstal foreligger."


def source_of(figures: dict[str, dict], name: str) -> str:
    """'Rigspolitiet, 2017': the publisher and year of a figure, as a source in brackets."""
    row = figures.get(name)
    if row is None:
        return "kilde ikke oplyst"
    return f"{wording.cited_publisher(row['publisher'], row.get('reported_by'))}, {wording.published_year(row['published'])}"


def comparison_rates_text(comparison: dict, counted_word: str = "dræbte") -> str:
    """The rates of the latest full year with a ratio, the population behind them, and why the
    intervals are wide; or that no year has rates to compare."""
    pairs = comparison["figures"]
    full = [f for f in pairs if f["dk_status"] != "estimated" and f["rate_ratio"] is not None]
    if not full:
        return "Der er intet helt år med både et dansk og et svensk tal, som rater kan beregnes for."
    f = full[-1]
    per, level = fmt.number(f["per_inhabitants"]), fmt.percent(f["interval_level"])
    return (
        f"Sverige havde i {f['reference_year']} {number(f['se_population'] / f['dk_population'], 1)} gange så "
        f"mange indbyggere som Danmark. I {f['reference_year']} var raten {number(f['se_rate'], 2)} pr. {per} "
        f"indbyggere i Sverige og {number(f['dk_rate'], 2)} i Danmark, dvs. {number(f['rate_ratio'], 1)} gange så "
        f"høj i Sverige ({level}-interval {number(f['rate_ratio_lower'], 1)}–{number(f['rate_ratio_upper'], 1)})"
        f"{wording.with_caveats([f])}. "
        f"Intervallerne er brede, fordi de danske tal er små: med {counted(f['dk_count'], counted_word)} på et år "
        "kan raten tilfældigt blive lav eller høj."
    )


def comparability_text(comparison: dict) -> str:
    """Whether the two countries' figures measure the same thing, and why not."""
    pairs = comparison["figures"]
    reasons = list(dict.fromkeys(f["comparability_reason"] for f in pairs if not f["directly_comparable"]))
    if not reasons:
        return "Tallene er direkte sammenlignelige: de to lande opgør det samme efter samme definition."
    return (
        f"Tallene er **ikke direkte sammenlignelige**, fordi de bygger på {escape(' '.join(reasons))}. "
        "Forholdene viser derfor en størrelsesorden, ikke en præcis forskel."
    )


def more_than_usual(tables: dict[str, dict], name: str, other: dict[str, dict]) -> str:
    """'langt flere' / 'flere' / … : another year's count (the gang conflict) against the mean
    of the years in the tables (estimates included, as comparison_with_year)."""
    cells = with_figures(tables, name)
    mean = sum(c["value_unrounded"] for c in cells) / len(cells) if cells else 0
    value = other.get(name, {}).get("value") or 0
    ratio = value / mean if mean else (1 if value == 0 else float("inf"))
    return wording.more_or_fewer(ratio)


def the_context_year(charts, name: str) -> tuple[int, str]:
    """The one context year (and its label) the report's prose names for a chart of
    params.yaml's `charts`: the gang conflict beside the shootings. A declaration without
    exactly one is said in one line naming the parameter."""
    from pipeline.params import ParamsError

    if name not in charts:
        raise ParamsError(f"charts.{name}", "is missing; the report shows it")
    if len(context := charts[name].context) != 1:
        raise ParamsError(
            f"charts.{name}.context", f"the report names exactly one context year here, not {len(context)}"
        )
    return context[0]
