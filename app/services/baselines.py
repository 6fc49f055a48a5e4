"""Baselines: finance approves a finished run as its portfolio's plan of record (kept with who and when).

The newest approval is the baseline; earlier ones stay as history. Gantt ghosts and the slippage report
compare against the baseline's schedule as well as the seed plan.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.errors import Conflict, NotFound
from app.i18n import Message
from app.models import Baseline, BaselinePublic, Run, RunStatus, User
from app.services import audit, portfolios, runs, scenarios


def approve(*, session: Session, run_id: int, user: User) -> Baseline:
    """Make a done run with a schedule the baseline of its scenario's portfolio."""
    run = runs.get(session=session, run_id=run_id)
    if run.status != RunStatus.DONE or not _has_schedule(run):
        words = Message(
            "baseline_needs_schedule",
            run=run_id,
            status=Message(f"run_status_{run.status}"),
            solver_status=Message(f"solver_status_{run.solver_status or 'none'}"),
        )
        raise Conflict(words, ["status"])
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    baseline = Baseline(portfolio_id=scenario.portfolio_id, run_id=run_id, approved_by=user.name)
    session.add(baseline)
    session.flush()
    audit.record(
        session,
        actor=user,
        entity="baseline",
        entity_id=baseline.id,
        portfolio_id=scenario.portfolio_id,
        action="approve",
        new={"run_id": run_id, "scenario_id": scenario.id, "objective": run.objective},
    )
    session.commit()
    session.refresh(baseline)
    return baseline


def _has_schedule(run: Run) -> bool:
    return run.solution is not None and run.solution.get("status") in ("OPTIMAL", "FEASIBLE")


def current(*, session: Session, portfolio_id: int) -> Baseline | None:
    """The portfolio's newest approved baseline, or None."""
    query = select(Baseline).where(Baseline.portfolio_id == portfolio_id).order_by(Baseline.id.desc())
    return session.exec(query).first()


def get_current(*, session: Session, portfolio_id: int) -> Baseline:
    """The portfolio's baseline, or NotFound in plain words."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    baseline = current(session=session, portfolio_id=portfolio_id)
    if baseline is None:
        raise NotFound("baseline of portfolio", portfolio_id)
    return baseline


def solution_of(*, session: Session, portfolio_id: int) -> dict[str, Any] | None:
    """The baseline run's MODEL.md Solution JSON, or None when the portfolio has no baseline."""
    baseline = current(session=session, portfolio_id=portfolio_id)
    if baseline is None:
        return None
    return runs.get(session=session, run_id=baseline.run_id).solution


def public(*, session: Session, baseline: Baseline) -> BaselinePublic:
    run = runs.get(session=session, run_id=baseline.run_id)
    return BaselinePublic.model_validate(baseline, update={"scenario_id": run.scenario_id})
