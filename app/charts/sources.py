"""Annual spending by funding source against each source's quota (MODEL.md v2 `source_years`).

Each year has two stacked columns side by side: the quotas (light, outlined; one segment per source) and the
spending (solid; the same order and colours), so a source whose segment fills its quota segment is the one
that binds; the total cap is the step line over both. A year where a source spends its whole quota is
marked 满额 in that source's hover and counted under the year (with carryover: when no room is left from
that year on, as the slippage report counts it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from app.charts.style import CAP_COLOR, GRID, PALETTE, bar_year_axis, base_layout, subtitle, top_legend
from app.i18n import check_lang, money, t
from app.rules.run_context import NO_CONTEXT, RunContext, source_table
from app.rules.slippage import room_left

# One colour per kind of source (a source keeps it in every chart); several of a kind take the next ones.
_KIND_COLOR = {
    "central": PALETTE[0],
    "city": PALETTE[2],
    "bond": PALETTE[3],
    "county": PALETTE[1],
    "social": PALETTE[4],
    "other": PALETTE[8],
}


def source_color(kind: str | None, index: int) -> str:
    return _KIND_COLOR.get(kind or "", PALETTE[index % len(PALETTE)])


def _fade(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def source_spend_chart(
    solution: Mapping[str, Any], *, context: RunContext = NO_CONTEXT, lang: str = "zh"
) -> go.Figure:
    """The stacked chart of spending by source against each quota; ValueError for a solution without
    sources (a v1 run has one budget line: spend_vs_cap draws it)."""
    check_lang(lang)
    table = source_table(solution)
    if not table:
        raise ValueError("the run has no funding sources: its spending is drawn against the one cap")
    years = sorted({y for by_year in table.values() for y in by_year})
    caps = {int(y["year"]): int(y["budget"]) for y in solution.get("years", [])}
    wan = t("wan", lang)
    fig = go.Figure()
    full_years: dict[int, list[str]] = {}
    quota_base = dict.fromkeys(years, 0)  # stacked by hand (explicit bases): the same in every plotly.js
    spend_base = dict.fromkeys(years, 0)
    for index, source_id in enumerate(i for i in context.source_ids(solution) if i in table):
        by_year = table[source_id]
        name = context.name_of(source_id)
        color = source_color(context.kind_of(source_id), index)
        quotas = [by_year.get(y, (0, 0))[0] for y in years]
        spends = [by_year.get(y, (0, 0))[1] for y in years]
        carryover = next((s.carryover for s in context.sources if s.id == source_id), False)
        rooms = room_left(quotas, spends, carryover)  # with carryover: the least slack from that year on
        used_up = [room <= 0 and spend > 0 for room, spend in zip(rooms, spends, strict=True)]
        for year, full in zip(years, used_up, strict=True):
            if full:
                full_years.setdefault(year, []).append(name)
        fig.add_bar(
            name=t("src_quota_of", lang, source=name),
            meta=f"source_quota:{source_id}",
            x=years,
            y=quotas,
            base=[quota_base[y] for y in years],
            legendgroup=source_id,
            showlegend=False,
            width=0.38,
            offset=-0.4,
            marker={"color": _fade(color, 0.18), "line": {"color": color, "width": 1.2}},
            hovertemplate=f"{name} · {t('src_quota', lang)}<br>%{{x}}: %{{y:,}} {wan}<extra></extra>",
        )
        fig.add_bar(
            name=name,
            meta=f"source_spend:{source_id}",
            x=years,
            y=spends,
            base=[spend_base[y] for y in years],
            legendgroup=source_id,
            width=0.38,
            offset=0.02,
            marker={"color": color, "line": {"width": 0}},
            customdata=[
                [q, t("src_full", lang) if q > 0 and s >= q else ""]
                for q, s in zip(quotas, spends, strict=True)
            ],
            hovertemplate=(
                f"{name}<br>%{{x}}: %{{y:,}} / {t('src_quota', lang)} %{{customdata[0]:,}} {wan}"
                "<br>%{customdata[1]}<extra></extra>"
            ),
        )
        for year, quota, spend in zip(years, quotas, spends, strict=True):
            quota_base[year] += quota
            spend_base[year] += spend
    if caps:
        step_x = [y - 0.5 for y in years] + [years[-1] + 0.5]
        cap_values = [caps.get(y, 0) for y in years]
        fig.add_scatter(
            name=t("cap", lang),
            meta="cap",
            x=step_x,
            y=[*cap_values, cap_values[-1]],
            mode="lines",
            line={"color": CAP_COLOR, "width": 2.5, "shape": "hv"},
            hoverinfo="skip",
        )
    for year, names in full_years.items():  # how many quotas are used up; the hover names them
        fig.add_annotation(
            x=year,
            y=0,
            yshift=-34,
            text=t("src_full_under", lang, n=len(names)),
            hovertext="、".join(names) if lang == "zh" else ", ".join(names),
            showarrow=False,
            font={"size": 10, "color": "#8A4B12"},
        )
    fig.add_annotation(  # how to read it, under the axis (the title block holds status and notes)
        x=0,
        xref="paper",
        y=0,
        yref="paper",
        yshift=-64,
        xanchor="left",
        text=t("src_subtitle", lang),
        showarrow=False,
        font={"size": 11, "color": "#5B6475"},
    )
    base_layout(fig, t("src_title", lang), subtitle(solution, lang, "", (), context), 560)
    fig.update_layout(
        barmode="overlay",
        width=1100,
        height=560,
        margin={"l": 70, "r": 30, "t": 120, "b": 95},
        legend=top_legend(560),
        xaxis={
            **bar_year_axis(years),
        },
        yaxis={
            "tickformat": ",d",
            "gridcolor": GRID,
            "rangemode": "tozero",
            "title": {"text": t("amount_axis", lang)},
        },
    )
    return fig


def spend_words(solution: Mapping[str, Any], context: RunContext, lang: str = "zh") -> list[str]:
    """Per source: total spend against total quota, in words (for reports and tables)."""
    table = source_table(solution)
    words = []
    for source_id in context.source_ids(solution):
        if source_id not in table:
            continue
        quota = sum(q for q, _ in table[source_id].values())
        spend = sum(s for _, s in table[source_id].values())
        words.append(
            t(
                "src_total_words",
                lang,
                source=context.name_of(source_id),
                spend=money(spend),
                quota=money(quota),
            )
        )
    return words
