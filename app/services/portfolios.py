"""Portfolios: a named set of projects (one plan)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db import is_unique_violation
from app.errors import Conflict, NotFound
from app.i18n import Message
from app.models import Portfolio, PortfolioCreate, PortfolioPublic, Project, Scenario, User
from app.rules.actuals import Bounds
from app.rules.problem import STRETCH_YEARS
from app.services import audit


def _public(portfolio: Portfolio, project_count: int) -> PortfolioPublic:
    return PortfolioPublic.model_validate(portfolio, update={"project_count": project_count})


def list_portfolios(*, session: Session) -> list[PortfolioPublic]:
    """Every portfolio with its number of projects, oldest first."""
    counts = dict(
        session.exec(select(Project.portfolio_id, func.count()).group_by(Project.portfolio_id)).all()
    )
    rows = session.exec(select(Portfolio).order_by(Portfolio.id)).all()
    return [_public(p, counts.get(p.id, 0)) for p in rows]


def get(*, session: Session, portfolio_id: int) -> Portfolio:
    """The portfolio, or NotFound."""
    portfolio = session.get(Portfolio, portfolio_id)
    if portfolio is None:
        raise NotFound("portfolio", portfolio_id)
    return portfolio


def get_public(*, session: Session, portfolio_id: int) -> PortfolioPublic:
    portfolio = get(session=session, portfolio_id=portfolio_id)
    count = session.exec(select(func.count()).where(Project.portfolio_id == portfolio_id)).one()
    return _public(portfolio, count)


def find_by_name(*, session: Session, name: str) -> Portfolio | None:
    return session.exec(select(Portfolio).where(Portfolio.name == name)).first()


FIELDS = ("name", "description")


def create(*, session: Session, data: PortfolioCreate, user: User | None) -> PortfolioPublic:
    """A new, empty portfolio; a name already in use is a Conflict."""
    name = data.name.strip()
    if find_by_name(session=session, name=name) is not None:
        raise Conflict(Message("portfolio_name_taken", name=name), ["name"])
    portfolio = Portfolio(name=name, description=data.description)
    session.add(portfolio)
    try:
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
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "portfolio", "name"):
            raise
        raise Conflict(Message("portfolio_name_taken", name=name), ["name"]) from err
    session.refresh(portfolio)
    return _public(portfolio, 0)


def delete(*, session: Session, portfolio_id: int, user: User) -> None:
    """Remove a portfolio with its projects, scenarios and runs."""
    portfolio = get(session=session, portfolio_id=portfolio_id)
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
