"""A run's schedule as files: the funding Gantt (json/html/png/svg/pdf) and the schedule table (csv/xlsx).

Drawn from the run's stored Solution and the portfolio's projects (names, categories, plans).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app import baselines, charts, export, projects, runs, scenarios
from app.errors import Conflict, InvalidInput
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
        raise Conflict(f"run {run_id} has no schedule yet (status {run.status})", ["status"])
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
