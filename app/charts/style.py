"""The look every chart shares: fonts with CJK first, the palette (a category keeps its colour in every chart
and run; red only means late), the title block, the legend under it and the year axis."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import plotly.graph_objects as go

from app.i18n import UNCATEGORISED, money, t
from app.rules.run_context import NO_CONTEXT, RunContext
from app.rules.seats import Objective


class _Costed(Protocol):
    """What the subtitle needs of a chart row (app/charts/rows.py GanttRow, which uses this module)."""

    cost_is_estimate: bool


LINE_BLUE = "#3C6E9F"
BASELINE_COLOR = "#1F2A44"  # the baseline's thin outline
STATUS_COLOR = "#7A4FB0"  # the status date line

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


def category_color(category: str) -> str:
    """The fixed colour of a category (same in every chart and run)."""
    if category in _PINNED:
        return _PINNED[category]
    return PALETTE[zlib.crc32(category.encode("utf-8")) % len(PALETTE)]


def base_layout(fig: go.Figure, title: str, subtitle: str, height: int) -> None:
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


def subtitle(
    solution: Mapping[str, Any],
    lang: str,
    extra: str = "",
    rows: Sequence[_Costed] = (),
    context: RunContext = NO_CONTEXT,
) -> str:
    """The solver status, the objective (weighted slippage or seat-years), `extra`, the estimates note when
    any cost is estimated, and the illustrative-sources note when the run's sources are illustrative."""
    parts = []
    status = solution.get("status")
    if status:
        parts.append(t(f"status_{status}", lang))
    if solution.get("objective") is not None:
        key = "objective_seat_years" if context.objective == Objective.SEAT_YEARS else "objective"
        parts.append(t(key, lang, value=money(solution["objective"])))
    if extra:
        parts.append(extra)
    if any(r.cost_is_estimate for r in rows):
        parts.append(t("money_estimated_note", lang))
    if context.illustrative:
        parts.append(t("sources_illustrative_note", lang))
    return " · ".join(parts)


def top_legend(height: int) -> dict[str, Any]:
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


def year_axis(first: int, last: int) -> dict[str, Any]:
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


def bar_year_axis(years: Sequence[int]) -> dict[str, Any]:
    """The x axis of a chart with a bar (or a stack of bars) per year: a tick under each year."""
    return {
        "tickvals": list(years),
        "ticktext": [str(y) for y in years],
        "showgrid": False,
        "range": [years[0] - 0.6, years[-1] + 0.6],
    }
