"""A run as files: the funding Gantt (json/html/png/svg/pdf), the schedule table (csv/xlsx) and the
slippage report (json/csv/xlsx), drawn from the run's stored Solution, the portfolio's projects (names,
categories, plans) and its baseline.

Gantt files are kept in a small in-memory cache keyed by everything they are drawn from (the solution, the
project records, the baseline, the status date and the options), so many readers of one chart build it once:
a changed project, baseline or status date is a different key, never a stale chart."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import Any

import orjson
from cachetools import LRUCache
from sqlmodel import Session, select

from app import charts
from app.charts.sources import source_spend_chart
from app.errors import Conflict, InvalidInput
from app.files import annual_plan, documents, figures, mspdi, report_tables, run_report, schedule, template
from app.i18n import Message, t
from app.models import Baseline
from app.rules import slippage
from app.rules.annual_plan import annual_plan as plan_of_year
from app.rules.portfolio import ProjectRecord
from app.rules.run_context import RunContext
from app.services import actuals, baselines, jobs, portfolios, projects, runs, scenarios
from solver import Problem, Solution

CHART_CACHE_BYTES = 64 * 1024 * 1024
_charts: LRUCache[tuple[Any, ...], bytes] = LRUCache(maxsize=CHART_CACHE_BYTES, getsizeof=len)
_charts_lock = threading.Lock()  # cachetools' caches are not thread-safe; building happens outside it


def _solution_and_records(session: Session, run_id: int) -> tuple[dict[str, Any], list[ProjectRecord]]:
    solution, records, _ = _with_baseline(session, run_id)
    return solution, records


def _with_baseline(
    session: Session, run_id: int
) -> tuple[dict[str, Any], list[ProjectRecord], dict[str, Any] | None]:
    """The run's solution, its portfolio's records, and the portfolio's baseline solution (or None)."""
    run = runs.get(session=session, run_id=run_id, with_problem=False)
    if run.solution is None:
        status = Message(f"run_status_{run.status}")
        raise Conflict(Message("run_no_schedule_yet", run=run_id, status=status), ["status"])
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    baseline = baselines.solution_of(session=session, portfolio_id=scenario.portfolio_id)
    return run.solution, [projects.as_record(row) for row in rows], baseline


def context_of(*, session: Session, run_id: int) -> RunContext:
    """The run's sources (as they were when it ran) and objective, for its charts and files."""
    run = runs.get(session=session, run_id=run_id)
    return RunContext.of(run.sources, run.seats)


def gantt_file(
    *,
    session: Session,
    run_id: int,
    fmt: str,
    lang: str = "zh",
    sort: str = "start",
    page: int = 1,
    group: str = "category",
    collapsed: Sequence[str] = (),
    years: tuple[int | None, int | None] | None = None,
    paper: str = "A4",
    zone: tzinfo = UTC,
) -> bytes:
    """The funding Gantt of a run. json, png and svg: the page asked for; html: every page; pdf: the run
    report's Gantt tiles, one a page with the year header on each and page numbers (readable at 10,000
    rows). It always draws the approved plan and lateness against it, the portfolio's baseline as an
    outline once finance has approved one, and the portfolio's status date."""
    solution, records, baseline = _with_baseline(session, run_id)
    run = runs.get(session=session, run_id=run_id)
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    status_date = portfolios.get(session=session, portfolio_id=scenario.portfolio_id).status_date
    options = {
        "lang": lang,
        "sort": sort,
        "baseline": baseline,
        "status_date": status_date,
        "context": RunContext.of(run.sources, run.seats),
        "group": group,
        "collapsed": tuple(collapsed),
        "years": years,
    }
    if fmt == "pdf":  # big, and drawn rarely: not kept
        try:
            facts = run_facts(session=session, run_id=run_id, zone=zone)
            return documents.pdf_bytes(
                run_report.gantt_document(solution, records, facts=facts, paper=paper, **options)
            )
        except (ValueError, figures.ExportError) as err:
            raise InvalidInput(str(err), [(("query",), str(err))]) from err
    drawn_from = orjson.dumps(
        [solution, baseline, run.sources, run.seats], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    )
    key = (
        fmt,
        lang,
        sort,
        page,
        group,
        tuple(collapsed),
        years,
        status_date,
        tuple(records),
        hashlib.blake2b(drawn_from).digest(),
    )
    with _charts_lock:
        cached = _charts.get(key)
    if cached is not None:
        return cached
    try:
        if fmt == "html":
            content = figures.figures_html(charts.gantt_figures(solution, records, **options))
        else:
            content = figures.figure_bytes(charts.funding_gantt(solution, records, page=page, **options), fmt)
    except (ValueError, figures.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err
    with _charts_lock:
        _charts[key] = content
    return content


def schedule_file(*, session: Session, run_id: int, fmt: str, lang: str = "zh") -> bytes:
    """The schedule table of a run: one row per project, one column per year."""
    solution, records = _solution_and_records(session, run_id)
    context = context_of(session=session, run_id=run_id)
    try:
        if fmt == "xlsx":
            return schedule.schedule_xlsx(solution, records, lang=lang, context=context)
        return schedule.schedule_csv(solution, records, lang=lang)
    except ValueError as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err


def slippage_json(report: slippage.SlippageReport, lang: str = "zh") -> dict[str, Any]:
    """The report as JSON: per project (with the reason's label and why in words) and per unit."""
    return {
        "has_baseline": report.has_baseline,
        "has_sources": report.has_sources,
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
                "bound_sources": list(row.bound_sources),
                "bound_years": list(row.bound_years),
            }
            for row in report.projects
        ],
        "units": [
            {name: getattr(unit, name) for name in slippage.UnitSlippage.__slots__} for unit in report.units
        ],
    }


def slippage_file(*, session: Session, run_id: int, fmt: str, lang: str = "zh") -> bytes:
    """The run's slippage report as json, csv (per project) or xlsx (per project and per unit)."""
    report = run_slippage(session=session, run_id=run_id)
    if fmt == "json":
        return json.dumps(slippage_json(report, lang), ensure_ascii=False).encode("utf-8")
    if fmt == "xlsx":
        return report_tables.slippage_xlsx(report, lang)
    return report_tables.slippage_csv(report, lang)


def run_slippage(*, session: Session, run_id: int) -> slippage.SlippageReport:
    """The slippage report of a run's schedule: against the seed plan and the portfolio's baseline."""
    run = runs.get(session=session, run_id=run_id)
    solution = Solution.from_json(run.solution) if run.solution else None
    if solution is None or not solution.status.has_schedule:
        status = Message(f"run_status_{run.status}")
        raise Conflict(Message("run_no_schedule_to_report", run=run_id, status=status), ["status"])
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    baseline = baselines.solution_of(session=session, portfolio_id=scenario.portfolio_id)
    context = RunContext.of(run.sources, run.seats)
    return slippage.slippage_report(
        Problem.from_json(run.problem),
        solution,
        records=[projects.as_record(row) for row in rows],
        baseline=Solution.from_json(baseline) if baseline else None,
        source_names={s.id: s.name for s in context.sources},
    )


def sources_file(*, session: Session, run_id: int, fmt: str, lang: str = "zh") -> bytes:
    """The run's spending by funding source against each quota (stacked, per year); 422 for a run without
    sources."""
    solution, _ = _solution_and_records(session, run_id)
    try:
        figure = source_spend_chart(solution, context=context_of(session=session, run_id=run_id), lang=lang)
        return figures.figure_bytes(figure, fmt)
    except (ValueError, figures.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err


def run_facts(*, session: Session, run_id: int, zone: tzinfo = UTC) -> run_report.RunFacts:
    """Where the run's schedule comes from: portfolio, scenario, who ran it, who approved it and when
    (moments in `zone`, the office's time zone)."""
    run = runs.get(session=session, run_id=run_id)
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    portfolio = portfolios.get(session=session, portfolio_id=scenario.portfolio_id)
    approval = session.exec(
        select(Baseline).where(Baseline.run_id == run_id).order_by(Baseline.id.desc())
    ).first()
    return run_report.RunFacts(
        portfolio=portfolio.name,
        scenario=scenario.name,
        run_id=run.id,
        run_status=run.status,
        started_by=run.started_by,
        finished_at=run.finished_at.astimezone(zone) if run.finished_at else None,
        approved_by=approval.approved_by if approval else None,
        approved_at=approval.approved_at.astimezone(zone) if approval else None,
    )


def _risk_facts(session: Session, run_id: int, zone: tzinfo = UTC) -> run_report.RiskFacts | None:
    """The newest finished risk analysis of the run's scenario, for the report's risk page (None: none);
    when it finished in `zone`, the office's time zone."""
    run = runs.get(session=session, run_id=run_id)
    job = jobs.latest_risk(session=session, scenario_id=run.scenario_id)
    if job is None or job.result is None:
        return None
    return run_report.RiskFacts(
        job_id=job.id,
        figures=job.result,
        finished_at=job.finished_at.astimezone(zone) if job.finished_at else None,
        same_problem=job.params.get("problem") == run.problem,
    )


def report_file(
    *,
    session: Session,
    run_id: int,
    fmt: str = "pdf",
    lang: str = "zh",
    paper: str = "A4",
    sort: str = "start",
    zone: tzinfo = UTC,
) -> bytes:
    """The run report (title page, summary, Gantt pages, spend vs cap, slippage and unit tables, the cost
    risk page when the scenario has a finished risk analysis, costs with their basis) as PDF, or as the
    HTML the PDF is made from."""
    solution, records, baseline = _with_baseline(session, run_id)
    report = run_slippage(session=session, run_id=run_id)
    try:
        document = run_report.report_html(
            solution,
            records,
            facts=run_facts(session=session, run_id=run_id, zone=zone),
            slippage=report,
            lang=lang,
            paper=paper,
            sort=sort,
            baseline=baseline,
            context=context_of(session=session, run_id=run_id),
            risk=_risk_facts(session, run_id, zone),
        )
    except (ValueError, figures.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err
    return document.encode("utf-8") if fmt == "html" else documents.pdf_bytes(document)


def annual_plan_file(
    *, session: Session, run_id: int, year: int, fmt: str = "xlsx", lang: str = "zh", zone: tzinfo = UTC
) -> bytes:
    """The year's investment plan table (年度投资计划表) of the run's schedule: XLSX or PDF (A3 landscape).
    Money done before the year counts the portfolio's recorded actuals where there are any."""
    solution, records = _solution_and_records(session, run_id)
    facts = run_facts(session=session, run_id=run_id, zone=zone)
    run = runs.get(session=session, run_id=run_id)
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    spent = actuals.spent_by_code(session=session, portfolio_id=scenario.portfolio_id)
    context = context_of(session=session, run_id=run_id)
    try:
        plan = plan_of_year(
            solution,
            records,
            year=year,
            actuals=spent,
            source_kinds={s.id: s.kind for s in context.sources},
            sources_illustrative=context.illustrative,
        )
    except ValueError as err:
        raise InvalidInput(str(err), [(("query", "year"), str(err))]) from err
    approved = None
    if facts.approved_by:
        approved = t("report_approved", lang, by=facts.approved_by, when=f"{facts.approved_at:%Y-%m-%d}")
    heading = annual_plan.PlanFacts(
        portfolio=facts.portfolio, scenario=facts.scenario, run_id=facts.run_id, approved=approved
    )
    if fmt == "pdf":
        return annual_plan.plan_pdf(plan, facts=heading, lang=lang)
    return annual_plan.plan_xlsx(plan, facts=heading, lang=lang)


def template_file(*, session: Session, portfolio_id: int, lang: str = "zh") -> bytes:
    """The project-list template (XLSX, dropdowns) pre-filled with the portfolio's projects, the figures
    its drafts lack shaded: fill it in and import it again."""
    rows = projects.list_projects(session=session, portfolio_id=portfolio_id)
    return template.template_xlsx([projects.as_record(row) for row in rows], lang=lang)


def msproject_file(*, session: Session, run_id: int) -> bytes:
    """The run as MS Project XML (MSPDI): tasks by category, links from the run's problem, baseline = plan."""
    solution, records = _solution_and_records(session, run_id)
    run = runs.get(session=session, run_id=run_id)
    facts = run_facts(session=session, run_id=run_id)
    links = {str(p["id"]): list(p.get("after") or []) for p in (run.problem or {}).get("projects", [])}
    title = f"{facts.portfolio} · {facts.scenario} · #{run_id}"
    return mspdi.mspdi_xml(solution, records, title=title, predecessors=links)
