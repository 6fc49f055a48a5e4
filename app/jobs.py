"""Trade-off jobs in the background: a budget sweep (the trade-off curve) or a least-budget search.

A job is a row (app.models.Job) holding the exact MODEL.md problem it works on, moved through queued →
running → done / failed / cancelled like a run (app/runs.py). The work itself is app.tradeoffs'; this
module stores its progress as it goes — a sweep's points are readable while the other levels still solve.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy import update as sql_update
from sqlmodel import Session, select

from app import planning, projects, scenarios, tradeoffs
from app.budgets import BudgetSpecError
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import Message, render
from app.job_errors import (
    CANCELLED_QUEUED,
    CANCELLED_RUNNING,
    INTERRUPTED_BY_RESTART,
    INTERRUPTED_BY_SHUTDOWN,
    error_text,
)
from app.models import (
    Job,
    JobKind,
    LeastBudgetCreate,
    LeastBudgetPublic,
    RunStatus,
    Scenario,
    SweepCreate,
    SweepPublic,
    User,
    utcnow,
)
from app.problem_builder import PLAN_PERIOD_END
from app.solver_messages import message_from_json, message_json

if TYPE_CHECKING:
    from solver import Problem

log = logging.getLogger(__name__)

DEFAULT_LEVELS = "0.5:1.5:0.1"


# ── the pool ──────────────────────────────────────────────────────────────────────────────────────


class JobPool:
    """Runs jobs one (or `workers`) at a time; a sweep solves its levels in parallel inside its job."""

    def __init__(self, *, engine: Engine, workers: int = 1, solver_threads: int = 2) -> None:
        self._engine = engine
        self._solver_threads = solver_threads
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="capsched-job")
        self._stops: dict[int, threading.Event] = {}
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        stop = threading.Event()
        with self._lock:
            self._stops[job_id] = stop
        self._executor.submit(self._work, job_id, stop)

    def request_stop(self, job_id: int) -> bool:
        with self._lock:
            stop = self._stops.get(job_id)
        if stop is None:
            return False
        stop.set()
        return True

    def shutdown(self) -> None:
        """Stop every job, wait for the threads, and mark what did not finish as interrupted."""
        with self._lock:
            for stop in self._stops.values():
                stop.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        with Session(self._engine) as session:
            mark_interrupted(session=session, reason=INTERRUPTED_BY_SHUTDOWN)

    def _work(self, job_id: int, stop: threading.Event) -> None:
        try:
            execute(engine=self._engine, job_id=job_id, workers=self._solver_threads, stop=stop)
        except Exception as err:  # a crash of one job must not kill the pool: record it on the job
            log.exception("job %s crashed", job_id)
            _finish(self._engine, job_id, RunStatus.FAILED, error=f"{type(err).__name__}: {err}")
        finally:
            with self._lock:
                self._stops.pop(job_id, None)


def mark_interrupted(*, session: Session, reason: str = INTERRUPTED_BY_RESTART) -> int:
    """Mark jobs left queued or running (by a process that is gone) as failed; how many."""
    result = session.execute(
        sql_update(Job)
        .where(Job.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
        .values(status=RunStatus.FAILED, error=reason, finished_at=utcnow())
    )
    session.commit()
    return result.rowcount


# ── services ──────────────────────────────────────────────────────────────────────────────────────


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


def _seconds(
    scenario: Scenario, time_limit: float | None, default_time_limit: float, max_time_limit: float
) -> float:
    seconds = time_limit or scenario.time_limit or default_time_limit
    if seconds > max_time_limit:
        raise InvalidInput(
            Message("time_limit_over_max", seconds=f"{seconds:g}", limit=f"{max_time_limit:g}"),
            [(("body", "time_limit"), Message("at_most", limit=f"{max_time_limit:g}"))],
        )
    return seconds


def _stars(session: Session, scenario: Scenario) -> list[str]:
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    return [row.code for row in rows if row.star]


def _spec(value: str | list[Any] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(str(v) for v in value)


def sweep_levels(problem: Problem, data: SweepCreate) -> tuple[tradeoffs.BudgetLevel, ...]:
    """The budget levels the request names (scale factors of the caps, or flat amounts); InvalidInput."""
    if data.levels is not None and data.amounts is not None:
        raise InvalidInput(
            Message("sweep_levels_and_amounts"), [(("body", "levels"), Message("not_with_amounts"))]
        )
    try:
        if data.amounts is not None:
            amounts = tradeoffs.parse_amounts(_spec(data.amounts) or "")
            return tradeoffs.flat_levels(problem.first_year, problem.last_year, amounts)
        factors = tradeoffs.parse_levels(_spec(data.levels) or DEFAULT_LEVELS)
        return tradeoffs.scaled_levels(problem.budget, factors)
    except BudgetSpecError as err:
        field = "amounts" if data.amounts is not None else "levels"
        raise InvalidInput(str(err), [(("body", field), str(err))]) from err


def _queue(session: Session, pool: JobPool, job: Job) -> Job:
    session.add(job)
    session.commit()
    session.refresh(job)
    pool.submit(job.id)
    return job


def start_sweep(
    *,
    session: Session,
    pool: JobPool,
    scenario_id: int,
    user: User,
    data: SweepCreate,
    default_time_limit: float,
    max_time_limit: float,
) -> Job:
    """Store a queued sweep of the scenario and hand it to the pool; returns at once."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    seconds = _seconds(scenario, data.time_limit, default_time_limit, max_time_limit)
    problem = planning.build_scenario_problem(session=session, scenario_id=scenario_id)
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
        "stars": _stars(session, scenario),
        "current_cap_wan": round(sum(caps) / len(caps), 1),
    }
    job = Job(scenario_id=scenario_id, kind=JobKind.SWEEP, params=params, started_by=user.name)
    job.progress = {"done": 0, "total": len(levels)}
    return _queue(session, pool, job)


def start_least_budget(
    *,
    session: Session,
    pool: JobPool,
    scenario_id: int,
    user: User,
    data: LeastBudgetCreate,
    default_time_limit: float,
    max_time_limit: float,
) -> Job:
    """Store a queued least-budget search of the scenario and hand it to the pool; returns at once."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    seconds = _seconds(scenario, data.time_limit, default_time_limit, max_time_limit)
    problem = planning.build_scenario_problem(session=session, scenario_id=scenario_id)
    params = {
        "problem": problem.to_json(),
        "rule": str(data.rule),
        "scale_of": {str(y): c for y, c in problem.budget.items()} if data.scale else None,
        "time_limit": seconds,
        "stars": _stars(session, scenario),
        "star_deadline": scenario.star_deadline or PLAN_PERIOD_END,
    }
    job = Job(scenario_id=scenario_id, kind=JobKind.LEAST_BUDGET, params=params, started_by=user.name)
    return _queue(session, pool, job)


def cancel(*, session: Session, pool: JobPool, job_id: int, kind: JobKind) -> Job:
    """Cancel a queued job at once, or ask a running one to stop (it keeps what it has found)."""
    job = get(session=session, job_id=job_id, kind=kind)
    if RunStatus(job.status).finished:
        key = "sweep_already_finished" if kind == JobKind.SWEEP else "least_budget_already_finished"
        status = Message(f"run_status_{job.status}")
        raise Conflict(Message(key, job=job_id, status=status), ["status"])
    pool.request_stop(job_id)
    session.execute(
        sql_update(Job)
        .where(Job.id == job_id, Job.status == RunStatus.QUEUED)
        .values(status=RunStatus.CANCELLED, finished_at=utcnow(), error=CANCELLED_QUEUED)
    )
    session.commit()
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


def curve_file(*, session: Session, job_id: int, fmt: str, lang: str = "zh") -> bytes:
    """The sweep's curve: the chart (json/html/png/svg/pdf, current budget marked) or the table (csv/xlsx).
    Drawn from the points solved so far, so a running sweep gives its partial curve."""
    from app import curve_chart, export

    job = get(session=session, job_id=job_id, kind=JobKind.SWEEP)
    points = sweep_points(job)
    try:
        if fmt == "csv":
            return tradeoffs.curve_csv(points, lang)
        if fmt == "xlsx":
            return tradeoffs.curve_xlsx(points, lang)
        figure = curve_chart.curve_figure(
            points, current_cap_wan=job.params.get("current_cap_wan"), lang=lang
        )
        return export.figure_bytes(figure, fmt)
    except (ValueError, export.ExportError) as err:
        raise InvalidInput(str(err), [(("query",), str(err))]) from err


# ── execution ─────────────────────────────────────────────────────────────────────────────────────


def _claim(engine: Engine, job_id: int) -> tuple[dict[str, Any], str] | None:
    """Move the job from queued to running; its params, or None if it was cancelled meanwhile."""
    with Session(engine) as session:
        claimed = session.execute(
            sql_update(Job)
            .where(Job.id == job_id, Job.status == RunStatus.QUEUED)
            .values(status=RunStatus.RUNNING, started_at=utcnow())
        )
        session.commit()
        if claimed.rowcount != 1:
            return None
        job = session.get(Job, job_id)
        return dict(job.params), job.kind


def _write(engine: Engine, job_id: int, **values: Any) -> None:
    with Session(engine) as session:
        session.execute(sql_update(Job).where(Job.id == job_id).values(**values))
        session.commit()


def _finish(
    engine: Engine, job_id: int, status: RunStatus, *, error: str | None = None, **values: Any
) -> None:
    _write(
        engine, job_id, status=status, finished_at=utcnow(), error=error[:4000] if error else None, **values
    )


def execute(*, engine: Engine, job_id: int, workers: int = 2, stop: threading.Event | None = None) -> None:
    """Do a queued job and store its result; nothing if it was no longer queued."""
    claimed = _claim(engine, job_id)
    if claimed is None:
        return
    params, kind = claimed
    problem = planning.load_problem(params["problem"])
    if kind == JobKind.SWEEP:
        _execute_sweep(engine, job_id, problem, params, stop)
    else:
        _execute_least_budget(engine, job_id, problem, params, workers, stop)


def _level(stored: Mapping[str, Any]) -> tradeoffs.BudgetLevel:
    caps = {int(y): c for y, c in stored["caps"].items()}
    return tradeoffs.BudgetLevel(stored["level"], caps, flat_wan=stored.get("flat_wan"))


def _execute_sweep(
    engine: Engine, job_id: int, problem: Problem, params: Mapping[str, Any], stop: threading.Event | None
) -> None:
    levels = [_level(stored) for stored in params["levels"]]
    points: list[dict[str, Any]] = []

    def report(progress: tradeoffs.SweepProgress) -> None:
        points.append(progress.point.to_json())
        _write(
            engine,
            job_id,
            progress={"done": progress.done, "total": progress.total},
            result={"points": list(points)},
        )

    curve = tradeoffs.sweep(
        problem,
        levels,
        time_limit=params["time_limit"],
        hints=params.get("hints", True),
        stars=params.get("stars"),
        progress=report,
        stop=stop,
    )
    final = [point.to_json() for point in curve.points]
    status = RunStatus.CANCELLED if stop is not None and stop.is_set() else RunStatus.DONE
    _finish(
        engine,
        job_id,
        status,
        error=CANCELLED_RUNNING if status is RunStatus.CANCELLED else None,
        progress={"done": len(final), "total": len(levels)},
        result={"points": final, "wall_seconds": round(curve.wall_seconds, 3)},
    )


def _step_json(step: tradeoffs.BisectionStep) -> dict[str, Any]:
    return {
        "key": step.key,
        "caps_total_wan": step.caps_total_wan,
        "verdict": str(step.verdict),
        "seconds": round(step.seconds, 3),
        "low": step.low,
        "high": step.high,
    }


def _execute_least_budget(
    engine: Engine,
    job_id: int,
    problem: Problem,
    params: Mapping[str, Any],
    workers: int,
    stop: threading.Event | None,
) -> None:
    steps: list[dict[str, Any]] = []

    def report(step: tradeoffs.BisectionStep) -> None:
        steps.append(_step_json(step))
        progress = {"steps": len(steps), "low": step.low, "high": step.high}
        _write(engine, job_id, progress=progress, result={"steps": list(steps)})

    scale_of = params.get("scale_of")
    answer = tradeoffs.least_budget(
        problem,
        rule=tradeoffs.Rule(params["rule"]),
        scale_of={int(y): c for y, c in scale_of.items()} if scale_of else None,
        time_limit=params["time_limit"],
        workers=workers,
        stars=params.get("stars"),
        star_deadline=params.get("star_deadline", PLAN_PERIOD_END),
        progress=report,
        stop=stop,
    )
    result = {
        "outcome": str(answer.outcome),
        "message": message_json(answer.message),
        "amount_wan": answer.amount_wan,
        "scale": answer.scale,
        "caps": {str(y): c for y, c in answer.caps.items()} if answer.caps else None,
        "steps": [_step_json(step) for step in answer.steps],
        "solution": answer.solution.to_json() if answer.solution is not None else None,
    }
    cancelled = answer.outcome is tradeoffs.Outcome.CANCELLED
    _finish(
        engine,
        job_id,
        RunStatus.CANCELLED if cancelled else RunStatus.DONE,
        error=CANCELLED_RUNNING if cancelled else None,
        progress={"steps": len(answer.steps)},
        result=result,
    )
