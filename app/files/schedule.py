"""A run's schedule as a table: one row per project (start, end, plan, slippage, ★, status, cost marked 估算
when estimated) and one column per year, as CSV or as a workbook with the project × year matrix, the
projects and the years (cap, spend, headroom, shortfall). With funding sources (MODEL.md v2) the workbook
adds a project × year sheet per source, the project × source × year table and each source's years (quota,
spend, headroom), labelled illustrative when the sources are."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.charts.rows import GanttRow, gantt_rows
from app.files.tables import Sheet, csv_bytes, xlsx_bytes
from app.i18n import category_label, check_lang, status_label, t
from app.rules.run_context import NO_CONTEXT, RunContext, source_table


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


def schedule_xlsx(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    context: RunContext = NO_CONTEXT,
) -> bytes:
    """The schedule as a workbook: the project × year matrix (totals row and column), the projects, and
    the years; with sources, a sheet per source, the project × source × year table and the sources' years."""
    check_lang(lang)
    rows = gantt_rows(solution, projects)
    years = schedule_years(solution)
    sheets = [
        _matrix_sheet(rows, years, lang),
        _projects_sheet(rows, _slippages(solution), lang),
        _years_sheet(solution, lang),
    ]
    ids = [i for i in context.source_ids(solution) if i in source_table(solution)]
    if ids:
        taken = {sheet.title for sheet in sheets}
        for source_id in ids:
            sheets.append(_source_sheet(rows, years, source_id, context, lang, taken))
        sheets.append(_split_sheet(rows, ids, context, lang))
        sheets.append(_source_years_sheet(solution, ids, context, lang))
    return xlsx_bytes(sheets)


def _sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, no []:*?/ or backslash), unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "source"
    title, n = base, 2
    while title in taken:
        title, n = f"{base[:26]}_{n}", n + 1
    taken.add(title)
    return title


def _illustrative_notes(context: RunContext, lang: str) -> list[str]:
    return [t("sources_illustrative_note", lang)] if context.illustrative else []


def _source_sheet(
    rows: list[GanttRow], years: list[int], source_id: str, context: RunContext, lang: str, taken: set[str]
) -> Sheet:
    """One source's draws: project × year, totals row and column."""
    head = [t("col_code", lang), t("col_name", lang), t("col_category", lang), t("col_star", lang)]
    body: list[list[Any]] = []
    for row in rows:
        draws = [(row.sources.get(y) or {}).get(source_id) or None for y in years]
        if not any(draws):
            continue
        total = sum(d or 0 for d in draws)
        body.append(
            [row.code, row.name, category_label(row.category, lang), "★" if row.star else "", *draws, total]
        )
    totals = [sum(r[4 + i] or 0 for r in body) for i in range(len(years))]
    body.append([t("total", lang), None, None, None, *totals, sum(totals)])
    return Sheet(
        _sheet_title(context.name_of(source_id), taken),
        [*head, *years, t("col_total", lang)],
        body,
        money_cols=range(len(head) + 1, len(head) + len(years) + 2),
        freeze="C2",
        total_row=True,
        notes=_illustrative_notes(context, lang),
    )


def _split_sheet(rows: list[GanttRow], ids: list[str], context: RunContext, lang: str) -> Sheet:
    """The project × source × year table: one row per project, source and year with a draw."""
    head = [
        t("col_code", lang),
        t("col_name", lang),
        t("col_source", lang),
        t("col_source_code", lang),
        t("col_year", lang),
        t("col_amount", lang),
    ]
    body = [
        [row.code, row.name, context.name_of(source_id), source_id, year, amount]
        for row in rows
        for year in sorted(row.sources)
        for source_id in sorted(row.sources[year], key=lambda k: (ids.index(k) if k in ids else len(ids), k))
        if (amount := row.sources[year][source_id])
    ]
    return Sheet(
        t("sheet_by_source", lang),
        head,
        body,
        money_cols=[6],
        freeze="C2",
        notes=_illustrative_notes(context, lang),
    )


def _source_years_sheet(solution: Mapping[str, Any], ids: list[str], context: RunContext, lang: str) -> Sheet:
    """Each source's years: quota, spend, headroom (and the extra needed, when infeasible)."""
    table = source_table(solution)
    short = ((solution.get("diagnostics") or {}).get("source_shortfall")) or {}
    heads = ["col_source", "col_year", "col_quota", "col_spend", "col_headroom"] + (
        ["col_shortfall"] if short else []
    )
    body = []
    for source_id in ids:
        for year in sorted(table[source_id]):
            quota, spend = table[source_id][year]
            extra = [int((short.get(source_id) or {}).get(str(year), 0))] if short else []
            body.append([context.name_of(source_id), year, quota, spend, quota - spend, *extra])
    return Sheet(
        t("sheet_source_years", lang),
        [t(h, lang) for h in heads],
        body,
        money_cols=range(3, len(heads) + 1),
        notes=_illustrative_notes(context, lang),
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
