"""The budget trade-off curve: mean annual budget against weighted slippage, ★ late beside it, the current
budget marked. Takes the points as `CurvePoint.to_json()` dicts, so a sweep from the CLI and one stored by
the web service draw the same chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from app.charts.style import CAP_COLOR, FONT_FAMILY, LATE_RED, LINE_BLUE, TEXT_DARK
from app.i18n import check_lang, money, t


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"curve_{key}", lang, **values)


MEASURES = ("objective", "seat_years")


def curve_figure(
    points: Sequence[Mapping[str, Any]],
    *,
    current_cap_wan: float | None = None,
    confidence_budget: tuple[int, float] | None = None,
    lang: str = "zh",
    measure: str = "objective",
    objective: str = "weighted_slippage",
) -> go.Figure:
    """Per budget level, the `measure` — the sweep's `objective` (weighted slippage or seat-years), or the
    seat-years its schedules lose — (filled marker: proven optimal; open: not proven) and ★ late; levels
    without a schedule sit on the axis as ✕; a dashed line marks the current mean annual cap and, given a
    risk analysis's (amount, confidence), a red line its P80 budget (app/rules/risk.py)."""
    check_lang(lang)
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}: use one of {', '.join(MEASURES)}")
    seat_years = measure == "seat_years" or objective == "seat_years"
    if measure == "seat_years" and any(
        p.get("seat_years") is None and p["objective"] is not None for p in points
    ):
        raise ValueError("this sweep did not count seat-years (it ran before they were counted)")
    ordered = sorted(points, key=lambda p: p["mean_cap_wan"])
    solved = [p for p in ordered if p["objective"] is not None]
    unsolved = [p for p in ordered if p["objective"] is None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[p["mean_cap_wan"] for p in solved],
            y=[p[measure] for p in solved],
            mode="lines+markers",
            meta=measure,
            name=_t("seat_years" if seat_years else "slippage", lang),
            line={"color": LINE_BLUE, "width": 2.5},
            marker={
                "size": 10,
                "color": [LINE_BLUE if p["proven"] else "white" for p in solved],
                "line": {"color": LINE_BLUE, "width": 2},
            },
            hovertext=[_hover(p, lang, objective) for p in solved],
            hoverinfo="text",
        )
    )
    fig.add_trace(
        go.Bar(
            x=[p["mean_cap_wan"] for p in solved],
            y=[p["star_late"] for p in solved],
            name=_t("star_late", lang),
            yaxis="y2",
            marker={"color": LATE_RED, "opacity": 0.35},
            hoverinfo="skip",
        )
    )
    if unsolved:
        fig.add_trace(
            go.Scatter(
                x=[p["mean_cap_wan"] for p in unsolved],
                y=[0] * len(unsolved),
                mode="markers",
                name=_t("infeasible", lang),
                marker={"symbol": "x", "size": 12, "color": LATE_RED},
                hovertext=[_hover(p, lang, objective) for p in unsolved],
                hoverinfo="text",
            )
        )
    if current_cap_wan is not None:
        fig.add_vline(
            x=current_cap_wan,
            line={"color": CAP_COLOR, "dash": "dash", "width": 1.5},
            annotation={
                "text": _t("current", lang, amount=money(current_cap_wan, lang)),
                "font": {"size": 12},
            },
            annotation_position="top right",
        )
    if confidence_budget is not None:
        amount, confidence = confidence_budget
        fig.add_vline(
            x=amount,
            line={"color": LATE_RED, "width": 2},
            annotation={
                "text": t(
                    "risk_budget_marker", lang, pct=round(100 * confidence), amount=money(amount, lang)
                ),
                "font": {"size": 12, "color": LATE_RED},
            },
            annotation_position="bottom right",
        )
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_DARK},
        title={
            "text": f"<b>{_t('title', lang)}</b>",
            "subtitle": {
                "text": _t("subtitle", lang, n=len(ordered), proven=sum(bool(p["proven"]) for p in ordered))
            },
            "x": 0.01,
            "xanchor": "left",
        },
        xaxis={"title": {"text": _t("x", lang)}, "tickformat": ",d"},
        yaxis={"title": {"text": _t("y_seat_years" if seat_years else "y", lang)}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": _t("y2", lang)},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "dtick": 1,
        },
        legend={"orientation": "h", "y": -0.18},
        bargap=0.6,
        height=520,
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    return fig


def _hover(point: Mapping[str, Any], lang: str, objective: str = "weighted_slippage") -> str:
    """A level's figures; the objective named as what the sweep minimised, seat-years beside it."""

    def shown(value: Any) -> str:
        return "—" if value is None else str(value)

    text = _t(
        "hover_seat_objective" if objective == "seat_years" else "hover",
        lang,
        mean=money(point["mean_cap_wan"], lang),
        total=money(point["budget_total_wan"], lang),
        objective=shown(point["objective"]),
        late=shown(point["projects_late"]),
        star=shown(point["star_late"]),
        deferred=shown(point["deferred"]),
        status=t(f"status_{point['status']}", lang),
    )
    if objective != "seat_years" and point.get("seat_years") is not None:
        text += "<br>" + _t("hover_seats", lang, seat_years=shown(point["seat_years"]))
    return text
