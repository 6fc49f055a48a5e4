"""Scenarios: budget caps and options over a portfolio (edits carry `version` like projects do), and the
scenario as the MODEL.md problem it means — the one place database rows become a solver.Problem."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db import is_unique_violation
from app.errors import Conflict, InvalidInput, NotFound, StaleVersion
from app.i18n import Field, Listing, Message
from app.models import Scenario, ScenarioCreate, ScenarioUpdate, User, check_budget
from app.rules.portfolio import ProjectRecord, missing_figures
from app.rules.problem import PlanningError, Replan, ScenarioOptions, build_problem, paid_in_full, replan
from app.rules.seats import Objective, SeatCount, seat_count
from app.services import actuals, audit, funding, portfolios, projects, versioning
from solver import Problem, ProblemError

_REQUIRED = ("name", "first_year", "last_year", "budget", "carryover", "overrides")


def list_scenarios(*, session: Session, portfolio_id: int) -> list[Scenario]:
    """The portfolio's scenarios, oldest first."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    query = select(Scenario).where(Scenario.portfolio_id == portfolio_id).order_by(Scenario.id)
    return list(session.exec(query))


def get(*, session: Session, scenario_id: int) -> Scenario:
    """The scenario, or NotFound."""
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound("scenario", scenario_id)
    return scenario


def _name_taken(name: str) -> Conflict:
    return Conflict(Message("scenario_name_taken", name=name), ["name"])


FIELDS = tuple(ScenarioCreate.model_fields)


def add(session: Session, portfolio_id: int, data: ScenarioCreate, user: User | None) -> Scenario:
    """Add the scenario and its audit row to the transaction (not committed)."""
    scenario = Scenario(**data.model_dump(), portfolio_id=portfolio_id)
    session.add(scenario)
    session.flush()
    audit.record(
        session,
        actor=user,
        entity="scenario",
        entity_id=scenario.id,
        portfolio_id=portfolio_id,
        action="create",
        new=audit.snapshot(scenario, FIELDS),
    )
    return scenario


def create(*, session: Session, portfolio_id: int, data: ScenarioCreate, user: User) -> Scenario:
    """A new scenario of the portfolio; its name must be new in the portfolio."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    taken = select(Scenario).where(Scenario.portfolio_id == portfolio_id, Scenario.name == data.name)
    if session.exec(taken).first() is not None:
        raise _name_taken(data.name)
    try:
        scenario = add(session, portfolio_id, data, user)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "scenario", "portfolio_id", "name"):
            raise
        raise _name_taken(data.name) from err
    session.refresh(scenario)
    return scenario


def _check_merged(scenario: Scenario, changes: dict[str, Any]) -> None:
    versioning.check_required_kept(changes, _REQUIRED)
    first = changes.get("first_year", scenario.first_year)
    last = changes.get("last_year", scenario.last_year)
    budget = changes.get("budget", scenario.budget)
    try:
        check_budget(first, last, budget)
    except InvalidInput as err:
        raise InvalidInput(err.text, [(("body", "budget"), err.text)]) from err


def _stale(session: Session, scenario_id: int, yours: int) -> StaleVersion:
    return versioning.stale(session, Scenario, scenario_id, yours, "scenario", lambda s: s.name)


def update(*, session: Session, scenario_id: int, data: ScenarioUpdate, user: User) -> Scenario:
    """Edit budget and options. A `version` other than the stored one is a StaleVersion naming what changed."""
    scenario = get(session=session, scenario_id=scenario_id)
    if data.version != scenario.version:
        raise _stale(session, scenario_id, data.version)
    changes = versioning.changes_of(scenario, data.model_dump(exclude_unset=True, exclude={"version"}))
    if not changes:
        return scenario
    _check_merged(scenario, changes)
    try:
        audit.record(
            session,
            actor=user,
            entity="scenario",
            entity_id=scenario_id,
            portfolio_id=scenario.portfolio_id,
            action="update",
            changes={name: (getattr(scenario, name), value) for name, value in changes.items()},
        )
        if not versioning.compare_and_set(session, scenario, changes, data.version):
            raise _stale(session, scenario_id, data.version)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "scenario", "portfolio_id", "name"):
            raise
        raise _name_taken(changes.get("name", scenario.name)) from err
    session.refresh(scenario)
    return scenario


def delete(*, session: Session, scenario_id: int, user: User) -> None:
    """Remove a scenario with its runs."""
    scenario = get(session=session, scenario_id=scenario_id)
    audit.record(
        session,
        actor=user,
        entity="scenario",
        entity_id=scenario_id,
        portfolio_id=scenario.portfolio_id,
        action="delete",
        old=audit.snapshot(scenario, FIELDS),
    )
    session.delete(scenario)
    session.commit()


# ── a scenario as a MODEL.md problem: the one place database rows become a solver.Problem ──────────


def options_of(scenario: Scenario, plan: funding.FundingPlan | None = None) -> ScenarioOptions:
    """The scenario row as the problem builder's options (budget keys are years as strings in JSON), with
    its funding sources and rules when the portfolio has any (`plan`, from funding.plan_of)."""
    return ScenarioOptions(
        first_year=scenario.first_year,
        last_year=scenario.last_year,
        budget={int(year): cap for year, cap in scenario.budget.items()},
        carryover=scenario.carryover,
        star_deadline=scenario.star_deadline,
        overrides=scenario.overrides,
        sources=plan.sources if plan is not None else (),
        funding_rules=plan.rules if plan is not None else (),
        objective=Objective(scenario.objective),
        default_seats=scenario.default_seats,
    )


def problem_of(*, session: Session, scenario_id: int) -> Problem:
    """The MODEL.md problem of a scenario over its portfolio's current projects (v2 when the portfolio has
    funding sources); InvalidInput if impossible."""
    return problem_and_left_out(session=session, scenario_id=scenario_id)[0]


def problem_and_left_out(*, session: Session, scenario_id: int) -> tuple[Problem, tuple[Message, ...]]:
    """`problem_of`, and the projects it leaves out because they are paid in full, each named."""
    scenario = get(session=session, scenario_id=scenario_id)
    records = _records(session, scenario)
    plan = funding.plan_of(session=session, scenario=scenario)
    with _planning_errors():
        return build_problem(records, options_of(scenario, plan)), paid_in_full(records)


def replan_of(*, session: Session, scenario_id: int, replan_from: int) -> Replan:
    """The scenario re-planned from `replan_from` with the portfolio's recorded actuals as the past."""
    scenario = get(session=session, scenario_id=scenario_id)
    records = _records(session, scenario)
    spent = actuals.spent_by_code(session=session, portfolio_id=scenario.portfolio_id)
    plan = funding.plan_of(session=session, scenario=scenario)
    options = replace(options_of(scenario, plan), replan_from=replan_from)
    with _planning_errors():
        return replan(records, options, spent)


def records_of(*, session: Session, scenario_id: int) -> list[ProjectRecord]:
    """The project records a run of the scenario schedules (drafts left out)."""
    return _records(session, get(session=session, scenario_id=scenario_id))


def sources_described(*, session: Session, scenario_id: int) -> list[dict[str, Any]] | None:
    """The scenario's funding sources as a run keeps them (None: the portfolio has none)."""
    scenario = get(session=session, scenario_id=scenario_id)
    plan = funding.plan_of(session=session, scenario=scenario)
    return plan.described if plan is not None else None


def seats_of(*, session: Session, scenario_id: int) -> SeatCount:
    """The places each schedulable project counts for in the scenario's seat-years (the default where a
    project states none)."""
    scenario = get(session=session, scenario_id=scenario_id)
    return seat_count(_records(session, scenario), scenario.default_seats)


def star_codes(*, session: Session, scenario: Scenario) -> list[str]:
    """The ★ projects of the scenario's portfolio."""
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    return [row.code for row in rows if row.star]


def time_limit_for(
    scenario: Scenario, asked: float | None, *, default_time_limit: float, max_time_limit: float
) -> float:
    """Seconds a run (or each solve of a sweep or search) may take: as asked, else the scenario's, else the
    server's default; InvalidInput above the server's maximum."""
    seconds = asked or scenario.time_limit or default_time_limit
    if seconds > max_time_limit:
        raise InvalidInput(
            Message("time_limit_over_max", seconds=f"{seconds:g}", limit=f"{max_time_limit:g}"),
            [(("body", "time_limit"), Message("at_most", limit=f"{max_time_limit:g}"))],
        )
    return seconds


def drafts_of(*, session: Session, scenario_id: int) -> list[dict[str, Any]]:
    """The portfolio's draft projects (schedule figures missing), which its runs leave out:
    [{"code", "name", "missing": [field, …]}] in portfolio order."""
    scenario = get(session=session, scenario_id=scenario_id)
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    return [
        {"code": row.code, "name": row.name, "missing": list(missing)}
        for row in rows
        if (missing := missing_figures(row))
    ]


def _records(session: Session, scenario: Scenario) -> list[ProjectRecord]:
    """The portfolio's projects that can be scheduled; drafts are left out (runs say which), and a
    portfolio of drafts only cannot run (the error names them)."""
    rows = projects.list_projects(session=session, portfolio_id=scenario.portfolio_id)
    if not rows:
        raise InvalidInput(Message("portfolio_has_no_projects"), [(("portfolio",), Message("no_projects"))])
    ready = [projects.as_record(row) for row in rows if not missing_figures(row)]
    if not ready:
        codes = Listing(tuple(row.code for row in rows[:20]))
        raise InvalidInput(
            Message("portfolio_only_drafts", n=len(rows), codes=codes),
            [(("portfolio",), Message("no_projects"))],
        )
    return ready


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
