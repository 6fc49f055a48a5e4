"""A run's schedule as a table: one row per project (start, end, plan, slippage, ★, status, cost marked 估算
when estimated) and one column per year, as CSV or as a workbook with the project × year matrix, the
projects and the years (cap, spend, headroom, shortfall)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.charts.rows import GanttRow, gantt_rows
from app.files.tables import Sheet, csv_bytes, xlsx_bytes
from app.i18n import category_label, check_lang, status_label, t


def schedule_years(solution: Mapping[str, Any]) -> list[int]:
    """The horizon's years, plus any funded year outside it."""
    years = {int(y["year"]) for y in solution.get("years", [])}
    for item in solution.get("projects", []):
        years |= {int(y) for y in (item.get("funding") or {})}
    return sorted(years)


def _cost_basis(row: GanttRow, lang: str) -> str:
    if row.cost_wan is None:
        return ""
    return t("estimated" if row.cost_is_estimate else "approved", lang)


def _project_fields(row: GanttRow, slippage: int | None, lang: str) -> list[Any]:
    return [
        row.code,
        row.name,
        category_label(row.category, lang),
        "★" if row.star else "",
        status_label(row.status, lang),
        t("yes" if row.scheduled else "no", lang),
        row.start,
        row.end,
        row.ghost_start,
        row.ghost_end,
        slippage,
        row.cost_wan,
        _cost_basis(row, lang),
    ]


_PROJECT_HEADERS = (
    "col_code",
    "col_name",
    "col_category",
    "col_star",
    "col_status",
    "col_scheduled",
    "col_start",
    "col_end",
    "col_planned_start",
    "col_planned_end",
    "col_slippage",
    "col_cost",
    "col_cost_basis",
)


def _slippages(solution: Mapping[str, Any]) -> dict[str, int | None]:
    return {str(p["id"]): p.get("slippage") for p in solution.get("projects", [])}


def schedule_csv(solution: Mapping[str, Any], projects: Sequence[Any], *, lang: str = "zh") -> bytes:
    """The schedule as CSV: the project columns, then one column per year and the total."""
    check_lang(lang)
    rows = gantt_rows(solution, projects)
    years = schedule_years(solution)
    slip = _slippages(solution)
    header = [*(t(h, lang) for h in _PROJECT_HEADERS), *map(str, years), t("col_total", lang)]
    body = []
    for row in rows:
        draws = [row.funding.get(y, 0) for y in years]
        body.append([*_project_fields(row, slip.get(row.code), lang), *draws, sum(draws)])
    return csv_bytes(header, body)


def schedule_xlsx(solution: Mapping[str, Any], projects: Sequence[Any], *, lang: str = "zh") -> bytes:
    """The schedule as a workbook: the project × year matrix (totals row and column), the projects, and
    the years."""
    check_lang(lang)
    rows = gantt_rows(solution, projects)
    return xlsx_bytes(
        [
            _matrix_sheet(rows, schedule_years(solution), lang),
            _projects_sheet(rows, _slippages(solution), lang),
            _years_sheet(solution, lang),
        ]
    )


def _matrix_sheet(rows: list[GanttRow], years: list[int], lang: str) -> Sheet:
    head = [t("col_code", lang), t("col_name", lang), t("col_category", lang), t("col_star", lang)]
    body: list[list[Any]] = []
    for row in rows:
        draws = [row.funding.get(y) or None for y in years]  # blank, not 0, where nothing is drawn
        total = sum(row.funding.get(y, 0) for y in years)
        body.append(
            [row.code, row.name, category_label(row.category, lang), "★" if row.star else "", *draws, total]
        )
    totals = [sum(r.funding.get(y, 0) for r in rows) for y in years]
    body.append([t("total", lang), None, None, None, *totals, sum(totals)])
    first_money, last_col = len(head) + 1, len(head) + len(years) + 1
    return Sheet(
        t("sheet_schedule", lang),
        [*head, *years, t("col_total", lang)],
        body,
        money_cols=range(first_money, last_col + 1),
        freeze="C2",
        total_row=True,
    )


def _projects_sheet(rows: list[GanttRow], slip: dict[str, int | None], lang: str) -> Sheet:
    cost_col = _PROJECT_HEADERS.index("col_cost") + 1
    estimate = f'#,##0" ({t("estimate", lang)})"'  # still a number; the format writes 估算 after it
    formats = {(i, cost_col): estimate for i, row in enumerate(rows, start=2) if row.cost_is_estimate}
    return Sheet(
        t("sheet_projects", lang),
        [t(h, lang) for h in _PROJECT_HEADERS],
        [_project_fields(row, slip.get(row.code), lang) for row in rows],
        money_cols=[cost_col],
        freeze="C2",
        cell_formats=formats,
    )


def _years_sheet(solution: Mapping[str, Any], lang: str) -> Sheet:
    shortfall = {int(k): v for k, v in ((solution.get("diagnostics") or {}).get("shortfall") or {}).items()}
    heads = ["col_year", "col_cap", "col_spend", "col_headroom"] + (["col_shortfall"] if shortfall else [])
    body = []
    for y in sorted(solution.get("years", []), key=lambda y: int(y["year"])):
        year, cap, spend = int(y["year"]), int(y["budget"]), int(y.get("spend") or 0)
        body.append([year, cap, spend, cap - spend] + ([shortfall.get(year, 0)] if shortfall else []))
    return Sheet(
        t("sheet_years", lang), [t(h, lang) for h in heads], body, money_cols=range(2, len(heads) + 1)
    )
