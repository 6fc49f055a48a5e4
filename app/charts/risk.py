"""Charts of a cost risk analysis (app/rules/risk.py figures): P(on time) per project, the S-curve of
weighted slippage, and the share of samples keeping every ★ on time against a flat budget with the P80
budget marked. Every chart carries the overrun assumptions in words, labelled as assumptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from app.charts.style import CAP_COLOR, FONT_FAMILY, GHOST_COLOR, LATE_RED, LINE_BLUE, TEXT_DARK
from app.charts.text import plain
from app.i18n import check_lang, money, render, t
from app.rules.overruns import describe_assumptions

FIXED_COLOR = "#9AA5B5"
NAME_CHARS = 16  # a project's name is cut to this many characters on the axis


def _layout(fig: go.Figure, title: str, subtitle: str, note: str, *, height: int, bottom: int = 110) -> None:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_DARK},
        title={"text": f"<b>{title}</b>", "subtitle": {"text": subtitle}, "x": 0.01, "xanchor": "left"},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        height=height,
        margin={"b": bottom},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    fig.add_annotation(  # added, not set: the lines' own annotations stay
        text=_wrap(note, 118),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-bottom + 8,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        align="left",
        font={"size": 11, "color": "#5A6478"},
    )


def _wrap(text: str, width: int) -> str:
    """Lines of at most `width` half-width columns (a CJK character counts two), broken after a space or
    a punctuation mark where one is near, so the assumptions fit under any chart; each line plain text (the
    assumptions name the portfolio's own categories and natures)."""
    lines, line, used = [], "", 0
    for char in text:
        line += char
        used += 2 if ord(char) > 0x2E80 else 1
        if used >= width or (used >= width - 16 and char in " ，；,;：:）)"):
            lines.append(line.strip())
            line, used = "", 0
    lines.append(line.strip())
    return "<br>".join(plain(line) for line in lines if line)


def _note(figures: Mapping[str, Any], lang: str) -> str:
    return render(describe_assumptions(figures.get("assumptions", {})), lang)


def probability_chart(
    figures: Mapping[str, Any], names: Mapping[str, str] | None = None, *, lang: str = "zh"
) -> go.Figure:
    """P(on time) per project, re-scheduled and with the plan kept fixed; a ★ counts by its deadline."""
    check_lang(lang)
    names = names or {}
    rows = sorted(figures["projects"], key=lambda r: (not r["star"], r["id"]))
    labels = [_label(r, names) for r in rows]

    def chance(row: Mapping[str, Any], fixed: bool) -> float:
        key = ("p_by_deadline" if row["star"] and "p_by_deadline" in row else "p_on_time") + (
            "_fixed" if fixed else ""
        )
        return row[key]

    fig = go.Figure()
    for fixed, colour, name in ((False, LINE_BLUE, "risk_rescheduled"), (True, FIXED_COLOR, "risk_fixed")):
        values = [chance(r, fixed) for r in rows]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=values,
                orientation="h",
                name=t(name, lang),
                marker={"color": colour},
                text=[f"{v:.0%}" for v in values],
                textposition="outside",
                cliponaxis=False,
            )
        )
    subtitle = t(
        "risk_prob_subtitle",
        lang,
        n=figures["samples"],
        seed=figures["seed"],
        deadline=figures["star_deadline"],
    )
    _layout(fig, t("risk_prob_title", lang), subtitle, _note(figures, lang), height=160 + 44 * len(rows))
    fig.update_layout(
        barmode="group",
        xaxis={"title": {"text": t("risk_prob_x", lang)}, "range": [0, 1.12], "tickformat": ".0%"},
        yaxis={"autorange": "reversed"},
        bargap=0.25,
    )
    return fig


def _label(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    name = names.get(row["id"], "")
    if len(name) > NAME_CHARS:
        name = name[: NAME_CHARS - 1] + "…"
    return plain(f"{'★ ' if row['star'] else ''}{row['id']} {name}".strip())


def _ecdf(values: Sequence[int]) -> tuple[list[int], list[float]]:
    ordered = sorted(values)
    n = len(ordered)
    xs, ys = [], []
    for k, v in enumerate(ordered, start=1):
        if xs and xs[-1] == v:
            ys[-1] = k / n
        else:
            xs.append(v)
            ys.append(k / n)
    return xs, ys


def slippage_curve(figures: Mapping[str, Any], *, lang: str = "zh") -> go.Figure:
    """The share of samples at or below each weighted slippage (re-scheduled, and the fixed plan), P50 /
    P80 / P90 and the slippage at the estimates marked."""
    check_lang(lang)
    fig = go.Figure()
    for key, colour, name in (
        ("slippage_samples", LINE_BLUE, "risk_rescheduled"),
        ("slippage_fixed_samples", FIXED_COLOR, "risk_fixed"),
    ):
        xs, ys = _ecdf(figures.get(key, []))
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"shape": "hv", "color": colour, "width": 2.5},
                name=t(name, lang),
            )
        )
    quantiles = figures.get("slippage", {})
    marked = [(pct, quantiles.get(f"p{pct}")) for pct in (50, 80, 90)]
    marked = [(pct, value) for pct, value in marked if value is not None]
    fig.add_trace(  # each quantile a point on the curve, labelled beside it (they may share an x)
        go.Scatter(
            x=[value for _, value in marked],
            y=[pct / 100 for pct, _ in marked],
            mode="markers+text",
            marker={"size": 9, "color": LATE_RED},
            text=[t("risk_quantile", lang, pct=pct, value=value) for pct, value in marked],
            textposition="middle right",
            showlegend=False,
            hoverinfo="text",
        )
    )
    at_estimates = figures.get("deterministic", {}).get("objective")
    if at_estimates is not None:
        fig.add_vline(
            x=at_estimates,
            line={"color": CAP_COLOR, "dash": "dash", "width": 1.5},
            annotation={"text": t("risk_deterministic", lang, value=at_estimates), "font": {"size": 11}},
            annotation_position="bottom right",
        )
    subtitle = t(
        "risk_prob_subtitle",
        lang,
        n=figures["samples"],
        seed=figures["seed"],
        deadline=figures["star_deadline"],
    )
    _layout(fig, t("risk_s_title", lang), subtitle, _note(figures, lang), height=480)
    fig.update_layout(
        xaxis={"title": {"text": t("risk_s_x", lang)}, "rangemode": "tozero"},
        yaxis={"title": {"text": t("risk_s_y", lang)}, "range": [0, 1.02], "tickformat": ".0%"},
    )
    return fig


def budget_chart(
    figures: Mapping[str, Any], *, current_cap_wan: float | None = None, lang: str = "zh"
) -> go.Figure:
    """The share of samples in which every ★ can still be on time, at each flat budget the bisection
    tried; the confidence line, the P80 budget and the least budget at the estimates marked."""
    check_lang(lang)
    budget = figures.get("budget") or {}
    levels = sorted(budget.get("levels", []), key=lambda lv: lv["flat_wan"])
    n = figures["samples"]
    pct = round(100 * budget.get("confidence", 0.8))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[lv["flat_wan"] for lv in levels],
            y=[lv["meets"] / n for lv in levels],
            mode="lines+markers",
            line={"shape": "hv", "color": LINE_BLUE, "width": 2.5},
            marker={
                "size": 8,
                "color": [LINE_BLUE if lv["verdict"] == "meets" else "white" for lv in levels],
            },
            name=t("risk_budget_y", lang),
            hovertext=[
                t("risk_hover_level", lang, amount=money(lv["flat_wan"], lang), meets=lv["meets"], n=n)
                for lv in levels
            ],
            hoverinfo="text",
        )
    )
    fig.add_hline(y=budget.get("confidence", 0.8), line={"color": GHOST_COLOR, "width": 8})
    amount = budget.get("amount_wan")
    if amount is not None:
        fig.add_vline(
            x=amount,
            line={"color": LATE_RED, "width": 2},
            annotation={"text": t("risk_budget_marker", lang, pct=pct, amount=money(amount, lang))},
            annotation_position="top right",
        )
    least = figures.get("deterministic", {}).get("least_budget_wan")
    if least is not None:
        fig.add_vline(
            x=least,
            line={"color": CAP_COLOR, "dash": "dash", "width": 1.5},
            annotation={
                "text": t("risk_least_marker", lang, amount=money(least, lang)),
                "font": {"size": 11},
            },
            annotation_position="bottom right",
        )
    if current_cap_wan is not None:
        fig.add_vline(x=current_cap_wan, line={"color": CAP_COLOR, "dash": "dot", "width": 1})
    subtitle = t("risk_prob_subtitle", lang, n=n, seed=figures["seed"], deadline=figures["star_deadline"])
    _layout(fig, t("risk_budget_title", lang), subtitle, _note(figures, lang), height=480)
    fig.update_layout(
        xaxis={"title": {"text": t("risk_budget_x", lang)}, "tickformat": ",d"},
        yaxis={"title": {"text": t("risk_budget_y", lang)}, "range": [0, 1.05], "tickformat": ".0%"},
        showlegend=False,
    )
    return fig


CHARTS = ("probability", "slippage", "budget")


def risk_chart(
    name: str,
    figures: Mapping[str, Any],
    *,
    names: Mapping[str, str] | None = None,
    current_cap_wan: float | None = None,
    lang: str = "zh",
) -> go.Figure:
    """One of CHARTS by name."""
    if name == "probability":
        return probability_chart(figures, names, lang=lang)
    if name == "slippage":
        return slippage_curve(figures, lang=lang)
    if name == "budget":
        return budget_chart(figures, current_cap_wan=current_cap_wan, lang=lang)
    raise ValueError(f"unknown risk chart {name!r}: use {', '.join(CHARTS)}")
