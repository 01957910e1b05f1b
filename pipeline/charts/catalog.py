"""The kinds of chart: each family's loader, drawing, notes and source line. The charts
themselves are declared in params.yaml (`charts`), each naming its kind."""

from __future__ import annotations

from pipeline.charts.comparison import comparison_notes, comparison_rows, comparison_source, draw_rates
from pipeline.charts.longrun import draw_longrun, longrun_notes, longrun_rows, longrun_source
from pipeline.charts.notifications import draw_notifications, notification_notes, notification_rows, notification_source
from pipeline.charts.registry import Kind, register_kind

register_kind("keyfigures", Kind())  # the key figures' loader, drawing, notes and source line
register_kind(
    "longrun",
    Kind(load=longrun_rows, draw=draw_longrun, describe=longrun_notes, cite=longrun_source, draws_context=False),
)
register_kind(
    "comparison",
    Kind(load=comparison_rows, draw=draw_rates, describe=comparison_notes, cite=comparison_source, selects=False),
)
register_kind(
    "notifications",
    Kind(
        load=notification_rows,
        draw=draw_notifications,
        describe=notification_notes,
        cite=notification_source,
        selects=False,
    ),
)
