"""The charts the stage draws, in the order they are written and listed."""

from __future__ import annotations

from pipeline.charts.comparison import comparison_notes, comparison_rows, comparison_source, draw_rates
from pipeline.charts.longrun import draw_longrun, longrun_notes, longrun_rows, longrun_source
from pipeline.charts.notifications import draw_notifications, notification_notes, notification_rows, notification_source
from pipeline.charts.registry import ChartSpec, register

register(
    ChartSpec(
        name="medlemmer",
        title="Rocker-/bandemedlemmer i Danmark",
        series=("medlemmer",),
        first_year=2014,
        mark="line",
    )
)
register(
    ChartSpec(
        name="sigtelser_strafmasse",
        title="Sigtelser og strafmasse for rocker-/bandemedlemmer",
        series=("sigtelser", "strafmasse"),
        first_year=2021,
        mark="bar",
        panels=True,
    )
)
register(
    ChartSpec(
        name="skud_saarede_draebte",
        title="Rocker-/banderelaterede skudepisoder, sårede og dræbte",
        series=("skudepisoder", "saarede", "draebte"),
        first_year=2021,
        mark="bar",
        y_title="Antal",
        context=((2017, "Bandekonflikten 2017"),),
    )
)
register(
    ChartSpec(
        name="dk_se_rater",
        title="Dræbte i forhold til befolkningen i Danmark og Sverige",
        mark="line",
        drawn_as="åben markør",
        load=comparison_rows,
        draw=draw_rates,
        describe=comparison_notes,
        cite=comparison_source,
    )
)
register(
    ChartSpec(
        name="lang_udvikling",
        title="Rocker-/bandemedlemmer, sårede og dræbte i Danmark",
        series=("medlemmer", "saarede", "draebte"),
        mark="bar",
        panels=True,
        plot_height=560,
        load=longrun_rows,
        draw=draw_longrun,
        describe=longrun_notes,
        cite=longrun_source,
    )
)
register(
    ChartSpec(
        name="custom_notifications",
        title="Custom notifications i Forenet Mod Vold",
        mark="bar",
        horizontal=True,
        plot_height=210,
        load=notification_rows,
        draw=draw_notifications,
        describe=notification_notes,
        cite=notification_source,
    )
)
