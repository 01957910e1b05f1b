"""Denmark against Sweden (outputs/comparison/dk_se.json): the quoted pairs, the rates and
their ratio, the caveats, the comparison table and its notes."""

from __future__ import annotations

from pipeline import fmt, wording
from pipeline.report_helpers.markdown import compact, markdown_table, notes
from pipeline.report_helpers.words import MONTHS_IN_YEAR, RELEASE_STATUS_ADJECTIVE, months_text, published_text


def _interval(low: float | None, high: float | None, decimals: int) -> str:
    return f"{fmt.number(low, decimals)}–{fmt.number(high, decimals)}" if low is not None else fmt.MISSING


def _partial(months: float | None) -> str:
    if months is None or months >= MONTHS_IN_YEAR:
        return ""
    if float(months).is_integer():
        return f" ({fmt.months_span(int(months), 'abbreviated')})"
    return f" ({fmt.months(months)} mdr.)"


def pair_text(f: dict) -> str:
    """'45 mod 6 i 2021'; '44 mod 2 i 2024 (det danske tal dækker kun januar–september)'."""
    months = "" if f["dk_months"] >= MONTHS_IN_YEAR else f" (det danske tal dækker kun {months_text(f['dk_months'])})"
    return f"{fmt.number(f['se_count_as_quoted'])} mod {fmt.number(f['dk_count'])} i {f['reference_year']}{months}"


def quoted_pairs(published: list[dict], comparison: dict, audit: dict) -> list[str]:
    """The pairs as the publication printed them ('45 mod 6 i 2021'; '44 mod 2 i 2024 (det
    danske tal dækker kun januar–september)'), from its printed values: a later release
    changes the comparison, never what the publication is said to have printed."""
    first = comparison["figures"][0] if comparison["figures"] else {}
    dk, se = first.get("dk_series"), first.get("se_series")
    pairs: dict[tuple[str, int], dict[str, float]] = {}
    for p in published:
        if p["measure"] == "observed" and p["series"] in (dk, se):
            pairs.setdefault((p["location"], p["reference_year"]), {})[p["series"]] = p["value"]
    months = {e["figure"]: e["inputs"][0]["months"] for e in audit["extrapolations"] if e.get("as_of")}
    out = []
    for (_, year), pair in sorted(pairs.items(), key=lambda item: item[0][1]):
        if dk in pair and se in pair:
            covered = months.get(f"{dk} {year}")
            note = (
                f" (det danske tal dækker kun {months_text(covered)})"
                if covered is not None and covered < MONTHS_IN_YEAR
                else ""
            )
            out.append(f"{fmt.number(pair[se])} mod {fmt.number(pair[dk])} i {year}{note}")
    return out


def swedish_caveats(comparison: dict, audit: dict) -> list[str]:
    """What the audit found about the Swedish figures the comparison uses: sources dated
    before their year, and a selected (final) release that differs from the figure quoted."""
    figures = comparison["figures"]
    swedish = figures[0]["se_series"]
    caveats = [
        f"Det svenske tal for {d['figure'].rsplit(' ', 1)[1]} er i rapporten henført til en kilde udgivet "
        f"{published_text(d['published'])}, altså før året var begyndt."
        for d in audit["publication_dates"]
        if d["figure"].startswith(f"{swedish} ")
    ]
    for f in figures:
        for d in audit["disagreements_between_releases"]:
            chosen = next((r for r in d["releases"] if r["selected"]), None)
            differs = chosen is not None and chosen["value"] != f["se_count_as_quoted"]
            if d["figure"] == f"{swedish} {f['reference_year']}" and differs:
                caveats.append(
                    f"For {f['reference_year']} gengiver rapporten {fmt.number(f['se_count_as_quoted'])}, "
                    f"mens {wording.publisher_genitive(chosen['publisher'])} "
                    f"{RELEASE_STATUS_ADJECTIVE.get(chosen['release_status'], '')} tal "
                    f"fra {published_text(chosen['published'])} er {fmt.number(chosen['value'])}."
                )
    return caveats


def pooled_text(comparison: dict) -> str:
    """The ratio over all the years compared, with its interval and the caveats the notes give
    for those years, and whether the yearly ratios differ more than chance would make them."""
    pooled, figures = comparison["pooled"], comparison["figures"]
    return " ".join(
        t for t in (wording.pooled_sentence(pooled, figures), wording.homogeneity_sentence(pooled, figures)) if t
    )


def comparison_table(comparison: dict) -> str:
    """The report's pairs with rates, the ratio and the comparability flag, one row a year."""
    figures = comparison["figures"]
    first = figures[0]
    per, level = fmt.number(first["per_inhabitants"]), fmt.percent(first["interval_level"])
    header = [
        "År",
        "Sverige, antal",
        "Danmark, antal",
        f"Sverige pr. {per} ({level}-interval)",
        f"Danmark pr. {per} ({level}-interval)",
        f"Forhold Sverige/Danmark ({level}-interval)",
        "Sammenlignelighed",
    ]
    rows = []
    for f in figures:
        se = fmt.number(f["se_count_as_quoted"])
        if f["se_count"] is not None and f["se_count"] != f["se_count_as_quoted"]:
            se += f" (beregnet på {fmt.number(f['se_count'])})"
        rows.append(
            [
                str(f["reference_year"]),
                se,
                fmt.number(f["dk_count"]) + _partial(f["dk_months"]),
                _rate_cell(f, "se"),
                _rate_cell(f, "dk"),
                _ratio_cell(f),
                "direkte sammenlignelig" if f["directly_comparable"] else "ikke direkte sammenlignelig",
            ]
        )
    return compact(markdown_table(header, rows, align="lrrrrrl", widths=[5, 7, 10, 15, 17, 19, 14]))


def _rate_cell(f: dict, side: str) -> str:
    if f[f"{side}_rate"] is None:
        return fmt.MISSING
    estimate = "skøn " if side == "dk" and f["dk_status"] == "estimated" else ""
    return (
        f"{estimate}{fmt.number(f[f'{side}_rate'], 2)} "
        f"({_interval(f[f'{side}_rate_lower'], f[f'{side}_rate_upper'], 2)})"
    )


def _ratio_cell(f: dict) -> str:
    if f["rate_ratio"] is None:
        return fmt.MISSING
    estimate = "skøn " if f["dk_status"] == "estimated" else ""
    return (
        f"{estimate}{fmt.number(f['rate_ratio'], 1)} gange "
        f"({_interval(f['rate_ratio_lower'], f['rate_ratio_upper'], 1)})"
    )


def comparison_notes(comparison: dict) -> str:
    figures = comparison["figures"]
    first = figures[0]
    reasons = dict.fromkeys(f["comparability_reason"] for f in figures if not f["directly_comparable"])
    periods = dict.fromkeys(f["period_note"] for f in figures if f["period_note"])
    level = fmt.percent(first["interval_level"])
    method = wording.comparison_interval_text(first["rate_interval_method"])
    return notes(
        *(f"Ikke direkte sammenlignelig: {reason}." for reason in reasons),
        *periods,
        f"Rater pr. {fmt.number(first['per_inhabitants'])} indbyggere pr. år (personår), med folketallet ved årets "
        f"begyndelse. {level}-intervaller: raterne {method}; "
        f"forholdet {wording.comparison_interval_text(first['ratio_interval_method'])}.",
        wording.pooled_method_note(comparison["pooled"]),
        comparison["source"],
    )
