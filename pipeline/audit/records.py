"""How the audit writes a figure down: its inputs as a record, its period, the years a
statement names."""

from __future__ import annotations

from pipeline import fmt


def _years(spec: str) -> list[list[int]]:
    """'2017;2021-2024' -> [[2017], [2021, 2022, 2023, 2024]]."""
    groups = []
    for part in spec.split(";"):
        first, _, last = part.partition("-")
        groups.append(list(range(int(first), int(last or first) + 1)))
    return groups


def _input(row: dict) -> dict:
    return {
        "series": row["series"],
        "year": row["reference_year"],
        "value": row["observed_value"],
        "full_year_value": row["value_unrounded"],
        "status": row["status"],
        "months": row["months_exposure"],
        "count_date": row["count_date"],
        "kind": row["kind"],
        "release": row["release_id"],
        "publisher": row["publisher"],
        "published": row["published"],
        "reported_by": row["reported_by"],
        "reported_on": row.get("reported_on"),
        "source_kind": row.get("source_kind"),
        "approximate": row.get("approximate"),
        "source": fmt.source_location(row["source_file"], row["source_line"]),
    }


def _cited(row: dict) -> str:
    """A release as the audit names it: publisher and original date, its status, and where
    it was read when that was not at the publisher ("Rigspolitiet (2017, final, research
    quote in VIVE (2025) …)")."""
    read = ""
    if row.get("reported_by"):
        read = f", {row.get('source_kind') or 'press'} quote in {row['reported_by']}"
        if row.get("reported_on"):
            read += f" ({row['reported_on']})"
    return (
        f"{row['publisher'] or 'publisher not stated'} ({row['published'] or 'undated'}, {row['release_status']}{read})"
    )


def _period(row: dict) -> str:
    """What makes two releases the same figure: a flow's part of the year, a stock's count date."""
    if row["kind"] == "stock":
        return f"count {row['count_date'].isoformat() if row['count_date'] else 'undated'}"
    return f"months {round(row['months_exposure'], 6)}"


def _period_text(row: dict) -> str:
    if row.get("kind") == "stock":
        return f"counted {row['count_date']}" if row.get("count_date") else "count date not stated"
    return f"{fmt.months(row['months'])} months"


def _inputs_of(row: dict) -> dict:
    from pipeline.methods import inputs_of  # here, not at the top: the report imports this package

    return inputs_of(row)


def _span(years: list[int]) -> str:
    return (
        f"{years[0]}–{years[-1]}"
        if len(years) > 2 and years == list(range(years[0], years[-1] + 1))
        else ", ".join(map(str, years))
    )
