"""Annual spend stacked by category against the cap: headroom in green, excess or shortfall in red."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from app.charts.rows import GanttRow, category_order, gantt_rows
from app.charts.style import (
    CAP_COLOR,
    GRID,
    HEADROOM_GREEN,
    LATE_RED,
    TEXT_DARK,
    bar_year_axis,
    base_layout,
    category_color,
    subtitle,
    top_legend,
)
from app.charts.text import plain
from app.i18n import category_label, check_lang, money, t


def _spend_by_category(rows: Sequence[GanttRow], categories: list[str], years: list[int]):
    table = {c: dict.fromkeys(years, 0) for c in categories}
    for r in rows:
        for year, amount in r.funding.items():
            if year in table[r.category]:
                table[r.category][year] += amount
    return {c: v for c, v in table.items() if any(v.values())}


def spend_vs_cap(solution: Mapping[str, Any], projects: Sequence[Any], *, lang: str = "zh") -> go.Figure:
    """Annual spend stacked by category, the cap as a step line, headroom (green) or excess/shortfall (red)
    written over each year."""
    check_lang(lang)
    rows = gantt_rows(solution, projects)
    categories = category_order(rows, projects)
    years_info = sorted(solution.get("years", []), key=lambda y: int(y["year"]))
    if not years_info:
        raise ValueError("the solution lists no years: there is no cap to draw")
    years = [int(y["year"]) for y in years_info]
    caps = [int(y["budget"]) for y in years_info]
    spends = [int(y.get("spend") or 0) for y in years_info]
    shortfall = {
        int(k): int(v) for k, v in ((solution.get("diagnostics") or {}).get("shortfall") or {}).items()
    }

    fig = go.Figure()
    for category, by_year in _spend_by_category(rows, categories, years).items():
        label = plain(category_label(category, lang))
        fig.add_bar(
            name=label,
            meta="spend",
            x=years,
            y=[by_year[y] for y in years],
            marker={"color": category_color(category), "line": {"width": 0}},
            width=0.62,
            # the category goes in as hover text, not into the template, where "%{…}" would be read
            hovertext=[label] * len(years),
            hovertemplate=f"%{{hovertext}}<br>%{{x}}: %{{y:,}} {t('wan', lang)}<extra></extra>",
        )
    if any(shortfall.get(y) for y in years):
        fig.add_bar(
            name=t("shortfall", lang),
            meta="shortfall",
            x=years,
            y=[shortfall.get(y, 0) for y in years],
            base=caps,
            width=0.62,
            marker={
                "color": "rgba(209,54,47,0.25)",
                "line": {"color": LATE_RED, "width": 1.5},
                "pattern": {"shape": "/", "fgcolor": LATE_RED},
            },
            hovertemplate=f"{t('shortfall', lang)}<br>%{{x}}: %{{y:,}} {t('wan', lang)}<extra></extra>",
        )
    step_x = [y - 0.5 for y in years] + [years[-1] + 0.5]
    fig.add_scatter(
        name=t("cap", lang),
        meta="cap",
        x=step_x,
        y=[*caps, caps[-1]],
        mode="lines",
        line={"color": CAP_COLOR, "width": 2.5, "shape": "hv"},
        hoverinfo="skip",
    )
    fig.add_scatter(  # invisible points carrying the cap's hover at each year
        x=years,
        y=caps,
        mode="markers",
        marker={"size": 10, "opacity": 0},
        showlegend=False,
        hovertemplate=f"{t('cap', lang)}<br>%{{x}}: %{{y:,}} {t('wan', lang)}<extra></extra>",
    )
    top = max([*caps, *spends, *(c + shortfall.get(y, 0) for y, c in zip(years, caps, strict=True))] or [1])
    for year, cap, spend in zip(years, caps, spends, strict=True):
        gap = shortfall.get(year, 0)
        if gap:
            text, color, y = t("shortfall_text", lang, amount=money(gap)), LATE_RED, cap + gap
        elif spend > cap:
            text, color, y = t("over_cap", lang, amount=money(spend - cap)), LATE_RED, spend
        else:
            text, color, y = t("headroom", lang, amount=money(cap - spend)), HEADROOM_GREEN, max(cap, spend)
        fig.add_annotation(
            x=year,
            y=y,
            text=f"<b><span style='color:{TEXT_DARK}'>{money(spend)}</span></b><br>{text}",
            showarrow=False,
            yanchor="bottom",
            yshift=4,
            font={"size": 11, "color": color},
        )
    base_layout(fig, t("spend_title", lang), subtitle(solution, lang, rows=rows), 560)
    fig.update_layout(
        barmode="stack",
        width=1100,
        height=560,
        margin={"l": 70, "r": 30, "t": 120, "b": 60},
        legend=top_legend(560),
        xaxis={
            **bar_year_axis(years),
            "title": {"text": t("year", lang)},
        },
        yaxis={
            "range": [0, top * 1.18],
            "tickformat": ",d",
            "gridcolor": GRID,
            "zeroline": True,
            "zerolinecolor": "#9AA3B2",
            "title": {"text": t("amount_axis", lang)},
        },
    )
    return fig
