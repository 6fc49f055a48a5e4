"""Portfolios: list, read, create, rename, set the status date, remove."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import Response
from pydantic import TypeAdapter

from api.cache import json_answer
from api.deps import CurrentUser, FinanceUser, ResponsesDep, SessionDep, WriteSessionDep
from api.params import Id
from api.routes.runs import file_response
from app.models import EstimateSummary, PortfolioCreate, PortfolioPublic, PortfolioUpdate
from app.services import estimates, exports, portfolios

router = APIRouter(prefix="/portfolios", tags=["portfolios"])
_PORTFOLIO = TypeAdapter(PortfolioPublic)


@router.get("", response_model=list[PortfolioPublic])
def list_portfolios(session: SessionDep, _: CurrentUser) -> list[PortfolioPublic]:
    """Every portfolio with its number of projects."""
    return portfolios.list_portfolios(session=session)


@router.post("", response_model=PortfolioPublic, status_code=status.HTTP_201_CREATED)
def create_portfolio(data: PortfolioCreate, session: WriteSessionDep, user: FinanceUser) -> PortfolioPublic:
    """Create an empty portfolio (finance)."""
    return portfolios.create(session=session, data=data, user=user)


@router.get("/{pid}", response_model=PortfolioPublic)
def get_portfolio(
    pid: Id, request: Request, session: SessionDep, _: CurrentUser, kept: ResponsesDep
) -> Response:
    """One portfolio."""
    return kept.answer(
        request,
        session,
        lambda: json_answer(portfolios.get_public(session=session, portfolio_id=pid), _PORTFOLIO),
        work=True,  # its active_runs counts runs and jobs
    )


@router.patch("/{pid}", response_model=PortfolioPublic)
def edit_portfolio(
    pid: Id, data: PortfolioUpdate, session: WriteSessionDep, user: FinanceUser
) -> PortfolioPublic:
    """Rename, describe, or set the status date actuals are recorded up to (finance)."""
    return portfolios.update(session=session, portfolio_id=pid, data=data, user=user)


@router.delete("/{pid}", status_code=status.HTTP_204_NO_CONTENT)
def delete_portfolio(pid: Id, session: WriteSessionDep, user: FinanceUser) -> None:
    """Remove a portfolio with its projects, scenarios and runs (finance); 409 while one of its runs is active."""
    portfolios.delete(session=session, portfolio_id=pid, user=user)


@router.get("/{pid}/template.xlsx", response_class=Response)
def get_template(pid: Id, session: SessionDep, _: CurrentUser, lang: Literal["zh", "en"] = "zh") -> Response:
    """The project-list template (dropdowns, Chinese headers) pre-filled with the portfolio's projects."""
    portfolios.get(session=session, portfolio_id=pid)
    content = exports.template_file(session=session, portfolio_id=pid, lang=lang)
    return file_response(content, "xlsx", f"portfolio-{pid}-template")


@router.post("/{pid}/estimate", response_model=EstimateSummary)
def estimate_costs(pid: Id, session: WriteSessionDep, user: FinanceUser) -> EstimateSummary:
    """Estimate the cost of every project without one (估算: floor area × unit cost, or category median)."""
    portfolios.get(session=session, portfolio_id=pid)
    return estimates.estimate_portfolio(session=session, portfolio_id=pid, user=user)
