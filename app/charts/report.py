"""The charts of a run together: the Gantt page(s), then spend against the cap, then slippage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from app.charts.gantt import gantt_figures
from app.charts.slippage import slippage_chart
from app.charts.spend import spend_vs_cap


def report_figures(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
) -> list[go.Figure]:
    """The report: Gantt page(s), then spend against the cap, then slippage."""
    figs = gantt_figures(solution, projects, lang=lang, sort=sort, baseline=baseline)
    return [*figs, spend_vs_cap(solution, projects, lang=lang), slippage_chart(solution, projects, lang=lang)]
