"""Background jobs over a scenario: a budget sweep (the trade-off curve), a least-budget search, a cost risk
analysis.

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
    RiskCreate,
    RiskPublic,
    RunStatus,
    SweepCreate,
    SweepPublic,
    User,
)
from app.rules import sweep
from app.rules.budgets import BudgetSpecError
from app.rules.funding import rules_for
from app.rules.overruns import Assumptions, OverrunError, describe_assumptions, funding_rules_json
from app.rules.problem import PLAN_PERIOD_END
from app.rules.risk import DEFAULT_WORK_LIMIT
from app.services import audit, baselines, funding, projects, scenarios
from solver import Problem, Solution

DEFAULT_LEVELS = "0.5:1.5:0.1"


_NOUNS = {JobKind.SWEEP: "sweep", JobKind.LEAST_BUDGET: "least-budget job", JobKind.RISK: "risk analysis"}
_FINISHED = {
    JobKind.SWEEP: "sweep_already_finished",
    JobKind.LEAST_BUDGET: "least_budget_already_finished",
    JobKind.RISK: "risk_already_finished",
}
_NOT_AUDITED = (
    "problem",
    "levels",
    "stars",
    "seats",
    "names",
    "categories",
    "natures",
    "plan",
    "funding_rules",
)  # large, or in the row


def get(*, session: Session, job_id: int, kind: JobKind) -> Job:
    """The job of that kind, or NotFound (a sweep id is not a least-budget id)."""
    job = session.get(Job, job_id)
    if job is None or job.kind != kind:
        raise NotFound(_NOUNS[kind], job_id)
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
    asked = {k: v for k, v in job.params.items() if k not in _NOT_AUDITED}
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
        status = Message(f"run_status_{job.status}")
        raise Conflict(Message(_FINISHED[kind], job=job_id, status=status), ["status"])
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
            confidence_budget=_confidence_budget(session, job.scenario_id),
            lang=lang,
            measure=measure,
            objective=job.params.get("objective", "weighted_slippage"),
        )
        return figures.figure_bytes(figure, fmt)
    except (ValueError, figures.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err


# ── cost risk ────────────────────────────────────────────────────────────────────────────────────


def _assumptions(data: RiskCreate, categories: set[str], natures: set[str]) -> Assumptions:
    """The request's overrun assumptions, naming only categories and natures the portfolio has."""
    try:
        assumptions = Assumptions.from_json(data.overrun)
    except OverrunError as err:
        words = Message("risk_overrun_invalid", detail=str(err))
        raise InvalidInput(words, [(("body", "overrun"), str(err))]) from err
    for kind, given, known in (
        ("category", assumptions.categories, categories),
        ("nature", assumptions.natures, natures),
    ):
        for name in given:
            if name not in known:
                words = Message(
                    "risk_unknown_group",
                    kind=Message(f"risk_kind_{kind}"),
                    name=name,
                    known="、".join(sorted(known)) or "—",
                )
                part = "categories" if kind == "category" else "natures"
                raise InvalidInput(words, [(("body", "overrun", part, name), words)])
    return assumptions


def _covers(solution: dict[str, Any] | None, problem: Problem) -> bool:
    """Whether a stored schedule schedules every project of `problem` inside its horizon."""
    if not solution:
        return False
    plan = Solution.from_json(solution)
    by_id = {s.id: s for s in plan.projects}
    for p in problem.projects:
        s = by_id.get(p.id)
        if s is None or not s.scheduled or any(t not in problem.budget for t in s.funding):
            return False
    return True


def _fixed_plan(
    session: Session, portfolio_id: int, problem: Problem, asked: str
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The schedule the fixed plan keeps (None: the deterministic one) and where it comes from."""
    if asked == "deterministic":
        return None, {"source": "deterministic", "reason": "asked"}
    baseline = baselines.current(session=session, portfolio_id=portfolio_id)
    if baseline is None:
        return None, {"source": "deterministic", "reason": "no_baseline"}
    solution = baselines.solution_of(session=session, portfolio_id=portfolio_id)
    if not _covers(solution, problem):
        return None, {"source": "deterministic", "reason": "baseline_mismatch", "run_id": baseline.run_id}
    source = {
        "source": "baseline",
        "run_id": baseline.run_id,
        "approved_by": baseline.approved_by,
        "approved_at": baseline.approved_at.isoformat(),
    }
    return solution, source


def start_risk(
    *,
    session: Session,
    pool: Submitter,
    scenario_id: int,
    user: User,
    data: RiskCreate,
    max_time_limit: float,
) -> Job:
    """Store a queued cost risk analysis of the scenario and hand it to the pool; returns at once. Every
    limit is checked here, before any work: the queue (QueueFull when the pool's queue is full), the
    assumptions, the work and time limits."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    ensure_room(session, pool)
    problem = scenarios.problem_of(session=session, scenario_id=scenario_id)
    records = scenarios.records_of(session=session, scenario_id=scenario_id)
    known = projects.summarize(session=session, portfolio_id=scenario.portfolio_id)
    assumptions = _assumptions(data, set(known["categories"]), set(known["natures"]))
    work_limit = data.work_limit or DEFAULT_WORK_LIMIT
    if work_limit > max_time_limit:
        words = Message("risk_work_limit_over_max", seconds=f"{work_limit:g}", limit=f"{max_time_limit:g}")
        raise InvalidInput(words, [(("body", "work_limit"), Message("at_most", limit=f"{max_time_limit:g}"))])
    # the clock only guards a solve the work limit ends first: the server's longest, not the scenario's
    time_limit = data.time_limit or max_time_limit
    if time_limit > max_time_limit:
        words = Message("time_limit_over_max", seconds=f"{time_limit:g}", limit=f"{max_time_limit:g}")
        raise InvalidInput(words, [(("body", "time_limit"), Message("at_most", limit=f"{max_time_limit:g}"))])
    plan, source = _fixed_plan(session, scenario.portfolio_id, problem, data.fixed_plan)
    codes = {p.id for p in problem.projects}
    funding_plan = funding.plan_of(session=session, scenario=scenario)
    by_code = {r.code: r for r in records if r.code in codes}
    applied = (
        {
            p.id: rules_for(p.id, by_code[p.id].category, funding_plan.rules)
            for p in problem.projects
            if p.funding is not None and p.id in by_code
        }
        if funding_plan is not None
        else {}
    )
    params = {
        "problem": problem.to_json(),
        "samples": data.samples,
        "seed": data.seed,
        "confidence": data.confidence,
        "overrun": assumptions.to_json(),
        "names": {r.code: r.name for r in records if r.code in codes},
        "categories": {r.code: r.category for r in records if r.code in codes},
        "natures": {r.code: r.nature for r in records if r.code in codes and r.nature is not None},
        "stars": scenarios.star_codes(session=session, scenario=scenario),
        "star_deadline": scenario.star_deadline or PLAN_PERIOD_END,
        "plan": plan,
        "plan_source": source,
        # with funding sources: the rules behind each project's limits, so a share follows its cost
        "funding_rules": funding_rules_json(applied),
        "objective": str(scenario.objective),
        "work_limit": work_limit,
        "time_limit": max(time_limit, work_limit),
    }
    job = Job(scenario_id=scenario_id, kind=JobKind.RISK, params=params, started_by=user.name)
    job.progress = {"phase": "queued", "done": 0, "total": data.samples}
    return _queue(session, pool, job, user)


def assumptions_note(assumptions: dict[str, Any], lang: str = "zh") -> str:
    """The overrun assumptions in words, labelled as assumptions with their basis."""
    return render(describe_assumptions(assumptions), lang)


def risk_public(job: Job, lang: str = "zh") -> RiskPublic:
    """The API's view of a risk analysis: its figures, the assumptions in words, and its error in `lang`."""
    params = job.params
    return RiskPublic.model_validate(
        job,
        update={
            "samples": params["samples"],
            "seed": params["seed"],
            "confidence": params["confidence"],
            "assumptions": params["overrun"],
            "assumptions_note": assumptions_note(params["overrun"], lang),
            "fixed_plan": params["plan_source"],
            "names": params.get("names", {}),
            "result": job.result,
            "error": error_text(job.error, lang),
        },
    )


def _confidence_budget(session: Session, scenario_id: int) -> tuple[int, float] | None:
    """The P80 (or other confidence) budget of the scenario's newest risk analysis, to mark on its curve."""
    job = latest_risk(session=session, scenario_id=scenario_id)
    budget = (job.result or {}).get("budget") if job is not None else None
    if not budget or budget.get("amount_wan") is None:
        return None
    return budget["amount_wan"], budget["confidence"]


def risk_file(*, session: Session, job_id: int, chart: str, fmt: str, lang: str = "zh") -> bytes:
    """A chart of a finished risk analysis (probability, slippage, budget) as json/html/png/svg/pdf."""
    from app.charts.risk import risk_chart
    from app.files import figures

    job = get(session=session, job_id=job_id, kind=JobKind.RISK)
    if job.result is None:
        status = Message(f"run_status_{job.status}")
        raise Conflict(Message("risk_not_finished", job=job_id, status=status), ["status"])
    records = scenarios.records_of(session=session, scenario_id=job.scenario_id)
    budget = job.params["problem"]["budget"]
    try:
        figure = risk_chart(
            chart,
            job.result,
            names={r.code: r.name for r in records},
            current_cap_wan=sum(budget.values()) / len(budget),
            lang=lang,
        )
        return figures.figure_bytes(figure, fmt)
    except (ValueError, figures.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err


def latest_risk(*, session: Session, scenario_id: int) -> Job | None:
    """The scenario's newest finished risk analysis, or None."""
    query = (
        select(Job)
        .where(Job.scenario_id == scenario_id, Job.kind == JobKind.RISK, Job.status == RunStatus.DONE)
        .order_by(Job.id.desc())
    )
    return session.exec(query).first()
