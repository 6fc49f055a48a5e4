"""The funding Gantt: a bar per scheduled project over its funded years, the approved plan's interval as a
grey ghost behind it, the part past the plan in red with "+N年", the baseline (when finance approved one)
as a thin outline, the status date as a line, each year's draw as text and hover.

Takes MODEL.md's Solution JSON (a dict, string year keys in `funding`) and the portfolio's project records
(anything with ProjectRecord's attribute names), so a run loaded from the database and a solution file read
by the CLI draw the same chart. Years are drawn on a numeric axis: a project funded from s to e inclusive
is the bar [s, e + 1), and each year's tick sits in the middle of its cell.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import plotly.graph_objects as go

from app.charts.rows import GanttRow, category_order, gantt_rows, hover
from app.charts.style import (
    BASELINE_COLOR,
    CAP_COLOR,
    GHOST_COLOR,
    GRID,
    LATE_RED,
    STATUS_COLOR,
    base_layout,
    category_color,
    plain,
    subtitle,
    top_legend,
    year_axis,
)
from app.i18n import category_label, check_lang, money, t
from app.rules.problem import PLAN_PERIOD_END

SortKey = Literal["start", "category", "slippage"]


SORT_KEYS: tuple[str, ...] = ("start", "category", "slippage")


DEFAULT_PAGE_SIZE = 120


def _sorted(rows: Sequence[GanttRow], sort: str, categories: list[str]) -> list[GanttRow]:
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORT_KEYS)}")
    by_start = sorted(rows, key=lambda r: (r.start or 0, r.end or 0, r.code))
    if sort == "slippage":
        return sorted(by_start, key=lambda r: (-r.late_years, not r.star))
    if sort == "category":
        return sorted(by_start, key=lambda r: categories.index(r.category))
    return by_start


def _years_of(solution: Mapping[str, Any], rows: Sequence[GanttRow]) -> tuple[int, int]:
    years = [int(y["year"]) for y in solution.get("years", [])]
    for r in rows:
        years += [y for y in (r.start, r.end, r.ghost_start, r.ghost_end) if y is not None]
    if not years:
        raise ValueError("the solution has no years and no scheduled projects: nothing to draw")
    return min(years), max(years)


def funding_gantt(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    group_by_category: bool = True,
    plan_end: int = PLAN_PERIOD_END,
    page: int = 1,
    page_size: int | None = DEFAULT_PAGE_SIZE,
    width: int = 1280,
    status_date: date | None = None,
) -> go.Figure:
    """The funding Gantt: a bar per scheduled project over its funded years, the approved plan's interval
    as a grey ghost behind, the late part against the plan in red with "+N年", the baseline's years as a
    thin outline (when there is one), the status date as a line, each year's draw as text and hover.

    Rows are grouped by category (a header row each) and sorted by `sort` inside a group; deferred
    projects are listed apart at the end. With more rows than `page_size`, only page `page` is drawn
    (`gantt_pages` says how many there are).
    """
    check_lang(lang)
    rows = gantt_rows(solution, projects, baseline=baseline)
    categories = category_order(rows, projects)
    first, last = _years_of(solution, rows)
    scheduled = _sorted([r for r in rows if r.scheduled], sort, categories)
    deferred = sorted((r for r in rows if not r.scheduled), key=lambda r: r.code)
    pages = gantt_pages(len(scheduled) + len(deferred), page_size)
    if not 1 <= page <= pages:
        raise ValueError(f"page {page} does not exist: the chart has {pages} page(s)")
    lines = _layout_lines(scheduled, deferred, categories, group_by_category, page, page_size, lang)

    fig = go.Figure()
    _add_ghosts(fig, lines, lang)
    _add_bars(fig, lines, categories, lang)
    _add_late_parts(fig, lines, lang)
    if baseline is not None:
        _add_baseline(fig, lines, lang)
    cell_px = (width - 330) / max(1, last - first + 1)
    _add_year_draws(fig, lines, lang, show_text=cell_px >= 58 and len(lines) <= 200)
    _add_deferred_marks(fig, lines, lang)

    extra = t("projects_count", lang, n=len(rows))
    if pages > 1:
        extra += " · " + t("page", lang, page=page, pages=pages)
    row_px = 26 if len(lines) <= 60 else 20 if len(lines) <= 150 else 16
    height = max(360, 175 + row_px * len(lines))
    base_layout(fig, t("gantt_title", lang), subtitle(solution, lang, extra, rows), height)
    fig.update_layout(
        barmode="overlay",
        bargap=0.0,
        width=width,
        height=height,
        margin={"l": 20, "r": 60, "t": 120, "b": 64},
        legend=top_legend(height),
        xaxis=year_axis(first, last),
        yaxis={
            "range": [len(lines) - 0.5, -0.5],
            "tickvals": list(range(len(lines))),
            "ticktext": [line.tick(lang) for line in lines],
            "showgrid": False,
            "zeroline": False,
            "ticks": "",
            "automargin": True,
            "tickfont": {"size": 12 if row_px >= 20 else 10},
        },
    )
    _add_grid_and_plan_end(fig, first, last, lines, plan_end, lang, status_date)
    return fig


def gantt_pages(n_rows: int, page_size: int | None = DEFAULT_PAGE_SIZE) -> int:
    """How many Gantt pages n project rows make (at least one)."""
    if page_size is None:
        return 1
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    return max(1, math.ceil(n_rows / page_size))


@dataclass(frozen=True, slots=True)
class _Line:
    """A y position of the Gantt: a category header (row is None) or a project."""

    header: str | None
    row: GanttRow | None
    color: str

    def tick(self, lang: str) -> str:
        if self.row is None:
            return f"<b><span style='color:{self.color}'>{plain(self.header)}</span></b>"
        return self.row.label()


def _layout_lines(
    scheduled: list[GanttRow],
    deferred: list[GanttRow],
    categories: list[str],
    group: bool,
    page: int,
    page_size: int | None,
    lang: str,
) -> list[_Line]:
    every = scheduled + deferred
    if page_size is not None:
        every = every[(page - 1) * page_size : page * page_size]
    shown_deferred = [r for r in every if not r.scheduled]
    shown = [r for r in every if r.scheduled]
    if group:
        shown = sorted(shown, key=lambda r: categories.index(r.category))  # stable: keeps `sort` inside
    lines: list[_Line] = []
    current = None
    for r in shown:
        if group and r.category != current:
            current = r.category
            lines.append(_Line(category_label(r.category, lang), None, category_color(r.category)))
        lines.append(_Line(None, r, category_color(r.category)))
    if shown_deferred:
        lines.append(_Line(t("deferred_group", lang), None, "#5B6475"))
        lines += [_Line(None, r, category_color(r.category)) for r in shown_deferred]
    return lines


def _add_ghosts(fig: go.Figure, lines: list[_Line], lang: str) -> None:
    ys, bases, spans, codes = [], [], [], []
    for y, line in enumerate(lines):
        r = line.row
        if r is not None and r.ghost_end is not None:
            ys.append(y)
            bases.append(r.ghost_start)
            spans.append(r.ghost_end - r.ghost_start + 1)
            codes.append(r.code)
    fig.add_bar(
        name=t("planned", lang),
        meta="ghost",
        customdata=codes,
        y=ys,
        x=spans,
        base=bases,
        orientation="h",
        width=0.84,
        marker={"color": GHOST_COLOR, "line": {"color": "rgba(120,130,150,0.55)", "width": 1}},
        hoverinfo="skip",
        legendrank=900,
    )


def _add_baseline(fig: go.Figure, lines: list[_Line], lang: str) -> None:
    """The baseline's years as a thin dark outline over each row (a row scheduled alike shows it around
    its bar; a moved one shows where the baseline had it)."""
    ys, bases, spans, codes = [], [], [], []
    for y, line in enumerate(lines):
        r = line.row
        if r is not None and r.baseline_end is not None:
            ys.append(y)
            bases.append(r.baseline_start)
            spans.append(r.baseline_end - r.baseline_start + 1)
            codes.append(r.code)
    fig.add_bar(
        name=t("baseline", lang),
        meta="baseline",
        customdata=codes,
        y=ys,
        x=spans,
        base=bases,
        orientation="h",
        width=0.74,
        marker={"color": "rgba(0,0,0,0)", "line": {"color": BASELINE_COLOR, "width": 1.6}},
        hoverinfo="skip",
        legendrank=920,
    )


def _add_bars(fig: go.Figure, lines: list[_Line], categories: list[str], lang: str) -> None:
    """One trace per category (legend and colour), one bar per scheduled project."""
    for category in categories:
        picked = [
            (y, line.row)
            for y, line in enumerate(lines)
            if line.row is not None and line.row.scheduled and line.row.category == category
        ]
        if not picked:
            continue
        fig.add_bar(
            name=plain(category_label(category, lang)),
            meta="bar",
            y=[y for y, _ in picked],
            x=[r.end - r.start + 1 for _, r in picked],
            base=[r.start for _, r in picked],
            orientation="h",
            width=0.56,
            marker={"color": category_color(category), "line": {"width": 0}},
            customdata=[r.code for _, r in picked],
            hovertext=[hover(r, lang) for _, r in picked],
            hovertemplate="%{hovertext}<extra></extra>",
            legendgroup=category,
        )


def _add_late_parts(fig: go.Figure, lines: list[_Line], lang: str) -> None:
    """The years past the planned end in red, with "+N年" after the bar."""
    ys, bases, spans, label_x, labels, codes = [], [], [], [], [], []
    for y, line in enumerate(lines):
        r = line.row
        if r is None or not r.late_years:
            continue
        late_from = max(r.start, r.ghost_end + 1)
        codes.append(r.code)
        ys.append(y)
        bases.append(late_from)
        spans.append(r.end - late_from + 1)
        label_x.append(r.end + 1.06)
        labels.append(t("late_years", lang, n=r.late_years))
    fig.add_bar(
        name=t("late", lang),
        meta="late",
        customdata=codes,
        y=ys,
        x=spans,
        base=bases,
        orientation="h",
        width=0.56,
        marker={"color": LATE_RED, "line": {"width": 0}},
        hoverinfo="skip",
        legendrank=950,
    )
    fig.add_scatter(
        x=label_x,
        y=ys,
        text=labels,
        meta="late_labels",
        mode="text",
        textposition="middle right",
        textfont={"color": LATE_RED, "size": 12},
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )


def _add_year_draws(fig: go.Figure, lines: list[_Line], lang: str, *, show_text: bool) -> None:
    """Each year's draw: hover on every cell, and white text in the cell when it fits."""
    xs, ys, texts, hovers = [], [], [], []
    for y, line in enumerate(lines):
        r = line.row
        if r is None or not r.scheduled:
            continue
        for year, amount in sorted(r.funding.items()):
            xs.append(year + 0.5)
            ys.append(y)
            texts.append(money(amount))
            hovers.append(f"<b>{plain(r.name)}</b><br>{year}: {money(amount)} {t('wan', lang)}")
    fig.add_scatter(
        x=xs,
        y=ys,
        text=texts if show_text else None,
        meta="year_draws",
        mode="text" if show_text else "markers",
        marker={"size": 14, "opacity": 0} if not show_text else None,
        textfont={"color": "white", "size": 11},
        hovertext=hovers,
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False,
    )


def _add_deferred_marks(fig: go.Figure, lines: list[_Line], lang: str) -> None:
    xs, ys, hovers = [], [], []
    for y, line in enumerate(lines):
        r = line.row
        if r is not None and not r.scheduled:
            xs.append((r.ghost_end + 1.06) if r.ghost_end is not None else None)
            ys.append(y)
            hovers.append(hover(r, lang))
    fig.add_scatter(
        x=[x for x in xs if x is not None],
        y=[y for x, y in zip(xs, ys, strict=True) if x is not None],
        text=[t("deferred", lang)] * sum(x is not None for x in xs),
        meta="deferred_marks",
        hovertext=[h for x, h in zip(xs, hovers, strict=True) if x is not None],
        hovertemplate="%{hovertext}<extra></extra>",
        mode="text",
        textposition="middle right",
        textfont={"color": "#5B6475", "size": 12},
        showlegend=False,
        cliponaxis=False,
    )


def _line_shape(axis: str, at: float, color: str, width: float) -> dict[str, Any]:
    """A full-length line across the plot at x=at (axis "x") or y=at (axis "y")."""
    if axis == "x":
        pos = {"x0": at, "x1": at, "xref": "x", "y0": 0, "y1": 1, "yref": "paper"}
    else:
        pos = {"y0": at, "y1": at, "yref": "y", "x0": 0, "x1": 1, "xref": "paper"}
    return {"type": "line", "layer": "below", "line": {"color": color, "width": width}, **pos}


def _status_x(status_date: date) -> float:
    """The status date on the year axis: year y runs from y to y + 1."""
    day = status_date.timetuple().tm_yday - 1
    return status_date.year + day / (366 if calendar.isleap(status_date.year) else 365)


def _add_grid_and_plan_end(
    fig: go.Figure,
    first: int,
    last: int,
    lines: list[_Line],
    plan_end: int,
    lang: str,
    status_date: date | None,
) -> None:
    # Shapes are set in one go: fig.add_vline per line costs a layout copy each (slow for 2000 rows).
    shapes = [_line_shape("x", year, GRID, 1) for year in range(first + 1, last + 1)]
    shapes += [
        _line_shape("y", y - 0.5, "#C9CFD9", 1) for y, line in enumerate(lines) if line.row is None and y
    ]
    if first <= plan_end <= last:
        shapes.append({**_line_shape("x", plan_end + 1, CAP_COLOR, 1.5), "layer": "above"})
        shapes[-1]["line"]["dash"] = "dash"
    status = status_date or date.today()
    status_x = _status_x(status)
    if first <= status_x <= last + 1:
        shapes.append(
            {**_line_shape("x", status_x, STATUS_COLOR, 1.5), "layer": "above", "name": "status_date"}
        )
        shapes[-1]["line"]["dash"] = "dot"
        fig.add_annotation(  # under the plot, a line below the plan-end mark (the year header is on top)
            x=status_x,
            y=0,
            xref="x",
            yref="paper",
            yanchor="top",
            yshift=-18,
            xanchor="center",
            showarrow=False,
            text=t("status_date", lang, date=status.isoformat()),
            font={"size": 11, "color": STATUS_COLOR},
        )
    fig.update_layout(shapes=shapes)
    if first <= plan_end <= last:
        fig.add_annotation(  # under the plot, where no bar or label can hide it
            x=plan_end + 1,
            y=0,
            xref="x",
            yref="paper",
            yanchor="top",
            xanchor="center",
            showarrow=False,
            text=f"▲ {t('plan_end', lang, year=plan_end)}",
            font={"size": 11, "color": CAP_COLOR},
        )


def gantt_figures(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    page_size: int | None = DEFAULT_PAGE_SIZE,
    status_date: date | None = None,
) -> list[go.Figure]:
    """Every page of the funding Gantt (one figure for a portfolio that fits on a page)."""
    n_rows = len(solution.get("projects", []))
    return [
        funding_gantt(
            solution,
            projects,
            lang=lang,
            sort=sort,
            baseline=baseline,
            page=page,
            page_size=page_size,
            status_date=status_date,
        )
        for page in range(1, gantt_pages(n_rows, page_size) + 1)
    ]
