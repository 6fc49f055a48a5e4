"""Trade-off jobs: a budget sweep (the trade-off curve) or a least-budget search over a scenario.

A job is a row (app.models.Job) holding the exact MODEL.md problem it works on, queued and handed to the
background pool (app/background.py) like a run; app/runner.py does the work and stores its progress as it
goes — a sweep's points are readable while the other levels still solve. This module stores, lists,
cancels and shows jobs, and draws a sweep's curve.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.background import Submitter, cancel_queued, ensure_room
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import Message, render
from app.i18n.failures import CANCELLED_QUEUED, error_text
from app.i18n.solver import message_from_json
from app.models import (
    Job,
    JobKind,
    LeastBudgetCreate,
    LeastBudgetPublic,
    RunStatus,
    SweepCreate,
    SweepPublic,
    User,
)
from app.rules import sweep
from app.rules.budgets import BudgetSpecError
from app.rules.problem import PLAN_PERIOD_END
from app.services import audit, scenarios
from solver import Problem

DEFAULT_LEVELS = "0.5:1.5:0.1"


def get(*, session: Session, job_id: int, kind: JobKind) -> Job:
    """The job of that kind, or NotFound (a sweep id is not a least-budget id)."""
    job = session.get(Job, job_id)
    if job is None or job.kind != kind:
        raise NotFound("sweep" if kind is JobKind.SWEEP else "least-budget job", job_id)
    return job


def list_jobs(*, session: Session, scenario_id: int, kind: JobKind) -> list[Job]:
    """The scenario's jobs of that kind, newest first."""
    scenarios.get(session=session, scenario_id=scenario_id)
    query = select(Job).where(Job.scenario_id == scenario_id, Job.kind == kind).order_by(Job.id.desc())
    return list(session.exec(query))


def _spec(value: str | list[Any] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(str(v) for v in value)


def sweep_levels(problem: Problem, data: SweepCreate) -> tuple[sweep.BudgetLevel, ...]:
    """The budget levels the request names (scale factors of the caps, or flat amounts); InvalidInput."""
    if data.levels is not None and data.amounts is not None:
        raise InvalidInput(
            Message("sweep_levels_and_amounts"), [(("body", "levels"), Message("not_with_amounts"))]
        )
    try:
        if data.amounts is not None:
            amounts = sweep.parse_amounts(_spec(data.amounts) or "")
            return sweep.flat_levels(problem.first_year, problem.last_year, amounts)
        factors = sweep.parse_levels(_spec(data.levels) or DEFAULT_LEVELS)
        return sweep.scaled_levels(problem.budget, factors)
    except BudgetSpecError as err:
        field = "amounts" if data.amounts is not None else "levels"
        raise InvalidInput(str(err), [(("body", field), str(err))]) from err


def _queue(session: Session, pool: Submitter, job: Job, user: User) -> Job:
    session.add(job)
    session.flush()
    scenario = scenarios.get(session=session, scenario_id=job.scenario_id)
    asked = {k: v for k, v in job.params.items() if k not in ("problem", "levels", "stars", "seats")}
    audit.record(
        session,
        actor=user,
        entity="job",
        entity_id=job.id,
        portfolio_id=scenario.portfolio_id,
        action=f"start:{job.kind}",
        new={"scenario_id": job.scenario_id, **asked},
    )
    session.commit()
    session.refresh(job)
    pool.submit(job.kind, job.id)
    return job


def start_sweep(
    *,
    session: Session,
    pool: Submitter,
    scenario_id: int,
    user: User,
    data: SweepCreate,
    default_time_limit: float,
    max_time_limit: float,
) -> Job:
    """Store a queued sweep of the scenario and hand it to the pool; returns at once (QueueFull when the
    pool's queue is full)."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    ensure_room(session, pool)
    seconds = scenarios.time_limit_for(
        scenario, data.time_limit, default_time_limit=default_time_limit, max_time_limit=max_time_limit
    )
    problem = scenarios.problem_of(session=session, scenario_id=scenario_id)
    levels = sweep_levels(problem, data)
    caps = list(problem.budget.values())
    params = {
        "problem": problem.to_json(),
        "levels": [
            {"level": lv.level, "flat_wan": lv.flat_wan, "caps": {str(y): c for y, c in lv.caps.items()}}
            for lv in levels
        ],
        "time_limit": seconds,
        "hints": data.hints,
        "stars": scenarios.star_codes(session=session, scenario=scenario),
        "seats": dict(scenarios.seats_of(session=session, scenario_id=scenario_id).seats),
        "objective": str(scenario.objective),
        "current_cap_wan": round(sum(caps) / len(caps), 1),
    }
    job = Job(scenario_id=scenario_id, kind=JobKind.SWEEP, params=params, started_by=user.name)
    job.progress = {"done": 0, "total": len(levels)}
    return _queue(session, pool, job, user)


def start_least_budget(
    *,
    session: Session,
    pool: Submitter,
    scenario_id: int,
    user: User,
    data: LeastBudgetCreate,
    default_time_limit: float,
    max_time_limit: float,
) -> Job:
    """Store a queued least-budget search of the scenario and hand it to the pool; returns at once
    (QueueFull when the pool's queue is full)."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    ensure_room(session, pool)
    seconds = scenarios.time_limit_for(
        scenario, data.time_limit, default_time_limit=default_time_limit, max_time_limit=max_time_limit
    )
    problem = scenarios.problem_of(session=session, scenario_id=scenario_id)
    params = {
        "problem": problem.to_json(),
        "rule": str(data.rule),
        "scale_of": {str(y): c for y, c in problem.budget.items()} if data.scale else None,
        "time_limit": seconds,
        "stars": scenarios.star_codes(session=session, scenario=scenario),
        "star_deadline": scenario.star_deadline or PLAN_PERIOD_END,
    }
    job = Job(scenario_id=scenario_id, kind=JobKind.LEAST_BUDGET, params=params, started_by=user.name)
    return _queue(session, pool, job, user)


def cancel(*, session: Session, pool: Submitter, job_id: int, kind: JobKind, user: User) -> Job:
    """Cancel a queued job at once, or ask a running one to stop (it keeps what it has found)."""
    job = get(session=session, job_id=job_id, kind=kind)
    if RunStatus(job.status).finished:
        key = "sweep_already_finished" if kind == JobKind.SWEEP else "least_budget_already_finished"
        status = Message(f"run_status_{job.status}")
        raise Conflict(Message(key, job=job_id, status=status), ["status"])
    scenario = scenarios.get(session=session, scenario_id=job.scenario_id)
    audit.record(
        session,
        actor=user,
        entity="job",
        entity_id=job_id,
        portfolio_id=scenario.portfolio_id,
        action="cancel",
        old={"status": job.status},
    )
    session.commit()
    pool.request_stop(job.kind, job_id)
    cancel_queued(session, Job, job_id, CANCELLED_QUEUED)
    session.refresh(job)
    return job


def sweep_points(job: Job) -> list[dict[str, Any]]:
    """The points solved so far, in order of increasing budget."""
    points = (job.result or {}).get("points", [])
    return sorted(points, key=lambda p: (p["budget_total_wan"], p["level"]))


def sweep_public(job: Job, lang: str = "zh") -> SweepPublic:
    """The API's view of a sweep; its error, if any, in `lang`."""
    return SweepPublic.model_validate(
        job,
        update={
            "points": sweep_points(job),
            "current_cap_wan": job.params.get("current_cap_wan", 0.0),
            "error": error_text(job.error, lang),
        },
    )


def least_budget_public(job: Job, lang: str = "zh") -> LeastBudgetPublic:
    """The API's view of a least-budget search; its answer and error in `lang`."""
    result = job.result or {}
    stored = result.get("message")
    message = render(message_from_json(stored), lang) if isinstance(stored, dict) else stored
    return LeastBudgetPublic.model_validate(
        job,
        update={
            "rule": job.params["rule"],
            "mode": "scale" if job.params.get("scale_of") else "flat",
            "outcome": result.get("outcome"),
            "message": message,
            "error": error_text(job.error, lang),
            "amount_wan": result.get("amount_wan"),
            "scale": result.get("scale"),
            "caps": result.get("caps"),
            "steps": result.get("steps", []),
            "result": result.get("solution"),
        },
    )


def curve_file(
    *, session: Session, job_id: int, fmt: str, lang: str = "zh", measure: str | None = None
) -> bytes:
    """The sweep's curve: the chart (json/html/png/svg/pdf, current budget marked) or the table (csv/xlsx).
    Drawn from the points solved so far, so a running sweep gives its partial curve. `measure` is what the
    chart plots: objective (what the scenario minimised) or seat_years (default: the scenario's objective)."""
    from app.charts import curve_figure
    from app.files import figures, report_tables

    job = get(session=session, job_id=job_id, kind=JobKind.SWEEP)
    points = sweep_points(job)
    try:
        if fmt == "csv":
            return report_tables.curve_csv(points, lang)
        if fmt == "xlsx":
            return report_tables.curve_xlsx(points, lang)
        measure = measure or ("seat_years" if job.params.get("objective") == "seat_years" else "objective")
        figure = curve_figure(
            points,
            current_cap_wan=job.params.get("current_cap_wan"),
            lang=lang,
            measure=measure,
            objective=job.params.get("objective", "weighted_slippage"),
        )
        return figures.figure_bytes(figure, fmt)
    except (ValueError, figures.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err
