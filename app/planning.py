"""Run a scenario: database rows -> solver.Problem -> solve -> a stored Run.

The only module that imports both `solver` and `sqlmodel` (STYLE.md). A run is created `queued` with the
exact Problem JSON it will solve (so later edits to projects or budgets do not change it), then solved by
`execute_run` — in the API's background pool (app/runs.py) or inline (`run_scenario`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import update as sql_update
from sqlmodel import Session

from app import actuals, baselines, projects, runs, scenarios
from app.errors import Conflict, InvalidInput
from app.i18n import Field, Message
from app.job_errors import CANCELLED_RUNNING, RULES_BROKEN
from app.models import Run, RunStatus, Scenario, utcnow
from app.portfolio import ProjectRecord
from app.problem_builder import PlanningError, Replan, ScenarioOptions, build_problem, merge_past, replan
from app.slippage import SlippageReport, slippage_report
from app.solver_messages import message_json
from solver import Problem, ProblemError, Progress, Solution, solve, verify

PROGRESS_EVERY_SECONDS = 0.5  # at most this often a progress report is written to the run row


def scenario_options(scenario: Scenario) -> ScenarioOptions:
    """The scenario row as the problem builder's options (budget keys are years as strings in JSON)."""
    return ScenarioOptions(
        first_year=scenario.first_year,
        last_year=scenario.last_year,
        budget={int(year): cap for year, cap in scenario.budget.items()},
        carryover=scenario.carryover,
        star_deadline=scenario.star_deadline,
        overrides=scenario.overrides,
    )


def load_problem(problem_json: dict[str, Any]) -> Problem:
    """A stored MODEL.md problem JSON (of a run or a job) as a solver.Problem."""
    return Problem.from_json(problem_json)


def build_scenario_problem(*, session: Session, scenario_id: int) -> Problem:
    """The MODEL.md problem of a scenario over its portfolio's current projects; InvalidInput if impossible."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    records = _records(session, scenario)
    with _planning_errors():
        return build_problem(records, scenario_options(scenario))


def build_scenario_replan(*, session: Session, scenario_id: int, replan_from: int) -> Replan:
    """The scenario re-planned from `replan_from` with the portfolio's recorded actuals as the past."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    records = _records(session, scenario)
    spent = actuals.spent_by_code(session=session, portfolio_id=scenario.portfolio_id)
    options = replace(scenario_options(scenario), replan_from=replan_from)
    with _planning_errors():
        return replan(records, options, spent)


def _records(session: Session, scenario: Scenario) -> list[ProjectRecord]:
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    if not rows:
        raise InvalidInput(Message("portfolio_has_no_projects"), [(("portfolio",), Message("no_projects"))])
    return [projects.as_record(row) for row in rows]


@contextmanager
def _planning_errors() -> Iterator[None]:
    """PlanningError and ProblemError as InvalidInput naming the project (or option) and field."""
    try:
        yield
    except PlanningError as err:
        if err.field == "replan_from":
            words = Message("field_message", field=Field(err.field), message=err.reason)
            raise InvalidInput(words, [(("body", err.field), err.reason)]) from err
        raise InvalidInput(err.text, [(("project", err.code, err.field), err.reason)]) from err
    except ProblemError as err:
        raise InvalidInput(str(err), [(("project", err.project_id or "", err.field), err.message)]) from err


def _replan_json(plan: Replan, scenario: Scenario) -> dict[str, Any]:
    """What a re-plan run keeps beside its problem to put the frozen past back into its schedule."""
    return {
        "from": plan.replan_from,
        "past": {code: {str(y): v for y, v in past.items()} for code, past in plan.past.items()},
        "past_caps": {y: cap for y, cap in scenario.budget.items() if int(y) < plan.replan_from},
        "messages": list(plan.messages),
        "flags": [message_json(flag) for flag in plan.flags],  # the same, as Messages for either language
        "planned_ends": dict(plan.planned_ends),
    }


def _stored_replan(problem: Problem, stored: dict[str, Any]) -> tuple[Replan, dict[int, int]]:
    past = {code: {int(y): v for y, v in by_year.items()} for code, by_year in stored["past"].items()}
    plan = Replan(problem, stored["from"], past, tuple(stored["messages"]), stored.get("planned_ends", {}))
    return plan, {int(y): cap for y, cap in stored["past_caps"].items()}


def create_run(
    *, session: Session, scenario_id: int, started_by: str, time_limit: float, replan_from: int | None = None
) -> Run:
    """A queued run of the scenario, holding the exact problem it will solve (and, for a re-plan, the
    frozen past it puts back into the schedule)."""
    stored_replan = None
    if replan_from is None:
        problem = build_scenario_problem(session=session, scenario_id=scenario_id)
    else:
        plan = build_scenario_replan(session=session, scenario_id=scenario_id, replan_from=replan_from)
        problem = plan.problem
        stored_replan = _replan_json(plan, scenarios.get(session=session, scenario_id=scenario_id))
    run = Run(
        scenario_id=scenario_id,
        time_limit=time_limit,
        problem=problem.to_json(),
        started_by=started_by,
        replan=stored_replan,
    )
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def _claim(engine: Engine, run_id: int) -> dict[str, Any] | None:
    """Move the run from queued to running; its problem JSON, or None if it was cancelled meanwhile."""
    with Session(engine) as session:
        claimed = session.execute(
            sql_update(Run)
            .where(Run.id == run_id, Run.status == RunStatus.QUEUED)
            .values(status=RunStatus.RUNNING, started_at=utcnow(), progress={"elapsed": 0.0})
        )
        session.commit()
        if claimed.rowcount != 1:
            return None
        run = session.get(Run, run_id)
        return dict(run.problem)


def _progress_writer(engine: Engine, run_id: int):
    last = 0.0

    def report(progress: Progress) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY_SECONDS:
            return
        last = now
        values = {
            "elapsed": round(progress.elapsed, 3),
            "objective": progress.objective,
            "bound": progress.bound,
        }
        with Session(engine) as session:
            session.execute(
                sql_update(Run)
                .where(Run.id == run_id, Run.status == RunStatus.RUNNING)
                .values(progress=values)
            )
            session.commit()

    return report


def _store(
    engine: Engine,
    run_id: int,
    solution: Solution,
    status: RunStatus,
    error: str | None,
    replan_of: tuple[Replan, dict[int, int]] | None = None,
) -> None:
    stored = solution.to_json() if replan_of is None else merge_past(solution.to_json(), *replan_of)
    with Session(engine) as session:
        session.execute(
            sql_update(Run)
            .where(Run.id == run_id)
            .values(
                status=status,
                finished_at=utcnow(),
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
                error=error,
            )
        )
        session.commit()


def execute_run(
    *, engine: Engine, run_id: int, workers: int = 2, stop: threading.Event | None = None
) -> RunStatus | None:
    """Solve a queued run and store its verified result; None if it was no longer queued.

    Holds no database transaction while solving. A stop request ends the search early: the run is
    `cancelled`, keeping the best schedule found so far.
    """
    problem_json = _claim(engine, run_id)
    if problem_json is None:
        return None
    problem = Problem.from_json(problem_json)
    with Session(engine) as session:
        run = session.get(Run, run_id)
        time_limit = run.time_limit
        replan_of = _stored_replan(problem, run.replan) if run.replan else None
    solution = solve(
        problem, time_limit=time_limit, workers=workers, progress=_progress_writer(engine, run_id), stop=stop
    )
    violations = verify(problem, solution)
    if violations:
        mark_failed(engine=engine, run_id=run_id, reason=RULES_BROKEN + "; ".join(violations))
        return RunStatus.FAILED
    status = RunStatus.CANCELLED if stop is not None and stop.is_set() else RunStatus.DONE
    error = CANCELLED_RUNNING if status is RunStatus.CANCELLED else None
    _store(engine, run_id, solution, status, error, replan_of)
    return status


def mark_failed(*, engine: Engine, run_id: int, reason: str) -> None:
    """Record that a run failed and why (it keeps any earlier result)."""
    with Session(engine) as session:
        session.execute(
            sql_update(Run)
            .where(Run.id == run_id)
            .values(status=RunStatus.FAILED, error=reason[:4000], finished_at=utcnow())
        )
        session.commit()


def run_scenario(
    *,
    session: Session,
    scenario_id: int,
    started_by: str,
    time_limit: float = 10.0,
    workers: int = 2,
    replan_from: int | None = None,
) -> Run:
    """Create a run of the scenario and solve it here and now (CLI and scripts); the stored Run."""
    run = create_run(
        session=session,
        scenario_id=scenario_id,
        started_by=started_by,
        time_limit=time_limit,
        replan_from=replan_from,
    )
    run_id = run.id
    session.commit()  # end our transaction: on SQLite it would keep the solve from writing
    execute_run(engine=session.get_bind(), run_id=run_id, workers=workers)
    session.refresh(run)
    return run


def seconds_since(moment: datetime) -> float:
    """Seconds from `moment` to now (SQLite hands back naive UTC datetimes)."""
    now = utcnow()
    if moment.tzinfo is None:
        now = now.replace(tzinfo=None)
    return max(0.0, (now - moment).total_seconds())


def run_slippage(*, session: Session, run_id: int) -> SlippageReport:
    """The slippage report of a run's schedule: against the seed plan and the portfolio's baseline."""
    run = runs.get(session=session, run_id=run_id)
    solution = Solution.from_json(run.solution) if run.solution else None
    if solution is None or not solution.status.has_schedule:
        status = Message(f"run_status_{run.status}")
        raise Conflict(Message("run_no_schedule_to_report", run=run_id, status=status), ["status"])
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    baseline = baselines.solution_of(session=session, portfolio_id=scenario.portfolio_id)
    return slippage_report(
        Problem.from_json(run.problem),
        solution,
        records=[projects.as_record(row) for row in rows],
        baseline=Solution.from_json(baseline) if baseline else None,
    )
