"""Plotly figures of a run and of a sweep: the funding Gantt, spend against the cap, slippage per project,
the budget trade-off curve; their shared look lives in style.py and the project-with-schedule rows in rows.py."""

from __future__ import annotations

from app.charts.curve import curve_figure
from app.charts.gantt import DEFAULT_PAGE_SIZE, SORT_KEYS, funding_gantt, gantt_figures, gantt_pages
from app.charts.report import report_figures
from app.charts.slippage import slippage_chart
from app.charts.spend import spend_vs_cap
from app.charts.style import category_color

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "SORT_KEYS",
    "category_color",
    "curve_figure",
    "funding_gantt",
    "gantt_figures",
    "gantt_pages",
    "report_figures",
    "slippage_chart",
    "spend_vs_cap",
]
