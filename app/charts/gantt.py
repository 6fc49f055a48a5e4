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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import plotly.graph_objects as go

from app.charts.rows import GanttRow, category_order, draw_by_source, gantt_rows, hover
from app.charts.style import (
    BASELINE_COLOR,
    CAP_COLOR,
    GHOST_COLOR,
    GRID,
    LATE_RED,
    STATUS_COLOR,
    base_layout,
    category_color,
    subtitle,
    top_legend,
    year_axis,
)
from app.charts.text import plain
from app.i18n import category_label, check_lang, money, status_label, t
from app.rules.problem import PLAN_PERIOD_END
from app.rules.run_context import NO_CONTEXT, RunContext

SortKey = Literal["start", "category", "slippage"]


SORT_KEYS: tuple[str, ...] = ("start", "category", "slippage")


GROUP_KEYS: tuple[str, ...] = ("category", "unit", "status", "none")


DEFAULT_PAGE_SIZE = 120


DEFERRED_GROUP = "__deferred__"  # the key of the deferred projects' group (always last)


# The frozen label columns left of the bars (code, name, responsible unit): pixels from the plot's left edge
# back to each column's left edge, and the characters shown (the hover has the whole name).
_LABEL_COLUMNS = (("code", 470, 12), ("name", 372, 22), ("unit", 112, 9))
_LABEL_MARGIN = 480


def _sorted(rows: Sequence[GanttRow], sort: str, categories: list[str]) -> list[GanttRow]:
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORT_KEYS)}")
    by_start = sorted(rows, key=lambda r: (r.start or 0, r.end or 0, r.code))
    if sort == "slippage":
        return sorted(by_start, key=lambda r: (-r.late_years, not r.star))
    if sort == "category":
        rank = {c: i for i, c in enumerate(categories)}
        return sorted(by_start, key=lambda r: rank[r.category])
    return by_start


def _years_of(solution: Mapping[str, Any], rows: Sequence[GanttRow]) -> tuple[int, int]:
    years = [int(y["year"]) for y in solution.get("years", [])]
    for r in rows:
        years += [y for y in (r.start, r.end, r.ghost_start, r.ghost_end) if y is not None]
    if not years:
        raise ValueError("the solution has no years and no scheduled projects: nothing to draw")
    return min(years), max(years)


@dataclass(frozen=True, slots=True)
class GanttGroup:
    """A group of the chart's rows: its key (the category, unit or status as stored, "" for none given,
    DEFERRED_GROUP), the label shown, how many projects it holds, and whether it is collapsed."""

    key: str
    label: str
    color: str
    count: int
    collapsed: bool

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "count": self.count, "collapsed": self.collapsed}


@dataclass(frozen=True, slots=True)
class _Line:
    """A y position of the Gantt: a group header (row is None) or a project."""

    header: str | None
    row: GanttRow | None
    color: str
    group: GanttGroup | None = None

    def tick(self, lang: str) -> str:
        if self.row is None:
            return f"<b><span style='color:{self.color}'>{plain(self.header)}</span></b>"
        return self.row.label()


@dataclass(frozen=True, slots=True)
class GanttPlan:
    """Every row of the chart in order — grouped, sorted and cut into pages once, so a 10,000-project chart
    is paged without sorting it again for every page."""

    rows: tuple[GanttRow, ...]
    categories: tuple[str, ...]
    groups: tuple[GanttGroup, ...]
    items: tuple[GanttRow | GanttGroup, ...]  # a project, or a collapsed group standing for its projects
    first: int
    last: int
    group: str
    page_size: int | None

    @property
    def pages(self) -> int:
        return gantt_pages(len(self.items), self.page_size)

    def page_lines(self, page: int) -> list[_Line]:
        """The lines of one page: each group's header (again at the top of a page it continues on), then
        its projects; a collapsed group is its header alone."""
        if not 1 <= page <= self.pages:
            raise ValueError(f"page {page} does not exist: the chart has {self.pages} page(s)")
        items = self.items
        if self.page_size is not None:
            items = items[(page - 1) * self.page_size : page * self.page_size]
        groups = {g.key: g for g in self.groups}
        lines: list[_Line] = []
        current: str | None = None
        for item in items:
            if isinstance(item, GanttGroup):
                lines.append(_Line(_group_title(item), None, item.color, item))
                current = None
                continue
            key = _group_key(item, self.group)
            if key != current and (self.group != "none" or key == DEFERRED_GROUP):
                header = groups[key]
                lines.append(_Line(_group_title(header), None, header.color, header))
            current = key
            lines.append(_Line(None, item, category_color(item.category)))
        return lines


def _group_title(group: GanttGroup) -> str:
    return f"{'▸' if group.collapsed else '▾'} {group.label} · {group.count}"


def _group_key(row: GanttRow, group: str) -> str:
    if not row.scheduled:
        return DEFERRED_GROUP
    if group == "category":
        return row.category
    if group == "unit":
        return row.responsible_unit or ""
    if group == "status":
        return row.status or ""
    return ""


def _group_label(key: str, group: str, lang: str) -> str:
    if key == DEFERRED_GROUP:
        return t("deferred_group", lang)
    if group == "category":
        return category_label(key, lang)
    if group == "status":
        return status_label(key, lang) if key else t("gantt_no_status", lang)
    if group == "unit":
        return key or t("gantt_no_unit", lang)
    return ""


def gantt_plan(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    group: str = "category",
    collapsed: Collection[str] = (),
    page_size: int | None = DEFAULT_PAGE_SIZE,
) -> GanttPlan:
    """The chart's rows grouped by `group` (category in the file's order; unit or status as first met;
    none), sorted by `sort` inside a group, deferred projects last; a group named in `collapsed` is shown
    as its header alone and takes one row of a page."""
    check_lang(lang)
    if group not in GROUP_KEYS:
        raise ValueError(f"unknown group {group!r}: use one of {', '.join(GROUP_KEYS)}")
    if page_size is not None and page_size < 1:
        raise ValueError("page_size must be at least 1")
    rows = gantt_rows(solution, projects, baseline=baseline)
    categories = category_order(rows, projects)
    first, last = _years_of(solution, rows)
    scheduled = _sorted([r for r in rows if r.scheduled], sort, categories)
    deferred = sorted((r for r in rows if not r.scheduled), key=lambda r: r.code)
    members: dict[str, list[GanttRow]] = {c: [] for c in categories} if group == "category" else {}
    for r in scheduled + deferred:
        members.setdefault(_group_key(r, group), []).append(r)
    if DEFERRED_GROUP in members:
        members[DEFERRED_GROUP] = members.pop(DEFERRED_GROUP)  # always last
    hidden = set(collapsed)
    groups: list[GanttGroup] = []
    items: list[GanttRow | GanttGroup] = []
    for key, inside in members.items():
        if not inside:
            continue
        color = category_color(key) if group == "category" and key != DEFERRED_GROUP else "#5B6475"
        g = GanttGroup(key, _group_label(key, group, lang), color, len(inside), key in hidden)
        groups.append(g)
        items.extend([g] if g.collapsed else inside)
    return GanttPlan(
        tuple(rows), tuple(categories), tuple(groups), tuple(items), first, last, group, page_size
    )


def funding_gantt(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    group: str = "category",
    collapsed: Collection[str] = (),
    years: tuple[int | None, int | None] | None = None,
    plan_end: int = PLAN_PERIOD_END,
    page: int = 1,
    page_size: int | None = DEFAULT_PAGE_SIZE,
    width: int = 1280,
    status_date: date | None = None,
    plan: GanttPlan | None = None,
    context: RunContext = NO_CONTEXT,
) -> go.Figure:
    """The funding Gantt: a bar per scheduled project over its funded years, the approved plan's interval
    as a grey ghost behind, the late part against the plan in red with "+N年", the baseline's years as a
    thin outline (when there is one), the status date as a line, each year's draw as text and hover.

    Left of the bars, frozen label columns (code, name, responsible unit) that stay put when the years are
    zoomed or panned. Rows are grouped by `group` (a header row each; `collapsed` groups show only it) and
    sorted by `sort` inside a group; deferred projects are listed apart at the end. With more rows than
    `page_size`, only page `page` is drawn; `layout.meta` says which page of how many and lists the groups.
    `years` (first, last) zooms the year axis. `plan` (gantt_plan) draws many pages without re-sorting.
    With funding sources (`context`), each year's hover splits the draw by source.
    """
    if plan is None:
        plan = gantt_plan(
            solution,
            projects,
            lang=lang,
            sort=sort,
            baseline=baseline,
            group=group,
            collapsed=collapsed,
            page_size=page_size,
        )
    lines = plan.page_lines(page)
    first, last = plan.first, plan.last
    shown = _zoom(years, first, last)

    fig = go.Figure()
    _add_ghosts(fig, lines, lang)
    _add_bars(fig, lines, list(plan.categories), lang, context)
    _add_late_parts(fig, lines, lang)
    if baseline is not None:
        _add_baseline(fig, lines, lang)
    cell_px = (width - _LABEL_MARGIN - 60) / max(1, shown[1] - shown[0] + 1)
    _add_year_draws(fig, lines, lang, show_text=cell_px >= 58 and len(lines) <= 200, context=context)
    _add_deferred_marks(fig, lines, lang)

    extra = t("projects_count", lang, n=len(plan.rows))
    if plan.pages > 1:
        extra += " · " + t("page", lang, page=page, pages=plan.pages)
    row_px = 26 if len(lines) <= 60 else 20 if len(lines) <= 150 else 16
    height = max(360, 175 + row_px * len(lines))
    base_layout(fig, t("gantt_title", lang), subtitle(solution, lang, extra, plan.rows, context), height)
    fig.update_layout(
        barmode="overlay",
        bargap=0.0,
        width=width,
        height=height,
        margin={"l": _LABEL_MARGIN, "r": 60, "t": 120, "b": 64},
        legend=top_legend(height),
        xaxis={**year_axis(first, last), "range": [shown[0], shown[1] + 1]},
        yaxis={
            "range": [len(lines) - 0.5, -0.5],
            "tickvals": list(range(len(lines))),
            "ticktext": [line.tick(lang) for line in lines],
            "showticklabels": False,  # the frozen label columns say it
            "showgrid": False,
            "zeroline": False,
            "ticks": "",
            "fixedrange": True,
        },
        meta={
            "page": page,
            "pages": plan.pages,
            "projects": len(plan.rows),
            "group": plan.group,
            "groups": [g.as_json() for g in plan.groups],
            "years": [first, last],
            "shown_years": list(shown),
        },
    )
    _add_label_columns(fig, lines, lang, 12 if row_px >= 20 else 10)
    _add_grid_and_plan_end(fig, first, last, lines, plan_end, lang, status_date)
    return fig


def _zoom(years: tuple[int | None, int | None] | None, first: int, last: int) -> tuple[int, int]:
    """The years shown: all, or `years` (None for the chart's own edge) when it lies inside the chart's
    span (ValueError otherwise)."""
    if years is None:
        return first, last
    low = first if years[0] is None else years[0]
    high = last if years[1] is None else years[1]
    if low > high:
        raise ValueError(f"years {low}–{high}: the first year is after the last")
    if low < first or high > last:
        raise ValueError(f"years {low}–{high}: the chart spans {first}–{last}")
    return low, high


def gantt_pages(n_rows: int, page_size: int | None = DEFAULT_PAGE_SIZE) -> int:
    """How many Gantt pages n rows make (at least one)."""
    if page_size is None:
        return 1
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    return max(1, math.ceil(n_rows / page_size))


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _add_label_columns(fig: go.Figure, lines: list[_Line], lang: str, size: int) -> None:
    """The frozen columns left of the plot — code, name (★ first, clipped; whole on hover), unit — under
    their headings; a group header spans them. Placed in pixels from the plot's left edge (xref paper,
    x 0, xshift), so zooming or panning the years never moves them. Set in one go (add_annotation per
    label copies the layout each time)."""
    base = {"xref": "paper", "x": 0, "yref": "y", "xanchor": "left", "showarrow": False}
    notes: list[dict[str, Any]] = [
        {
            **base,
            "y": -0.5,
            "yanchor": "bottom",
            "xshift": -offset,
            "text": f"<b>{t(f'gantt_col_{column}', lang)}</b>",
            "font": {"size": size, "color": "#5B6475"},
            "name": f"head_{column}",
        }
        for column, offset, _ in _LABEL_COLUMNS
    ]
    for y, line in enumerate(lines):
        r = line.row
        if r is None:
            key = line.group.key if line.group else ""
            notes.append(
                {
                    **base,
                    "y": y,
                    "xshift": -_LABEL_COLUMNS[0][1],
                    "text": line.tick(lang),
                    "font": {"size": size},
                    "name": f"group:{key}",
                    "captureevents": True,
                }
            )
            continue
        # data text, clipped as written, then shown plain (never HTML)
        texts = {
            "code": r.code,
            "name": f"★ {r.name}" if r.star else r.name,
            "unit": r.responsible_unit or "—",
        }
        for column, offset, chars in _LABEL_COLUMNS:
            note = {
                **base,
                "y": y,
                "xshift": -offset,
                "text": plain(_clip(texts[column], chars)),
                "font": {"size": size},
                "name": f"{column}:{r.code}",
            }
            if len(texts[column]) > chars:
                note["hovertext"] = plain(texts[column])
            notes.append(note)
    fig.update_layout(annotations=[*fig.layout.annotations, *notes])


def label_of(fig: go.Figure, code: str, column: str = "name") -> str | None:
    """The text in label column `column` (code, name, unit) of project `code`'s row, as drawn (clipped)."""
    for note in fig.layout.annotations:
        if note.name == f"{column}:{code}":
            return note.text
    return None


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


def _add_bars(
    fig: go.Figure, lines: list[_Line], categories: list[str], lang: str, context: RunContext = NO_CONTEXT
) -> None:
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
            hovertext=[hover(r, lang, context) for _, r in picked],
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


def _add_year_draws(
    fig: go.Figure, lines: list[_Line], lang: str, *, show_text: bool, context: RunContext = NO_CONTEXT
) -> None:
    """Each year's draw: hover on every cell (split by source when the run has sources), and white text in
    the cell when it fits."""
    xs, ys, texts, hovers = [], [], [], []
    for y, line in enumerate(lines):
        r = line.row
        if r is None or not r.scheduled:
            continue
        for year, amount in sorted(r.funding.items()):
            xs.append(year + 0.5)
            ys.append(y)
            texts.append(money(amount))
            split = draw_by_source(r, year, lang, context)
            hovers.append(
                f"<b>{plain(r.name)}</b><br>{year}: {money(amount)} {t('wan', lang)}"
                + (f"<br>{split.replace(' · ', '<br>')}" if split else "")
            )
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
    group: str = "category",
    collapsed: Collection[str] = (),
    years: tuple[int | None, int | None] | None = None,
    page_size: int | None = DEFAULT_PAGE_SIZE,
    width: int = 1280,
    status_date: date | None = None,
    context: RunContext = NO_CONTEXT,
) -> list[go.Figure]:
    """Every page of the funding Gantt (one figure for a portfolio that fits on a page), sorted once."""
    plan = gantt_plan(
        solution,
        projects,
        lang=lang,
        sort=sort,
        baseline=baseline,
        group=group,
        collapsed=collapsed,
        page_size=page_size,
    )
    return [
        funding_gantt(
            solution,
            projects,
            lang=lang,
            baseline=baseline,
            years=years,
            page=page,
            width=width,
            status_date=status_date,
            plan=plan,
            context=context,
        )
        for page in range(1, plan.pages + 1)
    ]
