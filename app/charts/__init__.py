"""Plotly figures of a run and of a sweep: the funding Gantt, spend against the cap, slippage per project,
the budget trade-off curve; their shared look lives in style.py and the project-with-schedule rows in rows.py.

The names below load their module (and plotly) on first use, so importing app.charts.rows — as the
schedule tables do — does not import plotly (PEP 562)."""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "DEFAULT_PAGE_SIZE": "app.charts.gantt",
    "GROUP_KEYS": "app.charts.gantt",
    "gantt_plan": "app.charts.gantt",
    "label_of": "app.charts.gantt",
    "SORT_KEYS": "app.charts.gantt",
    "funding_gantt": "app.charts.gantt",
    "gantt_figures": "app.charts.gantt",
    "gantt_pages": "app.charts.gantt",
    "curve_figure": "app.charts.curve",
    "report_figures": "app.charts.report",
    "slippage_chart": "app.charts.slippage",
    "spend_vs_cap": "app.charts.spend",
    "category_color": "app.charts.style",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'app.charts' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
