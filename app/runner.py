"""Doing the background work: a solve of a run, a budget sweep, a least-budget search, a risk analysis.

Each `execute_*` claims its queued row (app/background.py), works on the exact MODEL.md problem stored
with it — holding no database transaction while the solver runs — writes progress as it goes and stores
the result. A run solves in a child process its pool thread watches (app/solve_process.py); a job's
solves are tasks of the fan-out (app/fanout.py: the server's Dask cluster). `make_pool` binds them into the
one BackgroundPool the server runs. The only module besides app/services/scenarios.py that brings `solver`
and the database together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from app import background, solve_process
from app.background import BackgroundPool, Kind
from app.fanout import Fanout, LocalThreads
from app.i18n.failures import CANCELLED_KILLED, CANCELLED_RUNNING, KILLED_PAST_LIMIT, SOLVER_DIED
from app.i18n.solver import message_json
from app.models import Job, JobKind, Run, RunStatus
from app.rules import least_budget, risk, sweep
from app.rules.overruns import Assumptions, ProjectOverruns, funding_rules_from_json
from app.rules.problem import PLAN_PERIOD_END, Replan, merge_past
from app.services import runs
from app.solve_process import Ending, SolveFailed, solve_in_child
from solver import Problem, Progress, Solution, SolveParams

PROGRESS_EVERY_SECONDS = 0.5  # at most this often a run's progress is written to its row


def make_pool(
    *,
    engine: Engine,
    run_threads: int,
    solver_threads: int,
    max_queued: int = 20,
    nice: int = 0,
    fanout: Fanout | None = None,
) -> BackgroundPool:
    """The server's pool: solver runs on `run_threads` threads, sweeps, least-budget searches and risk
    analyses one at a time on one more, each fanning its solves out to `fanout` (default: threads of this
    process); a run's solve and a least-budget step get `solver_threads` CP-SAT threads; at most
    `max_queued` items (of every kind) wait to start; its threads run at CPU priority `nice` (Linux)."""
    fanout = fanout or LocalThreads()
    solve_process.prepare()

    def run(engine: Engine, item_id: int, stop: threading.Event) -> RunStatus | None:
        return execute_run(engine=engine, run_id=item_id, workers=solver_threads, stop=stop)

    def job(engine: Engine, item_id: int, stop: threading.Event) -> RunStatus | None:
        return execute_job(engine=engine, job_id=item_id, workers=solver_threads, stop=stop, fanout=fanout)

    kinds = {
        runs.KIND: Kind(Run, run, "runs"),
        JobKind.SWEEP: Kind(Job, job, "jobs"),
        JobKind.LEAST_BUDGET: Kind(Job, job, "jobs"),
        JobKind.RISK: Kind(Job, job, "jobs"),
    }
    lanes = {"runs": run_threads, "jobs": 1}
    return BackgroundPool(engine=engine, kinds=kinds, lanes=lanes, max_queued=max_queued, nice=nice)


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


# ── a run ────────────────────────────────────────────────────────────────────────────────────────


class _ProgressWriter:
    """Writes a run's progress to its row at most every PROGRESS_EVERY_SECONDS. The latest figures heard
    are kept and written once the interval has passed (`flush`, called while the solver is quiet too), so
    the row never shows older figures than the solver has: a bound found just after the first schedule is
    not lost until the next improvement."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self._engine, self._run_id = engine, run_id
        self._last = float("-inf")
        self._pending: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        self._pending = progress
        self.flush()

    def flush(self) -> None:
        now = time.monotonic()
        if self._pending is None or now - self._last < PROGRESS_EVERY_SECONDS:
            return
        progress, self._pending, self._last = self._pending, None, now
        values = {
            "elapsed": round(progress.elapsed, 3),
            "objective": progress.objective,
            "bound": progress.bound,
        }
        background.write(self._engine, Run, self._run_id, only_running=True, progress=values)


def _stored_replan(problem: Problem, stored: Mapping[str, Any]) -> tuple[Replan, dict[int, int]]:
    past = {code: {int(y): v for y, v in by_year.items()} for code, by_year in stored["past"].items()}
    plan = Replan(problem, stored["from"], past, tuple(stored["messages"]), stored.get("planned_ends", {}))
    return plan, {int(y): cap for y, cap in stored["past_caps"].items()}


def execute_run(
    *, engine: Engine, run_id: int, workers: int = 2, stop: threading.Event | None = None
) -> RunStatus | None:
    """Solve a queued run in a child process (app/solve_process.py) and store its verified result; None if
    it was no longer queued. A stop request ends the search early: the run is `cancelled`, keeping the best
    schedule found so far — or none, if the solver did not answer within a second and was killed. The
    run's time limit counts from its claim: reading the stored problem is part of it."""
    claimed = time.monotonic()
    run = background.claim(engine, Run, run_id, progress={"elapsed": 0.0})
    if run is None:
        return None
    replan_of = _stored_replan(Problem.from_json(run.problem), run.replan) if run.replan else None
    writer = _ProgressWriter(engine, run_id)
    try:
        outcome = solve_in_child(
            run.problem,
            time_limit=run.time_limit,
            workers=workers,
            started=claimed,
            stop=stop or threading.Event(),
            progress=writer,
            quiet=writer.flush,
        )
    except SolveFailed as err:
        background.finish(engine, Run, run_id, RunStatus.FAILED, error=str(err))
        return RunStatus.FAILED
    if outcome.solution is None:
        status, error = _UNANSWERED[outcome.ending]
        background.finish(engine, Run, run_id, status, error=error)
        return status
    status = RunStatus.CANCELLED if _stopped(stop) else RunStatus.DONE
    _store(engine, run_id, outcome.solution, status, replan_of)
    return status


_UNANSWERED = {  # a child solve that ended without a Solution: the run's status and why
    Ending.KILLED_ON_STOP: (RunStatus.CANCELLED, CANCELLED_KILLED),
    Ending.KILLED_ON_LIMIT: (RunStatus.FAILED, KILLED_PAST_LIMIT),
    Ending.DIED: (RunStatus.FAILED, SOLVER_DIED),
}


def _store(
    engine: Engine,
    run_id: int,
    solution: Solution,
    status: RunStatus,
    replan_of: tuple[Replan, dict[int, int]] | None,
) -> None:
    stored = solution.to_json() if replan_of is None else merge_past(solution.to_json(), *replan_of)
    background.finish(
        engine,
        Run,
        run_id,
        status,
        error=CANCELLED_RUNNING if status is RunStatus.CANCELLED else None,
        solution=stored,
        solver_status=str(solution.status),
        objective=solution.objective,
        bound=solution.bound,
        solve_seconds=round(solution.solve_seconds, 3),
        progress={
            "elapsed": round(solution.solve_seconds, 3),
            "objective": solution.objective,
            "bound": solution.bound,
        },
    )


# ── a sweep or a least-budget search ─────────────────────────────────────────────────────────────


def execute_job(
    *,
    engine: Engine,
    job_id: int,
    workers: int = 2,
    stop: threading.Event | None = None,
    fanout: Fanout | None = None,
) -> RunStatus | None:
    """Do a queued job, its solves on `fanout` (default: threads here), and store its result; None if it
    was no longer queued."""
    job = background.claim(engine, Job, job_id)
    if job is None:
        return None
    problem = Problem.from_json(job.params["problem"])
    fanout = fanout or LocalThreads()
    if job.kind == JobKind.SWEEP:
        return _execute_sweep(engine, job_id, problem, job.params, stop, fanout)
    if job.kind == JobKind.RISK:
        return _execute_risk(engine, job_id, problem, job.params, stop, fanout)
    return _execute_least_budget(engine, job_id, problem, job.params, workers, stop, fanout)


def _level(stored: Mapping[str, Any]) -> sweep.BudgetLevel:
    caps = {int(y): c for y, c in stored["caps"].items()}
    return sweep.BudgetLevel(stored["level"], caps, flat_wan=stored.get("flat_wan"))


def _execute_sweep(
    engine: Engine,
    job_id: int,
    problem: Problem,
    params: Mapping[str, Any],
    stop: threading.Event | None,
    fanout: Fanout,
) -> RunStatus:
    levels = [_level(stored) for stored in params["levels"]]
    points: list[dict[str, Any]] = []

    def report(progress: sweep.SweepProgress) -> None:
        points.append(progress.point.to_json())
        background.write(
            engine,
            Job,
            job_id,
            progress={"done": progress.done, "total": progress.total},
            result={"points": list(points)},
        )

    curve = sweep.sweep(
        problem,
        levels,
        time_limit=params["time_limit"],
        hints=params.get("hints", True),
        stars=params.get("stars"),
        seats=params.get("seats"),
        progress=report,
        stop=stop,
        fanout=fanout,
    )
    final = [point.to_json() for point in curve.points]
    status = RunStatus.CANCELLED if _stopped(stop) else RunStatus.DONE
    background.finish(
        engine,
        Job,
        job_id,
        status,
        error=CANCELLED_RUNNING if status is RunStatus.CANCELLED else None,
        progress={"done": len(final), "total": len(levels)},
        result={"points": final, "wall_seconds": round(curve.wall_seconds, 3)},
    )
    return status


def _step_json(step: least_budget.BisectionStep) -> dict[str, Any]:
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
    fanout: Fanout,
) -> RunStatus:
    steps: list[dict[str, Any]] = []

    def report(step: least_budget.BisectionStep) -> None:
        steps.append(_step_json(step))
        progress = {"steps": len(steps), "low": step.low, "high": step.high}
        background.write(engine, Job, job_id, progress=progress, result={"steps": list(steps)})

    scale_of = params.get("scale_of")
    answer = least_budget.least_budget(
        problem,
        rule=least_budget.Rule(params["rule"]),
        scale_of={int(y): c for y, c in scale_of.items()} if scale_of else None,
        time_limit=params["time_limit"],
        workers=workers,
        stars=params.get("stars"),
        star_deadline=params.get("star_deadline", PLAN_PERIOD_END),
        progress=report,
        stop=stop,
        fanout=fanout,
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
    cancelled = answer.outcome is least_budget.Outcome.CANCELLED
    status = RunStatus.CANCELLED if cancelled else RunStatus.DONE
    background.finish(
        engine,
        Job,
        job_id,
        status,
        error=CANCELLED_RUNNING if cancelled else None,
        progress={"steps": len(answer.steps)},
        result=result,
    )
    return status


# ── a cost risk analysis ─────────────────────────────────────────────────────────────────────────


def _execute_risk(
    engine: Engine,
    job_id: int,
    problem: Problem,
    params: Mapping[str, Any],
    stop: threading.Event | None,
    fanout: Fanout,
) -> RunStatus:
    assumptions = Assumptions.from_json(params["overrun"])
    overruns = ProjectOverruns.compile(
        problem,
        assumptions,
        params["categories"],
        params["natures"],
        funding_rules_from_json(params.get("funding_rules")),
    )
    last = [0.0]

    def report(progress: risk.RiskProgress) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and progress.done not in (0, progress.total):
            return
        last[0] = now
        values = {"phase": progress.phase, "done": progress.done, "total": progress.total}
        if progress.low is not None:
            values.update(low=progress.low, high=progress.high)
        background.write(engine, Job, job_id, only_running=True, progress=values)

    plan = params.get("plan")
    result = risk.analyse(
        problem,
        overruns=overruns,
        samples=params["samples"],
        seed=params["seed"],
        plan=Solution.from_json(plan) if plan else None,
        plan_source=params["plan_source"],
        stars=params["stars"],
        star_deadline=params["star_deadline"],
        confidence=params["confidence"],
        work_limit=params["work_limit"],
        time_limit=params["time_limit"],
        params=SolveParams(),
        fanout=fanout,
        progress=report,
        stop=stop,
        assumptions=assumptions.to_json(),
    )
    status = RunStatus.CANCELLED if result.cancelled else RunStatus.DONE
    samples = params["samples"]
    background.finish(
        engine,
        Job,
        job_id,
        status,
        error=CANCELLED_RUNNING if status is RunStatus.CANCELLED else None,
        progress={
            "phase": "done" if status is RunStatus.DONE else "cancelled",
            "done": len(result.outcomes),
            "total": samples,
        },
        result=result.figures() if status is RunStatus.DONE else None,
    )
    return status
