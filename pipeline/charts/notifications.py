"""Custom notifications (VIVE section 2.6)."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import polars as pl

from pipeline import fmt, wording
from pipeline.charts.notes import _rows
from pipeline.charts.registry import ChartSpec
from pipeline.charts.style import INK
from pipeline.paths import Paths

# Fills for the breakdown, dark to white (lightness about 20, 50, 80 and 100 % L*); every
# segment is labelled inside, so the fills only group them
BREAKDOWN_FILLS = ("#08306b", "#4a7fb5", "#a6c8e6", "#ffffff")
GROUP_FILLS = ("#234f7d", "#c9dcee")


def notification_rows(spec: ChartSpec, paths: Paths) -> pl.DataFrame:
    """The custom notifications as a tree: the focus persons (root), reached or not (groups),
    and how (leaves). No reference year: the pilot period is one period."""
    items = pl.read_parquet(paths.validated_notifications)
    return items.select(
        pl.col("item").alias("series"),
        "label_da",
        pl.lit("personer").alias("unit"),
        pl.lit("count").alias("kind"),
        pl.lit(None, dtype=pl.Int64).alias("reference_year"),
        pl.lit("observed").alias("status"),
        pl.col("value").alias("observed_value"),
        "value",
        "publication",
        "source_file",
        "source_line",
        "parent",
        pl.col("approximate").str.to_lowercase().is_in(["true", "1"]).alias("approximate"),
        "location",
        "quote",
    )


def notification_tree(data: pl.DataFrame) -> tuple[dict, list[dict], dict[str, list[dict]]]:
    """(root, groups under it, leaves under each group)."""
    rows = _rows(data)
    roots = [r for r in rows if not r["parent"]]
    if len(roots) != 1:
        raise ValueError(f"custom notifications: expected one item without a parent, found {len(roots)}")
    root = roots[0]
    groups = [r for r in rows if r["parent"] == root["series"]]
    return root, groups, {g["series"]: [r for r in rows if r["parent"] == g["series"]] for g in groups}


def _short(label: str) -> str:
    """'Ikke fundet (ukendt adresse og telefonnummer)' -> 'Ikke fundet'."""
    return label.split(" (")[0]


def _approx(row: dict) -> str:
    return wording.about(fmt.number(row["value"]), row["approximate"])


def _dark(fill: str) -> bool:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def _sum_text(parts: list[dict]) -> str:
    return f"{' + '.join(fmt.number(p['value']) for p in parts)} = {fmt.number(sum(p['value'] for p in parts))}"


def _segment(row: dict, y: str, base: float, fill: str, axis_max: float) -> go.Bar:
    """One labelled piece of a bar; the label wrapped to the piece's width (about 690 px of
    plot and 6,3 px a character) rather than shrunk by plotly."""
    chars = max(6, int(row["value"] / axis_max * 690 / 6.3))
    label = "<br>".join(
        textwrap.wrap(f"{_short(row['label_da'])}: {fmt.number(row['value'])}", chars, break_long_words=False)
    )
    return go.Bar(
        y=[y],
        x=[row["value"]],
        base=[base],
        orientation="h",
        name=row["label_da"],
        uid=f"{row['series']}-bar",
        showlegend=False,
        width=0.7,
        marker=dict(color=fill, line=dict(color=INK, width=1)),
        text=[label],
        textposition="inside",
        insidetextanchor="middle",
        textfont=dict(size=11, color="white" if _dark(fill) else INK),
        hovertext=[
            f"<b>{row['label_da']}</b><br>{_approx(row)} {wording.unit_text(row['value'], row['unit'])}<br>"
            f"“{row['quote']}”<br>"
            f"{row['publication']}, {row['location']}"
        ],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def draw_notifications(spec: ChartSpec, data: pl.DataFrame) -> go.Figure:
    """One horizontal bar of the groups (reached, not reached) against the root's value as a
    dashed line, then one bar per group split into its leaves; each bar with its sum."""
    root, groups, leaves = notification_tree(data)
    total_label = "I alt"
    categories = [total_label, *("<br>".join(textwrap.wrap(g["label_da"], 22)) for g in groups)]
    ends = [(total_label, groups), *((c, leaves[g["series"]]) for g, c in zip(groups, categories[1:]))]
    axis_max = max(root["value"], *(sum(p["value"] for p in parts) for _, parts in ends if parts)) * 1.3
    fig = go.Figure()
    base = 0.0
    for g, fill in zip(groups, GROUP_FILLS * len(groups)):
        fig.add_trace(_segment(g, total_label, base, fill, axis_max))
        base += g["value"]
    fills = iter(BREAKDOWN_FILLS * len(groups))
    for g, category in zip(groups, categories[1:]):
        base = 0.0
        for leaf in leaves[g["series"]]:
            fig.add_trace(_segment(leaf, category, base, next(fills), axis_max))
            base += leaf["value"]
    for category, parts in ends:
        if parts:
            fig.add_annotation(
                x=sum(p["value"] for p in parts),
                y=category,
                xanchor="left",
                xshift=6,
                showarrow=False,
                text=_sum_text(parts),
                font=dict(size=12, color=INK),
                name=f"sum-{category}",
            )
    fig.add_shape(
        type="line",
        x0=root["value"],
        x1=root["value"],
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line=dict(color=INK, width=2, dash="dash"),
        opacity=1,
        layer="above",
        name="root",
    )
    label = _short(root["label_da"])
    fig.add_annotation(
        x=root["value"],
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        xanchor="center",
        showarrow=False,
        text=f"{_approx(root)} {label[0].lower()}{label[1:]}",
        font=dict(size=12, color=INK),
        name="root-label",
    )
    fig.update_xaxes(title_text=f"Antal {root['unit']}", range=[0, axis_max])
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=categories,
        autorange="reversed",
        automargin=True,
        showgrid=False,
        ticks="",
    )
    fig.update_layout(barmode="overlay")
    return fig


def _joined(labels: list[str]) -> str:
    """['Gennemført', 'Ikke nået'] -> 'Gennemført og ikke nået'."""
    rest = [label[0].lower() + label[1:] for label in labels[1:]]
    return " og ".join([", ".join(labels[:1] + rest[:-1]), rest[-1]]) if rest else "".join(labels)


def notification_notes(spec: ChartSpec, data: pl.DataFrame) -> list[str]:
    root, groups, leaves = notification_tree(data)
    total = sum(g["value"] for g in groups)
    notes = [
        f"Stiplet linje: {_approx(root)} {root['label_da'][0].lower()}{root['label_da'][1:]} "
        f"({root['location'][0].lower()}{root['location'][1:]}). "
        f"{_joined([_short(g['label_da']) for g in groups])} giver tilsammen {_sum_text(groups)}"
        + (f", mod {_approx(root)}." if total != root["value"] else ".")
    ]
    details = [r for parts in leaves.values() for r in parts if " (" in r["label_da"]]
    notes += [f"{_short(r['label_da'])}: {r['label_da'].split(' (', 1)[1].rstrip(')')}." for r in details]
    return notes


def notification_source(data: pl.DataFrame) -> str:
    rows = _rows(data)
    places = {}
    for r in rows:
        places.setdefault(r["publication"], {})[r["location"][0].lower() + r["location"][1:]] = None
    return "Kilde: " + "; ".join(f"{pub}, {', '.join(locs)}" for pub, locs in places.items()) + "."
