"""A run's schedule as files: the funding Gantt (json/html/png/svg/pdf) and the schedule table (csv/xlsx).

Drawn from the run's stored Solution and the portfolio's projects (names, categories, plans).
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from app import baselines, charts, export, planning, projects, runs, scenarios, slippage
from app.errors import Conflict, InvalidInput
from app.i18n import Message
from app.portfolio import ProjectRecord


def _solution_and_records(session: Session, run_id: int) -> tuple[dict[str, Any], list[ProjectRecord]]:
    solution, records, _ = _with_baseline(session, run_id)
    return solution, records


def _with_baseline(
    session: Session, run_id: int
) -> tuple[dict[str, Any], list[ProjectRecord], dict[str, Any] | None]:
    """The run's solution, its portfolio's records, and the portfolio's baseline solution (or None)."""
    run = runs.get(session=session, run_id=run_id)
    if run.solution is None:
        status = Message(f"run_status_{run.status}")
        raise Conflict(Message("run_no_schedule_yet", run=run_id, status=status), ["status"])
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    baseline = baselines.solution_of(session=session, portfolio_id=scenario.portfolio_id)
    return run.solution, [projects.as_record(row) for row in rows], baseline


def gantt_file(
    *, session: Session, run_id: int, fmt: str, lang: str = "zh", sort: str = "start", page: int = 1
) -> bytes:
    """The funding Gantt of a run. html and pdf hold every page; json, png and svg the page asked for.
    Ghost bars show the portfolio's baseline schedule when finance has approved one, else the plan."""
    solution, records, baseline = _with_baseline(session, run_id)
    try:
        if fmt in ("html", "pdf"):
            figures = export.gantt_figures(solution, records, lang=lang, sort=sort, baseline=baseline)
            return export.figures_html(figures) if fmt == "html" else export.figures_pdf(figures)
        figure = charts.funding_gantt(solution, records, lang=lang, sort=sort, page=page, baseline=baseline)
        return export.figure_bytes(figure, fmt)
    except (ValueError, export.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err


def schedule_file(*, session: Session, run_id: int, fmt: str, lang: str = "zh") -> bytes:
    """The schedule table of a run: one row per project, one column per year."""
    solution, records = _solution_and_records(session, run_id)
    try:
        if fmt == "xlsx":
            return export.schedule_xlsx(solution, records, lang=lang)
        return export.schedule_csv(solution, records, lang=lang)
    except ValueError as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err


def slippage_json(report: slippage.SlippageReport, lang: str = "zh") -> dict[str, Any]:
    """The report as JSON: per project (with the reason's label and why in words) and per unit."""
    return {
        "has_baseline": report.has_baseline,
        "projects": [
            {
                "code": row.code,
                "name": row.name,
                "unit": row.unit,
                "star": row.star,
                "weight": row.weight,
                "planned_end": row.planned_end,
                "baseline_end": row.baseline_end,
                "forecast_start": row.forecast_start,
                "forecast_end": row.forecast_end,
                "years_late": row.years_late,
                "late_vs_baseline": row.late_vs_baseline,
                "reason": str(row.reason),
                "reason_label": slippage.reason_label(row.reason, lang),
                "why": row.why(lang),
                "held_by": list(row.held_by),
            }
            for row in report.projects
        ],
        "units": [
            {name: getattr(unit, name) for name in slippage.UnitSlippage.__slots__} for unit in report.units
        ],
    }


def slippage_file(*, session: Session, run_id: int, fmt: str, lang: str = "zh") -> bytes:
    """The run's slippage report as json, csv (per project) or xlsx (per project and per unit)."""
    report = planning.run_slippage(session=session, run_id=run_id)
    if fmt == "json":
        return json.dumps(slippage_json(report, lang), ensure_ascii=False).encode("utf-8")
    if fmt == "xlsx":
        return slippage.report_xlsx(report, lang)
    return slippage.report_csv(report, lang)
