"""Baselines: finance approves a run as its portfolio's plan of record."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CurrentUser, FinanceUser, SessionDep, WriteSessionDep
from api.params import Id
from app.models import BaselinePublic
from app.services import baselines

router = APIRouter(tags=["baselines"])


@router.post("/runs/{rid}/approve", response_model=BaselinePublic, status_code=status.HTTP_201_CREATED)
def approve_run(rid: Id, session: WriteSessionDep, user: FinanceUser) -> BaselinePublic:
    """Approve a finished run as the baseline of its portfolio (finance); kept with who and when."""
    baseline = baselines.approve(session=session, run_id=rid, user=user)
    return baselines.public(session=session, baseline=baseline)


@router.get("/portfolios/{pid}/baseline", response_model=BaselinePublic)
def get_baseline(pid: Id, session: SessionDep, _: CurrentUser) -> BaselinePublic:
    """The portfolio's baseline: the newest approved run."""
    baseline = baselines.get_current(session=session, portfolio_id=pid)
    return baselines.public(session=session, baseline=baseline)
