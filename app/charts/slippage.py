"""Years late per scheduled project, ★ projects first, then the latest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from app.charts.rows import category_order, gantt_rows, hover
from app.charts.style import (
    GRID,
    HEADROOM_GREEN,
    LATE_RED,
    base_layout,
    category_color,
    subtitle,
    top_legend,
)
from app.charts.text import plain
from app.i18n import category_label, check_lang, t


def slippage_chart(
    solution: Mapping[str, Any], projects: Sequence[Any], *, lang: str = "zh", limit: int | None = 40
) -> go.Figure:
    """Years late per scheduled project, ★ projects first, then the latest first (the top `limit`)."""
    check_lang(lang)
    rows = [r for r in gantt_rows(solution, projects) if r.scheduled]
    solver_slip = {p["id"]: p.get("slippage") for p in solution.get("projects", [])}
    slip = {
        r.code: int(solver_slip[r.code]) if solver_slip.get(r.code) is not None else r.late_years
        for r in rows
    }
    late = sorted((r for r in rows if slip[r.code] > 0), key=lambda r: (not r.star, -slip[r.code], r.code))
    shown = late if limit is None else late[:limit]
    fig = go.Figure()
    for category in category_order(rows, projects):
        picked = [(y, r) for y, r in enumerate(shown) if r.category == category]
        if not picked:
            continue
        fig.add_bar(
            name=plain(category_label(category, lang)),
            meta="slippage",
            customdata=[r.code for _, r in picked],
            x=[slip[r.code] for _, r in picked],
            y=[y for y, _ in picked],
            orientation="h",
            width=0.6,
            marker={"color": category_color(category), "line": {"width": 0}},
            text=[t("late_years", lang, n=slip[r.code]) for _, r in picked],
            textposition="outside",
            textfont={"size": 12, "color": LATE_RED},
            cliponaxis=False,
            hovertext=[hover(r, lang) for _, r in picked],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    stars = sum(r.star for r in shown)
    if 0 < stars < len(shown):  # a rule between the ★ projects and the rest
        fig.add_hline(y=stars - 0.5, line={"color": "#9AA3B2", "width": 1, "dash": "dot"})
    extra = t("projects_count", lang, n=len(late))
    if len(shown) < len(late):
        extra = t("top_n", lang, n=len(shown), total=len(late))
    most = max([slip[r.code] for r in shown] or [1])
    height = max(320, 170 + 28 * len(shown))
    base_layout(fig, t("slippage_title", lang), subtitle(solution, lang, extra, rows), height)
    fig.update_layout(
        width=1000,
        height=height,
        margin={"l": 20, "r": 40, "t": 120, "b": 60},
        legend=top_legend(height),
        barmode="overlay",
        xaxis={
            "range": [0, most + 0.8],
            "dtick": 1,
            "tickformat": "d",
            "gridcolor": GRID,
            "title": {"text": t("years_late", lang)},
        },
        yaxis={
            "range": [max(len(shown), 1) - 0.5, -0.5],
            "tickvals": list(range(len(shown))),
            "ticktext": [f"{r.label()}  ({plain(r.code)})" for r in shown],
            "automargin": True,
            "showgrid": False,
        },
    )
    if not shown:
        fig.add_annotation(
            text=t("no_slippage", lang),
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font={"size": 16, "color": HEADROOM_GREEN},
        )
        fig.update_yaxes(visible=False)
    return fig
