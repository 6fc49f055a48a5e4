"""Plotly figures of a run: the funding Gantt, annual spend against the cap, and slippage per project.

Every function takes MODEL.md's Solution JSON (a dict, string year keys in `funding`) and the portfolio's
project records (anything with ProjectRecord's attribute names), so a run loaded from the database and a
solution file read by the CLI draw the same chart. Years are drawn on a numeric axis: a project funded
from s to e inclusive is the bar [s, e + 1), and each year's tick sits in the middle of its cell.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import plotly.graph_objects as go

from app.i18n import UNCATEGORISED, category_label, check_lang, money, status_label, t

SortKey = Literal["start", "category", "slippage"]
SORT_KEYS: tuple[str, ...] = ("start", "category", "slippage")

FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
LATE_RED = "#D1362F"
CAP_COLOR = "#1F2A44"
GHOST_COLOR = "rgba(120, 130, 150, 0.22)"
HEADROOM_GREEN = "#2E7D4F"
TEXT_DARK = "#1F2A44"
GRID = "#E6E9EF"

# Category colours: muted, print-friendly, no red (red means "late"). A category keeps its colour in every
# chart and every run: known words are pinned, any other word is hashed onto the same palette.
PALETTE: tuple[str, ...] = (
    "#3C6E9F",  # blue
    "#E08A2E",  # orange
    "#4E9A5B",  # green
    "#8E6BB0",  # purple
    "#2E9C9A",  # teal
    "#C9A227",  # ochre
    "#8C6A55",  # brown
    "#C86FA3",  # pink
    "#6D7F91",  # slate
    "#7BA23F",  # olive
)
_PINNED: dict[str, str] = {
    "学前教育": PALETTE[7],
    "义务教育": PALETTE[0],
    "普通高中教育": PALETTE[3],
    "职业教育": PALETTE[1],
    "特殊教育": PALETTE[5],
    "继续教育": PALETTE[4],
    "幼儿园": PALETTE[7],
    "小学": PALETTE[2],
    "初中": PALETTE[0],
    "九年一贯制": PALETTE[4],
    "高中": PALETTE[3],
    "普通高中": PALETTE[3],
    "完全中学": PALETTE[3],
    "中职": PALETTE[1],
    "教师周转房": PALETTE[6],
    "学生宿舍": PALETTE[6],
    "其他": PALETTE[8],
    UNCATEGORISED: PALETTE[8],
}

DEFAULT_PLAN_END = 2025
DEFAULT_PAGE_SIZE = 120
_MAX_LABEL = 20  # characters of a project name shown on the axis; the hover has it whole


def category_color(category: str) -> str:
    """The fixed colour of a category (same in every chart and run)."""
    if category in _PINNED:
        return _PINNED[category]
    return PALETTE[zlib.crc32(category.encode("utf-8")) % len(PALETTE)]


@dataclass(frozen=True, slots=True)
class GanttRow:
    """One project as the charts see it: the record's words joined with the run's schedule."""

    code: str
    name: str
    category: str
    star: bool
    status: str | None
    responsible_unit: str | None
    cost_wan: int | None
    cost_is_estimate: bool
    scheduled: bool
    start: int | None
    end: int | None
    ghost_start: int | None  # the planned (or baseline) interval drawn behind the bar
    ghost_end: int | None
    funding: Mapping[int, int]

    @property
    def late_years(self) -> int:
        """Years the bar runs past the ghost's end (0 when on plan or not comparable)."""
        if not self.scheduled or self.end is None or self.ghost_end is None:
            return 0
        return max(0, self.end - self.ghost_end)

    def label(self) -> str:
        name = self.name if len(self.name) <= _MAX_LABEL else self.name[: _MAX_LABEL - 1] + "…"
        return f"★ {name}" if self.star else name


def gantt_rows(
    solution: Mapping[str, Any], projects: Sequence[Any], *, baseline: Mapping[str, Any] | None = None
) -> list[GanttRow]:
    """Join the solution's schedules with the portfolio records (solution order; unknown codes by code)."""
    records = {p.code: p for p in projects}
    base = {p["id"]: p for p in (baseline or {}).get("projects", [])}
    rows = []
    for item in solution.get("projects", []):
        code = str(item["id"])
        rec = records.get(code)
        ghost_start, ghost_end = _planned_interval(rec, base.get(code))
        rows.append(
            GanttRow(
                code=code,
                name=(rec.name if rec is not None and rec.name else code),
                category=(rec.category if rec is not None and rec.category else UNCATEGORISED),
                star=bool(rec.star) if rec is not None else False,
                status=rec.status if rec is not None else None,
                responsible_unit=rec.responsible_unit if rec is not None else None,
                cost_wan=rec.cost_wan if rec is not None else None,
                cost_is_estimate=bool(rec.cost_is_estimate) if rec is not None else False,
                scheduled=bool(item.get("scheduled")),
                start=item.get("start"),
                end=item.get("end"),
                ghost_start=ghost_start,
                ghost_end=ghost_end,
                funding={int(y): int(v) for y, v in (item.get("funding") or {}).items() if int(v)},
            )
        )
    return rows


def _planned_interval(record: Any, base_item: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """The baseline's scheduled years when there is one, else the record's planned years."""
    if base_item is not None and base_item.get("scheduled") and base_item.get("start") is not None:
        return int(base_item["start"]), int(base_item["end"])
    if record is None or record.planned_end is None:
        return None, None
    start = record.planned_start if record.planned_start is not None else record.planned_end
    return int(start), int(record.planned_end)


def _category_order(rows: Sequence[GanttRow], projects: Sequence[Any]) -> list[str]:
    """Categories in the portfolio file's order, then any the file does not know."""
    order: list[str] = []
    for p in projects:
        if p.category and p.category not in order:
            order.append(p.category)
    for r in rows:
        if r.category not in order:
            order.append(r.category)
    return order


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


def _base_layout(fig: go.Figure, title: str, subtitle: str, height: int) -> None:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_DARK},
        title={
            "text": f"<b>{title}</b>",
            "subtitle": {"text": subtitle, "font": {"size": 13, "color": "#5B6475"}},
            "x": 0.01,
            "xanchor": "left",
            "y": 1 - 14 / height,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 20},
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )


def _subtitle(solution: Mapping[str, Any], lang: str, extra: str = "", rows: Sequence[GanttRow] = ()) -> str:
    parts = []
    status = solution.get("status")
    if status:
        parts.append(t(f"status_{status}", lang))
    if solution.get("objective") is not None:
        parts.append(t("objective", lang, value=solution["objective"]))
    if extra:
        parts.append(extra)
    if any(r.cost_is_estimate for r in rows):
        parts.append(t("money_estimated_note", lang))
    return " · ".join(parts)


def _top_legend(height: int) -> dict[str, Any]:
    """A one-line legend under the title, above the axis ticks (fixed in pixels from the top)."""
    return {
        "orientation": "h",
        "x": 0.005,
        "xanchor": "left",
        "xref": "container",
        "yref": "container",
        "yanchor": "top",
        "y": 1 - 82 / height,
        "font": {"size": 12},
        "traceorder": "normal",
    }


def _year_axis(first: int, last: int) -> dict[str, Any]:
    """A numeric x axis whose ticks name the years in the middle of their cells."""
    return {
        "range": [first, last + 1],
        "tickvals": [y + 0.5 for y in range(first, last + 1)],
        "ticktext": [str(y) for y in range(first, last + 1)],
        "showgrid": False,
        "zeroline": False,
        "side": "top",
        "ticks": "",
        "fixedrange": False,
    }


def funding_gantt(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    group_by_category: bool = True,
    plan_end: int = DEFAULT_PLAN_END,
    page: int = 1,
    page_size: int | None = DEFAULT_PAGE_SIZE,
    width: int = 1280,
) -> go.Figure:
    """The funding Gantt: a bar per scheduled project over its funded years, the planned interval as a
    faint ghost behind, the late part in red with "+N年", each year's draw as text and hover.

    Rows are grouped by category (a header row each) and sorted by `sort` inside a group; deferred
    projects are listed apart at the end. With more rows than `page_size`, only page `page` is drawn
    (`gantt_pages` says how many there are).
    """
    check_lang(lang)
    rows = gantt_rows(solution, projects, baseline=baseline)
    categories = _category_order(rows, projects)
    first, last = _years_of(solution, rows)
    scheduled = _sorted([r for r in rows if r.scheduled], sort, categories)
    deferred = sorted((r for r in rows if not r.scheduled), key=lambda r: r.code)
    pages = gantt_pages(len(scheduled) + len(deferred), page_size)
    if not 1 <= page <= pages:
        raise ValueError(f"page {page} does not exist: the chart has {pages} page(s)")
    lines = _layout_lines(scheduled, deferred, categories, group_by_category, page, page_size, lang)

    fig = go.Figure()
    _add_ghosts(fig, lines, lang, baseline is not None)
    _add_bars(fig, lines, categories, lang)
    _add_late_parts(fig, lines, lang)
    cell_px = (width - 330) / max(1, last - first + 1)
    _add_year_draws(fig, lines, lang, show_text=cell_px >= 58 and len(lines) <= 200)
    _add_deferred_marks(fig, lines, lang)

    extra = t("projects_count", lang, n=len(rows))
    if pages > 1:
        extra += " · " + t("page", lang, page=page, pages=pages)
    row_px = 26 if len(lines) <= 60 else 20 if len(lines) <= 150 else 16
    height = max(360, 175 + row_px * len(lines))
    _base_layout(fig, t("gantt_title", lang), _subtitle(solution, lang, extra, rows), height)
    fig.update_layout(
        barmode="overlay",
        bargap=0.0,
        width=width,
        height=height,
        margin={"l": 20, "r": 60, "t": 120, "b": 45},
        legend=_top_legend(height),
        xaxis=_year_axis(first, last),
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
    _add_grid_and_plan_end(fig, first, last, lines, plan_end, lang)
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
            return f"<b><span style='color:{self.color}'>{self.header}</span></b>"
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


def _hover(r: GanttRow, lang: str) -> str:
    parts = [
        f"<b>{'★ ' if r.star else ''}{r.name}</b> ({r.code})",
        f"{t('h_category', lang)}: {category_label(r.category, lang)}",
    ]
    if r.scheduled:
        parts.append(f"{t('h_scheduled', lang)}: {r.start}–{r.end}")
    else:
        parts.append(f"{t('h_scheduled', lang)}: {t('deferred', lang)}")
    if r.ghost_end is not None:
        parts.append(f"{t('h_planned', lang)}: {r.ghost_start}–{r.ghost_end}")
    if r.scheduled:
        late = t("late_years", lang, n=r.late_years) if r.late_years else t("on_plan", lang)
        parts.append(f"{t('h_slippage', lang)}: {late}")
    if r.cost_wan is not None:
        est = f"（{t('estimate', lang)}）" if r.cost_is_estimate else ""
        parts.append(f"{t('h_cost', lang)}: {money(r.cost_wan)} {t('wan', lang)}{est}")
    if r.status:
        parts.append(f"{t('h_status', lang)}: {status_label(r.status, lang)}")
    if r.responsible_unit:
        parts.append(f"{t('h_unit', lang)}: {r.responsible_unit}")
    for year, amount in sorted(r.funding.items()):
        parts.append(f"  {year}: {money(amount)} {t('wan', lang)}")
    return "<br>".join(parts)


def _add_ghosts(fig: go.Figure, lines: list[_Line], lang: str, from_baseline: bool) -> None:
    ys, bases, spans, codes = [], [], [], []
    for y, line in enumerate(lines):
        r = line.row
        if r is not None and r.ghost_end is not None:
            ys.append(y)
            bases.append(r.ghost_start)
            spans.append(r.ghost_end - r.ghost_start + 1)
            codes.append(r.code)
    fig.add_bar(
        name=t("baseline" if from_baseline else "planned", lang),
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
            name=category_label(category, lang),
            meta="bar",
            y=[y for y, _ in picked],
            x=[r.end - r.start + 1 for _, r in picked],
            base=[r.start for _, r in picked],
            orientation="h",
            width=0.56,
            marker={"color": category_color(category), "line": {"width": 0}},
            customdata=[r.code for _, r in picked],
            hovertext=[_hover(r, lang) for _, r in picked],
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
            hovers.append(f"<b>{r.name}</b><br>{year}: {money(amount)} {t('wan', lang)}")
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
            hovers.append(_hover(r, lang))
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


def _add_grid_and_plan_end(
    fig: go.Figure, first: int, last: int, lines: list[_Line], plan_end: int, lang: str
) -> None:
    # Shapes are set in one go: fig.add_vline per line costs a layout copy each (slow for 2000 rows).
    shapes = [_line_shape("x", year, GRID, 1) for year in range(first + 1, last + 1)]
    shapes += [
        _line_shape("y", y - 0.5, "#C9CFD9", 1) for y, line in enumerate(lines) if line.row is None and y
    ]
    if first <= plan_end <= last:
        shapes.append({**_line_shape("x", plan_end + 1, CAP_COLOR, 1.5), "layer": "above"})
        shapes[-1]["line"]["dash"] = "dash"
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
    categories = _category_order(rows, projects)
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
        fig.add_bar(
            name=category_label(category, lang),
            meta="spend",
            x=years,
            y=[by_year[y] for y in years],
            marker={"color": category_color(category), "line": {"width": 0}},
            width=0.62,
            hovertemplate=f"{category_label(category, lang)}<br>%{{x}}: %{{y:,}} {t('wan', lang)}<extra></extra>",
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
    _base_layout(fig, t("spend_title", lang), _subtitle(solution, lang, rows=rows), 560)
    fig.update_layout(
        barmode="stack",
        width=1100,
        height=560,
        margin={"l": 70, "r": 30, "t": 120, "b": 60},
        legend=_top_legend(560),
        xaxis={
            "tickvals": years,
            "ticktext": [str(y) for y in years],
            "showgrid": False,
            "range": [years[0] - 0.6, years[-1] + 0.6],
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
    for category in _category_order(rows, projects):
        picked = [(y, r) for y, r in enumerate(shown) if r.category == category]
        if not picked:
            continue
        fig.add_bar(
            name=category_label(category, lang),
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
            hovertext=[_hover(r, lang) for _, r in picked],
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
    _base_layout(fig, t("slippage_title", lang), _subtitle(solution, lang, extra, rows), height)
    fig.update_layout(
        width=1000,
        height=height,
        margin={"l": 20, "r": 40, "t": 120, "b": 60},
        legend=_top_legend(height),
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
            "ticktext": [f"{r.label()}  ({r.code})" for r in shown],
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
