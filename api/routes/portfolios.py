"""Portfolios: list, read, create, remove."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CurrentUser, FinanceUser, SessionDep
from app.models import PortfolioCreate, PortfolioPublic
from app.services import portfolios

router = APIRouter(prefix="/portfolios", tags=["portfolios"])


@router.get("", response_model=list[PortfolioPublic])
def list_portfolios(session: SessionDep, _: CurrentUser) -> list[PortfolioPublic]:
    """Every portfolio with its number of projects."""
    return portfolios.list_portfolios(session=session)


@router.post("", response_model=PortfolioPublic, status_code=status.HTTP_201_CREATED)
def create_portfolio(data: PortfolioCreate, session: SessionDep, user: FinanceUser) -> PortfolioPublic:
    """Create an empty portfolio (finance)."""
    return portfolios.create(session=session, data=data, user=user)


@router.get("/{pid}", response_model=PortfolioPublic)
def get_portfolio(pid: int, session: SessionDep, _: CurrentUser) -> PortfolioPublic:
    """One portfolio."""
    return portfolios.get_public(session=session, portfolio_id=pid)


@router.delete("/{pid}", status_code=status.HTTP_204_NO_CONTENT)
def delete_portfolio(pid: int, session: SessionDep, user: FinanceUser) -> None:
    """Remove a portfolio with its projects, scenarios and runs (finance)."""
    portfolios.delete(session=session, portfolio_id=pid, user=user)
