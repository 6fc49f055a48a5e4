"""Scenarios: budget caps and options over a portfolio; edits carry `version` like projects do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import portfolios
from app.errors import Conflict, InvalidInput, NotFound, StaleVersion
from app.i18n import Field, Listing, Message
from app.models import Scenario, ScenarioCreate, ScenarioUpdate, check_budget, utcnow

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


def create(*, session: Session, portfolio_id: int, data: ScenarioCreate) -> Scenario:
    """A new scenario of the portfolio; its name must be new in the portfolio."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    taken = select(Scenario).where(Scenario.portfolio_id == portfolio_id, Scenario.name == data.name)
    if session.exec(taken).first() is not None:
        raise _name_taken(data.name)
    scenario = Scenario(**data.model_dump(), portfolio_id=portfolio_id)
    session.add(scenario)
    try:
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise _name_taken(data.name) from err
    session.refresh(scenario)
    return scenario


def _check_merged(scenario: Scenario, changes: dict[str, Any]) -> None:
    nulled = [name for name in _REQUIRED if name in changes and changes[name] is None]
    if nulled:
        raise InvalidInput(
            Message("fields_cannot_be_empty", fields=Listing(tuple(Field(n) for n in nulled))),
            [(("body", name), Message("cannot_be_empty")) for name in nulled],
        )
    first = changes.get("first_year", scenario.first_year)
    last = changes.get("last_year", scenario.last_year)
    budget = changes.get("budget", scenario.budget)
    try:
        check_budget(first, last, budget)
    except InvalidInput as err:
        raise InvalidInput(err.text, [(("body", "budget"), err.text)]) from err


def _stale(session: Session, scenario_id: int, yours: int) -> StaleVersion:
    session.rollback()
    current = get(session=session, scenario_id=scenario_id)
    session.refresh(current)
    fields = sorted(name for name, version in current.changed_in.items() if version > yours)
    return StaleVersion("scenario", current.name, yours, current.version, fields)


def update(*, session: Session, scenario_id: int, data: ScenarioUpdate) -> Scenario:
    """Edit budget and options. A `version` other than the stored one is a StaleVersion naming what changed."""
    scenario = get(session=session, scenario_id=scenario_id)
    if data.version != scenario.version:
        raise _stale(session, scenario_id, data.version)
    values = data.model_dump(exclude_unset=True, exclude={"version"})
    changes = {name: value for name, value in values.items() if getattr(scenario, name) != value}
    if not changes:
        return scenario
    _check_merged(scenario, changes)
    version = scenario.version + 1
    changed_in = {**scenario.changed_in, **dict.fromkeys(changes, version)}
    try:
        result = session.execute(
            sql_update(Scenario)
            .where(Scenario.id == scenario_id, Scenario.version == data.version)
            .values(**changes, version=version, changed_in=changed_in, updated_at=utcnow())
        )
        if result.rowcount != 1:
            raise _stale(session, scenario_id, data.version)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise _name_taken(changes.get("name", scenario.name)) from err
    session.refresh(scenario)
    return scenario


def delete(*, session: Session, scenario_id: int) -> None:
    """Remove a scenario with its runs."""
    session.delete(get(session=session, scenario_id=scenario_id))
    session.commit()
