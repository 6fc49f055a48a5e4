"""Portfolios: a named set of projects (one plan)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db import is_unique_violation
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import Field, Message
from app.models import (
    Job,
    Portfolio,
    PortfolioCreate,
    PortfolioPublic,
    PortfolioUpdate,
    Project,
    Run,
    RunStatus,
    Scenario,
    User,
)
from app.rules.actuals import Bounds
from app.rules.problem import STRETCH_YEARS
from app.services import audit


def _public(portfolio: Portfolio, project_count: int, active: int = 0) -> PortfolioPublic:
    return PortfolioPublic.model_validate(
        portfolio, update={"project_count": project_count, "active_runs": active}
    )


def _active(session: Session) -> dict[int, int]:
    """Runs and jobs queued or running, per portfolio."""
    active: dict[int, int] = {}
    unfinished = [RunStatus.QUEUED, RunStatus.RUNNING]
    for table in (Run, Job):
        query = (
            select(Scenario.portfolio_id, func.count())
            .join(table, table.scenario_id == Scenario.id)
            .where(table.status.in_(unfinished))
            .group_by(Scenario.portfolio_id)
        )
        for pid, count in session.exec(query).all():
            active[pid] = active.get(pid, 0) + count
    return active


def list_portfolios(*, session: Session) -> list[PortfolioPublic]:
    """Every portfolio with its number of projects and of active runs, oldest first."""
    counts = dict(
        session.exec(select(Project.portfolio_id, func.count()).group_by(Project.portfolio_id)).all()
    )
    active = _active(session)
    rows = session.exec(select(Portfolio).order_by(Portfolio.id)).all()
    return [_public(p, counts.get(p.id, 0), active.get(p.id, 0)) for p in rows]


def get(*, session: Session, portfolio_id: int) -> Portfolio:
    """The portfolio, or NotFound."""
    portfolio = session.get(Portfolio, portfolio_id)
    if portfolio is None:
        raise NotFound("portfolio", portfolio_id)
    return portfolio


def get_public(*, session: Session, portfolio_id: int) -> PortfolioPublic:
    portfolio = get(session=session, portfolio_id=portfolio_id)
    count = session.exec(select(func.count()).where(Project.portfolio_id == portfolio_id)).one()
    return _public(portfolio, count, _active(session).get(portfolio_id, 0))


def find_by_name(*, session: Session, name: str) -> Portfolio | None:
    return session.exec(select(Portfolio).where(Portfolio.name == name)).first()


FIELDS = ("name", "description")


def _name_taken(name: str) -> Conflict:
    return Conflict(Message("portfolio_name_taken", name=name), ["name"])


def add(*, session: Session, data: PortfolioCreate, user: User | None) -> Portfolio:
    """A new, empty portfolio and its audit row in the transaction (not committed); a name in use is a
    Conflict."""
    name = data.name.strip()
    if find_by_name(session=session, name=name) is not None:
        raise _name_taken(name)
    portfolio = Portfolio(name=name, description=data.description)
    session.add(portfolio)
    session.flush()
    audit.record(
        session,
        actor=user,
        entity="portfolio",
        entity_id=portfolio.id,
        portfolio_id=portfolio.id,
        action="create",
        new=audit.snapshot(portfolio, FIELDS),
    )
    return portfolio


def create(*, session: Session, data: PortfolioCreate, user: User | None) -> PortfolioPublic:
    """A new, empty portfolio; a name already in use is a Conflict."""
    try:
        portfolio = add(session=session, data=data, user=user)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "portfolio", "name"):
            raise
        raise _name_taken(data.name.strip()) from err
    session.refresh(portfolio)
    return _public(portfolio, 0)


def update(*, session: Session, portfolio_id: int, data: PortfolioUpdate, user: User) -> PortfolioPublic:
    """Rename, describe, or set the status date (finance)."""
    portfolio = get(session=session, portfolio_id=portfolio_id)
    given = data.model_dump(exclude_unset=True)
    if "name" in given:
        if given["name"] is None:
            raise InvalidInput(
                Message("fields_cannot_be_empty", fields=Field("name")),
                [(("body", "name"), Message("cannot_be_empty"))],
            )
        given["name"] = given["name"].strip()
        other = find_by_name(session=session, name=given["name"])
        if other is not None and other.id != portfolio_id:
            raise _name_taken(given["name"])
    changes = {k: v for k, v in given.items() if getattr(portfolio, k) != v}
    if changes:
        audit.record(
            session,
            actor=user,
            entity="portfolio",
            entity_id=portfolio_id,
            portfolio_id=portfolio_id,
            action="update",
            changes={k: (getattr(portfolio, k), v) for k, v in changes.items()},
        )
        for k, v in changes.items():
            setattr(portfolio, k, v)
        session.add(portfolio)
        try:
            session.commit()
        except IntegrityError as err:
            session.rollback()
            if not is_unique_violation(err, "portfolio", "name"):
                raise
            raise _name_taken(changes["name"]) from err
    return get_public(session=session, portfolio_id=portfolio_id)


def delete(*, session: Session, portfolio_id: int, user: User) -> None:
    """Remove a portfolio with its projects, scenarios and runs; Conflict while a run or job of it is
    queued or running (cancel it first)."""
    portfolio = get(session=session, portfolio_id=portfolio_id)
    active = _active(session).get(portfolio_id, 0)
    if active:
        raise Conflict(Message("portfolio_busy", name=portfolio.name, count=active), ["active_runs"])
    audit.record(
        session,
        actor=user,
        entity="portfolio",
        entity_id=portfolio_id,
        portfolio_id=portfolio_id,
        action="delete",
        old=audit.snapshot(portfolio, FIELDS),
    )
    session.delete(portfolio)
    session.commit()


def actual_bounds(*, session: Session, portfolio_id: int) -> Bounds:
    """The years actuals of the portfolio may be recorded for: the span of its scenarios (else of its
    projects' planned years, plus the stretch a site may take), up to its status date's year (today's when
    none is set)."""
    portfolio = get(session=session, portfolio_id=portfolio_id)
    first, last = session.exec(
        select(func.min(Scenario.first_year), func.max(Scenario.last_year)).where(
            Scenario.portfolio_id == portfolio_id
        )
    ).one()
    if first is None:
        first, last = session.exec(
            select(func.min(Project.planned_start), func.max(Project.planned_end)).where(
                Project.portfolio_id == portfolio_id
            )
        ).one()
        last = None if last is None else last + STRETCH_YEARS
    status = portfolio.status_date or date.today()
    return Bounds(first, last, status.year, status.isoformat())
