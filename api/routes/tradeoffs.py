"""Money against delay: budget sweeps (the trade-off curve) and the least budget, as background jobs."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from fastapi import APIRouter, Body, Query, Request, status
from fastapi.responses import Response

from api.deps import CurrentUser, FinanceUser, PoolDep, SessionDep, SettingsDep, WriteSessionDep
from api.errors import request_lang
from api.params import Id
from api.routes.runs import Lang, file_response
from app.models import JobKind, LeastBudgetCreate, LeastBudgetPublic, SweepCreate, SweepPublic
from app.services import jobs

router = APIRouter(tags=["trade-offs"])


class CurveFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"
    CSV = "csv"
    XLSX = "xlsx"


@router.post("/scenarios/{sid}/sweeps", response_model=SweepPublic, status_code=status.HTTP_202_ACCEPTED)
def start_sweep(
    request: Request,
    sid: Id,
    session: WriteSessionDep,
    pool: PoolDep,
    settings: SettingsDep,
    user: FinanceUser,
    data: SweepCreate | None = Body(default=None),
) -> SweepPublic:
    """Queue a sweep: the scenario solved at every budget level (finance); poll it for points."""
    job = jobs.start_sweep(
        session=session,
        pool=pool,
        scenario_id=sid,
        user=user,
        data=data or SweepCreate(),
        default_time_limit=settings.default_time_limit,
        max_time_limit=settings.max_time_limit,
    )
    return jobs.sweep_public(job, request_lang(request))


@router.get("/scenarios/{sid}/sweeps", response_model=list[SweepPublic])
def list_sweeps(request: Request, sid: Id, session: SessionDep, _: CurrentUser) -> list[SweepPublic]:
    """The scenario's sweeps, newest first."""
    found = jobs.list_jobs(session=session, scenario_id=sid, kind=JobKind.SWEEP)
    return [jobs.sweep_public(job, request_lang(request)) for job in found]


@router.get("/sweeps/{job_id}", response_model=SweepPublic)
def get_sweep(request: Request, job_id: Id, session: SessionDep, _: CurrentUser) -> SweepPublic:
    """Status, progress (levels done of all) and the points solved so far."""
    return jobs.sweep_public(
        jobs.get(session=session, job_id=job_id, kind=JobKind.SWEEP), request_lang(request)
    )


@router.delete("/sweeps/{job_id}", response_model=SweepPublic, status_code=status.HTTP_202_ACCEPTED)
def cancel_sweep(
    request: Request, job_id: Id, session: WriteSessionDep, pool: PoolDep, user: FinanceUser
) -> SweepPublic:
    """Cancel a sweep; the points already solved stay."""
    job = jobs.cancel(session=session, pool=pool, job_id=job_id, kind=JobKind.SWEEP, user=user)
    return jobs.sweep_public(job, request_lang(request))


@router.get("/sweeps/{job_id}/curve.{fmt}", response_class=Response)
def sweep_curve(
    job_id: Id,
    fmt: CurveFormat,
    session: SessionDep,
    _: CurrentUser,
    lang: Lang = "zh",
    measure: Literal["objective", "seat_years"] | None = Query(
        None, description="what the chart plots: the scenario's objective (default) or seat-years"
    ),
) -> Response:
    """The trade-off curve: chart (current budget marked) or table, of the points solved so far."""
    content = jobs.curve_file(session=session, job_id=job_id, fmt=fmt, lang=lang, measure=measure)
    return file_response(content, fmt, f"sweep-{job_id}-curve")


@router.post(
    "/scenarios/{sid}/least-budget", response_model=LeastBudgetPublic, status_code=status.HTTP_202_ACCEPTED
)
def start_least_budget(
    request: Request,
    sid: Id,
    session: WriteSessionDep,
    pool: PoolDep,
    settings: SettingsDep,
    user: FinanceUser,
    data: LeastBudgetCreate | None = Body(default=None),
) -> LeastBudgetPublic:
    """Queue the search for the least flat budget (or scale of the caps) meeting the rule (finance)."""
    job = jobs.start_least_budget(
        session=session,
        pool=pool,
        scenario_id=sid,
        user=user,
        data=data or LeastBudgetCreate(),
        default_time_limit=settings.default_time_limit,
        max_time_limit=settings.max_time_limit,
    )
    return jobs.least_budget_public(job, request_lang(request))


@router.get("/scenarios/{sid}/least-budget", response_model=list[LeastBudgetPublic])
def list_least_budget(
    request: Request, sid: Id, session: SessionDep, _: CurrentUser
) -> list[LeastBudgetPublic]:
    """The scenario's least-budget searches, newest first."""
    found = jobs.list_jobs(session=session, scenario_id=sid, kind=JobKind.LEAST_BUDGET)
    return [jobs.least_budget_public(job, request_lang(request)) for job in found]


@router.get("/least-budget/{job_id}", response_model=LeastBudgetPublic)
def get_least_budget(request: Request, job_id: Id, session: SessionDep, _: CurrentUser) -> LeastBudgetPublic:
    """Status, bisection steps so far and, when found, the amount and the schedule at that budget."""
    return jobs.least_budget_public(
        jobs.get(session=session, job_id=job_id, kind=JobKind.LEAST_BUDGET), request_lang(request)
    )


@router.delete(
    "/least-budget/{job_id}", response_model=LeastBudgetPublic, status_code=status.HTTP_202_ACCEPTED
)
def cancel_least_budget(
    request: Request, job_id: Id, session: WriteSessionDep, pool: PoolDep, user: FinanceUser
) -> LeastBudgetPublic:
    """Cancel a least-budget search."""
    job = jobs.cancel(session=session, pool=pool, job_id=job_id, kind=JobKind.LEAST_BUDGET, user=user)
    return jobs.least_budget_public(job, request_lang(request))
